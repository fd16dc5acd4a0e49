package cli

import (
	"strconv"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

const eventUsage = `Event commands:

  epicevents event list [--mine] [--unassigned] [--upcoming [--days N]]
                                            list events by start; the filters combine
        --mine             support: events assigned to you; commercial: events of your
                           contracts; management: every event
        --unassigned       only events without a support contact
        --upcoming         only events starting within the next N days (default 30)
        --days N           the number of days of --upcoming (implies --upcoming)
  epicevents event mine | unassigned | upcoming [--days N]
                                            the same as list --mine, --unassigned, --upcoming
                                            (other filter flags may be added)
  epicevents event view V                   show an event with its client's contact details
  epicevents event create CONTRACT --name N --start T --end T --location L --attendees N [--notes T]
                                            add an event to a signed contract (management, or
                                            the client's commercial); the start is not past
  epicevents event update V [--name N] [--start T] [--end T] [--location L] [--attendees N] [--notes T]
                                            change the details given (management, or the
                                            support contact of the event)
  epicevents event assign V U               make the support user U the event's support contact
                                            (management)
  epicevents event unassign V               remove the event's support contact (management)
  epicevents event delete V                 delete an event (management)
  epicevents event search TEXT              find events by name, location or client name
  epicevents event agenda [--week|--month] [--from DATE] [--mine]
                                            the events of a week or a month, by start
        --week             the seven days from --from (the default)
        --month            the calendar month containing --from
        --from DATE        a day, YYYY-MM-DD (default today)
        --mine             as for event list

  V and CONTRACT are full ids or unique prefixes of at least 8 characters; U is also an email.
  Times T are RFC 3339 (2026-06-01T18:00:00+02:00) or "YYYY-MM-DD HH:MM" in local time. A
  local time the clocks skip (spring forward) is refused (exit 5); one that happens twice
  (autumn) is taken at its first occurrence, and a note on standard error says so.
  --json prints the result as JSON.
`

var eventCommands = map[string]func(*runner, []string) error{
	"list":       eventList("list", core.EventQuery{}),
	"mine":       eventList("mine", core.EventQuery{Mine: true}),
	"unassigned": eventList("unassigned", core.EventQuery{Unassigned: true}),
	"upcoming":   eventList("upcoming", core.EventQuery{Upcoming: true}),
	"view":       eventView,
	"create":     eventCreate,
	"update":     eventUpdate,
	"assign":     eventAssign,
	"unassign":   eventUnassign,
	"delete":     eventDelete,
	"search":     searchCommand("event search", eventUsage, func(s *session, text string) error { return s.listEvents(core.EventQuery{Search: text}) }),
	"agenda":     eventAgenda,
}

// eventOut is an event as printed (PRODUCT.md §2), with its client's contact details.
type eventOut struct {
	ID                 string  `json:"id"`
	ContractID         string  `json:"contract_id"`
	ClientID           string  `json:"client_id"`
	ClientName         string  `json:"client_name"`
	ClientEmail        string  `json:"client_email"`
	ClientPhone        string  `json:"client_phone"`
	Name               string  `json:"name"`
	Start              jtime   `json:"start"`
	End                jtime   `json:"end"`
	Location           string  `json:"location"`
	Attendees          int     `json:"attendees"`
	Notes              string  `json:"notes"`
	SupportContactID   *string `json:"support_contact_id"`
	SupportContactName *string `json:"support_contact_name"`
	CreatedAt          jtime   `json:"created_at"`
	UpdatedAt          jtime   `json:"updated_at"`
}

// toEvents makes the output records of events, their clients loaded at once for their details.
func (s *session) toEvents(list []core.Event) ([]eventOut, error) {
	if err := s.loadClients(each(list, func(e core.Event) uuid.UUID { return e.ClientID })); err != nil {
		return nil, err
	}
	return convert(list, s.toEvent)
}

// toEvent makes the output record of an event whose client toEvents loaded.
func (s *session) toEvent(e core.Event) (eventOut, error) {
	c := s.clients[e.ClientID]
	out := eventOut{ID: e.ID.String(), ContractID: e.ContractID.String(),
		ClientID: e.ClientID.String(), ClientName: c.FullName, ClientEmail: c.Email,
		ClientPhone: c.Phone, Name: e.Name, Start: jtime(e.Start), End: jtime(e.End),
		Location: e.Location, Attendees: e.Attendees, Notes: e.Notes,
		SupportContactID: optID(e.SupportID), CreatedAt: jtime(e.CreatedAt), UpdatedAt: jtime(e.UpdatedAt)}
	if e.SupportID != uuid.Nil {
		name, err := s.contactName(e.SupportID)
		if err != nil {
			return out, err
		}
		out.SupportContactName = &name
	}
	return out, nil
}

var eventColumns = []column[eventOut]{
	{title: "ID", cell: func(e eventOut) string { return short(e.ID) }},
	{title: "START", cell: func(e eventOut) string { return e.Start.local() }},
	{title: "END", cell: func(e eventOut) string { return e.End.local() }},
	{title: "NAME", cell: func(e eventOut) string { return e.Name }},
	{title: "CLIENT", cell: func(e eventOut) string { return orDash(e.ClientName) }},
	{title: "LOCATION", cell: func(e eventOut) string { return e.Location }},
	{title: "ATTENDEES", right: true, cell: func(e eventOut) string { return strconv.Itoa(e.Attendees) }},
	{title: "SUPPORT", cell: func(e eventOut) string { return orDash(deref(e.SupportContactName)) }},
}

// doneEvent prints the event an action returned, or shows it in full when format is "", or
// returns the action's error.
func (s *session) doneEvent(e core.Event, err error, format string, args ...any) error {
	return doneRecord(s, e, err, s.toEvents, eventFields, format, args...)
}

func eventFields(v eventOut) []field {
	return []field{
		{"ID", v.ID}, {"Name", v.Name}, {"Contract", v.ContractID},
		{"Client", orDash(v.ClientName)}, {"Client email", orDash(v.ClientEmail)},
		{"Client phone", orDash(v.ClientPhone)}, {"Start", v.Start.local()}, {"End", v.End.local()},
		{"Location", v.Location}, {"Attendees", strconv.Itoa(v.Attendees)},
		{"Support", orDash(deref(v.SupportContactName))}, {"Notes", orDash(v.Notes)},
		{"Created", v.CreatedAt.local()}, {"Updated", v.UpdatedAt.local()},
	}
}

func (s *session) listEvents(q core.EventQuery) error {
	list, hidden, err := s.svc.ListEvents(s.actor, q)
	return printRecords(s, list, hidden, err, s.toEvents, eventColumns, "events")
}

// eventList returns "event list" or one of its aliases: q holds the alias's filter, the flags
// add theirs.
func eventList(name string, q core.EventQuery) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		f := r.newFlags("event "+name, eventUsage)
		mine := f.Bool("mine", false, "")
		unassigned := f.Bool("unassigned", false, "")
		upcoming := f.Bool("upcoming", false, "")
		days := f.String("days", "", "")
		return f.inSession(args, func(s *session, _ []string) error {
			q := q // each run adds its flags to the alias's filter
			q.Mine, q.Unassigned = q.Mine || *mine, q.Unassigned || *unassigned
			q.Upcoming = q.Upcoming || *upcoming || f.given("days")
			if f.given("days") {
				n, err := parseInt("days", *days)
				if err != nil {
					return err
				}
				if n < 1 {
					return core.FieldErrorf("days", "must be between 1 and 36500")
				}
				q.Days = n
			}
			return s.listEvents(q)
		})
	}
}

