package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

func TestEvents_Filters(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(lucas)
	tab := g.main.events
	names := func() string {
		var n []string
		for _, r := range tab.table.rows {
			n = append(n, r.Name)
		}
		return strings.Join(n, ", ")
	}
	tab.checks["upcoming"].SetChecked(true)
	g.settle()
	if got := names(); got != "Startup Launch Party, Innovate Annual Seminar" {
		t.Errorf("upcoming 30 days: %s", got)
	}
	tab.days.SetText("15")
	g.settle()
	if got := names(); got != "Startup Launch Party" {
		t.Errorf("upcoming 15 days: %s", got)
	}
	tab.checks["upcoming"].SetChecked(false)
	tab.checks["unassigned"].SetChecked(true)
	g.settle()
	if got := names(); got != "Innovate Annual Seminar" {
		t.Errorf("unassigned: %s", got)
	}
	tab.checks["unassigned"].SetChecked(false)
	tab.checks["mine"].SetChecked(true)
	g.settle()
	if got := names(); got != "EventPro Gala Dinner, Startup Launch Party" {
		t.Errorf("mine (support): %s", got)
	}
	if got := tab.status.Text; got != "2 of 3 shown" {
		t.Errorf("status %q", got)
	}
}

func TestEvents_CommercialCreatesEvent(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	k := openFormOf[*contractForm](t, g, g.main.contracts, "Kevin Casey")
	test.Tap(formButton(t, k.dlg, "New event")) // the commercial of a signed contract has it
	f := g.main.form.(*eventForm)
	test.Type(f.name.entry, "Kevin's Anniversary")
	day := time.Date(2026, 4, 10, 0, 0, 0, 0, time.Local)
	f.startDate.SetDate(&day)
	f.endDate.SetDate(&day)
	test.Type(f.startTime.entry, "19:00")
	test.Type(f.endTime.entry, "18:00")
	if f.end.error() == "" {
		t.Error("an end before the start should be refused as you type")
	}
	f.endTime.entry.SetText("23:30")
	test.Type(f.location.entry, "Rooftop, Lyon")
	test.Type(f.attendees.entry, "40")
	saveForm(g, f.dlg)
	evs, _, err := e.svc.ListEvents(e.actor(jean), core.EventQuery{Search: "anniversary"})
	mustNoErr(t, err)
	if len(evs) != 1 || evs[0].Attendees != 40 || evs[0].Start.Local().Format("2006-01-02 15:04") != "2026-04-10 19:00" {
		t.Fatalf("events: %+v", evs)
	}
	rowOf(t, g.main.events, 0, "Kevin's Anniversary") // fails unless the events tab shows the new event
}

func TestClients_FormListsContractsAndEvents(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(lucas)
	f := openFormOf[*clientForm](t, g, g.main.clients, "Kevin Casey")
	if f.dlg.save != nil || !f.name.entry.Disabled() {
		t.Error("a support user reads clients but does not edit them")
	}
	var lines []string
	for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok {
			lines = append(lines, b.Text)
		}
	}
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "signed — total €15,000.00, due €5,000.00") || !strings.Contains(all, "Startup Launch Party") {
		t.Errorf("the client form lists:\n%s", all)
	}
}

func TestActivity_ShowsChanges(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	tab := g.main.contracts
	tab.checks["unsigned"].SetChecked(true)
	g.settle()
	openRow(g, tab, 0)
	test.Tap(g.main.form.(*contractForm).sign)
	g.settle()
	g.main.tabs.SelectIndex(6)
	g.settle()
	a := g.main.activity
	if len(a.table.rows) == 0 {
		t.Fatal("the activity tab is empty")
	}
	top := a.table.rows[0]
	if top.Who != adminName || top.Action != core.ActionSign || a.table.cols[2].Value(top) != "signed" {
		t.Errorf("latest entry: %+v", top)
	}
}

func TestContracts_ManagementCreatesContract(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	g.main.tabs.SelectIndex(3)
	test.Tap(g.main.contracts.newBtn)
	g.settle()
	var search *widget.Entry
	var list *widget.List
	for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
		switch w := o.(type) {
		case *widget.Entry:
			search = w
		case *widget.List:
			list = w
		}
	}
	if search == nil || list == nil {
		t.Fatal("New contract should ask for the client")
	}
	test.Type(search, "techcorp")
	g.settle()
	if n := list.Length(); n != 1 {
		t.Fatalf("%d clients match techcorp", n)
	}
	list.Select(0)
	f := g.main.form.(*contractForm)
	test.Type(f.total.entry, "12 500,50")
	test.Type(f.due.entry, "12500.5")
	saveForm(g, f.dlg)
	a := e.actor(adminEmail)
	ks, _, err := e.svc.ListContracts(a, core.ContractQuery{Search: "techcorp"})
	mustNoErr(t, err)
	if len(ks) != 2 || ks[0].Total.StringFixed(2) != "12500.50" || ks[0].Status != core.Draft {
		t.Fatalf("contracts of TechCorp: %+v", ks)
	}
	if g.main.contracts.status.Text != "5 of 5 shown" {
		t.Errorf("status %q", g.main.contracts.status.Text)
	}
}
