package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// eventForm shows an event. Management picks the support person at the top of the form and
// saves: the gesture used all day, so the picker has the focus when the form opens.
type eventForm struct {
	m         *mainScreen
	event     *core.Event // nil for a new event
	contract  *core.Contract
	view      *formView
	name      *field
	startDate *widget.DateEntry
	startTime *field
	endDate   *widget.DateEntry
	endTime   *field
	start     *field
	end       *field
	location  *field
	attendees *field
	notes     *field
	contact   *contactPicker // the support contact's row
	support   *widget.Select // its picker, nil when the actor may not assign
	dlg       *formDialog
	client    *widget.Label // who the event is for, once read
}

// eventData is what an event form reads off the UI goroutine: the client, and for an existing
// event the contacts (support row) and its contract (is it cancelled?).
type eventData struct {
	client   core.Client
	contacts []core.Contact
	contract core.Contract
}

// readEvent reads an event form's data; call it off the UI goroutine. The first error is
// returned with whatever could be read.
func readEvent(g *GUI, clientID, contractID uuid.UUID) (eventData, error) {
	var d eventData
	var first error
	note := func(err error) {
		if first == nil {
			first = err
		}
	}
	var err error
	d.client, err = g.svc.GetClient(g.actor, clientID)
	note(err)
	if contractID != uuid.Nil {
		d.contacts, err = g.svc.Contacts(g.actor)
		note(err)
		d.contract, err = g.svc.GetContract(g.actor, contractID)
		note(err)
	}
	return d, first
}

func (f *eventForm) build(v core.Event) {
	f.name = f.view.add(tr("Name"), newEntryField("name", v.Name, textCheck("name", 1, core.MaxNameLen)))
	f.startDate, f.startTime, f.start = f.moment("start", v.Start)
	f.endDate, f.endTime, f.end = f.moment("end", v.End)
	f.location = f.view.add(tr("Location"), newEntryField("location", v.Location, textCheck("location", 1, core.MaxLocationLen)))
	att := ""
	if f.event != nil {
		att = strconv.Itoa(v.Attendees)
	}
	f.attendees = f.view.add(tr("Attendees"), newEntryField("attendees", att, func(s string) error {
		_, err := parseAttendees(s)
		return err
	}))
	f.notes = f.view.add(tr("Notes"), newNotesField(v.Notes))
}

// moment adds a date picker and a time entry (15:04) for start or end.
func (f *eventForm) moment(name string, t time.Time) (*widget.DateEntry, *field, *field) {
	date := widget.NewDateEntry()
	tm := widget.NewEntry()
	tm.SetPlaceHolder("18:30")
	if !t.IsZero() {
		l := t.Local()
		day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.Local)
		date.SetDate(&day)
		tm.SetText(l.Format(timeLayout))
	}
	row := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(90, tm.MinSize().Height), tm), date)
	label := map[string]string{"start": tr("Start"), "end": tr("End")}[name]
	fd := newField(name, row, nil)
	fd.check = func() error { return f.checkMoment(name) }
	f.view.add(label, fd)
	tf := &field{name: name, entry: tm, input: tm, msg: fd.msg, box: fd.box}
	tf.check = fd.check
	validate := func() {
		if fd.validate() {
			f.noteTwice(fd, name)
		}
		if name == "start" && f.end != nil && f.endTime.entry.Text != "" {
			f.end.validate()
		}
	}
	tm.OnChanged = func(string) { validate() }
	date.OnChanged = func(*time.Time) { validate() }
	return date, tf, fd
}

// at combines a date picker and a time entry into a local time (core.LocalTime: a time the
// clocks skip is refused, naming the field). other is the second occurrence of a time that
// happens twice when the clocks go back, the zero time otherwise.
func at(date *widget.DateEntry, tm string, name string) (t, other time.Time, err error) {
	if date.Date == nil {
		return time.Time{}, time.Time{}, core.FieldError(name, core.CodeRequired)
	}
	clock, err := time.Parse(timeLayout, strings.TrimSpace(tm))
	if err != nil {
		return time.Time{}, time.Time{}, core.FieldError(name, core.CodeTimeSyntax)
	}
	d := *date.Date
	return core.LocalTime(name, time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), 0, 0, time.UTC), time.Local)
}