func eventView(r *runner, args []string) error {
	return r.newFlags("event view", eventUsage).withRecord(core.EventRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		e, err := s.svc.GetEvent(s.actor, id)
		return s.doneEvent(e, err, "")
	}, "V")
}

// eventFlags are the detail flags of event create and update.
type eventFlags struct {
	*flags
	name, start, end, location, attendees, notes string
}

func (r *runner) newEventFlags(command string) *eventFlags {
	f := &eventFlags{flags: r.newFlags(command, eventUsage)}
	f.StringVar(&f.name, "name", "", "")
	f.StringVar(&f.start, "start", "", "")
	f.StringVar(&f.end, "end", "", "")
	f.StringVar(&f.location, "location", "", "")
	f.StringVar(&f.attendees, "attendees", "", "")
	f.StringVar(&f.notes, "notes", "", "")
	return f
}

// patch reads the flags given as a change of an event's details.
func (f *eventFlags) patch() (core.EventPatch, error) {
	p := core.EventPatch{Name: f.opt("name", &f.name), Location: f.opt("location", &f.location),
		Notes: f.opt("notes", &f.notes)}
	var err error
	if p.Start, err = optTime(f.flags, "start", "start", f.start); err != nil {
		return p, err
	}
	if p.End, err = optTime(f.flags, "end", "end", f.end); err != nil {
		return p, err
	}
	if f.given("attendees") {
		n, err := parseInt("attendees", f.attendees)
		if err != nil {
			return p, err
		}
		p.Attendees = &n
	}
	return p, nil
}

func eventCreate(r *runner, args []string) error {
	f := r.newEventFlags("event create")
	f.need("name", "start", "end", "location", "attendees")
	return f.inSession(args, func(s *session, pos []string) error {
		p, err := f.patch()
		if err != nil {
			return err
		}
		in := core.EventInput{Name: f.name, Start: *p.Start, End: *p.End, Location: f.location,
			Attendees: *p.Attendees, Notes: f.notes}
		if in.ContractID, err = s.resolve(core.ContractRecord, pos[0]); err != nil {
			return err
		}
		e, err := s.svc.CreateEvent(s.actor, in)
		return s.doneEvent(e, err, "Event created: %s", e.ID)
	}, "CONTRACT")
}

func eventUpdate(r *runner, args []string) error {
	f := r.newEventFlags("event update")
	f.needOne("name", "start", "end", "location", "attendees", "notes")
	return f.inSession(args, func(s *session, pos []string) error {
		p, err := f.patch()
		if err != nil {
			return err
		}
		id, err := s.resolve(core.EventRecord, pos[0])
		if err != nil {
			return err
		}
		e, err := s.svc.UpdateEvent(s.actor, id, p)
		return s.doneEvent(e, err, "Event updated: %s", e.ID)
	}, "V")
}

func eventAssign(r *runner, args []string) error {
	return r.newFlags("event assign", eventUsage).withRecord(core.EventRecord, args, func(s *session, id uuid.UUID, rest []string) error {
		e, name, err := assign(s, rest[0], func(uid uuid.UUID) (core.Event, error) { return s.svc.AssignSupport(s.actor, id, uid) })
		return s.doneEvent(e, err, "Event assigned to %s: %s", name, e.ID)
	}, "V", "U")
}

func eventUnassign(r *runner, args []string) error {
	return r.newFlags("event unassign", eventUsage).withRecord(core.EventRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		e, err := s.svc.AssignSupport(s.actor, id, uuid.Nil)
		return s.doneEvent(e, err, "Event unassigned: %s", e.ID)
	}, "V")
}

func eventDelete(r *runner, args []string) error {
	return r.newFlags("event delete", eventUsage).withRecord(core.EventRecord, args, func(s *session, id uuid.UUID, _ []string) error {
		return s.deleted(s.svc.DeleteEvent(s.actor, id), "Event", id)
	}, "V")
}
