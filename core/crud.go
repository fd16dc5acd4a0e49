package core

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// The reads and writes of the service share a few shapes, each written once here. A read is one
// read transaction, one call of the store, its result handed back with the error (reported
// through view): viewOne for a single value (a record, a throttle, ids), viewList for a list with
// the number of damaged records left out, getRecord for the Get of a record type. A write to one
// record is changeRecord; a deletion is deleteAudited. Authorization stays with each caller.

// viewOne runs get in one read transaction and returns what it read.
func viewOne[T any](s *Service, a *Actor, op string, get func(Tx) (T, error)) (T, error) {
	var v T
	err := s.view(a, op, func(tx Tx) error {
		var err error
		v, err = get(tx)
		return err
	})
	return v, err
}

// viewList runs list in one read transaction and returns the records and how many damaged
// ones were left out.
func viewList[T any](s *Service, a *Actor, op string, list func(Tx) ([]T, int, error)) ([]T, int, error) {
	var out []T
	var hidden int
	err := s.view(a, op, func(tx Tx) error {
		var err error
		out, hidden, err = list(tx)
		return err
	})
	return out, hidden, err
}

// deleteAudited is the shape of every deletion, in one change: check that the record of type t
// may go (it exists, nothing still refers to it), delete it with del, audit the deletion. The
// caller authorizes first.
func (s *Service) deleteAudited(a *Actor, t RecordType, id uuid.UUID, check func(Tx) error, del func(Tx, uuid.UUID) error) error {
	return s.update(a, "delete "+string(t), func(tx Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		if err := del(tx, id); err != nil {
			return err
		}
		return s.audit(tx, a, ActionDelete, t, id)
	})
}

// stillReferenced refuses a deletion with code while n records of type t (or damaged ones,
// hidden) still refer to the record; err of their scan passes on.
func stillReferenced(t RecordType, n, hidden int, err error, code Code) error {
	if err := inTheWay(t, hidden, err); err != nil {
		return err
	}
	if n > 0 {
		return NewError(Conflict, code)
	}
	return nil
}

// getRecord is the Get of a record type any department may read: authorize, then one read.
func getRecord[T any](s *Service, a *Actor, r resource, t RecordType, get func(Tx, uuid.UUID) (T, error), id uuid.UUID) (T, error) {
	if err := authorize(a, r, permissions.Read, "read "+string(t)+"s"); err != nil {
		var none T
		return none, err
	}
	return viewOne(s, a, "get "+string(t), func(tx Tx) (T, error) { return get(tx, id) })
}

// changeRecord is the shape of every change to one record: in one change (write transaction),
// read the record id with get and hand it to change, which checks, modifies, stores and audits
// it. It returns the record as change left it. The caller authorizes first.
func changeRecord[T any](s *Service, a *Actor, op string, get func(Tx, uuid.UUID) (T, error), id uuid.UUID, change func(Tx, *T) error) (T, error) {
	var v T
	err := s.update(a, op, func(tx Tx) error {
		var err error
		if v, err = get(tx, id); err != nil {
			return err
		}
		return change(tx, &v)
	})
	return v, err
}
