package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// homeTab is the first tab (issue #14): each department's figures, every one a button that
// opens the filtered list behind it, and the list of events that matter now. The figures come
// from core.Service.Home, read from the indexes off the UI goroutine.
type homeTab struct {
	m       *mainScreen
	content *fyne.Container
	status  *widget.Label
	// figures are the buttons of the last load, by key (tests press them).
	figures map[string]*widget.Button
	// events lists the events of the last load (double-click opens the event's form).
	events *dataTable[core.HomeEvent]
	gen    int
}

func newHomeTab(m *mainScreen) *homeTab {
	h := &homeTab{m: m, status: widget.NewLabel(""), figures: map[string]*widget.Button{}}
	h.events = newDataTable(homeEventColumns(m.g.actor.Department()))
	h.events.onOpen = func(e core.HomeEvent) { showEventByID(h.m, e.ID) } // management assigns support there
	h.content = container.NewBorder(nil, h.status, nil, nil, widget.NewLabel(tr("Loading…")))
	return h
}

func homeEventColumns(d core.Department) []column[core.HomeEvent] {
	cols := []column[core.HomeEvent]{
		{Title: tr("Start"), Width: 150, Value: func(e core.HomeEvent) string { return fmtDateTime(e.Start) },
			Less: func(a, b core.HomeEvent) bool { return a.Start.Before(b.Start) }},
		textColumn(tr("Event"), 200, func(e core.HomeEvent) string { return e.Name }),
		textColumn(tr("Location"), 200, func(e core.HomeEvent) string { return e.Location }),
		textColumn(tr("Client"), 160, func(e core.HomeEvent) string { return e.ClientName }),
	}
	if core.HomeViewOf(d) == core.HomeEvents {
		cols = append(cols, textColumn(tr("Phone"), 140, func(e core.HomeEvent) string { return e.ClientPhone }))
	}
	return cols
}

func (h *homeTab) view() fyne.CanvasObject { return h.content }
func (h *homeTab) focusSearch()            {}
func (h *homeTab) newRecord()              {}
func (h *homeTab) deleteSelected()         {}
func (h *homeTab) exportCSV()              {}

// refresh loads the figures in the background and rebuilds the tab.
func (h *homeTab) refresh() {
	g := h.m.g
	loadLatest(g, &h.gen, h.status, func() (core.Home, error) { return g.svc.Home(g.actor) }, h.show)
}

// figure is one clickable number of the home tab.
func (h *homeTab) figure(key, label, value string, open func()) fyne.CanvasObject {
	b := widget.NewButton(value, h.m.g.guard(open))
	b.Importance = widget.HighImportance
	h.figures[key] = b
	return container.NewBorder(nil, nil, nil, b, widget.NewLabel(label))
}

