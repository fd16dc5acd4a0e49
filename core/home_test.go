package core_test

import (
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

// The home figures of each department, counted from the indexes, against what the lists say.
func TestService_Home(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	cid := e.user("Cid Commercial", core.Commercial)
	sue := e.user("Sue Support", core.Support)
	c1, c2, c3 := e.client(bob), e.client(bob), e.client(cid)
	e.contract(c1, "1000", false)                         // bob: draft, 1000 due
	e.contract(c2, "250.50", false)                       // bob: draft, 250.50 due
	k3 := e.contract(c3, "300", true)                     // cid: signed, 300 due
	k1 := e.contract(c1, "99", true)                      // bob: signed, 99 due
	free := e.event(k3, nil)                              // cid's, no support, in 3 days
	mine := e.event(k1, sue)                              // bob's, sue's, in 3 days
	e.clock.Advance(-time.Hour)                           // events now start 73 h ahead
	far := e.eventAt(k3, e.clock.Now().AddDate(0, 0, 40)) // beyond the 30 days

	h, err := e.svc.Home(e.admin)
	if err != nil {
		t.Fatal(err)
	}
	if h.Drafts.Count != 2 || h.Unpaid.Count != 4 || h.Unpaid.Due.String() != "1649.5" {
		t.Errorf("management: drafts %d, unpaid %d due %s; want 2, 4, 1649.5", h.Drafts.Count, h.Unpaid.Count, h.Unpaid.Due)
	}
	if len(h.Events) != 1 || h.Events[0].ID != free.ID || h.Events[0].ClientPhone != c3.Phone {
		t.Errorf("management: events without support = %+v, want only %s with its client's phone", h.Events, free.ID)
	}
	got := map[string]int{}
	for _, c := range h.Commercials {
		got[c.Name] = c.Clients
	}
	if got["Bob Commercial"] != 2 || got["Cid Commercial"] != 1 || len(got) != 2 {
		t.Errorf("clients per commercial = %v", got)
	}

	h, err = e.svc.Home(bob)
	if err != nil {
		t.Fatal(err)
	}
	if h.MyClients != 2 || h.Drafts.Count != 2 || h.Unpaid.Count != 3 || h.Unpaid.Due.String() != "1349.5" {
		t.Errorf("commercial: clients %d drafts %d unpaid %d due %s", h.MyClients, h.Drafts.Count, h.Unpaid.Count, h.Unpaid.Due)
	}
	if len(h.Events) != 1 || h.Events[0].ID != mine.ID {
		t.Errorf("commercial: upcoming = %+v, want only %s", h.Events, mine.ID)
	}

	h, err = e.svc.Home(sue)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 1 || h.Events[0].ID != mine.ID || h.Events[0].Location != "Lyon" || h.Events[0].ClientPhone != c1.Phone {
		t.Errorf("support: next = %+v, want %s in Lyon with the client's phone", h.Events, mine.ID)
	}
	if h.Drafts.Count != 0 || h.Commercials != nil {
		t.Errorf("support sees contract figures: %+v", h)
	}
	_ = far
	if _, err := e.svc.Home(nil); core.KindOf(err) != core.Unauthenticated {
		t.Errorf("no actor: %v", err)
	}
}
