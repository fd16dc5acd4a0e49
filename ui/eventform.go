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
	readErr   error // a record the form could not read (its client), shown once it is open
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
		tm.SetText(l.Format("15:04"))
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
	clock, err := time.Parse("15:04", strings.TrimSpace(tm))
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
		map[string]any{"First": t.Format("15:04 MST"), "Second": other.Format("15:04 MST")}))
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

// addClient shows who the event is for, through its contract.
func (f *eventForm) addClient(clientID uuid.UUID) {
	g := f.m.g
	c, err := g.svc.GetClient(g.actor, clientID)
	if err != nil {
		f.readErr = err // shown over the form once it is open
		return
	}
	f.view.addRow(tr("Client"), widget.NewLabel(c.FullName+" — "+c.CompanyName+"\n"+c.Email+" — "+c.Phone))
}

// addSupport adds the support picker (management) or the support's name.
func (f *eventForm) addSupport(v core.Event) {
	g := f.m.g
	f.contact = addContactPicker(f.view, tr("Support"), "support_contact", core.CanAssignSupport(g.actor),
		core.ActiveSupports, v.SupportID, tr("(unassigned)"), tr("(unassigned)"), "")
	cs, err := g.svc.Contacts(g.actor)
	g.showError(err)
	f.contact.fill(cs)
	f.support = f.contact.sel
}

// supportID is the support picked, uuid.Nil for none.
func (f *eventForm) supportID() uuid.UUID { return f.contact.picked() }

// showEventForm opens an existing event: editable for management and for its support person,
// read-only for everyone else.
func showEventForm(m *mainScreen, e *core.Event) *eventForm {
	g := m.g
	f := &eventForm{m: m, event: e}
	m.form = f
	f.view = newFormView()
	f.addSupport(*e)
	f.addClient(e.ClientID)
	f.build(*e)
	final := f.contractCancelled(e.ContractID)
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
	g.showError(f.readErr)
	if f.support != nil {
		// Picking a support person moves the focus to Save: Space, arrows, Enter, Space.
		f.support.OnChanged = func(string) { g.win.Canvas().Focus(f.dlg.save) }
		g.win.Canvas().Focus(f.support)
	}
	return f
}

// contractCancelled reports whether the event's contract is cancelled (core.IsFinal): the
// form then says so and changes nothing, as core would refuse.
func (f *eventForm) contractCancelled(id uuid.UUID) bool {
	g := f.m.g
	k, err := g.svc.GetContract(g.actor, id)
	if err != nil || !core.IsFinal(k) {
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
	f.addClient(k.ClientID)
	f.build(core.Event{})
	f.dlg = newFormDialog(m.g, tr("New event"), f.view, nil, true, f.create)
	f.dlg.show(fyne.NewSize(680, 640))
	m.g.win.Canvas().Focus(f.name.entry)
	m.g.showError(f.readErr)
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