// unchanged reports whether the date and time entered still show the stored moment.
func (f *eventForm) unchanged(date *widget.DateEntry, tm *field, name string, stored time.Time) bool {
	t, other, err := at(date, tm.entry.Text, name)
	stored = stored.Truncate(time.Minute)
	return err == nil && (t.Equal(stored) || other.Equal(stored))
}

// noteTwice says under a valid start or end which of two occurrences of its time is taken,
// when the clocks go back at that hour.
func (f *eventForm) noteTwice(fd *field, name string) {
	date, tm := f.startDate, f.startTime
	if name == "end" {
		date, tm = f.endDate, f.endTime
	}
	t, other, err := at(date, tm.entry.Text, name)
	if err != nil || other.IsZero() {
		return
	}
	fd.setNote(tr("This time happens twice (the clocks go back): the first, {{.First}}, is taken; not the second, {{.Second}}.",
		map[string]any{"First": t.Format(timeLayout + " MST"), "Second": other.Format(timeLayout + " MST")}))
}

func (f *eventForm) checkMoment(name string) error {
	s, _, err := at(f.startDate, f.startTime.entry.Text, "start")
	if name == "start" || err != nil {
		return err
	}
	e, _, err := at(f.endDate, f.endTime.entry.Text, "end")
	if err != nil {
		return err
	}
	return core.ValidateSchedule(s, e)
}

func parseAttendees(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, core.FieldError("attendees", core.CodeWholeAttendees, core.MaxAttendees)
	}
	return n, core.ValidateAttendees(n)
}

// addClient adds the row of who the event is for (through its contract); setClient fills it.
func (f *eventForm) addClient() {
	f.client = widget.NewLabel("")
	f.view.addRow(tr("Client"), f.client)
}

func (f *eventForm) setClient(c core.Client) {
	if c.ID != uuid.Nil {
		f.client.SetText(c.FullName + " — " + c.CompanyName + "\n" + c.Email + " — " + c.Phone)
	}
}

// addSupport adds the support picker (management) or the support's name.
func (f *eventForm) addSupport(v core.Event) {
	g := f.m.g
	f.contact = addContactPicker(f.view, tr("Support"), "support_contact", core.CanAssignSupport(g.actor),
		core.ActiveSupports, v.SupportID, tr("(unassigned)"), tr("(unassigned)"), "")
	f.support = f.contact.sel
}

// supportID is the support picked, uuid.Nil for none.
func (f *eventForm) supportID() uuid.UUID { return f.contact.picked() }

// showEventByID reads an event in the background and opens its form (the agenda and the home
// tab list events by id); an error is shown instead.
func showEventByID(m *mainScreen, id uuid.UUID) {
	g := m.g
	background(g, func() (core.Event, error) { return g.svc.GetEvent(g.actor, id) }, func(e core.Event, err error) {
		if err != nil {
			g.showError(err)
			return
		}
		showEventForm(m, &e)
	})
}

// showEventForm opens an existing event: editable for management and for its support person,
// read-only for everyone else.
// Its client, the contacts and its contract are read in the background; the form opens on the
// UI goroutine once they are, and says what could not be read.
func showEventForm(m *mainScreen, e *core.Event) *eventForm {
	f := &eventForm{m: m, event: e}
	m.form = f
	background(m.g, func() (eventData, error) { return readEvent(m.g, e.ClientID, e.ContractID) },
		func(d eventData, err error) {
			f.open(d)
			m.g.showError(err)
		})
	return f
}

