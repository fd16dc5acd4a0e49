package core_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func lineIDs(l []core.EventLine) []uuid.UUID {
	out := make([]uuid.UUID, len(l))
	for i, x := range l {
		out[i] = x.ID
	}
	return out
}

func sameIDs(got []uuid.UUID, want ...core.Event) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i].ID {
			return false
		}
	}
	return true
}

// Months and weeks are calendar days in the agenda's time zone: across a month boundary that
// UTC puts elsewhere, and across the October change of time (a 169-hour week).
func TestService_Agenda_MonthBoundaryAndDST(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	sue := e.user("Sue Support", core.Support)
	k := e.contract(e.client(bob), "100", true)
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, paris) }
	sep30 := e.eventAt(k, at(2026, 9, 30, 23, 30))  // September in Paris
	oct1 := e.eventAt(k, at(2026, 10, 1, 1, 30))    // 30 Sep 23:30 UTC: October in Paris
	oct28 := e.eventAt(k, at(2026, 10, 28, 23, 30)) // after the change of time, last hour of the week
	oct31 := e.eventAt(k, at(2026, 10, 31, 23, 30))
	nov1 := e.eventAt(k, at(2026, 11, 1, 0, 30)) // 31 Oct 23:30 UTC: November in Paris
	if _, err := e.svc.AssignSupport(e.admin, oct28.ID, sue.ID()); err != nil {
		t.Fatal(err)
	}

	month, err := e.svc.Agenda(e.admin, core.AgendaQuery{View: core.AgendaMonth, Day: at(2026, 10, 15, 12, 0), Loc: paris})
	if err != nil {
		t.Fatal(err)
	}
	if !sameIDs(lineIDs(month.Lines), oct1, oct28, oct31) {
		t.Errorf("October = %v, want oct1, oct28, oct31 (not %s, %s)", lineIDs(month.Lines), sep30.ID, nov1.ID)
	}
	if !month.From.Equal(at(2026, 10, 1, 0, 0)) || !month.To.Equal(at(2026, 11, 1, 0, 0)) {
		t.Errorf("span = %v – %v", month.From, month.To)
	}
	sept, _ := e.svc.Agenda(e.admin, core.AgendaQuery{View: core.AgendaMonth, Day: at(2026, 9, 1, 0, 0), Loc: paris})
	if !sameIDs(lineIDs(sept.Lines), sep30) {
		t.Errorf("September = %v, want only %s", lineIDs(sept.Lines), sep30.ID)
	}

	week, err := e.svc.Agenda(e.admin, core.AgendaQuery{View: core.AgendaWeek, Day: at(2026, 10, 22, 9, 0), Loc: paris})
	if err != nil {
		t.Fatal(err)
	}
	if h := week.To.Sub(week.From); h != 169*time.Hour {
		t.Errorf("the week of the change of time lasts %v, want 169h", h)
	}
	if !sameIDs(lineIDs(week.Lines), oct28) {
		t.Errorf("week = %v, want only %s (a 168-hour week would miss it)", lineIDs(week.Lines), oct28.ID)
	}

	// Mine: support sees their own; management sees everything either way.
	mine, _ := e.svc.Agenda(sue, core.AgendaQuery{View: core.AgendaMonth, Day: at(2026, 10, 1, 0, 0), Loc: paris, Mine: true})
	if !sameIDs(lineIDs(mine.Lines), oct28) {
		t.Errorf("support's own = %v", lineIDs(mine.Lines))
	}
	all, _ := e.svc.Agenda(sue, core.AgendaQuery{View: core.AgendaMonth, Day: at(2026, 10, 1, 0, 0), Loc: paris})
	if len(all.Lines) != 3 {
		t.Errorf("support, all = %d lines, want 3", len(all.Lines))
	}
	other := e.user("Cid Commercial", core.Commercial)
	if l, _ := e.svc.Agenda(other, core.AgendaQuery{View: core.AgendaMonth, Day: at(2026, 10, 1, 0, 0), Loc: paris, Mine: true}); len(l.Lines) != 0 {
		t.Errorf("another commercial's own = %d lines", len(l.Lines))
	}

	// The whole events are the same ones.
	evs, _, _, err := e.svc.AgendaEvents(e.admin, core.AgendaQuery{View: core.AgendaMonth, Day: at(2026, 10, 15, 0, 0), Loc: paris})
	if err != nil || len(evs) != 3 || evs[0].ID != oct1.ID || evs[0].Attendees != 10 {
		t.Errorf("AgendaEvents = %d events, %v", len(evs), err)
	}
	if _, err := e.svc.Agenda(e.admin, core.AgendaQuery{View: "year"}); core.KindOf(err) != core.Invalid {
		t.Errorf("view year: %v", err)
	}
}
