package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

func TestSetup_OK(t *testing.T) {
	e := newEnv(t, false)
	g := e.start()
	if g.setup == nil {
		t.Fatal("a new database should open the set-up screen")
	}
	s := g.setup
	test.Type(s.name.entry, adminName)
	test.Type(s.email.entry, adminEmail)
	test.Type(s.password.entry, adminPass)
	test.Type(s.confirm.entry, adminPass)
	s.demo.SetChecked(true)
	test.Tap(s.submit)
	g.settle()
	if g.main == nil {
		t.Fatal("the set-up should end on the main screen")
	}
	if want := "Epic Events CRM — Ada Admin (management)"; g.win.Title() != want {
		t.Errorf("title %q, want %q", g.win.Title(), want)
	}
	if txt := dialogTexts(g); !strings.Contains(txt, jean) {
		t.Errorf("the demo passwords dialog should list %s; got %q", jean, txt)
	}
	if ok, _ := e.svc.Initialized(); !ok {
		t.Error("the database is not initialised")
	}
}

func TestSetup_ErrWeakPassword(t *testing.T) {
	e := newEnv(t, false)
	g := e.start()
	s := g.setup
	test.Type(s.name.entry, adminName)
	test.Type(s.email.entry, adminEmail)
	test.Type(s.password.entry, "short")
	test.Type(s.confirm.entry, "short")
	test.Tap(s.submit)
	g.settle()
	if s.password.error() == "" {
		t.Error("a weak password should show an error under the field")
	}
	if ok, _ := e.svc.Initialized(); ok {
		t.Error("the database was initialised with a weak password")
	}
}

func TestLogin_OK(t *testing.T) {
	e := newEnv(t, true)
	g := e.start()
	if g.login == nil {
		t.Fatal("an initialised database without a session should show the login screen")
	}
	if g.win.Canvas().Focused() != g.login.email {
		t.Error("the email field should have the focus")
	}
	e.login(g, adminEmail)
	if want := "Epic Events CRM — Ada Admin (management)"; g.win.Title() != want {
		t.Errorf("title %q, want %q", g.win.Title(), want)
	}
	st, err := os.Stat(filepath.Join(e.dir, "session"))
	if err != nil {
		t.Fatal("the session file was not written:", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v, want 0600", st.Mode().Perm())
	}
}

func TestLogin_ErrInvalid(t *testing.T) {
	e := newEnv(t, true)
	g := e.start()
	typeLogin(g, adminEmail, "Wrong!pass1")
	if g.main != nil {
		t.Fatal("a wrong password logged in")
	}
	if got := g.login.message.Text; got != "invalid email or password" {
		t.Errorf("message %q", got)
	}
	if g.login.password.Text != "" || g.login.submit.Disabled() {
		t.Error("after a failure the password is cleared and the form usable again")
	}
}

func TestLogin_ErrThrottled(t *testing.T) {
	e := newEnv(t, true)
	g := e.start()
	for range 6 {
		g.login.email.SetText(adminEmail)
		g.login.password.SetText("Wrong!pass1")
		test.Tap(g.login.submit)
		g.settle()
	}
	if got := g.login.message.Text; !strings.HasPrefix(got, "too many failed login attempts; try again in") {
		t.Errorf("message %q", got)
	}
}

func TestRun_ResumesSession(t *testing.T) {
	e := newEnv(t, true)
	a := e.actor(lucas)
	mustNoErr(t, os.WriteFile(filepath.Join(e.dir, "session"), []byte(a.Token()+"\n"), 0o600))
	g := e.start()
	if g.main == nil || g.actor.ID() != a.ID() {
		t.Fatal("a valid saved session should open the main screen directly")
	}
	if want := "Epic Events CRM — Lucas Petit (support)"; g.win.Title() != want {
		t.Errorf("title %q", g.win.Title())
	}
}

func TestMain_TabsAndActionsByDepartment(t *testing.T) {
	e := newEnv(t, true)
	cases := []struct {
		email                          string
		tabs                           string
		clientNew, contractNew, evtNew bool
	}{
		{adminEmail, "Home Agenda Clients Contracts Events Collaborators Activity", true, true, true},
		{jean, "Home Agenda Clients Contracts Events", true, false, true},
		{lucas, "Home Agenda Clients Contracts Events", false, false, false},
	}
	for _, c := range cases {
		t.Run(c.email, func(t *testing.T) {
			g := e.startAs(c.email)
			if got := strings.Join(tabTitles(g), " "); got != c.tabs {
				t.Errorf("tabs %q, want %q", got, c.tabs)
			}
			m := g.main
			for _, b := range []struct {
				name string
				on   bool
				btn  interface{ Disabled() bool }
			}{{"clients New", c.clientNew, m.clients.newBtn}, {"contracts New", c.contractNew, m.contracts.newBtn},
				{"events New", c.evtNew, m.events.newBtn}} {
				if b.btn.Disabled() == b.on {
					t.Errorf("%s enabled=%v, want %v", b.name, !b.btn.Disabled(), b.on)
				}
			}
			m.clients.table.selectRow(0)
			if m.clients.delBtn.Disabled() != (c.email != adminEmail) {
				t.Errorf("clients Delete enabled=%v for %s", !m.clients.delBtn.Disabled(), c.email)
			}
			g.endSession(true)
		})
	}
}

func TestMain_ShortcutsSwitchTabs(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	for i := 6; i >= 0; i-- {
		k := []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7}[i]
		g.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault})
		if g.main.tabs.SelectedIndex() != i {
			t.Errorf("Ctrl+%d selected tab %d", i+1, g.main.tabs.SelectedIndex())
		}
	}
}

