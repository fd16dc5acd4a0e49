package ui

import (
	"fyne.io/fyne/v2"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// contractRow is a contract with the names of its client and commercial contact.
type contractRow struct {
	core.Contract
	Client     string
	Company    string
	Commercial string
}

func contractColumns() []column[contractRow] {
	return []column[contractRow]{
		textColumn(tr("Client"), 170, func(r contractRow) string { return r.Client }),
		textColumn(tr("Company"), 170, func(r contractRow) string { return r.Company }),
		textColumn(tr("Commercial"), 140, func(r contractRow) string { return r.Commercial }),
		{Title: tr("Total"), Width: 130, Align: fyne.TextAlignTrailing, Value: func(r contractRow) string { return fmtMoney(r.Total) },
			Less: func(a, b contractRow) bool { return a.Total.LessThan(b.Total) }},
		{Title: tr("Due"), Width: 130, Align: fyne.TextAlignTrailing, Value: func(r contractRow) string { return fmtMoney(r.Due) },
			Less: func(a, b contractRow) bool { return a.Due.LessThan(b.Due) }},
		{Title: tr("Status"), Width: 90, Value: func(r contractRow) string { return statusName(r.Status) },
			Less: func(a, b contractRow) bool { return a.Status < b.Status }},
		{Title: tr("Created"), Width: 110, Value: func(r contractRow) string { return fmtDate(r.CreatedAt) },
			Less: func(a, b contractRow) bool { return a.CreatedAt.Before(b.CreatedAt) }},
	}
}

// clientIndex maps client ids to clients, for the client columns of contracts and events.
func (g *GUI) clientIndex() (map[uuid.UUID]core.Client, error) {
	cs, _, err := g.svc.ListClients(g.actor, core.ClientQuery{})
	if err != nil {
		return nil, err
	}
	m := make(map[uuid.UUID]core.Client, len(cs))
	for _, c := range cs {
		m[c.ID] = c
	}
	return m, nil
}

// loadNamesAndClients reads what contract and event rows name: collaborators and clients.
func (g *GUI) loadNamesAndClients() (names, map[uuid.UUID]core.Client, error) {
	n, err := g.loadNames()
	if err != nil {
		return nil, nil, err
	}
	clients, err := g.clientIndex()
	if err != nil {
		return nil, nil, err
	}
	return n, clients, nil
}

func newContractsTab(m *mainScreen) *listTab[contractRow] {
	g := m.g
	a := g.actor
	spec := tabSpec[contractRow]{
		name:    "contracts",
		record:  core.ContractRecord,
		columns: contractColumns(),
		filters: []filterDef{{"mine", tr("Mine")}, {"unsigned", tr("Unsigned")}, {"unpaid", tr("Unpaid")}},
		load: func(q query) ([]contractRow, int, error) {
			n, clients, err := g.loadNamesAndClients()
			if err != nil {
				return nil, 0, err
			}
			ks, hidden, err := g.svc.ListContracts(a, core.ContractQuery{Mine: q.flags["mine"],
				Unsigned: q.flags["unsigned"], Unpaid: q.flags["unpaid"], Search: q.search})
			rows := make([]contractRow, len(ks))
			for i, k := range ks {
				c := clients[k.ClientID]
				rows[i] = contractRow{Contract: k, Client: c.FullName, Company: c.CompanyName, Commercial: n.name(k.CommercialID)}
			}
			return rows, hidden, err
		},
		same:     func(x, y contractRow) bool { return x.ID == y.ID },
		open:     func(r contractRow) { showContractForm(m, &r.Contract) },
		create:   func() { pickClient(m, func(c core.Client) { showNewContract(m, &c) }) },
		canNew:   core.CanCreateContract(a),
		remove:   func(r contractRow) { m.deleted(g.svc.DeleteContract(a, r.ID), m.contracts) },
		canerase: func(contractRow) bool { return core.CanDeleteContract(a) },
		csv:      recordsCSV(func(r contractRow) core.Contract { return r.Contract }, core.ContractsCSV),
	}
	return newListTab(g, spec)
}
