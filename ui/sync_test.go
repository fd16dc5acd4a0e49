package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// fakeRep is the sync engine of the window's tests: core's Replicator and the window's Syncer
// at once, with a status and conflicts the test sets.
type fakeRep struct {
	mu        sync.Mutex
	status    core.SyncStatus
	conflicts []core.SyncConflict
	created   *core.TeamConfig
	joined    *core.TeamConfig
	left      bool
	nudges    int
	notify    func()
	started   chan struct{}
}

func newFakeRep(team bool) *fakeRep {
	f := &fakeRep{started: make(chan struct{}, 16), status: core.SyncStatus{Mode: core.ModeSolo, Endpoints: []string{}}}
	if team {
		f.status = core.SyncStatus{Mode: core.ModeTeam, Endpoints: []string{"https://127.0.0.1:2379"}, Connected: true}
	}
	return f
}

func (f *fakeRep) set(fn func(st *core.SyncStatus)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.status)
}

func (f *fakeRep) Create(_ context.Context, cfg core.TeamConfig) error {
	return f.becomeTeam(&f.created, cfg)
}

func (f *fakeRep) Join(_ context.Context, cfg core.TeamConfig) error {
	return f.becomeTeam(&f.joined, cfg)
}

// becomeTeam records the configuration a create or join was given, and turns the fake into a
// connected member of that team.
func (f *fakeRep) becomeTeam(given **core.TeamConfig, cfg core.TeamConfig) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	*given = &cfg
	f.status = core.SyncStatus{Mode: core.ModeTeam, Endpoints: cfg.Endpoints, Connected: true}
	return nil
}

func (f *fakeRep) Leave() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left = true
	f.status = core.SyncStatus{Mode: core.ModeSolo, Endpoints: []string{}}
	return nil
}

func (f *fakeRep) Sync(context.Context) (core.SyncReport, error) { return core.SyncReport{}, nil }

func (f *fakeRep) Status(context.Context) (core.SyncStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.status
	st.Conflicts = len(f.conflicts)
	return st, nil
}

func (f *fakeRep) Grant(context.Context, core.User) error { return nil }

func (f *fakeRep) Conflicts() ([]core.SyncConflict, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.conflicts), nil
}

func (f *fakeRep) DropConflict(id uuid.UUID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.conflicts {
		if c.ID == id {
			f.conflicts = slices.Delete(f.conflicts, i, i+1)
			return nil
		}
	}
	return core.Errorf(core.NotFound, "conflict not found")
}

// Run waits for the end of the session in team mode, keeping notify for fire.
func (f *fakeRep) Run(ctx context.Context, notify func()) error {
	f.mu.Lock()
	if f.status.Mode != core.ModeTeam {
		f.mu.Unlock()
		return nil
	}
	f.notify = notify
	f.mu.Unlock()
	f.started <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func (f *fakeRep) Nudge() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nudges++
}

// fire plays the engine telling the window that something changed, once Run runs.
func (f *fakeRep) fire(g *GUI) {
	f.mu.Lock()
	n := f.notify
	f.mu.Unlock()
	if n == nil {
		<-f.started
		f.mu.Lock()
		n = f.notify
		f.mu.Unlock()
	}
	n()
	g.settle()
}

// startTeam starts the window on e's database with fake as the engine, logged in as email,
// the status clock at fixedNow.
func (e *env) startTeam(fake *fakeRep, email string) *GUI {
	e.t.Helper()
	e.svc = core.NewService(e.db, core.Options{Clock: func() time.Time { return fixedNow }, Replicator: fake})
	a := test.NewTempApp(e.t)
	g := Run(a, Options{Service: e.svc, DataDir: e.dir, Version: "9.9.9", Syncer: fake})
	e.t.Cleanup(func() { g.settle(); g.win.Close() })
	g.settle()
	if g.login != nil {
		e.login(g, email)
	}
	if g.main != nil {
		g.main.sync.now = func() time.Time { return fixedNow }
	}
	return g
}