func TestClients_CommercialCreatesClient(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	f := typeNewClient(g, "Zoé Lambert", "Lambert & Fils", "zoe@lambert.fr", "+33 6 98 76 54 32")
	saveForm(g, f.dlg)
	j := e.actor(jean)
	cs, _, err := e.svc.ListClients(j, core.ClientQuery{Search: "lambert"})
	mustNoErr(t, err)
	if len(cs) != 1 || cs[0].CommercialID != j.ID() || cs[0].Email != "zoe@lambert.fr" {
		t.Fatalf("clients found: %+v", cs)
	}
	rowOf(t, g.main.clients, 0, "Zoé Lambert") // fails unless the new client is in the table
}

func TestClients_ErrInvalidEmail(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	f := typeNewClient(g, "Zoé Lambert", "Lambert & Fils", "zoe-at-lambert", "0612345678")
	if f.email.error() != "is not a valid email address" {
		t.Errorf("the email field shows %q", f.email.error())
	}
	saveForm(g, f.dlg)
	cs, _, err := e.svc.ListClients(e.actor(jean), core.ClientQuery{})
	mustNoErr(t, err)
	if len(cs) != 4 {
		t.Errorf("%d clients, want the 4 of the demo: nothing saved", len(cs))
	}
	if g.win.Canvas().Overlays().Top() == nil || f.name.entry.Text != "Zoé Lambert" {
		t.Error("the form should stay open with what was typed")
	}
}

func TestClients_ConflictKeepsFormOpen(t *testing.T) {
	g, f := duplicateClient(t)
	if !strings.Contains(dialogTexts(g), "email") {
		t.Errorf("core's conflict should show in a dialog; got %q", dialogTexts(g))
	}
	if f.name.entry.Text != "Kevin Again" || f.phone.entry.Text != "0612345678" {
		t.Error("what was typed is lost")
	}
}

func TestClients_FilterAndSearch(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	tab := g.main.clients
	if got := tab.status.Text; got != "4 of 4 shown" {
		t.Errorf("status %q", got)
	}
	tab.checks["mine"].SetChecked(true)
	g.settle()
	if got := tab.status.Text; got != "2 of 4 shown" {
		t.Errorf("mine: status %q", got)
	}
	test.Type(tab.search, "techcorp")
	g.settle()
	if len(tab.table.rows) != 1 || tab.table.rows[0].FullName != "Marie Leclerc" {
		t.Errorf("search: rows %v", tab.table.rows)
	}
	if got := tab.status.Text; got != "1 of 4 shown" {
		t.Errorf("search: status %q", got)
	}
}