// open builds and shows the form of an existing event from the data read.
func (f *eventForm) open(d eventData) {
	g, e := f.m.g, f.event
	f.view = newFormView()
	f.addSupport(*e)
	f.contact.fill(d.contacts)
	f.addClient()
	f.setClient(d.client)
	f.build(*e)
	final := f.contractCancelled(d.contract)
	editable := core.CanUpdateEvent(g.actor, *e) && !final
	canAssign := f.support != nil && !final
	if final && f.support != nil {
		f.support.Disable()
	}
	f.dlg = newFormDialog(g, tr("Event: {{.Name}}", map[string]any{"Name": e.Name}), f.view, nil, editable || canAssign, f.save)
	if !editable {
		f.view.setReadOnly(true)
		if canAssign {
			f.support.Enable()
		}
	}
	f.startDate.Disable()
	f.endDate.Disable()
	if editable {
		f.startDate.Enable()
		f.endDate.Enable()
	}
	f.dlg.show(fyne.NewSize(680, 520))
	if f.support != nil {
		// Picking a support person moves the focus to Save: Space, arrows, Enter, Space.
		f.support.OnChanged = func(string) { g.win.Canvas().Focus(f.dlg.save) }
		g.win.Canvas().Focus(f.support)
	}
}

// contractCancelled reports whether the event's contract is cancelled (core.IsFinal): the
// form then says so and changes nothing, as core would refuse.
func (f *eventForm) contractCancelled(k core.Contract) bool {
	if k.ID == uuid.Nil || !core.IsFinal(k) {
		return false
	}
	f.view.addRow("", widget.NewLabel(tr("The contract is cancelled: this event can no longer change.")))
	return true
}

// showNewEvent opens the form of a new event under the signed contract k.
func showNewEvent(m *mainScreen, k *core.Contract) *eventForm {
	f := &eventForm{m: m, contract: k}
	m.form = f
	f.view = newFormView()
	f.addClient()
	f.build(core.Event{})
	f.dlg = newFormDialog(m.g, tr("New event"), f.view, nil, true, f.create)
	f.dlg.show(fyne.NewSize(680, 640))
	m.g.win.Canvas().Focus(f.name.entry)
	background(m.g, func() (eventData, error) { return readEvent(m.g, k.ClientID, uuid.Nil) },
		func(d eventData, err error) {
			f.setClient(d.client)
			m.g.showError(err)
		})
	return f
}

// values reads the form into the input of an event (its ContractID left to the caller).
func (f *eventForm) values() (core.EventInput, error) {
	in := core.EventInput{Name: f.name.entry.Text, Location: f.location.entry.Text, Notes: f.notes.entry.Text}
	var err error
	if in.Start, _, err = at(f.startDate, f.startTime.entry.Text, "start"); err != nil {
		return in, err
	}
	if in.End, _, err = at(f.endDate, f.endTime.entry.Text, "end"); err != nil {
		return in, err
	}
	in.Attendees, err = parseAttendees(f.attendees.entry.Text)
	return in, err
}

func (f *eventForm) create() error {
	g := f.m.g
	in, err := f.values()
	if err != nil {
		return err
	}
	in.ContractID = f.contract.ID
	ev, err := g.svc.CreateEvent(g.actor, in)
	if err != nil {
		return err
	}
	f.event = &ev
	f.m.events.changed()
	return nil
}

// save updates the details (when the actor may) and assigns the support (management).
func (f *eventForm) save() error {
	g := f.m.g
	if core.CanUpdateEvent(g.actor, *f.event) {
		if err := f.saveDetails(); err != nil {
			return err
		}
	}
	if f.support != nil {
		e, err := g.svc.AssignSupport(g.actor, f.event.ID, f.supportID())
		if err != nil {
			return err
		}
		*f.event = e
	}
	f.m.events.changed()
	return nil
}

func (f *eventForm) saveDetails() error {
	in, err := f.values()
	if err != nil {
		return err
	}
	p := core.EventPatch{Name: &in.Name, Location: &in.Location, Attendees: &in.Attendees, Notes: &in.Notes}
	// A moment shown to the minute and left alone is not a change (it may be in the past, or
	// the second of two 02:30s of the night the clocks go back).
	if !f.unchanged(f.startDate, f.startTime, "start", f.event.Start) {
		p.Start = &in.Start
	}
	if !f.unchanged(f.endDate, f.endTime, "end", f.event.End) {
		p.End = &in.End
	}
	ev, err := f.m.g.svc.UpdateEvent(f.m.g.actor, f.event.ID, p)
	if err != nil {
		return err
	}
	*f.event = ev
	return nil
}
