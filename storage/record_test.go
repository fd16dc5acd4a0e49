package storage

import (
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// TestTx_NotFound: for every record type, reading or deleting a missing id, or looking up a
// unique value nobody has, is NotFound; reading says which record it was.
func TestTx_NotFound(t *testing.T) {
	db := mustOpen(t)
	for _, c := range []struct {
		name, msg string
		get       func(tx core.Tx, id uuid.UUID) error
		del       func(tx core.Tx, id uuid.UUID) error
		lookups   []func(tx core.Tx) error
	}{
		{"User", "user not found",
			func(tx core.Tx, id uuid.UUID) error { _, err := tx.User(id); return err },
			func(tx core.Tx, id uuid.UUID) error { return tx.DeleteUser(id) },
			[]func(tx core.Tx) error{
				func(tx core.Tx) error { _, err := tx.UserByEmail("nobody@example.com"); return err },
				func(tx core.Tx) error { _, err := tx.UserByEmail(""); return err },
				func(tx core.Tx) error { _, err := tx.UserByEmployeeNumber("EE999999"); return err },
			}},
		{"Client", "client not found",
			func(tx core.Tx, id uuid.UUID) error { _, err := tx.Client(id); return err },
			func(tx core.Tx, id uuid.UUID) error { return tx.DeleteClient(id) },
			[]func(tx core.Tx) error{
				func(tx core.Tx) error { _, err := tx.ClientByEmail("nobody@example.com"); return err },
			}},
		{"Contract", "contract not found",
			func(tx core.Tx, id uuid.UUID) error { _, err := tx.Contract(id); return err },
			func(tx core.Tx, id uuid.UUID) error { return tx.DeleteContract(id) }, nil},
		{"Event", "event not found",
			func(tx core.Tx, id uuid.UUID) error { _, err := tx.Event(id); return err },
			func(tx core.Tx, id uuid.UUID) error { return tx.DeleteEvent(id) }, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			mustView(t, db, func(tx core.Tx) error {
				err := c.get(tx, uuid.New())
				wantKind(t, err, core.NotFound)
				if err.Error() != c.msg {
					t.Errorf("message %q", err)
				}
				for _, lookup := range c.lookups {
					wantKind(t, lookup(tx), core.NotFound)
				}
				return nil
			})
			wantKind(t, db.Update(func(tx core.Tx) error { return c.del(tx, uuid.New()) }), core.NotFound)
		})
	}
}