func TestTable_SortByHeader(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	tab := g.main.clients
	test.Tap(tab.table.headers[1]) // company
	g.settle()
	first := func() string { return tab.table.rows[0].CompanyName }
	if first() != "Cool Startup LLC" {
		t.Errorf("ascending by company starts with %q", first())
	}
	test.Tap(tab.table.headers[1])
	g.settle()
	if first() != "TechCorp France" {
		t.Errorf("descending by company starts with %q", first())
	}
	if !strings.HasSuffix(tab.table.headers[1].Text, "▼") {
		t.Errorf("header %q shows no direction", tab.table.headers[1].Text)
	}
}

func TestEvents_ManagementAssignsSupport(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	tab := g.main.events
	row := rowOf(t, tab, 0, "Innovate Annual Seminar")
	openRow(g, tab, row)
	f, ok := g.main.form.(*eventForm)
	if !ok || f.support == nil {
		t.Fatal("double-click should open the event form with the support picker")
	}
	if g.win.Canvas().Focused() != f.support {
		t.Error("the support picker should have the focus")
	}
	f.support.SetSelected("Emma Moreau <" + emma + ">")
	saveForm(g, f.dlg)
	ev, err := e.svc.GetEvent(e.actor(adminEmail), tab.table.rows[row].ID)
	mustNoErr(t, err)
	em := e.actor(emma)
	if ev.SupportID != em.ID() {
		t.Errorf("support %v, want Emma %v", ev.SupportID, em.ID())
	}
	if got := tab.table.cols[6].Value(tab.table.rows[rowOf(t, tab, 0, "Innovate")]); got != "Emma Moreau" {
		t.Errorf("the table shows support %q", got)
	}
}

func TestEvents_EnterOpensAndSupportFormIsReadOnly(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(emma)
	tab := g.main.events
	tab.table.selectRow(rowOf(t, tab, 0, "Startup Launch Party")) // Lucas's event
	tab.table.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.settle() // the form opens once its data is read
	f, ok := g.main.form.(*eventForm)
	if !ok {
		t.Fatal("Enter should open the event form")
	}
	if f.dlg.save != nil || f.support != nil {
		t.Error("a support user's form on someone else's event has no Save and no picker")
	}
	if !f.name.entry.Disabled() || !f.startDate.Disabled() || !f.notes.entry.Disabled() {
		t.Error("the fields should be read-only")
	}
}

func TestEvents_SupportEditsOwnEvent(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(lucas)
	tab := g.main.events
	tab.checks["mine"].SetChecked(true)
	g.settle()
	f := openFormOf[*eventForm](t, g, tab, "Startup Launch Party")
	if f.dlg.save == nil || f.name.entry.Disabled() {
		t.Fatal("the support person's own event should be editable")
	}
	f.attendees.entry.SetText("80")
	f.endTime.entry.SetText("17:00") // before the start (18:00): refused as you type
	if f.end.error() == "" {
		t.Error("an end before the start should show an error")
	}
	f.endTime.entry.SetText("23:30")
	saveForm(g, f.dlg)
	ev, err := e.svc.GetEvent(e.actor(lucas), f.event.ID)
	mustNoErr(t, err)
	if ev.Attendees != 80 || ev.End.Local().Format("15:04") != "23:30" {
		t.Errorf("saved attendees %d end %v", ev.Attendees, ev.End)
	}
}

func TestContracts_ManagementSigns(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	tab := g.main.contracts
	tab.checks["unsigned"].SetChecked(true)
	g.settle()
	if len(tab.table.rows) != 1 {
		t.Fatalf("%d unsigned contracts, want 1", len(tab.table.rows))
	}
	id := tab.table.rows[0].ID
	openRow(g, tab, 0)
	f := g.main.form.(*contractForm)
	if f.sign == nil || f.cancel == nil {
		t.Fatal("management sees Sign and Cancel on a draft")
	}
	test.Tap(f.sign)
	g.settle()
	k, err := e.svc.GetContract(e.actor(adminEmail), id)
	mustNoErr(t, err)
	if k.Status != core.Signed || k.SignedAt.IsZero() {
		t.Errorf("status %s signed at %v", k.Status, k.SignedAt)
	}
	if len(tab.table.rows) != 0 || tab.status.Text != "0 of 4 shown" {
		t.Errorf("after signing, unsigned shows %d rows, status %q", len(tab.table.rows), tab.status.Text)
	}
	if !tab.empty.Visible() || tab.empty.Text != "Nothing matches the filters and the search." {
		t.Errorf("empty table message %q visible=%v", tab.empty.Text, tab.empty.Visible())
	}
}

