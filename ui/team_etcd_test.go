package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica"
	"github.com/epicevents/crm/replica/etcdtest"
)

// teamWindow is a laptop of a real-engine test: its database, engine and window.
type teamWindow struct {
	e   *env
	eng *replica.Engine
	g   *GUI
}

// startEngineWindow opens the window of e with the real sync engine, as main.go does.
func startEngineWindow(t *testing.T, e *env) *teamWindow {
	t.Helper()
	w := newEngineLaptop(t, e)
	w.open(t)
	return w
}

// newEngineLaptop gives e's services the real sync engine, without a window yet.
func newEngineLaptop(t *testing.T, e *env) *teamWindow {
	w := &teamWindow{e: e, eng: replica.New(e.db)}
	t.Cleanup(func() { _ = w.eng.Close() }) // before the database closes (cleanups run last first)
	e.svc = core.NewService(e.db, core.Options{Replicator: w.eng, Refetcher: w.eng})
	return w
}

// open opens the laptop's window.
func (w *teamWindow) open(t *testing.T) {
	w.g = Run(test.NewTempApp(t), Options{Service: w.e.svc, DataDir: w.e.dir, Version: "9.9.9", Syncer: w.eng})
	t.Cleanup(func() { w.g.settle(); w.g.win.Close() })
	w.g.settle()
}

// waitUI runs the windows' UI work until cond holds. The bound only stops a broken test; no
// assertion is made on how long it took.
func waitUI(t *testing.T, g *GUI, what string, cond func() bool) {
	t.Helper()
	waitUIOr(t, g, what, cond, func() string { return "status line: " + statusLine(g) })
}

// waitUIOr is waitUI with what to say when cond never holds.
func waitUIOr(t *testing.T, g *GUI, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		g.settle()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s (%s)", what, state())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTeam_RealEngine: management creates the team from File → Team… with the real engine and
// an embedded etcd 3.7 member; a commercial's empty laptop joins from the first-start screen
// and logs in; a client renamed in management's window reaches the commercial's open window,
// whose status line says it synced, and whose selection stays.
func TestTeam_RealEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an etcd member")
	}
	c := etcdtest.StartEmbedded(t, 1, etcdtest.Options{ClientCertAuth: true})
	root := c.ClientCert(t, etcdtest.RootUser)

	// Management's laptop: the demo database, its window, File → Team….
	hq := startEngineWindow(t, newEnv(t, true))
	hq.e.login(hq.g, adminEmail)
	menuItem(t, hq.g, "Team…").Action()
	hq.g.settle()
	f := findTeamForm(t, hq.g)
	submitTeamForm(hq.g, f, strings.Join(c.Endpoints(), ", "), c.CAFile(), root.CertFile, root.KeyFile)
	// (No login through core here: a write made beside the window is pushed only at its next
	// change, and the test waits for an empty outbox.)
	if st, err := hq.e.svc.SyncStatus(t.Context(), hq.g.actor); err != nil || st.Mode != core.ModeTeam {
		t.Fatalf("team create from the window: %+v, %v; %q", st, err, dialogTexts(hq.g))
	}
	waitUIOr(t, hq.g, "management's status line says synced", func() bool {
		return strings.HasPrefix(statusLine(hq.g), "Synced ")
	}, func() string {
		var out string
		_ = hq.e.db.SyncView(func(tx core.SyncTx) error {
			p, _ := tx.Pending(0)
			for _, c := range p {
				out += fmt.Sprintf("%+v\n", c)
			}
			cs, _ := tx.Conflicts()
			out += fmt.Sprintf("conflicts %+v", cs)
			return nil
		})
		return statusLine(hq.g) + "\n" + out
	})

	// The commercial's new laptop joins from the first-start screen.
	jeanID, err := hq.e.svc.ResolveUser(hq.g.actor, jean)
	mustNoErr(t, err)
	creds := c.ClientCert(t, core.EtcdUser(jeanID))
	road := startEngineWindow(t, newEnv(t, false))
	road.e.demo = hq.e.demo
	if road.g.setup == nil {
		t.Fatal("no first-start screen on the empty laptop")
	}
	road.g.setup.showJoin()
	j := road.g.setup.join
	submitTeamForm(road.g, j, strings.Join(c.Endpoints(), " "), c.CAFile(), creds.CertFile, creds.KeyFile)
	if road.g.login == nil {
		t.Fatalf("after joining, no login screen: %q", dialogTexts(road.g))
	}
	road.e.login(road.g, jean)
	tab := road.g.main.clients
	row := rowOf(t, tab, 0, "Kevin Casey")
	tab.table.selectRow(row)
	waitUI(t, road.g, "the commercial's status line says synced", func() bool {
		return strings.HasPrefix(statusLine(road.g), "Synced ")
	})

	// Management renames a client of Jean in its window; the commercial's window follows.
	htab := hq.g.main.clients
	form := openFormOf[*clientForm](t, hq.g, htab, "Kevin Casey")
	form.company.entry.SetText("Cool Startup Worldwide")
	saveForm(hq.g, form.dlg)
	waitUI(t, road.g, "the rename reaches the commercial's window", func() bool {
		return strings.Contains(strings.Join(rowTexts(tab), "\n"), "Cool Startup Worldwide")
	})
	if v, ok := tab.table.current(); !ok || v.FullName != "Kevin Casey" {
		t.Errorf("the commercial's selection moved: %+v %v", v, ok)
	}
	waitUI(t, hq.g, "management's outbox drains", func() bool {
		return strings.HasPrefix(statusLine(hq.g), "Synced ")
	})
}

