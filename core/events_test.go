package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func eventInput(k core.Contract, start time.Time) core.EventInput {
	return core.EventInput{ContractID: k.ID, Name: "Launch party", Start: start, End: start.Add(4 * time.Hour),
		Location: "53 rue du Château, Candé-sur-Beuvron", Attendees: 75, Notes: "DJ booked"}
}

func TestService_CreateEvent(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	other := e.user("Olga Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	c := e.client(com)
	signed, draft := e.contract(c, "1000", true), e.contract(c, "1000", false)
	soon := e.clock.Now().Add(48 * time.Hour)
	t.Run("OKOwnCommercial", func(t *testing.T) {
		ev, err := e.svc.CreateEvent(com, eventInput(signed, soon))
		if err != nil {
			t.Fatal(err)
		}
		if ev.ClientID != c.ID || ev.SupportID != uuid.Nil || ev.ContractID != signed.ID {
			t.Fatalf("%+v", ev)
		}
	})
	t.Run("OKManagement", func(t *testing.T) {
		if _, err := e.svc.CreateEvent(e.admin, eventInput(signed, soon)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrConflictNotSigned", func(t *testing.T) {
		_, err := e.svc.CreateEvent(com, eventInput(draft, soon))
		wantKind(t, err, core.Conflict)
	})
	t.Run("ErrForbiddenOtherCommercial", func(t *testing.T) {
		_, err := e.svc.CreateEvent(other, eventInput(signed, soon))
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrForbiddenSupport", func(t *testing.T) {
		_, err := e.svc.CreateEvent(sup, eventInput(signed, soon))
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalidPastStart", func(t *testing.T) {
		_, err := e.svc.CreateEvent(com, eventInput(signed, e.clock.Now().Add(-time.Minute)))
		if core.FieldOf(err) != "start" {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalidFields", func(t *testing.T) {
		for field, mut := range map[string]func(*core.EventInput){
			"name":      func(in *core.EventInput) { in.Name = "" },
			"end":       func(in *core.EventInput) { in.End = in.Start },
			"location":  func(in *core.EventInput) { in.Location = "" },
			"attendees": func(in *core.EventInput) { in.Attendees = 100001 },
		} {
			in := eventInput(signed, soon)
			mut(&in)
			_, err := e.svc.CreateEvent(com, in)
			if core.KindOf(err) != core.Invalid || core.FieldOf(err) != field {
				t.Errorf("%s: %v", field, err)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.CreateEvent(e.admin, eventInput(core.Contract{ID: uuid.New()}, soon))
		wantKind(t, err, core.NotFound)
	})
}

func TestService_UpdateEvent(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	sup, sup2 := e.user("Sam Support", core.Support), e.user("Sue Support", core.Support)
	k := e.contract(e.client(com), "1000", true)
	ev := e.event(k, sup)
	t.Run("OKAssignedSupport", func(t *testing.T) {
		got, err := e.svc.UpdateEvent(sup, ev.ID, core.EventPatch{Attendees: ptr(80), Notes: ptr("Catering confirmed")})
		if err != nil || got.Attendees != 80 || got.SupportID != sup.ID() {
			t.Fatalf("%+v %v", got, err)
		}
		if !core.CanUpdateEvent(sup, got) || core.CanUpdateEvent(sup2, got) || core.CanUpdateEvent(com, got) || !core.CanUpdateEvent(e.admin, got) {
			t.Fatal("CanUpdateEvent disagrees with the rules")
		}
	})
	t.Run("ErrForbiddenOtherSupport", func(t *testing.T) {
		_, err := e.svc.UpdateEvent(sup2, ev.ID, core.EventPatch{Attendees: ptr(1)})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrForbiddenCommercial", func(t *testing.T) {
		_, err := e.svc.UpdateEvent(com, ev.ID, core.EventPatch{Attendees: ptr(1)})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrForbiddenSupportAssigns", func(t *testing.T) {
		_, err := e.svc.AssignSupport(sup, ev.ID, sup2.ID())
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := e.svc.UpdateEvent(sup, ev.ID, core.EventPatch{End: ptr(ev.Start.Add(-time.Hour))})
		if core.FieldOf(err) != "end" {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateEvent(sup, ev.ID, core.EventPatch{Start: ptr(e.clock.Now().Add(-time.Hour))})
		if core.FieldOf(err) != "start" {
			t.Fatal(err)
		}
	})
	t.Run("OKPastEventKeepsItsStart", func(t *testing.T) {
		e.clock.Advance(96 * time.Hour) // the event is now over
		if _, err := e.svc.UpdateEvent(sup, ev.ID, core.EventPatch{Notes: ptr("Went well")}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestService_AssignSupport(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	ev := e.event(e.contract(e.client(com), "1000", true), nil)
	t.Run("OK", func(t *testing.T) {
		got, err := e.svc.AssignSupport(e.admin, ev.ID, sup.ID())
		if err != nil || got.SupportID != sup.ID() {
			t.Fatalf("%+v %v", got, err)
		}
		mine, _, _ := e.svc.ListEvents(sup, core.EventQuery{Mine: true})
		if len(mine) != 1 {
			t.Fatalf("support sees %d events", len(mine))
		}
	})
	t.Run("OKUnassign", func(t *testing.T) {
		got, err := e.svc.AssignSupport(e.admin, ev.ID, uuid.Nil)
		if err != nil || got.SupportID != uuid.Nil {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("ErrInvalidNotSupport", func(t *testing.T) {
		_, err := e.svc.AssignSupport(e.admin, ev.ID, com.ID())
		if core.FieldOf(err) != "support_contact" {
			t.Fatal(err)
		}
		_, err = e.svc.AssignSupport(e.admin, ev.ID, uuid.New())
		if core.FieldOf(err) != "support_contact" {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalidDeactivated", func(t *testing.T) {
		if _, err := e.svc.DeactivateUser(e.admin, sup.ID()); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.AssignSupport(e.admin, ev.ID, sup.ID())
		wantKind(t, err, core.Invalid)
	})
	t.Run("ErrForbiddenCommercial", func(t *testing.T) {
		_, err := e.svc.AssignSupport(com, ev.ID, uuid.Nil)
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.AssignSupport(e.admin, uuid.New(), uuid.Nil)
		wantKind(t, err, core.NotFound)
	})
}

func TestService_DeleteEvent(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	ev := e.event(e.contract(e.client(com), "1000", true), sup)
	wantKind(t, e.svc.DeleteEvent(sup, ev.ID), core.Forbidden)
	wantKind(t, e.svc.DeleteEvent(com, ev.ID), core.Forbidden)
	if err := e.svc.DeleteEvent(e.admin, ev.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.GetEvent(sup, ev.ID)
	wantKind(t, err, core.NotFound)
	wantKind(t, e.svc.DeleteEvent(e.admin, ev.ID), core.NotFound)
}

func TestService_ListEvents(t *testing.T) {
	e := mustEnv(t)
	com, other := e.user("Carl Commercial", core.Commercial), e.user("Olga Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	c1, c2 := e.client(com), e.client(other)
	if _, err := e.svc.UpdateClient(e.admin, c2.ID, core.ClientPatch{FullName: ptr("Marie Leclerc")}); err != nil {
		t.Fatal(err)
	}
	k1, k2 := e.contract(c1, "100", true), e.contract(c2, "100", true)
	now := e.clock.Now()
	mk := func(k core.Contract, name, loc string, in time.Duration, s *core.Actor) core.Event {
		in2 := eventInput(k, now.Add(in))
		in2.Name, in2.Location = name, loc
		ev, err := e.svc.CreateEvent(e.admin, in2)
		if err != nil {
			t.Fatal(err)
		}
		if s != nil {
			if ev, err = e.svc.AssignSupport(e.admin, ev.ID, s.ID()); err != nil {
				t.Fatal(err)
			}
		}
		return ev
	}
	later := mk(k1, "Gala", "Paris", 40*24*time.Hour, sup)
	week := mk(k1, "Seminar", "Lyon", 5*24*time.Hour, nil)
	tomorrow := mk(k2, "Wedding", "Nice", 24*time.Hour, sup)
	list := func(a *core.Actor, q core.EventQuery) []string {
		ev, _, err := e.svc.ListEvents(a, q)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, x := range ev {
			n = append(n, x.Name)
		}
		return n
	}
	for name, c := range map[string]struct {
		a    *core.Actor
		q    core.EventQuery
		want []string
	}{
		"all by start":        {com, core.EventQuery{}, []string{tomorrow.Name, week.Name, later.Name}},
		"mine support":        {sup, core.EventQuery{Mine: true}, []string{tomorrow.Name, later.Name}},
		"mine commercial":     {com, core.EventQuery{Mine: true}, []string{week.Name, later.Name}},
		"mine management":     {e.admin, core.EventQuery{Mine: true}, []string{tomorrow.Name, week.Name, later.Name}},
		"unassigned":          {sup, core.EventQuery{Unassigned: true}, []string{week.Name}},
		"upcoming default 30": {sup, core.EventQuery{Upcoming: true}, []string{tomorrow.Name, week.Name}},
		"upcoming 2 days":     {sup, core.EventQuery{Upcoming: true, Days: 2}, []string{tomorrow.Name}},
		"upcoming mine":       {sup, core.EventQuery{Upcoming: true, Mine: true}, []string{tomorrow.Name}},
		"search location":     {sup, core.EventQuery{Search: "LYON"}, []string{week.Name}},
		"search client name":  {sup, core.EventQuery{Search: "leclerc"}, []string{tomorrow.Name}},
		"search name":         {sup, core.EventQuery{Search: "gal"}, []string{later.Name}},
		"contract":            {sup, core.EventQuery{ContractID: k2.ID}, []string{tomorrow.Name}},
	} {
		got := list(c.a, c.q)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", name, got, c.want)
				break
			}
		}
	}
	_, _, err := e.svc.ListEvents(sup, core.EventQuery{Upcoming: true, Days: -1})
	wantKind(t, err, core.Invalid)
}

// TestService_EventOfCancelledContract: a cancelled contract is final, and so are its events:
// neither their details nor their support change (Conflict); they may still be deleted.
func TestService_EventOfCancelledContract(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	k := e.contract(e.client(com), "1000", true)
	ev := e.event(k, sup)
	if _, err := e.svc.CancelContract(e.admin, k.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		for who, a := range map[string]*core.Actor{"management": e.admin, "its support": sup} {
			_, err := e.svc.UpdateEvent(a, ev.ID, core.EventPatch{Notes: ptr("still on?")})
			wantKind(t, err, core.Conflict)
			if !strings.Contains(err.Error(), "the contract is cancelled") {
				t.Errorf("%s: %v", who, err)
			}
		}
		for _, to := range []uuid.UUID{uuid.Nil, sup.ID()} {
			_, err := e.svc.AssignSupport(e.admin, ev.ID, to)
			wantKind(t, err, core.Conflict)
		}
		got, err := e.svc.GetEvent(e.admin, ev.ID)
		if err != nil || got.Notes != ev.Notes || got.SupportID != sup.ID() {
			t.Fatalf("the event changed: %+v, %v", got, err)
		}
		kk, _ := e.svc.GetContract(e.admin, k.ID)
		if !core.IsFinal(kk) {
			t.Error("IsFinal says a cancelled contract's events may change")
		}
	})
	t.Run("OKDelete", func(t *testing.T) {
		if err := e.svc.DeleteEvent(e.admin, ev.ID); err != nil {
			t.Fatal(err)
		}
	})
}