// fakeTeamWindow starts the window on a new environment (initialised or not) with a fake engine in
// team or solo mode, logged in as email.
func fakeTeamWindow(t *testing.T, init, team bool, email string) (*env, *fakeRep, *GUI) {
	t.Helper()
	e := newEnv(t, init)
	fake := newFakeRep(team)
	return e, fake, e.startTeam(fake, email)
}

// with runs fn under the fake's lock, to read or set what the window's calls record.
func (f *fakeRep) with(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func TestSyncText(t *testing.T) {
	ago := func(d time.Duration) *time.Time { at := fixedNow.Add(-d); return &at }
	cases := []struct {
		st     core.SyncStatus
		en, fr string
	}{
		{core.SyncStatus{Connected: true, LastSync: ago(3 * time.Second)}, "Synced 3 s ago", "Synchronisé il y a 3 s"},
		{core.SyncStatus{Connected: true, LastSync: ago(4 * time.Minute)}, "Synced 4 min ago", "Synchronisé il y a 4 min"},
		{core.SyncStatus{Connected: true, LastSync: ago(3 * time.Hour)}, "Last synced 03/02/2026 06:30", "Dernière synchronisation le 02/03/2026 06:30"},
		{core.SyncStatus{Connected: true}, "Not synced yet", "Pas encore synchronisé"},
		{core.SyncStatus{Outbox: 4}, "Offline — 4 changes waiting", "Hors ligne — 4 modifications en attente"},
		{core.SyncStatus{Outbox: 1}, "Offline — 1 change waiting", "Hors ligne — 1 modification en attente"},
		{core.SyncStatus{}, "Offline", "Hors ligne"},
		{core.SyncStatus{Connected: true, Outbox: 1200}, "Syncing — 1,200 changes waiting", "Synchronisation — 1\u00a0200 modifications en attente"},
	}
	for _, c := range cases {
		if got := syncText(c.st, fixedNow); got != c.en {
			t.Errorf("en: got %q, want %q", got, c.en)
		}
	}
	if conflictsText(1) != "1 conflict" || conflictsText(2) != "2 conflicts" {
		t.Errorf("badge %q %q", conflictsText(1), conflictsText(2))
	}
	inFrench(t)
	for _, c := range cases {
		if got := syncText(c.st, fixedNow); got != c.fr {
			t.Errorf("fr: got %q, want %q", got, c.fr)
		}
	}
	if conflictsText(1) != "1 conflit" || conflictsText(2) != "2 conflits" {
		t.Errorf("badge %q %q", conflictsText(1), conflictsText(2))
	}
}

// statusLine is the status line item as shown: "" when hidden.
func statusLine(g *GUI) string {
	s := g.main.sync
	if !s.bar.Visible() {
		return ""
	}
	out := s.label.Text
	if s.badge.Visible() {
		out += " | " + s.badge.Text
	}
	return out
}

func TestSync_StatusLine(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			want := map[string][]string{
				"en": {"Synced 3 s ago", "Offline — 4 changes waiting", "Offline — 4 changes waiting | 2 conflicts"},
				"fr": {"Synchronisé il y a 3 s", "Hors ligne — 4 modifications en attente", "Hors ligne — 4 modifications en attente | 2 conflits"},
			}[lang]
			if lang == "fr" {
				inFrench(t)
			}
			e := newEnv(t, true)
			fake := newFakeRep(true)
			fake.set(func(st *core.SyncStatus) { at := fixedNow.Add(-3 * time.Second); st.LastSync = &at })
			g := e.startTeam(fake, adminEmail)
			fake.fire(g)
			if got := statusLine(g); got != want[0] {
				t.Errorf("connected: %q, want %q", got, want[0])
			}
			fake.set(func(st *core.SyncStatus) { st.Connected, st.Outbox = false, 4 })
			fake.fire(g)
			if got := statusLine(g); got != want[1] {
				t.Errorf("offline: %q, want %q", got, want[1])
			}
			admin := e.actor(adminEmail)
			fake.with(func() {
				fake.conflicts = []core.SyncConflict{{ID: uuid.New(), ActorID: admin.ID()}, {ID: uuid.New(), ActorID: admin.ID()}}
			})
			fake.fire(g)
			if got := statusLine(g); got != want[2] {
				t.Errorf("conflicts: %q, want %q", got, want[2])
			}
		})
	}
}

