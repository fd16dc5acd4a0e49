package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// eventRow is an event with the names of its client and support contact.
type eventRow struct {
	core.Event
	Client  string
	Support string
}

func eventColumns() []column[eventRow] {
	return []column[eventRow]{
		textColumn(tr("Event"), 190, func(r eventRow) string { return r.Name }),
		textColumn(tr("Client"), 150, func(r eventRow) string { return r.Client }),
		{Title: tr("Start"), Width: 140, Value: func(r eventRow) string { return fmtDateTime(r.Start) },
			Less: func(a, b eventRow) bool { return a.Start.Before(b.Start) }},
		{Title: tr("End"), Width: 140, Value: func(r eventRow) string { return fmtDateTime(r.End) },
			Less: func(a, b eventRow) bool { return a.End.Before(b.End) }},
		textColumn(tr("Location"), 200, func(r eventRow) string { return r.Location }),
		{Title: tr("Attendees"), Width: 80, Align: fyne.TextAlignTrailing, Value: func(r eventRow) string { return fmtInt(r.Attendees) },
			Less: func(a, b eventRow) bool { return a.Attendees < b.Attendees }},
		{Title: tr("Support"), Width: 130, Value: func(r eventRow) string {
			if r.Support == "" {
				return tr("(unassigned)")
			}
			return r.Support
		}, Less: func(a, b eventRow) bool { return lessFold(a.Support, b.Support) }},
	}
}

func newEventsTab(m *mainScreen) *listTab[eventRow] {
	g := m.g
	a := g.actor
	spec := tabSpec[eventRow]{
		name:    "events",
		record:  core.EventRecord,
		columns: eventColumns(),
		filters: []filterDef{{"mine", tr("Mine")}, {"unassigned", tr("Unassigned")}, {"upcoming", tr("Upcoming")}},
		days:    true,
		load: func(q query) ([]eventRow, int, error) {
			n, clients, err := g.loadNamesAndClients()
			if err != nil {
				return nil, 0, err
			}
			evs, hidden, err := g.svc.ListEvents(a, core.EventQuery{Mine: q.flags["mine"], Unassigned: q.flags["unassigned"],
				Upcoming: q.flags["upcoming"], Days: q.days, Search: q.search})
			rows := make([]eventRow, len(evs))
			for i, e := range evs {
				rows[i] = eventRow{Event: e, Client: clients[e.ClientID].FullName, Support: n.name(e.SupportID)}
			}
			return rows, hidden, err
		},
		same:     func(x, y eventRow) bool { return x.ID == y.ID },
		open:     func(r eventRow) { showEventForm(m, &r.Event) },
		create:   func() { pickContract(m) },
		canNew:   core.CanCreateEvents(a),
		remove:   func(r eventRow) { m.deleted(g.svc.DeleteEvent(a, r.ID), m.events) },
		canerase: func(eventRow) bool { return core.CanDeleteEvent(a) },
		csv:      recordsCSV(func(r eventRow) core.Event { return r.Event }, core.EventsCSV),
	}
	return newListTab(g, spec)
}

// pickContract asks under which signed contract a new event goes.
func pickContract(m *mainScreen) {
	g := m.g
	q := core.EventContractsQuery(g.actor)
	type choice struct {
		k    core.Contract
		text string
	}
	var found []choice
	list := widget.NewList(func() int { return len(found) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(found[i].text) })
	empty := widget.NewLabel(tr("Loading…"))
	var d *dialog.CustomDialog
	list.OnSelected = func(i widget.ListItemID) {
		k := found[i].k
		d.Hide()
		showNewEvent(m, &k)
	}
	d = dialog.NewCustom(tr("Choose the signed contract"), tr("Close"), container.NewBorder(empty, nil, nil, nil, list), g.win)
	d.Resize(fyne.NewSize(640, 440))
	d.Show()
	background(g, func() ([]choice, error) {
		ks, _, err := g.svc.ListContracts(g.actor, q)
		if err != nil {
			return nil, err
		}
		clients, err := g.clientIndex()
		var out []choice
		for _, k := range ks {
			if core.CanCreateEventFor(g.actor, k) {
				c := clients[k.ClientID]
				out = append(out, choice{k, c.FullName + " — " + c.CompanyName + " — " + fmtMoney(k.Total) + " — " + fmtDate(k.SignedAt)})
			}
		}
		return out, err
	}, func(cs []choice, err error) {
		if err != nil {
			g.showError(err)
			return
		}
		found = cs
		empty.SetText(tr("{{.Count}} signed contracts", map[string]any{"Count": fmtInt(len(cs))}))
		list.Refresh()
	})
}
