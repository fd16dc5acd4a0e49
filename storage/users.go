package storage

import (
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var usersTable = &table{
	record:  "user",
	bucket:  bucketUsers,
	keyLen:  idLen,
	indexes: []*index{idxUsersByEmail, idxUsersByEmployeeNumber},
	entries: func(key, val []byte) ([]entry, error) {
		id, err := keyID(key)
		if err != nil {
			return nil, err
		}
		u, err := decodeUser(val)
		if err != nil {
			return nil, err
		}
		return userEntries(id, &u), nil
	},
}

// normEmail is the form emails are indexed and looked up in: trimmed and lower-cased.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// normEmployeeNumber is the form employee numbers are indexed and looked up in.
func normEmployeeNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func userEntries(id uuid.UUID, u *core.User) []entry {
	es := make([]entry, 0, 2)
	es = appendUnique(es, idxUsersByEmail, normEmail(u.Email), id)
	return appendUnique(es, idxUsersByEmployeeNumber, normEmployeeNumber(u.EmployeeNumber), id)
}

func errUserNotFound() error { return core.Errorf(core.NotFound, "user not found") }

// User returns the user with that id. Errors: NotFound.
func (t *tx) User(id uuid.UUID) (core.User, error) {
	v, err := t.get(usersTable, id[:])
	if err != nil {
		return core.User{}, err
	}
	if v == nil {
		return core.User{}, errUserNotFound()
	}
	var f userFields
	if err := f.parse(v); err != nil {
		return core.User{}, core.InternalError("read user "+id.String(), err)
	}
	return f.user(id), nil
}

// UserByEmail returns the user with that email, compared trimmed and lower-cased.
// Errors: NotFound.
func (t *tx) UserByEmail(email string) (core.User, error) {
	return t.userBy(idxUsersByEmail, normEmail(email))
}

// UserByEmployeeNumber returns the user with that employee number. Errors: NotFound.
func (t *tx) UserByEmployeeNumber(number string) (core.User, error) {
	return t.userBy(idxUsersByEmployeeNumber, normEmployeeNumber(number))
}

func (t *tx) userBy(x *index, value string) (core.User, error) {
	id, ok, err := t.lookupUnique(x, value)
	if err != nil {
		return core.User{}, err
	}
	if !ok {
		return core.User{}, errUserNotFound()
	}
	u, err := t.User(id)
	if core.KindOf(err) == core.NotFound {
		return core.User{}, indexOutOfStep(x, usersTable)
	}
	return u, err
}

// Users returns the users that pass f, in no particular order.
func (t *tx) Users(f core.UserFilter) ([]core.User, error) {
	m := newMatcher(f.Search)
	var uf userFields
	return collect(t.scanAll(usersTable), f.Limit, func(k, v []byte) (core.User, bool, error) {
		id, err := keyID(k)
		if err == nil {
			err = uf.parse(v)
		}
		if err != nil {
			return core.User{}, false, core.InternalError("read users", err)
		}
		if f.Department != "" && string(uf.department) != string(f.Department) {
			return core.User{}, false, nil
		}
		if !m.any(uf.fullName, uf.email, uf.employeeNumber) {
			return core.User{}, false, nil
		}
		return uf.user(id), true, nil
	})
}

// PutUser inserts or replaces u. Errors: Conflict when its email or employee number belongs to
// another user.
func (t *tx) PutUser(u *core.User) error {
	if u.ID == uuid.Nil {
		return core.InternalError("put user", errNilID)
	}
	return t.put(usersTable, bytesOf(u.ID), encodeUser(u), userEntries(u.ID, u))
}

// DeleteUser removes a user. Errors: NotFound.
func (t *tx) DeleteUser(id uuid.UUID) error {
	ok, err := t.remove(usersTable, id[:])
	if err == nil && !ok {
		return errUserNotFound()
	}
	return err
}

var errNilID = errors.New("record has no id")

// bytesOf returns a fresh copy of an id, for use as a key that must outlive the caller's value.
func bytesOf(id uuid.UUID) []byte { return append([]byte(nil), id[:]...) }
