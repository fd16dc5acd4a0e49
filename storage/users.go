package storage

import (
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var usersTable = &table{
	record:  "user",
	rt:      core.UserRecord,
	bucket:  bucketUsers,
	seal:    newSealer(bucketUsers),
	keyLen:  idLen,
	indexes: []*index{idxUsersByEmail, idxUsersByEmployeeNumber},
	entries: func(key, p []byte) ([]entry, error) {
		u, err := userOf(key, p)
		if err != nil {
			return nil, err
		}
		return userEntries(u.ID, &u), nil
	},
	wire: func(key, p []byte) (core.Wire, error) {
		u, err := userOf(key, p)
		return u.Wire(), err
	},
	encode: func(w core.Wire, rev uint64) ([]byte, []entry, error) {
		u, err := w.User()
		return encodeUser(&u, rev), userEntries(u.ID, &u), err
	},
}

// userOf decodes a stored user with its key.
func userOf(key, p []byte) (core.User, error) {
	id, err := keyID(key)
	if err != nil {
		return core.User{}, err
	}
	u, err := decodeUser(p)
	u.ID = id
	return u, err
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

// parseRecord loads the record id of tb and parses its payload with parse; false when there is
// none. Errors: Damaged when the record fails its seal or does not decode.
func (t *tx) parseRecord(tb *table, id uuid.UUID, parse func([]byte) error) (bool, error) {
	p, err := t.load(tb, id[:])
	if err != nil || p == nil {
		return false, err
	}
	if err := parse(p); err != nil {
		return false, core.DamagedError(tb.rt, id)
	}
	return true, nil
}

// User returns the user with that id. Errors: NotFound, Damaged.
func (t *tx) User(id uuid.UUID) (core.User, error) {
	var f userFields
	ok, err := t.parseRecord(usersTable, id, f.parse)
	switch {
	case err != nil:
		return core.User{}, err
	case !ok:
		return core.User{}, errUserNotFound()
	}
	return f.user(id), nil
}

// UserByEmail returns the user with that email, compared trimmed and lower-cased.
// Errors: NotFound, Damaged.
func (t *tx) UserByEmail(email string) (core.User, error) {
	return t.userBy(idxUsersByEmail, normEmail(email))
}

// UserByEmployeeNumber returns the user with that employee number. Errors: NotFound, Damaged.
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

// Users returns the users that pass f, in no particular order, and the number of damaged
// users skipped.
func (t *tx) Users(f core.UserFilter) ([]core.User, int, error) {
	m := newMatcher(f.Search)
	var uf userFields
	return collect(usersTable, t.scanAll(usersTable), f.Limit, func(k, v []byte) (core.User, bool, error) {
		id, err := keyID(k)
		if err == nil {
			err = uf.parse(v)
		}
		if err != nil {
			return core.User{}, false, damagedValue(err)
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
// another user; Damaged when the stored version is damaged.
func (t *tx) PutUser(u *core.User) error {
	if u.ID == uuid.Nil {
		return core.InternalError("put user", errNilID)
	}
	return t.put(usersTable, bytesOf(u.ID), encodeUser(u, 0), userEntries(u.ID, u))
}

// DeleteUser removes a user. Errors: NotFound, Damaged.
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
