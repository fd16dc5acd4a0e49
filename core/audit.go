package core

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// AuditQuery selects audit entries.
type AuditQuery struct {
	RecordID uuid.UUID // uuid.Nil for the whole trail
	AfterSeq uint64
	Limit    int
}

// Audit returns audit entries in trail order, oldest first, and how many damaged entries were
// left out. Management only. Errors: Unauthenticated, Forbidden.
func (s *Service) Audit(a *Actor, q AuditQuery) ([]AuditEntry, int, error) {
	if err := authorize(a, permissions.Audit, permissions.Read, "read the audit trail"); err != nil {
		return nil, 0, err
	}
	return viewList(s, a, "read audit trail", func(tx Tx) ([]AuditEntry, int, error) {
		return tx.Audit(AuditFilter{RecordID: q.RecordID, AfterSeq: q.AfterSeq, Limit: q.Limit})
	})
}
