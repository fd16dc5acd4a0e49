package storage

import (
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestTx_PutContract(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		k := newContract(c, "15000.00", "7500.50", core.Signed)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutContract(k) })
		mustView(t, db, func(tx core.Tx) error {
			got, err := tx.Contract(k.ID)
			if err != nil || !sameContract(got, *k) {
				t.Errorf("got %+v, %v; want %+v", got, err, *k)
			}
			if got.Total.StringFixed(2) != "15000.00" || got.Due.String() != "7500.5" {
				t.Errorf("amounts %s, %s", got.Total.StringFixed(2), got.Due)
			}
			return nil
		})
	})
	t.Run("ReassignFollowsIndex", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		k := newContract(c, "100", "100", core.Draft)
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutContract(k) })
		old := k.CommercialID
		k.CommercialID = uuid.New()
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutContract(k) })
		mustView(t, db, func(tx core.Tx) error {
			got, _, _ := tx.Contracts(core.ContractFilter{CommercialID: old})
			if len(got) != 0 {
				t.Errorf("old commercial still has %d contracts", len(got))
			}
			got, _, _ = tx.Contracts(core.ContractFilter{CommercialID: k.CommercialID})
			if len(got) != 1 {
				t.Errorf("new commercial has %d contracts", len(got))
			}
			return nil
		})
	})
}

func TestTx_DeleteContract(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		k := newContract(c, "100", "0", core.Signed)
		testDelete(t, k, k.ID, core.Tx.PutContract, core.Tx.DeleteContract, core.Tx.Contracts, core.ContractFilter{ClientID: c.ID})
	})
}

func TestTx_Contracts(t *testing.T) {
	db := mustOpen(t)
	bill, sue := uuid.New(), uuid.New()
	kevin := newClient("Kevin Casey", "kevin@startup.io", bill)
	kevin.CompanyName = "Cool Startup LLC"
	lou := newClient("Lou Ferrand", "lou@mairie.fr", sue)
	lou.CompanyName = "Mairie d'Évian"
	draft := newContract(kevin, "1000", "1000", core.Draft)
	signedPaid := newContract(kevin, "2000", "0", core.Signed)
	signedDue := newContract(lou, "3000.10", "0.01", core.Signed)
	cancelledDue := newContract(lou, "4000", "4000", core.Cancelled)
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := putAll(tx, core.Tx.PutClient, kevin, lou); err != nil {
			return err
		}
		return putAll(tx, core.Tx.PutContract, draft, signedPaid, signedDue, cancelledDue)
	})
	all := []*core.Contract{draft, signedPaid, signedDue, cancelledDue}
	testFilters(t, db, "contracts", core.Tx.Contracts, contractID, func(k *core.Contract) string { return "contract of " + k.Total.String() }, []filterCase[core.ContractFilter, core.Contract]{
		{"All", core.ContractFilter{}, all},
		{"Client", core.ContractFilter{ClientID: lou.ID}, []*core.Contract{signedDue, cancelledDue}},
		{"Commercial", core.ContractFilter{CommercialID: bill}, []*core.Contract{draft, signedPaid}},
		{"Unsigned", core.ContractFilter{Unsigned: true}, []*core.Contract{draft}},
		{"Unpaid", core.ContractFilter{Unpaid: true}, []*core.Contract{draft, signedDue}},
		{"SearchClientName", core.ContractFilter{Search: "ferrand"}, []*core.Contract{signedDue, cancelledDue}},
		{"SearchCompany", core.ContractFilter{Search: "startup"}, []*core.Contract{draft, signedPaid}},
		{"SearchAccents", core.ContractFilter{Search: "d'évian"}, []*core.Contract{signedDue, cancelledDue}},
		{"SearchNotEmail", core.ContractFilter{Search: "mairie.fr"}, nil},
		{"CommercialUnpaid", core.ContractFilter{CommercialID: sue, Unpaid: true}, []*core.Contract{signedDue}},
		{"ClientAndOtherCommercial", core.ContractFilter{ClientID: kevin.ID, CommercialID: sue}, nil},
		{"SearchUnsigned", core.ContractFilter{Search: "casey", Unsigned: true}, []*core.Contract{draft}},
	})
}
