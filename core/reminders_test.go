package core_test

import (
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

type shown struct {
	moment core.ReminderMoment
	name   string
}

func due(t *testing.T, e *env, a *core.Actor) []shown {
	t.Helper()
	r, err := e.svc.DueReminders(a)
	if err != nil {
		t.Fatal(err)
	}
	var out []shown
	for _, x := range r {
		out = append(out, shown{x.Moment, x.Event.Name})
	}
	return out
}

// With a fake clock: each event gives its day reminder once when it comes within 24 hours and
// its hour reminder once an hour before; remembered in the database, so a restart repeats none.
func TestService_DueReminders(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	sue := e.user("Sue Support", core.Support)
	k := e.contract(e.client(bob), "100", true)
	now := e.clock.Now()
	a := e.eventAt(k, now.Add(30*time.Hour)) // day reminder after 6 h, hour reminder after 29 h
	b := e.eventAt(k, now.Add(90*time.Minute))
	for _, ev := range []core.Event{a, b} {
		if _, err := e.svc.AssignSupport(e.admin, ev.ID, sue.ID()); err != nil {
			t.Fatal(err)
		}
	}
	if got := due(t, e, sue); len(got) != 1 || got[0] != (shown{core.RemindDayBefore, b.Name}) {
		t.Fatalf("at 0 h: %v, want b's day reminder", got)
	}
	if got := due(t, e, sue); len(got) != 0 {
		t.Fatalf("asked again: %v, want nothing", got)
	}
	e.clock.Advance(31 * time.Minute) // b within the hour
	if got := due(t, e, sue); len(got) != 1 || got[0] != (shown{core.RemindHourBefore, b.Name}) {
		t.Fatalf("b within the hour: %v", got)
	}
	e.clock.Advance(6 * time.Hour) // a within 24 h; b started
	e.reopen()
	sue = e.login(sue.Email())
	bob = e.login(bob.Email())
	if got := due(t, e, sue); len(got) != 1 || got[0] != (shown{core.RemindDayBefore, a.Name}) {
		t.Fatalf("a within 24 h: %v", got)
	}
	// Reminders are remembered per laptop (local_reminders: event and moment): the commercial
	// of the contract logging in on the same laptop is not shown them again.
	if got := due(t, e, bob); len(got) != 0 {
		t.Fatalf("commercial on the same laptop: %v", got)
	}
	if got := due(t, e, sue); len(got) != 0 {
		t.Fatalf("after a restart: %v, want nothing", got)
	}
	e.clock.Advance(23 * time.Hour) // a in 30 min
	if got := due(t, e, sue); len(got) != 1 || got[0] != (shown{core.RemindHourBefore, a.Name}) {
		t.Fatalf("a within the hour: %v", got)
	}
	if got := due(t, e, e.admin); len(got) != 0 {
		t.Fatalf("management: %v", got)
	}
}

// An event first seen within the hour gives its hour reminder only, never the day one after.
func TestService_DueReminders_LateStart(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	k := e.contract(e.client(bob), "100", true)
	ev := e.eventAt(k, e.clock.Now().Add(20*time.Minute))
	if got := due(t, e, bob); len(got) != 1 || got[0] != (shown{core.RemindHourBefore, ev.Name}) {
		t.Fatalf("got %v", got)
	}
	if got := due(t, e, bob); len(got) != 0 {
		t.Fatalf("again: %v", got)
	}
}

func TestService_LoginSummary(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	k := e.contract(e.client(bob), "100", true)
	now := e.clock.Now()
	first := e.eventAt(k, now.Add(5*time.Hour))
	e.eventAt(k, now.Add(50*time.Hour))
	e.eventAt(k, now.Add(10*24*time.Hour))
	s, err := e.svc.LoginSummary(bob)
	if err != nil || s.Day != 1 || s.Week != 2 || s.Next == nil || s.Next.ID != first.ID {
		t.Fatalf("summary = %+v, %v", s, err)
	}
}
