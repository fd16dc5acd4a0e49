package core

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// EventInput is a new event under a signed contract.
type EventInput struct {
	ContractID uuid.UUID
	Name       string
	Start      time.Time
	End        time.Time
	Location   string
	Attendees  int
	Notes      string
}

// EventPatch changes some of an event's details; nil fields stay as they are. The contract and
// the support contact are not part of it: the contract is fixed, the support is assigned.
type EventPatch struct {
	Name      *string
	Start     *time.Time
	End       *time.Time
	Location  *string
	Attendees *int
	Notes     *string
}

// EventQuery selects events for ListEvents; the filters combine.
type EventQuery struct {
	// Mine: for support, events assigned to the actor; for commercial, events of the actor's
	// contracts; for management, every event.
	Mine       bool
	Unassigned bool
	// Upcoming keeps events with now ≤ start ≤ now + Days days (Days 0 means 30).
	Upcoming   bool
	Days       int
	ContractID uuid.UUID
	Search     string
}

// DefaultUpcomingDays is the window of the upcoming filter when no number of days is given.
const DefaultUpcomingDays = 30

// ValidateEvent checks every field of e (PRODUCT.md §2) and returns it normalised.
// Errors: Invalid naming the field.
func ValidateEvent(e Event) (Event, error) {
	var err error
	if e.Name, err = ValidateText("name", e.Name, 1, MaxNameLen); err != nil {
		return e, err
	}
	if err = ValidateSchedule(e.Start, e.End); err != nil {
		return e, err
	}
	if e.Location, err = ValidateText("location", e.Location, 1, MaxLocationLen); err != nil {
		return e, err
	}
	if err = ValidateAttendees(e.Attendees); err != nil {
		return e, err
	}
	if e.Notes, err = ValidateNotes(e.Notes); err != nil {
		return e, err
	}
	e.Start, e.End = e.Start.UTC(), e.End.UTC()
	return e, nil
}

// CreateEvent adds an event to a signed contract. A commercial may do so only for their own
// clients' contracts. The start may not be in the past.
// Errors: Unauthenticated, Forbidden, NotFound (contract), Invalid, Conflict (not signed).
func (s *Service) CreateEvent(a *Actor, in EventInput) (Event, error) {
	if err := authorize(a, resEvent, permissions.Create, "create events"); err != nil {
		return Event{}, err
	}
	e, err := ValidateEvent(Event{ContractID: in.ContractID, Name: in.Name, Start: in.Start,
		End: in.End, Location: in.Location, Attendees: in.Attendees, Notes: in.Notes})
	if err != nil {
		return Event{}, err
	}
	if e.Start.Before(s.Now()) {
		return Event{}, FieldError("start", CodeInPast)
	}
	err = s.update(a, "create event", func(tx Tx) error {
		k, err := tx.Contract(in.ContractID)
		if err != nil {
			return err
		}
		if a.Can(resEvent, permissions.Create) == own && k.CommercialID != a.id {
			return NewError(Forbidden, CodeNotOwnContractEvent)
		}
		if k.Status != Signed {
			return NewError(Conflict, CodeContractNotSigned, k.Status)
		}
		now := s.Now()
		e.ID, e.ClientID, e.CreatedAt, e.UpdatedAt = newID(), k.ClientID, now, now
		if err := tx.PutEvent(&e); err != nil {
			return err
		}
		return s.audit(tx, a, ActionCreate, EventRecord, e.ID,
			"contract", "name", "start", "end", "location", "attendees", "notes")
	})
	return e, err
}

// UpdateEvent changes an event's details: support only on events assigned to them, management on
// any. A new start may not be in the past; an event of a cancelled contract no longer changes.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (contract cancelled).
func (s *Service) UpdateEvent(a *Actor, id uuid.UUID, p EventPatch) (Event, error) {
	if err := authorize(a, resEvent, permissions.Update, "update events"); err != nil {
		return Event{}, err
	}
	var e Event
	err := s.update(a, "update event", func(tx Tx) error {
		cur, err := tx.Event(id)
		if err != nil {
			return err
		}
		if a.Can(resEvent, permissions.Update) == own && cur.SupportID != a.id {
			return NewError(Forbidden, CodeNotOwnEvent)
		}
		if err := requireLiveContract(tx, cur.ContractID); err != nil {
			return err
		}
		next, err := ValidateEvent(applyEventPatch(cur, p))
		if err != nil {
			return err
		}
		if !next.Start.Equal(cur.Start) && next.Start.Before(s.Now()) {
			return FieldError("start", CodeInPast)
		}
		fields := eventChanges(cur, next)
		e = cur
		if len(fields) == 0 {
			return nil
		}
		next.UpdatedAt = s.Now()
		if err := tx.PutEvent(&next); err != nil {
			return err
		}
		e = next
		return s.audit(tx, a, ActionUpdate, EventRecord, e.ID, fields...)
	})
	return e, err
}

