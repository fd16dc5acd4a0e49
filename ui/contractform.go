package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// contractForm shows a contract: its amounts (editable by management and the client's
// commercial), Sign and Cancel for management, and New event once it is signed.
type contractForm struct {
	m        *mainScreen
	contract *core.Contract
	client   core.Client // for a new contract
	view     *formView
	total    *field
	due      *field
	dlg      *formDialog
	sign     *widget.Button
	cancel   *widget.Button
}

func (f *contractForm) addAmounts(total, due string) {
	f.total = f.view.add(tr("Total amount"), newEntryField("total_amount", total, func(s string) error {
		_, err := core.ParseAmount("total_amount", s)
		return err
	}))
	f.due = f.view.add(tr("Amount due"), newEntryField("amount_due", due, func(s string) error {
		d, err := core.ParseAmount("amount_due", s)
		if err != nil {
			return err
		}
		if t, err := core.ParseAmount("total_amount", f.total.entry.Text); err == nil {
			return core.ValidateAmounts(t, d)
		}
		return nil
	}))
	f.total.entry.OnChanged = func(string) {
		f.total.validate()
		if f.due.entry.Text != "" {
			f.due.validate()
		}
	}
}

func (f *contractForm) amounts() (decimal.Decimal, decimal.Decimal, error) {
	t, err := core.ParseAmount("total_amount", f.total.entry.Text)
	if err != nil {
		return t, t, err
	}
	d, err := core.ParseAmount("amount_due", f.due.entry.Text)
	return t, d, err
}

// showNewContract opens the form of a new draft contract for client c (management).
func showNewContract(m *mainScreen, c *core.Client) *contractForm {
	f := &contractForm{m: m, client: *c, view: newFormView()}
	m.form = f
	f.view.addRow(tr("Client"), widget.NewLabel(c.FullName+" — "+c.CompanyName))
	f.addAmounts("", "")
	f.dlg = newFormDialog(m.g, tr("New contract"), f.view, nil, true, func() error {
		t, d, err := f.amounts()
		if err != nil {
			return err
		}
		k, err := m.g.svc.CreateContract(m.g.actor, core.ContractInput{ClientID: c.ID, Total: t, Due: &d})
		if err != nil {
			return err
		}
		f.contract = &k
		m.contracts.changed()
		return nil
	})
	f.dlg.show(fyne.NewSize(520, 320))
	m.g.win.Canvas().Focus(f.total.entry)
	return f
}

// showContractForm opens an existing contract. Its client and the collaborators' names are
// read in the background; the form opens on the UI goroutine once they are. A client that
// cannot be read (damaged) is said in a dialog over the form; the contract stays usable.
func showContractForm(m *mainScreen, k *core.Contract) *contractForm {
	g := m.g
	f := &contractForm{m: m, contract: k}
	m.form = f
	type data struct {
		client core.Client
		names  names
	}
	background(g, func() (data, error) {
		c, readErr := g.svc.GetClient(g.actor, k.ClientID)
		n, namesErr := g.loadNames()
		if readErr == nil {
			readErr = namesErr // the commercial's name is then left blank; say why
		}
		return data{c, n}, readErr
	}, func(d data, err error) {
		f.open(d.client, d.names)
		g.showError(err)
	})
	return f
}

// open builds and shows the form of the contract, for client c.
func (f *contractForm) open(c core.Client, n names) {
	g, k := f.m.g, f.contract
	f.view = newFormView()
	f.view.addRow(tr("Client"), widget.NewLabel(c.FullName+" — "+c.CompanyName))
	f.view.addRow(tr("Commercial"), widget.NewLabel(n.name(k.CommercialID)))
	f.view.addRow(tr("Status"), widget.NewLabel(statusName(k.Status)))
	f.addAmounts(moneyInput(k.Total), moneyInput(k.Due))
	f.view.addRow(tr("Created"), widget.NewLabel(fmtDateTime(k.CreatedAt)))
	if !k.SignedAt.IsZero() {
		f.view.addRow(tr("Signed"), widget.NewLabel(fmtDateTime(k.SignedAt)))
	}
	editable := core.CanUpdateContract(g.actor, *k)
	f.dlg = newFormDialog(g, tr("Contract of {{.Client}}", map[string]any{"Client": c.FullName}), f.view, nil, editable, f.save)
	f.addActions()
	f.dlg.show(fyne.NewSize(560, 460))
}

