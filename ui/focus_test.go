package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// The keyboard follows the tab shown: after a row of the Clients tab had the focus, switching to
// the Events tab gives the focus to the events table, and Enter opens the selected event — never
// the client of the hidden tab.
func TestTabs_FocusFollowsTheTabShown(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	clients, events := g.main.clients, g.main.events
	g.main.tabs.SelectIndex(2)
	g.settle()
	clients.table.selectRow(rowOf(t, clients, 0, "Kevin Casey"))
	clients.table.table.Tapped(&fyne.PointEvent{Position: fyne.NewPos(20, 20)})
	if g.win.Canvas().Focused() != fyne.Focusable(clients.table.table) {
		t.Fatal("a tap on the clients table should give it the focus")
	}
	g.main.tabs.SelectIndex(4)
	g.settle()
	if g.win.Canvas().Focused() != fyne.Focusable(events.table.table) {
		t.Fatalf("after switching to Events the focus is on %T, want the events table", g.win.Canvas().Focused())
	}
	events.table.selectRow(rowOf(t, events, 0, "Innovate Annual Seminar"))
	g.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.settle()
	if f, ok := g.main.form.(*eventForm); !ok || f.event.Name != "Innovate Annual Seminar" {
		t.Fatalf("Enter opened %T, want the selected event's form", g.main.form)
	}
	g.main.tabs.SelectIndex(0) // Home: no table
	g.settle()
	if g.win.Canvas().Focused() == fyne.Focusable(events.table.table) {
		t.Error("the hidden events table kept the focus on the Home tab")
	}
}