func TestSync_SoloHidesStatus(t *testing.T) {
	_, _, g := fakeTeamWindow(t, true, false, adminEmail)
	g.main.sync.poke()
	g.settle()
	if got := statusLine(g); got != "" {
		t.Errorf("solo mode shows %q", got)
	}
}

// A support user sees only the conflicts of their own changes in the badge.
func TestSync_BadgeCountsOwnConflicts(t *testing.T) {
	e := newEnv(t, true)
	fake := newFakeRep(true)
	fake.conflicts = []core.SyncConflict{{ID: uuid.New(), ActorID: e.actor(emma).ID()}, {ID: uuid.New(), ActorID: e.actor(adminEmail).ID()}}
	g := e.startTeam(fake, emma)
	fake.fire(g)
	if got := g.main.sync.badge.Text; !g.main.sync.badge.Visible() || got != "1 conflict" {
		t.Errorf("badge %q", got)
	}
}

func TestSync_LocalChangeNudges(t *testing.T) {
	_, fake, g := fakeTeamWindow(t, true, true, adminEmail)
	var before int
	fake.with(func() { before = fake.nudges })
	tab := g.main.clients
	f := openFormOf[*clientForm](t, g, tab, "Kevin Casey")
	f.name.entry.SetText("Kevin Casey-Martin")
	saveForm(g, f.dlg)
	var after int
	fake.with(func() { after = fake.nudges })
	if after <= before {
		t.Errorf("saving a client did not nudge the sync (%d → %d)", before, after)
	}
}

// Colleagues' changes arriving refresh the tabs, keeping the selection, the search, the scroll
// position and the open form, which says that its record changed.
func TestSync_RefreshKeepsSelectionAndForm(t *testing.T) {
	e := newEnv(t, true)
	e.addClients(t, 200)
	fake := newFakeRep(true)
	g := e.startTeam(fake, adminEmail)
	g.main.tabs.SelectIndex(2) // Clients: only the tab on screen is laid out and scrolls
	g.settle()
	fake.fire(g)
	tab := g.main.clients
	row := rowOf(t, tab, 0, "Client 000150")
	tab.table.selectRow(row)
	visible := visibleCells(tab)
	if !slices.Contains(visible, "Client 000150") || slices.Contains(visible, "Client 000000") {
		t.Fatalf("the table did not scroll to the selected row: %v", visible)
	}

	// A colleague renames a client and another one, as a pull would write them.
	admin := e.actor(adminEmail)
	c149 := tab.table.rows[row-1]
	renamed := "Client 000149 (renamed)"
	_, err := e.svc.UpdateClient(admin, c149.ID, core.ClientPatch{FullName: &renamed})
	mustNoErr(t, err)
	fake.set(func(st *core.SyncStatus) { st.Revision = 42 })
	fake.fire(g)
	if got := tab.table.cols[0].Value(tab.table.rows[row-1]); got != renamed {
		t.Errorf("the tab did not refresh: row %d is %q", row-1, got)
	}
	if v, ok := tab.table.current(); !ok || v.FullName != "Client 000150" {
		t.Errorf("selection lost: %+v %v", v, ok)
	}
	if visible := visibleCells(tab); !slices.Contains(visible, "Client 000150") || slices.Contains(visible, "Client 000000") {
		t.Errorf("the refresh lost the scroll position: %v", visible)
	}

	// The same with a search typed and a form open on a record a colleague changes.
	tab.search.SetText("Kevin")
	g.settle()
	// Select and press Open: the table is still scrolled from row 150, which a double-click at
	// the position of row 0 would not reach under the test driver.
	tab.table.selectRow(rowOf(t, tab, 0, "Kevin Casey"))
	test.Tap(tab.openBtn)
	g.settle()
	f := g.main.form.(*clientForm)
	f.notes.entry.SetText("typed before the change arrived")
	phone := "+33 6 11 22 33 44"
	_, err = e.svc.UpdateClient(admin, f.client.ID, core.ClientPatch{Phone: &phone})
	mustNoErr(t, err)
	fake.set(func(st *core.SyncStatus) { st.Revision = 43 })
	fake.fire(g)
	if !f.dlg.visible() || g.main.form != f {
		t.Fatal("the open form was closed by the refresh")
	}
	if !f.dlg.notice.Visible() || !strings.Contains(f.dlg.notice.Text, "A colleague changed this record") {
		t.Errorf("the form does not say that its record changed: %q", f.dlg.notice.Text)
	}
	if f.notes.entry.Text != "typed before the change arrived" {
		t.Errorf("what the person typed is lost: %q", f.notes.entry.Text)
	}
	if tab.search.Text != "Kevin" || len(tab.table.rows) != 1 {
		t.Errorf("search lost: %q, %d rows", tab.search.Text, len(tab.table.rows))
	}
}

