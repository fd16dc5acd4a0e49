package storage

import (
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestTx_PutClient(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutClient(c) })
		mustView(t, db, func(tx core.Tx) error {
			got, err := tx.Client(c.ID)
			if err != nil || got != *c {
				t.Errorf("by id: %+v, %v", got, err)
			}
			got, err = tx.ClientByEmail(" KEVIN@startup.io")
			if err != nil || got != *c {
				t.Errorf("by email: %+v, %v", got, err)
			}
			return nil
		})
	})

	t.Run("SameEmailIsNoConflict", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutClient(c) })
		c.Phone = "01.23.45.67.89"
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutClient(c) })
	})

	t.Run("ErrConflict", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutClient(c) })
		d := newClient("Other Kevin", "Kevin@Startup.IO", uuid.New())
		err := db.Update(func(tx core.Tx) error { return tx.PutClient(d) })
		wantKind(t, err, core.Conflict)
		if err.Error() != "a client with this email already exists" {
			t.Errorf("message %q", err)
		}
		// A user may share a client's email: the indexes are separate.
		mustUpdate(t, db, func(tx core.Tx) error {
			return tx.PutUser(newUser("kevin@startup.io", "EE000001", core.Commercial))
		})
	})

	t.Run("Reassign", func(t *testing.T) {
		db := mustOpen(t)
		from, to := uuid.New(), uuid.New()
		c := newClient("Kevin Casey", "kevin@startup.io", from)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutClient(c) })
		c.CommercialID = to
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutClient(c) })
		mustView(t, db, func(tx core.Tx) error {
			got, _, err := tx.Clients(core.ClientFilter{CommercialID: from})
			if err != nil || len(got) != 0 {
				t.Errorf("old commercial: %d clients, %v", len(got), err)
			}
			got, _, err = tx.Clients(core.ClientFilter{CommercialID: to})
			if err != nil || len(got) != 1 || got[0] != *c {
				t.Errorf("new commercial: %+v, %v", got, err)
			}
			return nil
		})
	})
}

func TestTx_DeleteClient(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		db := testDelete(t, c, c.ID, core.Tx.PutClient, core.Tx.DeleteClient, core.Tx.Clients, core.ClientFilter{CommercialID: c.CommercialID})
		mustView(t, db, func(tx core.Tx) error {
			_, err := tx.ClientByEmail(c.Email)
			wantKind(t, err, core.NotFound)
			return nil
		})
	})
}

func TestTx_Clients(t *testing.T) {
	db := mustOpen(t)
	bill, sue := uuid.New(), uuid.New()
	kevin := newClient("Kevin Casey", "kevin@startup.io", bill)
	kevin.CompanyName = "Cool Startup LLC"
	lou := newClient("Lou Ferrand", "lou@mairie.fr", sue)
	lou.CompanyName, lou.Phone = "Mairie de Saint-Étienne", "04 77 00 00 00"
	mia := newClient("Mia Wong", "mia@startup.io", bill)
	mustUpdate(t, db, func(tx core.Tx) error { return putAll(tx, core.Tx.PutClient, kevin, lou, mia) })
	testFilters(t, db, "clients", core.Tx.Clients, clientID, func(c *core.Client) string { return c.FullName }, []filterCase[core.ClientFilter, core.Client]{
		{"All", core.ClientFilter{}, []*core.Client{kevin, lou, mia}},
		{"Commercial", core.ClientFilter{CommercialID: bill}, []*core.Client{kevin, mia}},
		{"SearchName", core.ClientFilter{Search: "casey"}, []*core.Client{kevin}},
		{"SearchEmail", core.ClientFilter{Search: "@startup"}, []*core.Client{kevin, mia}},
		{"SearchCompany", core.ClientFilter{Search: "saint-étienne"}, []*core.Client{lou}},
		{"SearchPhone", core.ClientFilter{Search: "04 77"}, []*core.Client{lou}},
		{"Combined", core.ClientFilter{CommercialID: bill, Search: "wong"}, []*core.Client{mia}},
		{"UnknownCommercial", core.ClientFilter{CommercialID: uuid.New()}, nil},
	})
}
