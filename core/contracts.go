package core

import (
	"bytes"
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/permissions"
)

// ContractInput is a new contract. Due nil means "the whole total is due".
type ContractInput struct {
	ClientID uuid.UUID
	Total    decimal.Decimal
	Due      *decimal.Decimal
}

// ContractQuery selects contracts for ListContracts; the flags combine.
type ContractQuery struct {
	Mine     bool // contracts whose commercial contact is the actor
	Unsigned bool // status draft
	Unpaid   bool // amount due > 0 and not cancelled
	ClientID uuid.UUID
	Search   string
}

// CreateContract adds a draft contract for a client; its commercial contact is the client's.
// Management only. Errors: Unauthenticated, Forbidden, NotFound (client), Invalid.
func (s *Service) CreateContract(a *Actor, in ContractInput) (Contract, error) {
	if err := authorize(a, resContract, permissions.Create, "create contracts"); err != nil {
		return Contract{}, err
	}
	due := in.Total
	if in.Due != nil {
		due = *in.Due
	}
	if err := ValidateAmounts(in.Total, due); err != nil {
		return Contract{}, err
	}
	var k Contract
	err := s.update(a, "create contract", func(tx Tx) error {
		c, err := tx.Client(in.ClientID)
		if err != nil {
			return err
		}
		now := s.Now()
		k = Contract{ID: newID(), ClientID: c.ID, CommercialID: c.CommercialID,
			Total: in.Total.Round(2), Due: due.Round(2), Status: Draft, CreatedAt: now, UpdatedAt: now}
		if err := tx.PutContract(&k); err != nil {
			return err
		}
		return s.audit(tx, a, ActionCreate, ContractRecord, k.ID, "client", "total_amount", "amount_due", "status")
	})
	return k, err
}

// UpdateContractAmounts changes a contract's total and/or amount due (nil stays). A commercial
// may update only their own clients' contracts; a cancelled contract cannot change.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (cancelled).
func (s *Service) UpdateContractAmounts(a *Actor, id uuid.UUID, total, due *decimal.Decimal) (Contract, error) {
	if err := authorize(a, resContract, permissions.Update, "update contracts"); err != nil {
		return Contract{}, err
	}
	k, err := changeRecord(s, a, "update contract", Tx.Contract, id, func(tx Tx, k *Contract) error {
		if a.Can(resContract, permissions.Update) == own && k.CommercialID != a.id {
			return NewError(Forbidden, CodeNotOwnContract)
		}
		if k.Status == Cancelled {
			return NewError(Conflict, CodeContractCancelled)
		}
		next := *k
		setIf(&next.Total, total)
		setIf(&next.Due, due)
		if err := ValidateAmounts(next.Total, next.Due); err != nil {
			return err
		}
		fields := changedNames(
			fieldDiff{"total_amount", next.Total.Equal(k.Total)},
			fieldDiff{"amount_due", next.Due.Equal(k.Due)})
		if len(fields) == 0 {
			return nil
		}
		next.Total, next.Due, next.UpdatedAt = next.Total.Round(2), next.Due.Round(2), s.Now()
		if err := tx.PutContract(&next); err != nil {
			return err
		}
		*k = next
		return s.audit(tx, a, ActionUpdate, ContractRecord, k.ID, fields...)
	})
	return k, err
}

// SignContract signs a draft contract and sets signed_at. Management only.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (not a draft).
func (s *Service) SignContract(a *Actor, id uuid.UUID) (Contract, error) {
	k, err := s.transition(a, id, permissions.Sign, Signed)
	if err == nil {
		s.event(a, EventContractSign, "contract signed", map[string]string{"record_id": k.ID.String()})
	}
	return k, err
}

// CancelContract cancels a draft or signed contract; cancelled is final. Management only.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (already cancelled).
func (s *Service) CancelContract(a *Actor, id uuid.UUID) (Contract, error) {
	return s.transition(a, id, permissions.Cancel, Cancelled)
}

// CanTransition reports whether a contract may go from one status to another.
func CanTransition(from, to ContractStatus) bool {
	switch from {
	case Draft:
		return to == Signed || to == Cancelled
	case Signed:
		return to == Cancelled
	}
	return false
}

func (s *Service) transition(a *Actor, id uuid.UUID, act action, to ContractStatus) (Contract, error) {
	verb := map[ContractStatus]string{Signed: "sign", Cancelled: "cancel"}[to]
	if err := authorize(a, resContract, act, verb+" contracts"); err != nil {
		return Contract{}, err
	}
	k, err := changeRecord(s, a, verb+" contract", Tx.Contract, id, func(tx Tx, k *Contract) error {
		if !CanTransition(k.Status, to) {
			return NewError(Conflict, CodeContractState, verb, k.Status)
		}
		now := s.Now()
		k.Status, k.UpdatedAt = to, now
		fields := []string{"status"}
		if to == Signed {
			k.SignedAt = now
			fields = append(fields, "signed_at")
		}
		if err := tx.PutContract(k); err != nil {
			return err
		}
		return s.audit(tx, a, map[ContractStatus]string{Signed: ActionSign, Cancelled: ActionCancel}[to], ContractRecord, k.ID, fields...)
	})
	return k, err
}

// DeleteContract removes a contract that has no events. Management only.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (has events).
func (s *Service) DeleteContract(a *Actor, id uuid.UUID) error {
	if err := authorize(a, resContract, permissions.Delete, "delete contracts"); err != nil {
		return err
	}
	return s.deleteAudited(a, ContractRecord, id, func(tx Tx) error {
		if _, err := tx.Contract(id); err != nil {
			return err
		}
		ev, hidden, err := tx.Events(EventFilter{ContractID: id, Limit: 1})
		return stillReferenced(EventRecord, len(ev), hidden, err, CodeContractHasEvents)
	}, Tx.DeleteContract)
}

// GetContract returns a contract. Any logged-in user. Errors: Unauthenticated, NotFound.
func (s *Service) GetContract(a *Actor, id uuid.UUID) (Contract, error) {
	return getRecord(s, a, resContract, ContractRecord, Tx.Contract, id)
}

// ListContracts returns contracts, newest first, and how many damaged contracts were left
// out. Any logged-in user. Errors: Unauthenticated.
func (s *Service) ListContracts(a *Actor, q ContractQuery) ([]Contract, int, error) {
	if err := authorize(a, resContract, permissions.List, "list contracts"); err != nil {
		return nil, 0, err
	}
	f := ContractFilter{ClientID: q.ClientID, Unsigned: q.Unsigned, Unpaid: q.Unpaid,
		Search: strings.ToLower(strings.TrimSpace(q.Search))}
	if q.Mine {
		f.CommercialID = a.id
	}
	out, hidden, err := viewList(s, a, "list contracts", func(tx Tx) ([]Contract, int, error) { return tx.Contracts(f) })
	SortContracts(out)
	return out, hidden, err
}

// SortContracts puts contracts in their default order: newest first.
// Ties are broken by id (the byte order of ids is the order of their text form).
func SortContracts(k []Contract) {
	type key struct {
		created timeKey
		id      uuid.UUID
	}
	sortByKey(k, func(c *Contract) key { return key{timeKeyOf(c.CreatedAt), c.ID} },
		func(a, b key) int {
			if c := b.created.compare(a.created); c != 0 {
				return c
			}
			return bytes.Compare(a.id[:], b.id[:])
		})
}