// A form whose record was not changed says nothing; one whose record was deleted says so.
func TestSync_OpenFormDeletedRecord(t *testing.T) {
	e, fake, g := fakeTeamWindow(t, true, true, adminEmail)
	fake.fire(g)
	tab := g.main.events
	f := openFormOf[*eventForm](t, g, tab, "Innovate Annual Seminar")
	fake.set(func(st *core.SyncStatus) { st.Revision = 7 })
	fake.fire(g)
	if f.dlg.notice.Visible() {
		t.Fatalf("unchanged record, notice %q", f.dlg.notice.Text)
	}
	mustNoErr(t, e.svc.DeleteEvent(e.actor(adminEmail), f.event.ID))
	fake.set(func(st *core.SyncStatus) { st.Revision = 8 })
	fake.fire(g)
	if !strings.Contains(f.dlg.notice.Text, "deleted this record") {
		t.Errorf("notice %q", f.dlg.notice.Text)
	}
}

// visibleCells lists the texts of the table cells on screen.
func visibleCells[T any](tab *listTab[T]) []string {
	var out []string
	for _, line := range strings.Split(test.RenderObjectToMarkup(tab.table.table), "\n") {
		if _, text, ok := strings.Cut(line, "<text "); ok {
			if _, text, ok = strings.Cut(text, ">"); ok {
				out = append(out, strings.TrimSuffix(text, "</text>"))
			}
		}
	}
	return out
}

// clientConflict is a conflict on client c's full name.
func clientConflict(c core.Client, actor uuid.UUID, mine, theirs string) core.SyncConflict {
	return core.SyncConflict{ID: uuid.New(), ChangeID: uuid.New(), Record: core.ClientRecord, RecordID: c.ID,
		Kind: core.ConflictField, Fields: []string{core.WireFullName},
		Mine: map[string]string{core.WireFullName: mine}, Theirs: map[string]string{core.WireFullName: theirs},
		Base: map[string]string{core.WireFullName: c.FullName}, At: fixedNow, ActorID: actor}
}