func TestContracts_CommercialEditsOwnAmounts(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	tab := g.main.contracts
	f := openFormOf[*contractForm](t, g, tab, "Kevin Casey")
	if f.sign != nil || f.dlg.save == nil {
		t.Fatal("a commercial edits the amounts of their contract but does not sign")
	}
	f.due.entry.SetText("20000")
	if f.due.error() == "" {
		t.Error("a due above the total should show an error")
	}
	f.due.entry.SetText("2500,50")
	saveForm(g, f.dlg)
	k, err := e.svc.GetContract(e.actor(jean), f.contract.ID)
	mustNoErr(t, err)
	if k.Due.StringFixed(2) != "2500.50" {
		t.Errorf("due %s", k.Due)
	}
	if openFormOf[*contractForm](t, g, tab, "Anne Girard").dlg.save != nil { // Claire's client
		t.Error("another commercial's contract should be read-only")
	}
}

func TestCollaborators_CreateAndDeactivate(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	tab := g.main.users
	test.Tap(tab.newBtn)
	f := g.main.form.(*userForm)
	test.Type(f.name.entry, "Hugo Blanc")
	test.Type(f.email.entry, "hugo.blanc@epicevents.com")
	f.dept.SetSelectedIndex(1) // support
	test.Type(f.password.entry, "Hug0!blanc-pw")
	saveForm(g, f.dlg)
	a, err := e.svc.Login("hugo.blanc@epicevents.com", "Hug0!blanc-pw")
	mustNoErr(t, err)
	if a.Department() != core.Support {
		t.Errorf("department %s", a.Department())
	}
	uf := openFormOf[*userForm](t, g, tab, "Hugo Blanc")
	button := func(label string) *widget.Button {
		for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
			if b, ok := o.(*widget.Button); ok && b.Text == label {
				return b
			}
		}
		t.Fatalf("no %q button", label)
		return nil
	}
	test.Tap(button("Reset password"))
	var pw *widget.Entry
	for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
		if en, ok := o.(*widget.Entry); ok {
			pw = en
		}
	}
	test.Type(pw, "R3set!hugo-pw")
	test.Tap(button("Save"))
	g.settle()
	if _, err := e.svc.Login("hugo.blanc@epicevents.com", "R3set!hugo-pw"); err != nil {
		t.Fatal("the reset password does not work:", err)
	}
	test.Tap(button("OK")) // the information dialog
	test.Tap(formButton(t, uf.dlg, "Deactivate"))
	g.settle()
	if _, err := e.svc.Login("hugo.blanc@epicevents.com", "R3set!hugo-pw"); err == nil {
		t.Error("a deactivated collaborator could still log in")
	}
}

func TestLogout_OK(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	token := g.actor.Token()
	menuItem(t, g, "Log out").Action()
	g.settle()
	if g.login == nil || g.main != nil {
		t.Fatal("log out should show the login screen")
	}
	if _, err := os.Stat(filepath.Join(e.dir, "session")); !os.IsNotExist(err) {
		t.Error("the session file should be removed")
	}
	if _, err := e.svc.Resume(token); err == nil {
		t.Error("the old session still works after logout")
	}
	if g.win.Title() != "Epic Events CRM" {
		t.Errorf("title %q", g.win.Title())
	}
}

func TestFormat_English(t *testing.T) {
	french = false
	cases := map[string]string{fmtMoney(mustAmount(t, "15000")): "€15,000.00", fmtInt(1200): "1,200",
		fmtMoney(mustAmount(t, "8500.5")): "€8,500.50", fmtInt(42): "42"}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func mustAmount(t *testing.T, s string) (d decimal.Decimal) {
	t.Helper()
	d, err := core.ParseAmount("x", s)
	mustNoErr(t, err)
	return d
}
