package storage

import (
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

var userKind = newRecordKind(recordKind[core.User, userFields]{
	tb:       idTable("user", core.UserRecord, bucketUsers, idxUsersByEmail, idxUsersByEmployeeNumber),
	parse:    func(p []byte) (f userFields, err error) { err = f.parse(p); return },
	id:       func(u core.User) uuid.UUID { return u.ID },
	encode:   func(u core.User, rev uint64) []byte { return encodeUser(&u, rev) },
	entries:  userEntries,
	toWire:   func(u core.User) core.Wire { return u.Wire() },
	fromWire: core.Wire.User,
})

var usersTable = userKind.tb

// normEmail is the form emails are indexed and looked up in: trimmed and lower-cased.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// normEmployeeNumber is the form employee numbers are indexed and looked up in.
func normEmployeeNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func userEntries(id uuid.UUID, u core.User) []entry {
	es := make([]entry, 0, 2)
	es = appendUnique(es, idxUsersByEmail, normEmail(u.Email), id)
	return appendUnique(es, idxUsersByEmployeeNumber, normEmployeeNumber(u.EmployeeNumber), id)
}

// User returns the user with that id. Errors: NotFound, Damaged.
func (t *tx) User(id uuid.UUID) (core.User, error) {
	return userKind.get(t, id)
}

// UserByEmail returns the user with that email, compared trimmed and lower-cased.
// Errors: NotFound, Damaged.
func (t *tx) UserByEmail(email string) (core.User, error) {
	return userKind.by(t, idxUsersByEmail, normEmail(email))
}

// UserByEmployeeNumber returns the user with that employee number. Errors: NotFound, Damaged.
func (t *tx) UserByEmployeeNumber(number string) (core.User, error) {
	return userKind.by(t, idxUsersByEmployeeNumber, normEmployeeNumber(number))
}

// Users returns the users that pass f, in no particular order, and the number of damaged
// users skipped.
func (t *tx) Users(f core.UserFilter) ([]core.User, int, error) {
	m := newMatcher(f.Search)
	var uf userFields
	return collect(usersTable, t.scanAll(usersTable), f.Limit, func(k, v []byte) (core.User, bool, error) {
		id, err := parseKeyed(k, v, &uf)
		if err != nil {
			return core.User{}, false, err
		}
		if f.Department != "" && string(uf.department) != string(f.Department) {
			return core.User{}, false, nil
		}
		if !m.any(uf.fullName, uf.email, uf.employeeNumber) {
			return core.User{}, false, nil
		}
		return uf.record(id), true, nil
	})
}

// PutUser inserts or replaces u. Errors: Conflict when its email or employee number belongs to
// another user; Damaged when the stored version is damaged.
func (t *tx) PutUser(u *core.User) error {
	return userKind.put(t, u)
}

// DeleteUser removes a user. Errors: NotFound, Damaged.
func (t *tx) DeleteUser(id uuid.UUID) error {
	return userKind.delete(t, id)
}

var errNilID = errors.New("record has no id")

// bytesOf returns a fresh copy of an id, for use as a key that must outlive the caller's value.
func bytesOf(id uuid.UUID) []byte { return append([]byte(nil), id[:]...) }
