package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// The tests of issue #14: home tab, agenda, reminders, import preview.

// signedContract returns a signed contract of the demo data (of commercial when not nil).
func (e *env) signedContract(commercial *core.Actor) core.Contract {
	e.t.Helper()
	ks, _, err := e.svc.ListContracts(e.actor(adminEmail), core.ContractQuery{})
	mustNoErr(e.t, err)
	for _, k := range ks {
		if k.Status == core.Signed && (commercial == nil || k.CommercialID == commercial.ID()) {
			return k
		}
	}
	e.t.Fatal("no signed contract")
	return core.Contract{}
}

// eventAt adds an event under k at start (two hours), assigned to support when not nil.
func (e *env) eventAt(k core.Contract, name string, start time.Time, support *core.Actor) core.Event {
	e.t.Helper()
	admin := e.actor(adminEmail)
	ev, err := e.svc.CreateEvent(admin, core.EventInput{ContractID: k.ID, Name: name, Start: start,
		End: start.Add(2 * time.Hour), Location: "Lyon", Attendees: 20})
	mustNoErr(e.t, err)
	if support != nil {
		ev, err = e.svc.AssignSupport(admin, ev.ID, support.ID())
		mustNoErr(e.t, err)
	}
	return ev
}

// doubleClick double-clicks row i of a table on screen.
func doubleClick[T any](g *GUI, t *dataTable[T], i int) {
	h := t.createCell().MinSize().Height
	t.table.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(20, float32(i)*(h+theme.Padding())+h/2)})
	g.settle()
}

func TestHome_PerDepartment(t *testing.T) {
	e := newEnv(t, true)
	free := e.eventAt(e.signedContract(nil), "Home Gala", fixedNow.Add(48*time.Hour), nil)
	mine := e.eventAt(e.signedContract(nil), "Support Brunch", fixedNow.Add(72*time.Hour), e.actor(lucas))

	// Management: the figures are core's, each opens its list; double-click assigns support.
	g := e.startAs(adminEmail)
	if g.main.tabs.SelectedIndex() != 0 || g.main.tabs.Items[0].Text != "Home" {
		t.Fatalf("first tab %q", g.main.tabs.Items[0].Text)
	}
	want, err := e.svc.Home(e.actor(adminEmail))
	mustNoErr(t, err)
	h := g.main.home
	if got := h.figures["drafts"].Text; got != fmtInt(want.Drafts.Count) {
		t.Errorf("drafts figure %q, want %d", got, want.Drafts.Count)
	}
	if got := h.figures["due"].Text; got != fmtMoney(want.Unpaid.Due) {
		t.Errorf("amount due %q, want %s", got, fmtMoney(want.Unpaid.Due))
	}
	if got := h.figures["unsupported"].Text; got != fmtInt(len(want.Events)) || len(h.events.rows) != len(want.Events) {
		t.Errorf("events without support %q (%d rows), want %d", got, len(h.events.rows), len(want.Events))
	}
	if len(want.Commercials) == 0 || h.figures["clients:"+want.Commercials[0].ID.String()] == nil {
		t.Errorf("no clients-per-commercial figure: %+v", want.Commercials)
	}
	test.Tap(h.figures["drafts"])
	g.settle()
	if g.main.current() != tabView(g.main.contracts) || !g.main.contracts.checks["unsigned"].Checked ||
		len(g.main.contracts.table.rows) != want.Drafts.Count {
		t.Errorf("drafts click-through: tab %d, %d rows", g.main.tabs.SelectedIndex(), len(g.main.contracts.table.rows))
	}
	g.main.tabs.SelectIndex(0)
	g.settle()
	row := -1
	for i, r := range h.events.rows {
		if r.ID == free.ID {
			row = i
		}
	}
	if row < 0 {
		t.Fatalf("%s is not among the events without support", free.Name)
	}
	doubleClick(g, h.events, row)
	f, ok := g.main.form.(*eventForm)
	if !ok || f.support == nil || f.event.ID != free.ID {
		t.Fatalf("double-click opened %T, want the event form with the support picker", g.main.form)
	}
	f.support.SetSelectedIndex(1)
	mustNoErr(t, f.save())
	if ev, _ := e.svc.GetEvent(e.actor(adminEmail), free.ID); ev.SupportID == uuid.Nil {
		t.Error("the event was not assigned")
	}
	g.endSession(true)

	// Commercial: my clients opens the clients tab with Mine.
	g = e.startAs(jean)
	want, _ = e.svc.Home(e.actor(jean))
	h = g.main.home
	if h.figures["clients"].Text != fmtInt(want.MyClients) || h.figures["drafts"].Text != fmtInt(want.Drafts.Count) {
		t.Errorf("commercial figures %q %q, want %d %d", h.figures["clients"].Text, h.figures["drafts"].Text, want.MyClients, want.Drafts.Count)
	}
	test.Tap(h.figures["clients"])
	g.settle()
	if g.main.current() != tabView(g.main.clients) || !g.main.clients.checks["mine"].Checked || len(g.main.clients.table.rows) != want.MyClients {
		t.Errorf("my clients click-through: %d rows, want %d", len(g.main.clients.table.rows), want.MyClients)
	}
	g.endSession(true)

	// Support: my next events with the client's phone; the figure opens Mine + Upcoming.
	g = e.startAs(lucas)
	h = g.main.home
	found := false
	for _, r := range h.events.rows {
		if r.ID == mine.ID && r.ClientPhone != "" && r.Location == "Lyon" {
			found = true
		}
	}
	if !found || len(h.events.cols) != 5 {
		t.Errorf("support's next events %+v (columns %d)", h.events.rows, len(h.events.cols))
	}
	test.Tap(h.figures["upcoming"])
	g.settle()
	ev := g.main.events
	if g.main.current() != tabView(ev) || !ev.checks["mine"].Checked || !ev.checks["upcoming"].Checked {
		t.Error("the support's figure does not open their upcoming events")
	}
}

