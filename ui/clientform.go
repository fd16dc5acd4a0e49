package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// clientForm shows, creates or edits a client; an existing client's form lists its contracts
// and events.
type clientForm struct {
	m          *mainScreen
	client     *core.Client // nil for a new client
	view       *formView
	name       *field
	email      *field
	phone      *field
	company    *field
	notes      *field
	commercial *contactPicker
	dlg        *formDialog
	contracts  *fyne.Container // the client's contracts, filled once read
	events     *fyne.Container // the events of those contracts, filled once read
}

// clientData is what a client form reads off the UI goroutine: the contacts for the
// commercial row, and an existing client's contracts and their events.
type clientData struct {
	contacts []core.Contact
	related  core.ClientRelated
}

func showClientForm(m *mainScreen, c *core.Client) *clientForm {
	f := &clientForm{m: m, client: c}
	m.form = f
	var v core.Client
	if c != nil {
		v = *c
	}
	f.view = newFormView()
	f.name = f.view.add(tr("Full name"), newEntryField("full_name", v.FullName, textCheck("full_name", 2, core.MaxNameLen)))
	f.company = f.view.add(tr("Company"), newEntryField("company_name", v.CompanyName, textCheck("company_name", 1, core.MaxNameLen)))
	f.email = f.view.add(tr("Email"), newEntryField("email", v.Email, emailCheck))
	f.phone = f.view.add(tr("Phone"), newEntryField("phone", v.Phone, phoneCheck))
	f.notes = f.view.add(tr("Notes"), newNotesField(v.Notes))
	a := m.g.actor
	editable := c == nil || core.CanUpdateClient(a, *c)
	f.addCommercial(v)
	var below fyne.CanvasObject
	title := tr("New client")
	if c != nil {
		title = tr("Client: {{.Name}}", map[string]any{"Name": c.FullName})
		f.view.addRow(tr("First contact"), widget.NewLabel(fmtDateTime(c.CreatedAt)))
		f.view.addRow(tr("Last update"), widget.NewLabel(fmtDateTime(c.UpdatedAt)))
		below = f.related()
	}
	f.dlg = newFormDialog(m.g, title, f.view, below, editable, f.save)
	if f.commercial.sel != nil && !editable {
		f.commercial.sel.Disable()
	}
	f.dlg.show(fyne.NewSize(680, 640))
	if editable {
		m.g.win.Canvas().Focus(f.name.entry)
	}
	f.load()
	return f
}

// load reads the form's data in the background — the contacts, and an existing client's
// contracts and events in one call to core — then fills the commercial row and the related
// lists on the UI goroutine; the first error of the reading is shown, and what could be read
// is shown too.
func (f *clientForm) load() {
	g := f.m.g
	id := uuid.Nil
	if f.client != nil {
		id = f.client.ID
	}
	background(g, func() (clientData, error) {
		var d clientData
		var err error
		d.contacts, err = g.svc.Contacts(g.actor)
		if id == uuid.Nil {
			return d, err
		}
		var rerr error
		d.related, rerr = g.svc.ClientRelated(g.actor, id)
		if err == nil {
			err = rerr
		}
		return d, err
	}, func(d clientData, err error) {
		g.showError(err)
		f.commercial.fill(d.contacts)
		if f.contracts != nil {
			f.fillRelated(d)
		}
	})
}

// addCommercial adds the commercial contact: a picker for management, a name otherwise.
func (f *clientForm) addCommercial(v core.Client) {
	g := f.m.g
	editing := f.client != nil
	nobody := ""
	if !editing {
		nobody = g.actor.FullName() // who creates a client becomes its commercial
	}
	f.commercial = addContactPicker(f.view, tr("Commercial"), "commercial_contact", core.CanChooseCommercial(g.actor, editing),
		core.ActiveCommercials, v.CommercialID, nobody, "", tr("Choose a commercial"))
}

func (f *clientForm) commercialID() uuid.UUID { return f.commercial.picked() }

// save creates or updates the client through core.
func (f *clientForm) save() error {
	g := f.m.g
	name, email, phone, company, notes := f.name.entry.Text, f.email.entry.Text, f.phone.entry.Text,
		f.company.entry.Text, f.notes.entry.Text
	if f.client == nil {
		c, err := g.svc.CreateClient(g.actor, core.ClientInput{FullName: name, Email: email, Phone: phone,
			CompanyName: company, Notes: notes, CommercialID: f.commercialID()})
		if err != nil {
			return err
		}
		f.client = &c
	} else {
		c, err := g.svc.UpdateClient(g.actor, f.client.ID, core.ClientPatch{FullName: &name, Email: &email,
			Phone: &phone, CompanyName: &company, Notes: &notes})
		if err != nil {
			return err
		}
		if id := f.commercialID(); id != uuid.Nil && id != c.CommercialID {
			if c, err = g.svc.ReassignClient(g.actor, c.ID, id); err != nil {
				return err
			}
		}
		*f.client = c
	}
	f.m.clients.changed()
	f.m.contracts.changed()
	return nil
}

// related lays out the client's contracts and events (filled by fillRelated once read), and
// offers a new contract to management.
func (f *clientForm) related() fyne.CanvasObject {
	g := f.m.g
	f.contracts = container.NewVBox()
	f.events = container.NewVBox()
	box := container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("Contracts"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), f.contracts)
	if core.CanCreateContract(g.actor) {
		c := *f.client
		box.Add(widget.NewButton(tr("New contract for this client"), func() { showNewContract(f.m, &c) }))
	}
	box.Add(widget.NewLabelWithStyle(tr("Events"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	box.Add(f.events)
	return box
}

// fillRelated shows the contracts and events read by load.
func (f *clientForm) fillRelated(d clientData) {
	var ks, evs []fyne.CanvasObject
	for _, k := range d.related.Contracts {
		k := k
		line := tr("{{.Status}} — total {{.Total}}, due {{.Due}} — created {{.Date}}", map[string]any{
			"Status": statusName(k.Status), "Total": fmtMoney(k.Total), "Due": fmtMoney(k.Due), "Date": fmtDate(k.CreatedAt)})
		ks = append(ks, widget.NewButton(line, func() { showContractForm(f.m, &k) }))
	}
	if len(ks) == 0 {
		ks = append(ks, widget.NewLabel(tr("No contracts yet.")))
	}
	for _, e := range d.related.Events {
		e := e
		evs = append(evs, widget.NewButton(e.Name+" — "+fmtDateTime(e.Start)+" — "+e.Location, func() { showEventForm(f.m, &e) }))
	}
	if len(evs) == 0 {
		evs = append(evs, widget.NewLabel(tr("No events yet.")))
	}
	f.contracts.Objects = ks
	f.contracts.Refresh()
	f.events.Objects = evs
	f.events.Refresh()
}
