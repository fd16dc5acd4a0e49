package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// mustOpen opens a new database in a temporary directory. At the end of the test it checks the
// database (bbolt pages and every index) and closes it.
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "home", "epicevents.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Errorf("check %s: %v", db.Path(), err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// openWithUsers opens a new database file (closed by the caller) holding n support users.
func openWithUsers(t *testing.T, n int) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "epicevents.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, db, func(tx core.Tx) error {
		for i := range n {
			if err := tx.PutUser(newUser(fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("EE%06d", i), core.Support)); err != nil {
				return err
			}
		}
		return nil
	})
	return db, path
}

// must fails the test at once on an error.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func mustUpdate(tb testing.TB, db *DB, fn func(tx core.Tx) error) {
	tb.Helper()
	must(tb, db.Update(fn))
}

func mustView(tb testing.TB, db *DB, fn func(tx core.Tx) error) {
	tb.Helper()
	must(tb, db.View(fn))
}

// wantKind fails unless err has the kind want ("" for nil).
func wantKind(tb testing.TB, err error, want core.Kind) {
	tb.Helper()
	if got := core.KindOf(err); got != want {
		tb.Fatalf("error %v: kind %q, want %q", err, got, want)
	}
}

var t0 = time.Date(2025, 3, 14, 9, 30, 0, 123456789, time.UTC)

func newUser(email, number string, dept core.Department) *core.User {
	return &core.User{
		ID: uuid.New(), EmployeeNumber: number, FullName: "User " + number, Email: email,
		Department: dept, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Active: true,
		PasswordChangedAt: t0, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	}
}

func newClient(name, email string, commercial uuid.UUID) *core.Client {
	return &core.Client{
		ID: uuid.New(), FullName: name, Email: email, Phone: "+33 6 12 34 56 78",
		CompanyName: name + " SARL", CommercialID: commercial, Notes: "met at the fair",
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func newContract(c *core.Client, total, due string, status core.ContractStatus) *core.Contract {
	k := &core.Contract{
		ID: uuid.New(), ClientID: c.ID, CommercialID: c.CommercialID,
		Total: decimal.RequireFromString(total), Due: decimal.RequireFromString(due),
		Status: status, CreatedAt: t0, UpdatedAt: t0,
	}
	if status == core.Signed {
		k.SignedAt = t0.Add(time.Minute)
	}
	return k
}

func newEvent(k *core.Contract, name string, start time.Time, support uuid.UUID) *core.Event {
	return &core.Event{
		ID: uuid.New(), ContractID: k.ID, ClientID: k.ClientID, Name: name,
		Start: start, End: start.Add(4 * time.Hour), Location: "Lyon, Salle Rameau",
		Attendees: 120, Notes: "", SupportID: support, CreatedAt: t0, UpdatedAt: t0,
	}
}

// sameContract compares contracts, decimals by value and exponent (DeepEqual would compare the
// internals of big.Int).
func sameContract(a, b core.Contract) bool {
	if !sameDecimal(a.Total, b.Total) || !sameDecimal(a.Due, b.Due) {
		return false
	}
	a.Total, a.Due, b.Total, b.Due = decimal.Decimal{}, decimal.Decimal{}, decimal.Decimal{}, decimal.Decimal{}
	return reflect.DeepEqual(a, b)
}

func sameDecimal(a, b decimal.Decimal) bool {
	return a.Equal(b) && a.Exponent() == b.Exponent()
}

// sameAudit compares audit entries; no fields and empty fields are the same.
func sameAudit(a, b core.AuditEntry) bool {
	if len(a.Fields) == 0 && len(b.Fields) == 0 {
		a.Fields, b.Fields = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

func ids[R any](rs []R, id func(R) uuid.UUID) map[uuid.UUID]bool {
	m := make(map[uuid.UUID]bool, len(rs))
	for _, r := range rs {
		m[id(r)] = true
	}
	return m
}

// putAll stores records with put, stopping at the first error.
func putAll[R any](tx core.Tx, put func(core.Tx, *R) error, rs ...*R) error {
	for _, r := range rs {
		if err := put(tx, r); err != nil {
			return err
		}
	}
	return nil
}

// testDelete stores rec (whose id is id) in a new database, deletes it, and checks that list
// with f returns nothing; it returns the database for further checks.
func testDelete[R, F any](t *testing.T, rec *R, id uuid.UUID, put func(core.Tx, *R) error, del func(core.Tx, uuid.UUID) error,
	list func(core.Tx, F) ([]R, int, error), f F) *DB {
	t.Helper()
	db := mustOpen(t)
	mustUpdate(t, db, func(tx core.Tx) error { return put(tx, rec) })
	mustUpdate(t, db, func(tx core.Tx) error { return del(tx, id) })
	mustView(t, db, func(tx core.Tx) error {
		got, _, err := list(tx, f)
		if err != nil || len(got) != 0 {
			t.Errorf("after the delete, %+v: %d, %v", f, len(got), err)
		}
		return nil
	})
	return db
}

// filterCase is one case of a list test: a filter and the records it must return.
type filterCase[F, R any] struct {
	name string
	f    F
	want []*R
}

// testFilters runs each case through list in a read transaction of db: the result must be a
// non-nil slice holding exactly the records of want, compared by id; name says which one is
// missing.
func testFilters[F, R any](t *testing.T, db *DB, what string, list func(core.Tx, F) ([]R, int, error),
	id func(R) uuid.UUID, name func(*R) string, cases []filterCase[F, R]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mustView(t, db, func(tx core.Tx) error {
				got, _, err := list(tx, c.f)
				if err != nil {
					return err
				}
				if got == nil {
					t.Error("nil slice, want an empty one")
				}
				gotIDs := ids(got, id)
				if len(gotIDs) != len(c.want) {
					t.Fatalf("got %d %s, want %d", len(got), what, len(c.want))
				}
				for _, w := range c.want {
					if !gotIDs[id(*w)] {
						t.Errorf("missing %s", name(w))
					}
				}
				return nil
			})
		})
	}
}

func userID(u core.User) uuid.UUID         { return u.ID }
func clientID(c core.Client) uuid.UUID     { return c.ID }
func contractID(c core.Contract) uuid.UUID { return c.ID }
func eventID(e core.Event) uuid.UUID       { return e.ID }

var errAbort = errors.New("abort")