// inParis makes the window's time zone Europe/Paris for one test.
func inParis(t *testing.T) *time.Location {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	old := time.Local
	time.Local = paris
	t.Cleanup(func() { time.Local = old })
	return paris
}

func lineNames(l []core.EventLine) string {
	var n []string
	for _, x := range l {
		n = append(n, x.Name)
	}
	return strings.Join(n, ",")
}

// The month grid and the week list across a month boundary and the spring change of time
// (29 March 2026 in Paris), today highlighted, previous/next, double-click opening the form.
func TestAgenda_MonthBoundaryAndDST(t *testing.T) {
	paris := inParis(t)
	e := newEnv(t, true)
	k := e.signedContract(nil)
	at := func(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, paris) }
	e.eventAt(k, "Mar31", at(3, 31, 23, 30), nil)
	apr1 := e.eventAt(k, "Apr1", at(4, 1, 0, 30), e.actor(lucas)) // 31 March 22:30 UTC
	e.eventAt(k, "Apr2", at(4, 2, 0, 30), nil)                    // inside a 168-hour week from 26 March

	g := e.startAs(adminEmail)
	a := g.main.agenda
	if a.mine.Checked {
		t.Error("management's agenda starts on their own events")
	}
	g.main.tabs.SelectIndex(1)
	g.settle()
	if a.title.Text != "March 2026" || a.today == nil {
		t.Errorf("title %q, today highlighted %v", a.title.Text, a.today != nil)
	}
	if got := lineNames(a.lines); !strings.HasSuffix(got, "Mar31") || strings.Contains(got, "Apr1") {
		t.Errorf("March = %s", got)
	}
	a.move(1)
	g.settle()
	if a.title.Text != "April 2026" || a.today != nil || !strings.HasPrefix(lineNames(a.lines), "Apr1,Apr2") {
		t.Errorf("April: %q %s (today shown %v)", a.title.Text, lineNames(a.lines), a.today != nil)
	}
	a.mode.SetSelected("Week")
	a.jump.SetText("2026-03-26")
	a.jumpTo()
	g.settle()
	if got := lineNames(a.lines); got != "Mar31,Apr1" {
		t.Errorf("week of 26 March (167 hours) = %s", got)
	}
	a.items[apr1.ID].DoubleTapped(nil)
	g.settle()
	if f, ok := g.main.form.(*eventForm); !ok || f.event.ID != apr1.ID {
		t.Fatalf("double-click opened %T", g.main.form)
	}
	g.endSession(true)

	// Support sees their own by default; the toggle shows everyone's.
	g = e.startAs(lucas)
	a = g.main.agenda
	a.day = at(4, 1, 0, 0)
	a.refresh()
	g.settle()
	if !a.mine.Checked || lineNames(a.lines) != "Apr1" {
		t.Errorf("support's April: mine=%v %s", a.mine.Checked, lineNames(a.lines))
	}
	a.mine.SetChecked(false)
	g.settle()
	if !strings.Contains(lineNames(a.lines), "Apr2") {
		t.Errorf("everyone's April: %s", lineNames(a.lines))
	}
}

// Month and day names follow the locale.
func TestAgenda_French(t *testing.T) {
	paris := inParis(t)
	inFrench(t)
	e := newEnv(t, true)
	e.eventAt(e.signedContract(nil), "Salon", time.Date(2026, 3, 26, 10, 0, 0, 0, paris), nil)
	g := e.startAs(adminEmail)
	a := g.main.agenda
	g.main.tabs.SelectIndex(1)
	g.settle()
	if a.title.Text != "Mars 2026" {
		t.Errorf("title %q", a.title.Text)
	}
	a.mode.SetSelected("Semaine")
	a.jump.SetText("26/03/2026")
	a.jumpTo()
	g.settle()
	var texts []string
	for _, o := range test.LaidOutObjects(a.body) {
		if w, ok := o.(*agendaItem); ok {
			texts = append(texts, w.Text)
		}
	}
	if !strings.Contains(a.title.Text, "26/03/2026") || len(texts) != 1 || !strings.Contains(texts[0], "Salon") {
		t.Errorf("week title %q, items %q", a.title.Text, texts)
	}
	if longDate(time.Date(2026, 3, 26, 0, 0, 0, 0, paris)) != "jeudi 26 mars 2026" {
		t.Errorf("long date %q", longDate(time.Date(2026, 3, 26, 0, 0, 0, 0, paris)))
	}
}

