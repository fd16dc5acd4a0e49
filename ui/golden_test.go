package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// The goldens pin the layout of the main screens (ui/testdata/*.xml). After an intended change,
// copy the new markup from testdata/failed/ over the golden file and review the diff.

func TestGolden_Setup(t *testing.T) {
	e := newEnv(t, false)
	g := e.start()
	test.AssertRendersToMarkup(t, "setup.xml", g.win.Canvas())
}

func TestGolden_Login(t *testing.T) {
	e := newEnv(t, true)
	g := e.start()
	typeLogin(g, adminEmail, "Wrong!pass1")
	test.AssertRendersToMarkup(t, "login_error.xml", g.win.Canvas())
}

func TestGolden_Clients(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	g.main.tabs.SelectIndex(2)
	g.settle()
	g.main.clients.table.selectRow(1)
	test.AssertRendersToMarkup(t, "clients.xml", g.win.Canvas())
}

func TestGolden_EventAssign(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	g.main.tabs.SelectIndex(4)
	tab := g.main.events
	openRow(g, tab, rowOf(t, tab, 0, "Innovate Annual Seminar"))
	test.AssertRendersToMarkup(t, "event_assign.xml", g.win.Canvas())
}
