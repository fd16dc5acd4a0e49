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
	w := &teamWindow{e: e, eng: replica.New(e.db)}
	t.Cleanup(func() { _ = w.eng.Close() }) // before the database closes (cleanups run last first)
	e.svc = core.NewService(e.db, core.Options{Replicator: w.eng, Refetcher: w.eng})
	w.g = Run(test.NewTempApp(t), Options{Service: e.svc, DataDir: e.dir, Version: "9.9.9", Syncer: w.eng})
	t.Cleanup(func() { w.g.settle(); w.g.win.Close() })
	w.g.settle()
	return w
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
	f.endpoints.entry.SetText(strings.Join(c.Endpoints(), ", "))
	f.ca.entry.SetText(c.CAFile())
	f.cert.entry.SetText(root.CertFile)
	f.key.entry.SetText(root.KeyFile)
	test.Tap(f.submit)
	hq.g.settle()
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
	j.endpoints.entry.SetText(strings.Join(c.Endpoints(), " "))
	j.ca.entry.SetText(c.CAFile())
	j.cert.entry.SetText(creds.CertFile)
	j.key.entry.SetText(creds.KeyFile)
	test.Tap(j.submit)
	road.g.settle()
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
	openRow(hq.g, htab, rowOf(t, htab, 0, "Kevin Casey"))
	form := hq.g.main.form.(*clientForm)
	form.company.entry.SetText("Cool Startup Worldwide")
	test.Tap(form.dlg.save)
	hq.g.settle()
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