func TestConflicts_ResolveEachWay(t *testing.T) {
	e := newEnv(t, true)
	admin := e.actor(adminEmail)
	cs, _, err := e.svc.ListClients(admin, core.ClientQuery{})
	mustNoErr(t, err)
	fake := newFakeRep(true)
	reassign := clientConflict(cs[3], admin.ID(), "", "")
	reassign.Fields = []string{core.WireCommercialID}
	reassign.Mine = map[string]string{core.WireCommercialID: e.actor(jean).ID().String()}
	reassign.Theirs = map[string]string{core.WireCommercialID: cs[3].CommercialID.String()}
	fake.conflicts = []core.SyncConflict{
		clientConflict(cs[0], admin.ID(), "Mine Zero", cs[0].FullName),
		clientConflict(cs[1], admin.ID(), "Mine One", cs[1].FullName),
		clientConflict(cs[2], admin.ID(), "Mine Two", cs[2].FullName),
		reassign,
	}
	g := e.startTeam(fake, adminEmail)
	fake.fire(g)
	s := g.main.sync
	if s.badge.Text != "4 conflicts" {
		t.Fatalf("badge %q", s.badge.Text)
	}
	test.Tap(s.badge)
	g.settle()
	texts := dialogTexts(g)
	for _, want := range []string{"Client " + cs[0].FullName + " — changed on both sides", "Full name", "Mine Zero", "Mine One",
		"Commercial", "Jean Dupont"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the dialog does not show %q:\n%s", want, texts)
		}
	}
	if strings.Contains(texts, e.actor(jean).ID().String()) {
		t.Errorf("the dialog shows a collaborator's id instead of their name:\n%s", texts)
	}
	// Keep theirs on the reassignment first (the last card), then the three names.
	test.Tap(s.dialog.cards[3].theirs)
	g.settle()
	name := func(id uuid.UUID) string {
		c, err := e.svc.GetClient(admin, id)
		mustNoErr(t, err)
		return c.FullName
	}

	// Keep theirs: the cluster's version stays, the conflict goes.
	test.Tap(s.dialog.cards[0].theirs)
	g.settle()
	if got := name(cs[0].ID); got != cs[0].FullName {
		t.Errorf("keep theirs changed the client to %q", got)
	}
	if len(s.dialog.cards) != 2 || s.badge.Text != "2 conflicts" {
		t.Fatalf("after keep theirs: %d cards, badge %q", len(s.dialog.cards), s.badge.Text)
	}

	// Keep mine: the local value is written as a new change, pushed at once.
	var nudges int
	fake.with(func() { nudges = fake.nudges })
	test.Tap(s.dialog.cards[0].mine)
	g.settle()
	if got := name(cs[1].ID); got != "Mine One" {
		t.Errorf("keep mine: client is %q", got)
	}
	fake.with(func() {
		if fake.nudges <= nudges {
			t.Error("keep mine did not nudge the sync")
		}
	})
	rowOf(t, g.main.clients, 0, "Mine One") // fails unless the clients tab shows the kept value

	// Edit with a value core refuses: an error dialog naming the field, the conflict stays.
	card := s.dialog.cards[0]
	test.Tap(card.edit)
	g.settle()
	ed := card.editor
	ed.fields[core.WireFullName].entry.SetText("x")
	test.Tap(ed.save)
	g.settle()
	if texts := dialogTexts(g); !strings.Contains(texts, "Full name: must be at least 2 characters") {
		t.Errorf("no error dialog naming the field: %q", texts)
	}
	if got := ed.fields[core.WireFullName].error(); got == "" {
		t.Error("the editor does not mark the field")
	}
	if len(s.dialog.cards) != 1 {
		t.Fatalf("a refused edit dropped the conflict: %d cards", len(s.dialog.cards))
	}
	// Then a valid value.
	ed.fields[core.WireFullName].entry.SetText("Typed By Hand")
	test.Tap(ed.save)
	g.settle()
	if got := name(cs[2].ID); got != "Typed By Hand" {
		t.Errorf("edit: client is %q", got)
	}
	if len(s.dialog.cards) != 0 || s.badge.Visible() {
		t.Errorf("after the last conflict: %d cards, badge shown %v", len(s.dialog.cards), s.badge.Visible())
	}
}

// The conflict dialog never shows a password hash.
func TestConflicts_NoPasswordHash(t *testing.T) {
	c := core.SyncConflict{Kind: core.ConflictDeleted, Mine: map[string]string{
		core.WireFullName: "A", core.WirePasswordHash: "$argon2id$secret", core.WireUpdatedAt: "x"}}
	if got := conflictFields(c); !slices.Equal(got, []string{core.WireFullName}) {
		t.Errorf("fields %v", got)
	}
}

