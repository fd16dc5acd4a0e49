package core_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// relatedTheOldWay is what the client form read before ClientRelated: the client's contracts,
// then each listed contract's events, one query each.
func relatedTheOldWay(t *testing.T, e *env, a *core.Actor, id uuid.UUID) (ks []uuid.UUID, evs []uuid.UUID, hidden int) {
	t.Helper()
	list, h, err := e.svc.ListContracts(a, core.ContractQuery{ClientID: id})
	if err != nil {
		t.Fatalf("list contracts: %v", err)
	}
	hidden += h
	for _, k := range list {
		ks = append(ks, k.ID)
		es, h, err := e.svc.ListEvents(a, core.EventQuery{ContractID: k.ID})
		if err != nil {
			t.Fatalf("list events: %v", err)
		}
		hidden += h
		for _, ev := range es {
			evs = append(evs, ev.ID)
		}
	}
	return ks, evs, hidden
}

func ids[T any](list []T, id func(T) uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, v := range list {
		out = append(out, id(v))
	}
	return out
}

func contractIDs(ks []core.Contract) []uuid.UUID {
	return ids(ks, func(k core.Contract) uuid.UUID { return k.ID })
}
func eventIDs(es []core.Event) []uuid.UUID {
	return ids(es, func(e core.Event) uuid.UUID { return e.ID })
}

// relatedFixture makes a client with three contracts (two with events, started out of order)
// and another client with a contract and an event that must not show.
func relatedFixture(e *env) (core.Client, []core.Contract, []core.Event, *core.Actor, *core.Actor) {
	com := e.user("Carl Commercial", core.Commercial)
	sup := e.user("Sue Support", core.Support)
	c := e.client(com)
	k1 := e.contract(c, "1000", true)
	e.clock.Advance(time.Hour)
	k2 := e.contract(c, "2000", true)
	e.clock.Advance(time.Hour)
	k3 := e.contract(c, "3000", false)
	base := e.clock.Now().Add(96 * time.Hour)
	ev1b := e.eventAt(k1, base.Add(48*time.Hour))
	ev1a := e.eventAt(k1, base)
	ev2 := e.event(k2, sup)
	other := e.client(com)
	e.event(e.contract(other, "10", true), nil)
	// Newest contract first; each contract's events by start.
	return c, []core.Contract{k3, k2, k1}, []core.Event{ev2, ev1a, ev1b}, com, sup
}

// TestClientRelated_SameAsListsForEveryDepartment: one call gives the contracts and events of
// the client that ListContracts and ListEvents per contract give, in the same order, for a
// manager, the client's commercial and a support user.
func TestClientRelated_SameAsListsForEveryDepartment(t *testing.T) {
	e := mustEnv(t)
	c, ks, evs, com, sup := relatedFixture(e)
	for _, a := range []*core.Actor{e.admin, com, sup} {
		r, err := e.svc.ClientRelated(a, c.ID)
		if err != nil {
			t.Fatalf("%s: %v", a.FullName(), err)
		}
		if got, want := contractIDs(r.Contracts), contractIDs(ks); !slices.Equal(got, want) {
			t.Errorf("%s: contracts %v, want %v", a.FullName(), got, want)
		}
		if got, want := eventIDs(r.Events), eventIDs(evs); !slices.Equal(got, want) {
			t.Errorf("%s: events %v, want %v", a.FullName(), got, want)
		}
		oldK, oldE, oldH := relatedTheOldWay(t, e, a, c.ID)
		if !slices.Equal(contractIDs(r.Contracts), oldK) || !slices.Equal(eventIDs(r.Events), oldE) || r.Hidden != oldH {
			t.Errorf("%s: differs from the lists one by one", a.FullName())
		}
		if r.Events[0].Name != evs[0].Name || !r.Contracts[0].Total.Equal(ks[0].Total) {
			t.Errorf("%s: records are not whole: %+v", a.FullName(), r.Events[0])
		}
	}
}

// TestClientRelated_EmptyAndUnknown: a client without contracts and an id that names no client
// give empty lists and no error, as the lists do.
func TestClientRelated_EmptyAndUnknown(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	for _, id := range []uuid.UUID{c.ID, uuid.New()} {
		r, err := e.svc.ClientRelated(com, id)
		if err != nil || len(r.Contracts) != 0 || len(r.Events) != 0 || r.Hidden != 0 {
			t.Errorf("%v: %+v, %v", id, r, err)
		}
	}
}

// TestClientRelated_NotLoggedIn: no actor, no records.
func TestClientRelated_NotLoggedIn(t *testing.T) {
	e := mustEnv(t)
	c, _, _, _, _ := relatedFixture(e)
	r, err := e.svc.ClientRelated(nil, c.ID)
	wantKind(t, err, core.Unauthenticated)
	if len(r.Contracts) != 0 || len(r.Events) != 0 {
		t.Fatalf("records without a session: %+v", r)
	}
}

// TestClientRelated_DamagedHiddenAsInTheLists: a damaged event and a damaged contract are left
// out and counted, the damaged contract's events are not shown, and the rest is what the lists
// show one by one — for a user who may read the client and every record.
func TestClientRelated_DamagedHiddenAsInTheLists(t *testing.T) {
	e := mustEnv(t)
	c, ks, evs, com, sup := relatedFixture(e)
	// ks = k3, k2, k1; evs = ev2 (of k2), ev1a, ev1b (of k1).
	e.damageIn("events", evs[1].ID)
	e.damageIn("contracts", ks[1].ID)
	for _, a := range []*core.Actor{e.admin, com, sup} {
		r, err := e.svc.ClientRelated(a, c.ID)
		if err != nil {
			t.Fatalf("%s: %v", a.FullName(), err)
		}
		if got, want := contractIDs(r.Contracts), []uuid.UUID{ks[0].ID, ks[2].ID}; !slices.Equal(got, want) {
			t.Errorf("%s: contracts %v, want %v", a.FullName(), got, want)
		}
		if got, want := eventIDs(r.Events), []uuid.UUID{evs[2].ID}; !slices.Equal(got, want) {
			t.Errorf("%s: events %v, want %v", a.FullName(), got, want)
		}
		if r.Hidden != 2 {
			t.Errorf("%s: hidden %d, want 2", a.FullName(), r.Hidden)
		}
		oldK, oldE, oldH := relatedTheOldWay(t, e, a, c.ID)
		if !slices.Equal(contractIDs(r.Contracts), oldK) || !slices.Equal(eventIDs(r.Events), oldE) || r.Hidden != oldH {
			t.Errorf("%s: differs from the lists one by one (%v %v %d)", a.FullName(), oldK, oldE, oldH)
		}
	}
}

// BenchmarkClientRelated compares the one read with the lists one by one (1+N transactions)
// for a client with 20 contracts of 2 events each.
func BenchmarkClientRelated(b *testing.B) {
	e := mustEnv(b)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	for range 20 {
		k := e.contract(c, "1000", true)
		e.event(k, nil)
		e.event(k, nil)
	}
	b.Run("OneRead", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.svc.ClientRelated(com, c.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListsOneByOne", func(b *testing.B) {
		for b.Loop() {
			ks, _, err := e.svc.ListContracts(com, core.ContractQuery{ClientID: c.ID})
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range ks {
				if _, _, err := e.svc.ListEvents(com, core.EventQuery{ContractID: k.ID}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