// rowTexts are the rows of a tab as shown, one line each.
func rowTexts[T any](tab *listTab[T]) []string {
	out := make([]string, len(tab.table.rows))
	for i, r := range tab.table.rows {
		var cells []string
		for _, c := range tab.table.cols {
			cells = append(cells, c.Value(r))
		}
		out[i] = strings.Join(cells, " | ")
	}
	return out
}

// TestTeam_RealEngineConflict: the same field edited on the commercial's laptop (offline) and in
// management's window gives the commercial one conflict with both values; Keep mine in the
// Conflicts dialog writes the commercial's value, which reaches management's laptop.
func TestTeam_RealEngineConflict(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an etcd member")
	}
	c := etcdtest.StartEmbedded(t, 1, etcdtest.Options{ClientCertAuth: true})
	cfg := func(cr etcdtest.Creds) core.TeamConfig {
		return core.TeamConfig{Endpoints: c.Endpoints(), CACert: c.CAFile(), Cert: cr.CertFile, Key: cr.KeyFile}
	}
	ctx := t.Context()
	hq := newEngineLaptop(t, newEnv(t, true))
	admin := hq.e.actor(adminEmail)
	mustNoErr(t, hq.e.svc.TeamCreate(ctx, admin, cfg(c.ClientCert(t, etcdtest.RootUser))))
	jeanID, err := hq.e.svc.ResolveUser(admin, jean)
	mustNoErr(t, err)
	road := newEngineLaptop(t, newEnv(t, false))
	road.e.demo = hq.e.demo
	mustNoErr(t, road.e.svc.TeamJoin(ctx, cfg(c.ClientCert(t, core.EtcdUser(jeanID)))))
	cs, _, err := hq.e.svc.ListClients(admin, core.ClientQuery{Search: "Kevin Casey"})
	mustNoErr(t, err)
	kevinID := cs[0].ID

	// Offline on the road (no sync), then management first.
	j := road.e.actor(jean)
	company := func(v string) core.ClientPatch { return core.ClientPatch{CompanyName: &v} }
	_, err = road.e.svc.UpdateClient(j, kevinID, company("Road Company"))
	mustNoErr(t, err)
	_, err = hq.e.svc.UpdateClient(admin, kevinID, company("Head Office Company"))
	mustNoErr(t, err)
	_, err = hq.e.svc.Sync(ctx, admin)
	mustNoErr(t, err)

	// The commercial opens the window: its first sync meets management's change.
	road.open(t)
	road.e.login(road.g, jean)
	s := road.g.main.sync
	waitUI(t, road.g, "the conflict badge", func() bool { return s.badge.Visible() && s.badge.Text == "1 conflict" })
	test.Tap(s.badge)
	road.g.settle()
	texts := dialogTexts(road.g)
	for _, want := range []string{"Client Kevin Casey — changed on both sides", "Company", "Road Company", "Head Office Company"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the dialog does not show %q:\n%s", want, texts)
		}
	}
	if got, err := road.e.svc.GetClient(road.g.actor, kevinID); err != nil || got.CompanyName != "Head Office Company" {
		t.Errorf("before resolving, the cluster's version should be in force: %q, %v", got.CompanyName, err)
	}
	test.Tap(s.dialog.cards[0].mine)
	road.g.settle()
	waitUI(t, road.g, "the kept value is pushed", func() bool {
		return !s.badge.Visible() && strings.HasPrefix(statusLine(road.g), "Synced ")
	})
	_, err = hq.e.svc.Sync(ctx, admin)
	mustNoErr(t, err)
	if got, err := hq.e.svc.GetClient(admin, kevinID); err != nil || got.CompanyName != "Road Company" {
		t.Errorf("management's laptop has %q, %v; want the commercial's kept value", got.CompanyName, err)
	}
}

// submitTeamForm fills a create or join form with the cluster's endpoints, its CA and a client
// certificate, and submits it.
func submitTeamForm(g *GUI, f *teamForm, endpoints, ca, cert, key string) {
	f.endpoints.entry.SetText(endpoints)
	f.ca.entry.SetText(ca)
	f.cert.entry.SetText(cert)
	f.key.entry.SetText(key)
	test.Tap(f.submit)
	g.settle()
}