func TestTeamForm_CreateValidation(t *testing.T) {
	_, fake, g := fakeTeamWindow(t, true, false, adminEmail)
	menuItem(t, g, "Team…").Action()
	g.settle()
	f := findTeamForm(t, g)
	test.Tap(f.submit)
	g.settle()
	if got := f.endpoints.error(); !strings.HasPrefix(got, "is required") {
		t.Errorf("endpoints: %q", got)
	}
	if got := f.user.error(); !strings.HasPrefix(got, "is required without a root client certificate") {
		t.Errorf("etcd user: %q", got)
	}
	f.user.entry.SetText("root")
	test.Tap(f.submit)
	g.settle()
	if got := f.password.error(); !strings.HasPrefix(got, "is required with the etcd user") {
		t.Errorf("etcd password: %q", got)
	}
	test.Type(f.endpoints.entry, "ftp://etcd1:2379")
	if got := f.endpoints.error(); got != "ftp://etcd1:2379 is not an http:// or https:// URL with a host and port" {
		t.Errorf("endpoints: %q", got)
	}
	f.endpoints.entry.SetText("http://127.0.0.1:2379, http://127.0.0.2:2379")
	if got := f.endpoints.error(); !strings.Contains(got, "lab only") {
		t.Errorf("no warning about plain http: %q", got)
	}
	dir := t.TempDir()
	cert := filepath.Join(dir, "laptop.crt")
	mustNoErr(t, os.WriteFile(cert, []byte("cert"), 0o600))
	f.cert.entry.SetText(cert)
	f.ca.entry.SetText(filepath.Join(dir, "missing-ca.crt"))
	f.password.entry.SetText("r00t-pass")
	test.Tap(f.submit)
	g.settle()
	if got := f.key.error(); got != "is required with a client certificate" {
		t.Errorf("key: %q", got)
	}
	if got := f.ca.error(); !strings.HasSuffix(got, "missing-ca.crt cannot be read") {
		t.Errorf("ca: %q", got)
	}
	fake.with(func() {
		if fake.created != nil {
			t.Error("the team was created from an invalid form")
		}
	})

	f.cert.entry.SetText("")
	f.ca.entry.SetText(cert)
	test.Tap(f.submit)
	g.settle()
	var created *core.TeamConfig
	fake.with(func() { created = fake.created })
	if created == nil {
		t.Fatalf("the team was not created: %q", dialogTexts(g))
	}
	if !slices.Equal(created.Endpoints, []string{"http://127.0.0.1:2379", "http://127.0.0.2:2379"}) ||
		created.CACert != cert || created.User != "root" || created.Password != "r00t-pass" {
		t.Errorf("config %+v", *created)
	}
	// The window now syncs: the status line appears.
	fake.fire(g)
	if got := statusLine(g); got != "Not synced yet" {
		t.Errorf("status line after create: %q", got)
	}
}

// findTeamForm returns the team form on screen.
func findTeamForm(t *testing.T, g *GUI) *teamForm {
	t.Helper()
	if g.main.sync.team == nil {
		t.Fatalf("no team form: %q", dialogTexts(g))
	}
	return g.main.sync.team
}

func TestTeamForm_FrenchFieldError(t *testing.T) {
	inFrench(t)
	_, _, g := fakeTeamWindow(t, true, false, adminEmail)
	menuItem(t, g, "Équipe…").Action()
	g.settle()
	f := findTeamForm(t, g)
	test.Type(f.endpoints.entry, "etcd1")
	if got := f.endpoints.error(); got != "etcd1 n’est pas une URL http:// ou https:// avec un hôte et un port" {
		t.Errorf("endpoints: %q", got)
	}
}

