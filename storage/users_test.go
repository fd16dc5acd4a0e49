package storage

import (
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestTx_PutUser(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		u := newUser("anne@example.com", "EE000001", core.Management)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
		mustView(t, db, func(tx core.Tx) error {
			for _, get := range []func() (core.User, error){
				func() (core.User, error) { return tx.User(u.ID) },
				func() (core.User, error) { return tx.UserByEmail("  Anne@Example.COM ") },
				func() (core.User, error) { return tx.UserByEmployeeNumber("EE000001") },
				func() (core.User, error) { return tx.UserByEmployeeNumber(" ee000001") },
			} {
				got, err := get()
				if err != nil {
					t.Fatal(err)
				}
				if got != *u {
					t.Errorf("got %+v, want %+v", got, *u)
				}
			}
			return nil
		})
	})

	t.Run("ReplaceKeepsIndexesInStep", func(t *testing.T) {
		db := mustOpen(t)
		u := newUser("anne@example.com", "EE000001", core.Management)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
		v := *u
		v.Email, v.EmployeeNumber, v.FullName = "anne.b@example.com", "EE000002", "Anne B"
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(&v) })
		mustView(t, db, func(tx core.Tx) error {
			_, err := tx.UserByEmail("anne@example.com")
			wantKind(t, err, core.NotFound)
			_, err = tx.UserByEmployeeNumber("EE000001")
			wantKind(t, err, core.NotFound)
			got, err := tx.UserByEmail("anne.b@example.com")
			if err != nil || got != v {
				t.Errorf("by new email: %+v, %v", got, err)
			}
			return nil
		})
		// The old values are free again.
		w := newUser("anne@example.com", "EE000001", core.Support)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(w) })
	})

	t.Run("SameEmailIsNoConflict", func(t *testing.T) {
		db := mustOpen(t)
		u := newUser("anne@example.com", "EE000001", core.Management)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
		u.FullName, u.Email = "Anne Again", "ANNE@example.com"
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
	})

	t.Run("ErrConflict", func(t *testing.T) {
		db := mustOpen(t)
		u := newUser("anne@example.com", "EE000001", core.Management)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
		for _, c := range []struct {
			name, email, number, msg string
		}{
			{"Email", "anne@example.com", "EE000002", "a user with this email already exists"},
			{"EmailOtherCase", " Anne@EXAMPLE.com", "EE000002", "a user with this email already exists"},
			{"EmployeeNumber", "bob@example.com", "EE000001", "a user with this employee number already exists"},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := db.Update(func(tx core.Tx) error { return tx.PutUser(newUser(c.email, c.number, core.Support)) })
				wantKind(t, err, core.Conflict)
				if err.Error() != c.msg {
					t.Errorf("message %q, want %q", err.Error(), c.msg)
				}
			})
		}
		// A conflicting update leaves the other user's index entries alone.
		v := newUser("bob@example.com", "EE000002", core.Support)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(v) })
		v.Email = "anne@example.com"
		wantKind(t, db.Update(func(tx core.Tx) error { return tx.PutUser(v) }), core.Conflict)
	})

	t.Run("ErrNoID", func(t *testing.T) {
		db := mustOpen(t)
		u := newUser("anne@example.com", "EE000001", core.Management)
		u.ID = uuid.Nil
		wantKind(t, db.Update(func(tx core.Tx) error { return tx.PutUser(u) }), core.Internal)
	})
}

// wantUserGone fails unless u can be found neither by id nor by email.
func wantUserGone(t *testing.T, db *DB, u *core.User) {
	t.Helper()
	mustView(t, db, func(tx core.Tx) error {
		_, err := tx.User(u.ID)
		wantKind(t, err, core.NotFound)
		_, err = tx.UserByEmail(u.Email)
		wantKind(t, err, core.NotFound)
		return nil
	})
}

func TestTx_DeleteUser(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		u := newUser("anne@example.com", "EE000001", core.Management)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
		mustUpdate(t, db, func(tx core.Tx) error { return tx.DeleteUser(u.ID) })
		wantUserGone(t, db, u)
	})
}

func TestTx_Users(t *testing.T) {
	db := mustOpen(t)
	anne := newUser("anne@example.com", "EE000001", core.Management)
	anne.FullName = "Anne Ça-Va"
	bob := newUser("bob@corp.example", "EE000002", core.Commercial)
	bob.FullName = "Bob Martin"
	cleo := newUser("cleo@example.com", "EE000003", core.Commercial)
	cleo.FullName = "Cléo ÉTIENNE"
	mustUpdate(t, db, func(tx core.Tx) error { return putAll(tx, core.Tx.PutUser, anne, bob, cleo) })
	testFilters(t, db, "users", core.Tx.Users, userID, func(u *core.User) string { return u.FullName }, []filterCase[core.UserFilter, core.User]{
		{"All", core.UserFilter{}, []*core.User{anne, bob, cleo}},
		{"Department", core.UserFilter{Department: core.Commercial}, []*core.User{bob, cleo}},
		{"SearchName", core.UserFilter{Search: "ça"}, []*core.User{anne}},
		{"SearchNonASCII", core.UserFilter{Search: "étienne"}, []*core.User{cleo}},
		{"SearchEmail", core.UserFilter{Search: "corp."}, []*core.User{bob}},
		{"SearchNumber", core.UserFilter{Search: "ee00000"}, []*core.User{anne, bob, cleo}},
		{"Combined", core.UserFilter{Department: core.Commercial, Search: "example.com"}, []*core.User{cleo}},
		{"None", core.UserFilter{Search: "zzz"}, nil},
	})
	t.Run("Limit", func(t *testing.T) {
		mustView(t, db, func(tx core.Tx) error {
			got, _, err := tx.Users(core.UserFilter{Limit: 2})
			if err != nil || len(got) != 2 {
				t.Errorf("got %d users, %v; want 2", len(got), err)
			}
			return nil
		})
	})
}