func (h *homeTab) show(home core.Home) {
	m := h.m
	h.figures = map[string]*widget.Button{}
	var figs []fyne.CanvasObject
	var title, listTitle string
	switch core.HomeViewOf(home.Department) {
	case core.HomeCompany:
		title = tr("Company")
		listTitle = tr("Events of the next 30 days without support — double-click to assign")
		figs = append(figs,
			h.figure("unsupported", tr("Events in the next 30 days without support"), fmtInt(len(home.Events)),
				func() { m.showEvents(map[string]bool{"unassigned": true, "upcoming": true}) }),
			h.figure("drafts", tr("Draft contracts waiting for a signature"), fmtInt(home.Drafts.Count),
				func() { m.showContracts(map[string]bool{"unsigned": true}) }),
			h.figure("due", tr("Total amount due ({{.Count}} contracts)", map[string]any{"Count": fmtInt(home.Unpaid.Count)}),
				fmtMoney(home.Unpaid.Due), func() { m.showContracts(map[string]bool{"unpaid": true}) }))
		for _, c := range home.Commercials {
			label := tr("Clients of {{.Name}}", map[string]any{"Name": c.Name})
			if !c.Active {
				label += " " + tr("(deactivated)")
			}
			figs = append(figs, h.figure("clients:"+c.ID.String(), label, fmtInt(c.Clients),
				func() { h.showClientsOf(c.ID, c.Name) }))
		}
	case core.HomeWork:
		title = tr("My work")
		listTitle = tr("My upcoming events (next 30 days)")
		figs = append(figs,
			h.figure("clients", tr("My clients"), fmtInt(home.MyClients),
				func() { m.showClients(map[string]bool{"mine": true}) }),
			h.figure("drafts", tr("My draft contracts"), fmtInt(home.Drafts.Count),
				func() { m.showContracts(map[string]bool{"mine": true, "unsigned": true}) }),
			h.figure("due", tr("My unpaid amount ({{.Count}} contracts)", map[string]any{"Count": fmtInt(home.Unpaid.Count)}),
				fmtMoney(home.Unpaid.Due), func() { m.showContracts(map[string]bool{"mine": true, "unpaid": true}) }),
			h.figure("upcoming", tr("My upcoming events"), fmtInt(len(home.Events)),
				func() { m.showEvents(map[string]bool{"mine": true, "upcoming": true}) }))
	default:
		title = tr("My events")
		listTitle = tr("My next events (next 30 days)")
		figs = append(figs,
			h.figure("upcoming", tr("My next events"), fmtInt(len(home.Events)),
				func() { m.showEvents(map[string]bool{"mine": true, "upcoming": true}) }))
	}
	if msg := hiddenText(home.Hidden); msg != "" {
		h.status.SetText(msg)
	}
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	grid := container.NewGridWithColumns(2, figs...)
	list := widget.NewLabelWithStyle(listTitle, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.events.setRows(home.Events, func(a, b core.HomeEvent) bool { return a.ID == b.ID })
	top := container.NewVBox(head, grid, widget.NewSeparator(), list)
	h.content.Objects = []fyne.CanvasObject{container.NewBorder(top, h.status, nil, nil, h.events.content)}
	h.content.Refresh()
}

// showClientsOf lists the clients of one commercial in a dialog (double-click opens a client).
func (h *homeTab) showClientsOf(id uuid.UUID, name string) {
	g := h.m.g
	table := newDataTable(clientColumns())
	table.onOpen = func(r clientRow) { showClientForm(h.m, &r.Client) }
	d := dialog.NewCustom(tr("Clients of {{.Name}}", map[string]any{"Name": name}), tr("Close"), table.content, g.win)
	d.Resize(fyne.NewSize(900, 500))
	d.Show()
	background(g, func() ([]clientRow, error) {
		cs, _, err := g.svc.ListClients(g.actor, core.ClientQuery{})
		var rows []clientRow
		for _, c := range cs {
			if c.CommercialID == id {
				rows = append(rows, clientRow{Client: c, Commercial: name})
			}
		}
		return rows, err
	}, func(rows []clientRow, err error) {
		if err != nil {
			g.showError(err)
			return
		}
		table.setRows(rows, func(a, b clientRow) bool { return a.ID == b.ID })
	})
}

// showFiltered shows a list tab with exactly the given filters on and an empty search.
func showFiltered[T any](m *mainScreen, t *listTab[T], flags map[string]bool) {
	for k, c := range t.checks {
		c.Checked = flags[k]
		c.Refresh()
	}
	t.search.Text = ""
	t.search.Refresh()
	if t.days != nil {
		t.days.SetText("30")
	}
	for i, v := range m.views {
		if v == tabView(t) {
			m.tabs.SelectIndex(i)
		}
	}
	t.reload()
}

func (m *mainScreen) showClients(f map[string]bool)   { showFiltered(m, m.clients, f) }
func (m *mainScreen) showContracts(f map[string]bool) { showFiltered(m, m.contracts, f) }
func (m *mainScreen) showEvents(f map[string]bool)    { showFiltered(m, m.events, f) }
