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
	var out []AuditEntry
	var hidden int
	err := s.view(a, "read audit trail", func(tx Tx) error {
		var err error
		out, hidden, err = tx.Audit(AuditFilter{RecordID: q.RecordID, AfterSeq: q.AfterSeq, Limit: q.Limit})
		return err
	})
	return out, hidden, err
}