// requireLiveContract refuses a change to an event of a cancelled contract: a cancelled
// contract is final, and so are its events.
func requireLiveContract(tx Tx, id uuid.UUID) error {
	k, err := tx.Contract(id)
	if err != nil {
		return err
	}
	if k.Status == Cancelled {
		return errContractCancelled()
	}
	return nil
}

func errContractCancelled() *Error {
	return NewError(Conflict, CodeEventsFrozen)
}

// IsFinal reports whether an event of contract k can no longer change (for the window to make
// its form read-only; UpdateEvent and AssignSupport refuse the change with Conflict).
func IsFinal(k Contract) bool { return k.Status == Cancelled }

func applyEventPatch(e Event, p EventPatch) Event {
	setIf(&e.Name, p.Name)
	setIf(&e.Start, p.Start)
	setIf(&e.End, p.End)
	setIf(&e.Location, p.Location)
	setIf(&e.Attendees, p.Attendees)
	setIf(&e.Notes, p.Notes)
	return e
}

func eventChanges(a, b Event) []string {
	return changedNames(
		fieldDiff{"name", a.Name == b.Name},
		fieldDiff{"start", a.Start.Equal(b.Start)},
		fieldDiff{"end", a.End.Equal(b.End)},
		fieldDiff{"location", a.Location == b.Location},
		fieldDiff{"attendees", a.Attendees == b.Attendees},
		fieldDiff{"notes", a.Notes == b.Notes})
}

// AssignSupport makes an active support user the event's support contact; uuid.Nil unassigns.
// Management only. Errors: Unauthenticated, Forbidden, NotFound, Invalid (not an active
// support user), Conflict (the event's contract is cancelled).
func (s *Service) AssignSupport(a *Actor, id, supportID uuid.UUID) (Event, error) {
	if err := authorize(a, resEvent, permissions.AssignSupport, "assign support to events"); err != nil {
		return Event{}, err
	}
	e, err := changeRecord(s, a, "assign support", Tx.Event, id, func(tx Tx, e *Event) error {
		if err := requireLiveContract(tx, e.ContractID); err != nil {
			return err
		}
		if supportID != uuid.Nil {
			if err := requireActive(tx, supportID, Support, "support_contact"); err != nil {
				return err
			}
		}
		if e.SupportID == supportID {
			return nil
		}
		e.SupportID, e.UpdatedAt = supportID, s.Now()
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		act := ActionAssign
		if supportID == uuid.Nil {
			act = ActionUnassign
		}
		return s.audit(tx, a, act, EventRecord, e.ID, "support_contact")
	})
	return e, err
}

// DeleteEvent removes an event. Management only.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) DeleteEvent(a *Actor, id uuid.UUID) error {
	if err := authorize(a, resEvent, permissions.Delete, "delete events"); err != nil {
		return err
	}
	return s.deleteAudited(a, EventRecord, id, func(tx Tx) error {
		_, err := tx.Event(id)
		return err
	}, Tx.DeleteEvent)
}

// GetEvent returns an event. Any logged-in user. Errors: Unauthenticated, NotFound.
func (s *Service) GetEvent(a *Actor, id uuid.UUID) (Event, error) {
	return getRecord(s, a, resEvent, EventRecord, Tx.Event, id)
}

// CanUpdateEvent reports whether the actor may change e's details (for the window to decide
// whether a form is editable; UpdateEvent enforces the same rule).
func CanUpdateEvent(a *Actor, e Event) bool {
	switch a.Can(resEvent, permissions.Update) {
	case all:
		return true
	case own:
		return e.SupportID == a.id
	}
	return false
}

// ListEvents returns events by start time, and how many damaged events were left out. Any
// logged-in user. Errors: Unauthenticated, Invalid (days).
func (s *Service) ListEvents(a *Actor, q EventQuery) ([]Event, int, error) {
	if err := authorize(a, resEvent, permissions.List, "list events"); err != nil {
		return nil, 0, err
	}
	f := EventFilter{ContractID: q.ContractID, Unassigned: q.Unassigned,
		Search: strings.ToLower(strings.TrimSpace(q.Search))}
	if q.Mine {
		f.onlyMine(a)
	}
	if q.Upcoming {
		days := q.Days
		if days == 0 {
			days = DefaultUpcomingDays
		}
		if days < 0 || days > 36500 {
			return nil, 0, FieldError("days", CodeDaysRange)
		}
		now := s.Now()
		f.StartFrom, f.StartTo = now, now.AddDate(0, 0, days)
	}
	out, hidden, err := viewList(s, a, "list events", func(tx Tx) ([]Event, int, error) { return tx.Events(f) })
	SortEvents(out)
	return out, hidden, err
}

// SortEvents puts events in their default order: by start, then name.
func SortEvents(e []Event) {
	sortByKey(e, func(e *Event) eventKey { return eventKey{timeKeyOf(e.Start), e.Name} }, eventKey.compare)
}

// eventKey is the default order of events and of event lines: by start, then name.
type eventKey struct {
	start timeKey
	name  string
}

func (a eventKey) compare(b eventKey) int {
	if c := a.start.compare(b.start); c != 0 {
		return c
	}
	return strings.Compare(a.name, b.name)
}
