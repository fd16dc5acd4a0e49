package core

import (
	"time"

	"github.com/epicevents/crm/permissions"
)

// AgendaView is the span of an agenda: a week or a calendar month.
type AgendaView string

// The agenda views.
const (
	AgendaWeek  AgendaView = "week"  // seven days from the day asked
	AgendaMonth AgendaView = "month" // the calendar month containing the day asked
)

// AgendaQuery selects the events of an agenda.
type AgendaQuery struct {
	View AgendaView // default AgendaWeek
	// Day is a day of the span, read in Loc (its clock is ignored); zero: today.
	Day time.Time
	// Mine: for support, the events assigned to the actor; for a commercial, the events of their
	// contracts; management sees every event either way.
	Mine bool
	// Loc is the calendar's time zone: days start at midnight there (default time.Local).
	Loc *time.Location
}

// Span returns the instants the query covers, [from, to): midnight of the first day in loc to
// midnight after the last, so a week across a change of time lasts 167 or 169 hours.
func (q AgendaQuery) Span(now time.Time) (from, to time.Time) {
	loc := q.Loc
	if loc == nil {
		loc = time.Local
	}
	day := q.Day
	if day.IsZero() {
		day = now.In(loc)
	} else {
		day = day.In(loc)
	}
	y, m, d := day.Date()
	if q.View == AgendaMonth {
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		return from, time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	}
	from = time.Date(y, m, d, 0, 0, 0, 0, loc)
	return from, time.Date(y, m, d+7, 0, 0, 0, 0, loc)
}

// AgendaMineByDefault reports whether the actor's agenda starts on their own events: support's
// does (where am I expected?), the others see every event first.
func AgendaMineByDefault(a *Actor) bool { return a != nil && a.dept == Support }

// Agenda is the events of a week or a month, names only.
type Agenda struct {
	From, To time.Time // the span, [From, To)
	Lines    []EventLine
	Hidden   int // damaged events left out
}

func (s *Service) agendaFilter(a *Actor, q AgendaQuery) (EventFilter, Agenda, error) {
	if err := authorize(a, resEvent, permissions.List, "list events"); err != nil {
		return EventFilter{}, Agenda{}, err
	}
	if q.View != "" && q.View != AgendaWeek && q.View != AgendaMonth {
		return EventFilter{}, Agenda{}, FieldErrorf("view", "must be week or month")
	}
	from, to := q.Span(s.Now())
	f := EventFilter{StartFrom: from.UTC(), StartTo: to.UTC().Add(-time.Nanosecond)}
	if q.Mine {
		f.onlyMine(a)
	}
	return f, Agenda{From: from, To: to}, nil
}

// Agenda returns the events that start in the span of q, by start, as lines (no notes, no
// attendees: what a calendar grid shows), read from the index by start. Any logged-in user.
// Errors: Unauthenticated, Invalid (view).
func (s *Service) Agenda(a *Actor, q AgendaQuery) (Agenda, error) {
	f, ag, err := s.agendaFilter(a, q)
	if err != nil {
		return Agenda{}, err
	}
	err = s.view(a, "agenda", func(tx Tx) error {
		var err error
		ag.Lines, ag.Hidden, err = tx.EventLines(f)
		return err
	})
	SortEventLines(ag.Lines)
	return ag, err
}

// AgendaEvents returns the same events as Agenda, whole (as ListEvents returns them), with the
// span. Errors: Unauthenticated, Invalid (view).
func (s *Service) AgendaEvents(a *Actor, q AgendaQuery) ([]Event, int, Agenda, error) {
	f, ag, err := s.agendaFilter(a, q)
	if err != nil {
		return nil, 0, Agenda{}, err
	}
	out, hidden, err := viewList(s, a, "agenda", func(tx Tx) ([]Event, int, error) { return tx.Events(f) })
	SortEvents(out)
	return out, hidden, ag, err
}