// notes records the notifications the window sends.
type notes struct {
	mu   sync.Mutex
	sent []string
}

func (n *notes) add(x *fyne.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, x.Title)
}

func (n *notes) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.sent
	n.sent = nil
	return s
}

// With a fake clock: the summary after login, the day and hour reminders once each, none when
// the preference is off.
func TestReminders_Notifications(t *testing.T) {
	e := newEnv(t, true)
	var mu sync.Mutex
	now := fixedNow
	e.svc = core.NewService(e.db, core.Options{Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	e.eventAt(e.signedContract(nil), "Wine tasting", fixedNow.Add(5*time.Hour), e.actor(lucas))

	g := e.start()
	var n notes
	g.notify = n.add
	e.login(g, lucas)
	got := strings.Join(n.take(), " | ")
	if !strings.Contains(got, "Your events") || !strings.Contains(got, "Event tomorrow: Wine tasting") {
		t.Fatalf("after login: %q", got)
	}
	g.main.checkReminders()
	g.settle()
	if got := n.take(); len(got) != 0 {
		t.Fatalf("asked again: %q", got)
	}
	advance(4*time.Hour + 30*time.Minute)
	g.main.checkReminders()
	g.settle()
	if got := n.take(); len(got) != 1 || got[0] != "Event in less than an hour: Wine tasting" {
		t.Fatalf("an hour before: %q", got)
	}
	// Off: nothing, even for a new event.
	g.main.toggleReminders()
	if g.remindersOn() || g.main.remindersItem.Checked {
		t.Fatal("the preference did not turn off")
	}
	e.eventAt(e.signedContract(nil), "Late dinner", now.Add(3*time.Hour), e.actor(lucas))
	g.main.checkReminders()
	g.settle()
	if got := n.take(); len(got) != 0 {
		t.Fatalf("reminders off: %q", got)
	}
}

func TestImport_PreviewShowsErrors(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	before, _, _ := e.svc.ListClients(e.actor(adminEmail), core.ClientQuery{})
	bad := "\ufeffNom complet;Courriel;Téléphone;Société\r\n" +
		"Zoé Lambert;zoe@lambert.fr;01 02 03 04 05;Lambert SA\r\n" +
		"Bad Mail;not-an-email;01 02 03 04 05;Bad SA\r\n"
	p := g.main.previewImport([]byte(bad), "bad.csv")
	g.settle()
	if p.report.Failed != 1 || !p.ok.Disabled() || len(p.table.rows) != 2 {
		t.Fatalf("preview: %+v, import enabled %v", p.report, !p.ok.Disabled())
	}
	r := p.table.rows[1]
	if r.Line != 3 || !strings.HasPrefix(p.table.cols[4].Value(r), "Email: ") || p.table.cols[1].Value(r) != "error" {
		t.Errorf("row %d: %q %q", r.Line, p.table.cols[1].Value(r), p.table.cols[4].Value(r))
	}
	if !strings.Contains(p.summary.Text, "the first on line 3") {
		t.Errorf("summary %q", p.summary.Text)
	}
	if after, _, _ := e.svc.ListClients(e.actor(adminEmail), core.ClientQuery{}); len(after) != len(before) {
		t.Fatal("the preview wrote clients")
	}

	good := strings.Replace(bad, "not-an-email", "bad@mail.fr", 1)
	p = g.main.previewImport([]byte(good), "good.csv")
	g.settle()
	if p.ok.Disabled() || !strings.Contains(p.summary.Text, "2 clients to create") {
		t.Fatalf("good preview: %q, import enabled %v", p.summary.Text, !p.ok.Disabled())
	}
	test.Tap(p.ok)
	g.settle()
	mine, _, _ := e.svc.ListClients(e.actor(jean), core.ClientQuery{Mine: true, Search: "lambert"})
	if !p.done || len(mine) != 1 {
		t.Errorf("import: done %v, %d clients", p.done, len(mine))
	}
}

func TestImport_PreviewFrench(t *testing.T) {
	inFrench(t)
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	p := g.main.previewImport([]byte("nom;e-mail;fax\nA B;a@b.fr;1\n"), "x.csv")
	g.settle()
	if p.summary.Text != `Colonne inconnue "fax" : les colonnes sont nom, email, téléphone, entreprise, notes et commercial (ou leurs noms anglais)` {
		t.Errorf("summary %q", p.summary.Text)
	}
	p = g.main.previewImport([]byte("nom;e-mail;tel;entreprise\nA B;a@b.fr;0102030405;AB\n"), "y.csv")
	g.settle()
	if got := p.table.cols[4].Value(p.table.rows[0]); got != "Commercial: est obligatoire : choisissez le commercial chargé de ce client (e-mail, identifiant ou nom)" {
		t.Errorf("row error %q", got)
	}
	if !strings.Contains(p.summary.Text, "Rien n'a été importé : 1 ligne(s) comportent des erreurs, la première à la ligne 2") {
		t.Errorf("summary %q", p.summary.Text)
	}
}