func TestTeamForm_SoloNonManagement(t *testing.T) {
	_, _, g := fakeTeamWindow(t, true, false, jean)
	menuItem(t, g, "Team…").Action()
	g.settle()
	if g.main.sync.team != nil {
		t.Error("a commercial is offered to create the team")
	}
	if !strings.Contains(dialogTexts(g), "solo mode") {
		t.Errorf("dialog %q", dialogTexts(g))
	}
}

func TestTeam_Leave(t *testing.T) {
	_, fake, g := fakeTeamWindow(t, true, true, adminEmail)
	fake.fire(g)
	menuItem(t, g, "Team…").Action()
	g.settle()
	if texts := dialogTexts(g); !strings.Contains(texts, "https://127.0.0.1:2379") {
		t.Errorf("team dialog %q", texts)
	}
	tapButton(t, g, "Leave the team…")
	g.settle()
	tapButton(t, g, "Yes")
	g.settle()
	var left bool
	fake.with(func() { left = fake.left })
	if !left {
		t.Fatal("the laptop did not leave the team")
	}
	if got := statusLine(g); got != "" {
		t.Errorf("solo again, the status line shows %q", got)
	}
}

func TestTeam_JoinFromSetup(t *testing.T) {
	_, fake, g := fakeTeamWindow(t, false, false, "")
	if g.setup == nil {
		t.Fatal("no set-up screen")
	}
	tapIn(t, g.win.Content(), "Join a team…")
	g.settle()
	f := g.setup.join
	if f == nil || f.user != nil {
		t.Fatal("no join form, or one that asks for root credentials")
	}
	test.Tap(f.submit)
	g.settle()
	if got := f.endpoints.error(); !strings.HasPrefix(got, "is required") {
		t.Errorf("endpoints: %q", got)
	}
	f.endpoints.entry.SetText("https://10.0.0.1:2379")
	test.Tap(f.submit)
	g.settle()
	var joined *core.TeamConfig
	fake.with(func() { joined = fake.joined })
	if joined == nil || joined.Endpoints[0] != "https://10.0.0.1:2379" {
		t.Fatalf("join %+v; %q", joined, dialogTexts(g))
	}
	if g.login == nil {
		t.Error("after joining, the login screen is not shown")
	}
}

// tapIn taps the button labelled text inside o.
func tapIn(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q", text)
}

// Changes waiting while the cluster answers are pushed at the next tick even when nothing
// nudged the sync (a write made outside the forms); offline, the tick only reads again.
func TestSync_TickNudgesWaitingChanges(t *testing.T) {
	_, fake, g := fakeTeamWindow(t, true, true, adminEmail)
	fake.fire(g)
	s := g.main.sync
	nudges := func() (n int) { fake.with(func() { n = fake.nudges }); return n }
	fake.set(func(st *core.SyncStatus) { st.Outbox = 2 })
	fake.fire(g)
	before := nudges()
	s.onTick() // within syncEvery of the last read: nothing
	if nudges() != before {
		t.Fatal("the tick nudged right after a read")
	}
	clock := fixedNow.Add(syncEvery)
	s.now = func() time.Time { return clock }
	s.onTick()
	g.settle()
	if nudges() != before+1 {
		t.Fatalf("waiting changes were not nudged: %d → %d", before, nudges())
	}
	fake.set(func(st *core.SyncStatus) { st.Connected = false })
	fake.fire(g)
	clock = clock.Add(2 * syncEvery)
	before = nudges()
	s.onTick()
	g.settle()
	if nudges() != before {
		t.Error("offline, the tick nudged")
	}
	if got := statusLine(g); got != "Offline — 2 changes waiting" {
		t.Errorf("status %q", got)
	}
}

// Stop ends the background sync: the engine's Run returns before main.go closes the database.
func TestSync_StopEndsRun(t *testing.T) {
	_, fake, g := fakeTeamWindow(t, true, true, adminEmail)
	fake.fire(g)
	g.Stop()
	select {
	case <-g.main.sync.done:
	default:
		t.Fatal("the sync loop still runs after Stop")
	}
}
