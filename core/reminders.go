package core

import (
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// Reminders (issue #14): a notification when one of my events starts within 24 hours, again
// one hour before, and a summary after login. Which reminders were shown is remembered on this
// laptop (LocalTx, keyed by event and moment), so that each event and moment is notified once
// on a laptop, across restarts and whoever logs in on it next.

// The windows of the reminder moments.
const (
	DayBeforeWindow  = 24 * time.Hour
	HourBeforeWindow = time.Hour
)

// Reminder is one notification to show.
type Reminder struct {
	Moment ReminderMoment
	Event  EventLine
}

// myEventsFilter selects the actor's own events: assigned to a support user, of a commercial's
// contracts. Management has no events of their own: ok is false.
func myEventsFilter(a *Actor, from, to time.Time) (f EventFilter, ok bool) {
	f = EventFilter{StartFrom: from, StartTo: to}
	ok = f.onlyMine(a)
	return f, ok
}

// onlyMine narrows f to a's own events: assigned to a support user, of a commercial's contracts.
// Management has no events of their own: false, and f is unchanged.
func (f *EventFilter) onlyMine(a *Actor) bool {
	switch a.dept {
	case Support:
		f.SupportID = a.id
	case Commercial:
		f.CommercialID = a.id
	default:
		return false
	}
	return true
}

// DueReminders returns the reminders due now that were never shown on this laptop, by start,
// and records them as shown in the same transaction: a second call returns none of them. An
// event starting within the hour gives its one-hour reminder only (its day reminder is recorded
// as shown too). Events already started give none. Any logged-in user; management, who has no
// events of their own, gets none. Errors: Unauthenticated.
func (s *Service) DueReminders(a *Actor) ([]Reminder, error) {
	if err := authorize(a, resEvent, permissions.List, "list events"); err != nil {
		return nil, err
	}
	now := s.Now()
	f, ok := myEventsFilter(a, now, now.Add(DayBeforeWindow))
	if !ok {
		return nil, nil
	}
	// Look first, write only when something is due: most calls (the window asks every minute)
	// find nothing, and a write transaction syncs the disk.
	var out []Reminder
	collect := func(tx Tx, mark bool) error {
		out = nil
		lines, _, err := tx.EventLines(f)
		if err != nil {
			return err
		}
		SortEventLines(lines)
		for _, l := range lines {
			if !l.Start.After(now) {
				continue
			}
			m := RemindDayBefore
			if l.Start.Sub(now) <= HourBeforeWindow {
				m = RemindHourBefore
			}
			shown, err := tx.Reminder(l.ID, m)
			if err != nil {
				return err
			}
			if !shown.IsZero() {
				continue
			}
			out = append(out, Reminder{Moment: m, Event: l})
			if !mark {
				continue
			}
			if err := tx.SetReminder(l.ID, m, now); err != nil {
				return err
			}
			if m == RemindHourBefore {
				if err := markShown(tx, l.ID, RemindDayBefore, now); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := s.view(a, "reminders", func(tx Tx) error { return collect(tx, false) })
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = s.update(a, "reminders", func(tx Tx) error { return collect(tx, true) })
	return out, err
}

func markShown(tx Tx, id uuid.UUID, m ReminderMoment, now time.Time) error {
	shown, err := tx.Reminder(id, m)
	if err != nil || !shown.IsZero() {
		return err
	}
	return tx.SetReminder(id, m, now)
}

// LoginSummary is what the window tells a user after login: their events of the next 24 hours
// and of the next 7 days, and the next one.
type LoginSummary struct {
	Day, Week int
	Next      *EventLine
}

// LoginSummary returns the actor's summary; empty for management (no events of their own).
// Errors: Unauthenticated.
func (s *Service) LoginSummary(a *Actor) (LoginSummary, error) {
	if err := authorize(a, resEvent, permissions.List, "list events"); err != nil {
		return LoginSummary{}, err
	}
	now := s.Now()
	f, ok := myEventsFilter(a, now, now.AddDate(0, 0, 7))
	if !ok {
		return LoginSummary{}, nil
	}
	var sum LoginSummary
	err := s.view(a, "login summary", func(tx Tx) error {
		lines, _, err := tx.EventLines(f)
		if err != nil {
			return err
		}
		SortEventLines(lines)
		for i, l := range lines {
			if i == 0 {
				sum.Next = &lines[0]
			}
			sum.Week++
			if l.Start.Sub(now) <= DayBeforeWindow {
				sum.Day++
			}
		}
		return nil
	})
	return sum, err
}