func (f *contractForm) addActions() {
	g, k := f.m.g, f.contract
	if core.CanCreateEventFor(g.actor, *k) {
		f.dlg.addButton(widget.NewButtonWithIcon(tr("New event"), theme.ContentAddIcon(), func() {
			f.dlg.d.Hide()
			showNewEvent(f.m, k)
		}))
	}
	if core.CanCancelContract(g.actor, *k) {
		f.cancel = widget.NewButtonWithIcon(tr("Cancel contract"), theme.CancelIcon(), f.onCancel)
		f.cancel.Importance = widget.DangerImportance
		f.dlg.addButton(f.cancel)
	}
	if core.CanSignContract(g.actor, *k) {
		f.sign = widget.NewButtonWithIcon(tr("Sign"), theme.ConfirmIcon(), f.onSign)
		f.sign.Importance = widget.SuccessImportance
		f.dlg.addButton(f.sign)
	}
}

func (f *contractForm) save() error {
	t, d, err := f.amounts()
	if err != nil {
		return err
	}
	k, err := f.m.g.svc.UpdateContractAmounts(f.m.g.actor, f.contract.ID, &t, &d)
	if err != nil {
		return err
	}
	*f.contract = k
	f.m.contracts.changed()
	return nil
}

// onSign signs the draft and closes the form.
func (f *contractForm) onSign() {
	if _, err := f.m.g.svc.SignContract(f.m.g.actor, f.contract.ID); err != nil {
		f.m.g.showError(err)
		return
	}
	f.dlg.d.Hide()
	f.m.contracts.changed()
}

// onCancel cancels the contract after a confirmation: cancelled is final.
func (f *contractForm) onCancel() {
	dialog.ShowConfirm(tr("Cancel contract"), tr("Cancel this contract? A cancelled contract cannot be changed any more."), func(yes bool) {
		if !yes {
			return
		}
		if _, err := f.m.g.svc.CancelContract(f.m.g.actor, f.contract.ID); err != nil {
			f.m.g.showError(err)
			return
		}
		f.dlg.d.Hide()
		f.m.contracts.changed()
	}, f.m.g.win)
}

// pickClient asks which client a new contract is for, searching as the user types.
func pickClient(m *mainScreen, then func(core.Client)) {
	g := m.g
	var found []core.Client
	list := widget.NewList(func() int { return len(found) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(found[i].FullName + " — " + found[i].CompanyName + " — " + found[i].Email)
		})
	search := widget.NewEntry()
	search.SetPlaceHolder(tr("Search…"))
	var d *dialog.CustomDialog
	list.OnSelected = func(i widget.ListItemID) {
		c := found[i]
		d.Hide()
		then(c)
	}
	gen := 0
	load := func(text string) {
		gen++
		my := gen
		background(g, func() ([]core.Client, error) {
			cs, _, err := g.svc.ListClients(g.actor, core.ClientQuery{Search: text})
			return cs[:min(len(cs), 200)], err
		}, func(cs []core.Client, err error) {
			if my != gen {
				return
			}
			if err != nil {
				g.showError(err)
				return
			}
			found = cs
			list.UnselectAll()
			list.Refresh()
		})
	}
	deb := &debouncer{g: g, delay: 200e6}
	search.OnChanged = func(s string) { deb.call(func() { load(s) }) }
	d = dialog.NewCustom(tr("Choose the client"), tr("Close"), container.NewBorder(search, nil, nil, nil, list), g.win)
	d.Resize(fyne.NewSize(620, 480))
	d.Show()
	load("")
	g.win.Canvas().Focus(search)
}
