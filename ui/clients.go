package ui

import (
	"github.com/epicevents/crm/core"
)

// clientRow is a client with the name of its commercial contact.
type clientRow struct {
	core.Client
	Commercial string
}

func clientColumns() []column[clientRow] {
	return []column[clientRow]{
		textColumn(tr("Full name"), 180, func(r clientRow) string { return r.FullName }),
		textColumn(tr("Company"), 180, func(r clientRow) string { return r.CompanyName }),
		{Title: tr("Email"), Width: 210, Value: func(r clientRow) string { return r.Email },
			Less: func(a, b clientRow) bool { return a.Email < b.Email }},
		{Title: tr("Phone"), Width: 140, Value: func(r clientRow) string { return r.Phone },
			Less: func(a, b clientRow) bool { return a.Phone < b.Phone }},
		textColumn(tr("Commercial"), 150, func(r clientRow) string { return r.Commercial }),
		{Title: tr("Last update"), Width: 110, Value: func(r clientRow) string { return fmtDate(r.UpdatedAt) },
			Less: func(a, b clientRow) bool { return a.UpdatedAt.Before(b.UpdatedAt) }},
	}
}

func newClientsTab(m *mainScreen) *listTab[clientRow] {
	g := m.g
	a := g.actor
	spec := tabSpec[clientRow]{
		name:    "clients",
		record:  core.ClientRecord,
		columns: clientColumns(),
		filters: []filterDef{{key: "mine", label: tr("Mine")}},
		load: func(q query) ([]clientRow, int, error) {
			n, err := g.loadNames()
			if err != nil {
				return nil, 0, err
			}
			cs, hidden, err := g.svc.ListClients(a, core.ClientQuery{Mine: q.flags["mine"], Search: q.search})
			rows := make([]clientRow, len(cs))
			for i, c := range cs {
				rows[i] = clientRow{Client: c, Commercial: n.name(c.CommercialID)}
			}
			return rows, hidden, err
		},
		same:     func(x, y clientRow) bool { return x.ID == y.ID },
		open:     func(r clientRow) { showClientForm(m, &r.Client) },
		create:   func() { showClientForm(m, nil) },
		canNew:   core.CanCreateClient(a),
		remove:   func(r clientRow) { m.deleted(g.svc.DeleteClient(a, r.ID), m.clients) },
		canerase: func(clientRow) bool { return core.CanDeleteClient(a) },
		csv:      recordsCSV(func(r clientRow) core.Client { return r.Client }, core.ClientsCSV),
	}
	return newListTab(g, spec)
}

// deleted reports the outcome of a delete and reloads the tab.
func (m *mainScreen) deleted(err error, t interface{ changed() }) {
	if err != nil {
		m.g.showError(err)
		return
	}
	t.changed()
}
