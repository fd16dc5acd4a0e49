package storage

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestTx_PutEvent(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		k := newContract(c, "100", "0", core.Signed)
		e := newEvent(k, "Shareholder meeting", t0.AddDate(0, 1, 0), uuid.New())
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutEvent(e) })
		mustView(t, db, func(tx core.Tx) error {
			got, err := tx.Event(e.ID)
			if err != nil || got != *e {
				t.Errorf("got %+v, %v; want %+v", got, err, *e)
			}
			return nil
		})
	})
	t.Run("MoveStartAndSupport", func(t *testing.T) {
		db := mustOpen(t)
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		k := newContract(c, "100", "0", core.Signed)
		e := newEvent(k, "Gala", t0, uuid.New())
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutEvent(e) })
		e.Start, e.SupportID = t0.AddDate(1, 0, 0), uuid.Nil
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutEvent(e) })
		mustView(t, db, func(tx core.Tx) error {
			got, _, _ := tx.Events(core.EventFilter{StartTo: t0.AddDate(0, 1, 0)})
			if len(got) != 0 {
				t.Errorf("found at the old start: %d", len(got))
			}
			got, _, _ = tx.Events(core.EventFilter{Unassigned: true})
			if len(got) != 1 {
				t.Errorf("unassigned: %d, want 1", len(got))
			}
			return nil
		})
	})
}

func TestTx_DeleteEvent(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := newClient("Kevin Casey", "kevin@startup.io", uuid.New())
		k := newContract(c, "100", "0", core.Signed)
		e := newEvent(k, "Gala", t0, uuid.Nil)
		testDelete(t, e, e.ID, core.Tx.PutEvent, core.Tx.DeleteEvent, core.Tx.Events, core.EventFilter{Unassigned: true})
	})
}

func TestTx_Events(t *testing.T) {
	db := mustOpen(t)
	bill, sue, kate := uuid.New(), uuid.New(), uuid.New() // commercials bill and sue, support kate
	kevin := newClient("Kevin Casey", "kevin@startup.io", bill)
	lou := newClient("Lou Ferrand", "lou@mairie.fr", sue)
	kk := newContract(kevin, "100", "0", core.Signed)
	lk := newContract(lou, "100", "0", core.Signed)
	day := 24 * time.Hour
	launch := newEvent(kk, "Product launch", t0.Add(2*day), kate)
	wedding := newEvent(lk, "Wedding", t0.Add(10*day), uuid.Nil)
	wedding.Location = "Château de Lourmarin"
	seminar := newEvent(lk, "Séminaire", t0.Add(-3*day), kate)
	far := newEvent(kk, "Far future", time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Nil)
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := putAll(tx, core.Tx.PutClient, kevin, lou); err != nil {
			return err
		}
		if err := putAll(tx, core.Tx.PutContract, kk, lk); err != nil {
			return err
		}
		return putAll(tx, core.Tx.PutEvent, launch, wedding, seminar, far)
	})
	testFilters(t, db, "events", core.Tx.Events, eventID, func(e *core.Event) string { return e.Name }, []filterCase[core.EventFilter, core.Event]{
		{"All", core.EventFilter{}, []*core.Event{launch, wedding, seminar, far}},
		{"Contract", core.EventFilter{ContractID: lk.ID}, []*core.Event{wedding, seminar}},
		{"Support", core.EventFilter{SupportID: kate}, []*core.Event{launch, seminar}},
		{"Unassigned", core.EventFilter{Unassigned: true}, []*core.Event{wedding, far}},
		{"Commercial", core.EventFilter{CommercialID: bill}, []*core.Event{launch, far}},
		{"From", core.EventFilter{StartFrom: t0}, []*core.Event{launch, wedding, far}},
		{"FromInclusive", core.EventFilter{StartFrom: launch.Start}, []*core.Event{launch, wedding, far}},
		{"To", core.EventFilter{StartTo: t0}, []*core.Event{seminar}},
		{"ToInclusive", core.EventFilter{StartTo: launch.Start}, []*core.Event{seminar, launch}},
		{"Upcoming", core.EventFilter{StartFrom: t0, StartTo: t0.Add(30 * day)}, []*core.Event{launch, wedding}},
		{"FarRange", core.EventFilter{StartFrom: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)}, []*core.Event{far}},
		{"FarRangeEnd", core.EventFilter{StartFrom: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
			StartTo: time.Date(2399, 1, 1, 0, 0, 0, 0, time.UTC)}, nil},
		{"EmptyRange", core.EventFilter{StartFrom: t0.Add(day), StartTo: t0}, nil},
		{"SearchName", core.EventFilter{Search: "séminaire"}, []*core.Event{seminar}},
		{"SearchLocation", core.EventFilter{Search: "château"}, []*core.Event{wedding}},
		{"SearchClientName", core.EventFilter{Search: "kevin"}, []*core.Event{launch, far}},
		{"SupportUpcoming", core.EventFilter{SupportID: kate, StartFrom: t0}, []*core.Event{launch}},
		{"CommercialSearch", core.EventFilter{CommercialID: sue, Search: "wed"}, []*core.Event{wedding}},
		{"SupportAndUnassigned", core.EventFilter{SupportID: kate, Unassigned: true}, nil},
	})
}
