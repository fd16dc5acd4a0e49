package ui

// Measurements of the window with 100,000 clients (issue 6) on Fyne's test driver: benchmarks,
// never timed assertions. The test driver paints in software, on the CPU: the "paint" figures
// are an upper bound of what the OpenGL window spends.
//
//	go test -tags migrated_fynedo -run '^$' -bench . -benchtime 5x ./ui/

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// perfClients is the number of clients the measurements add to the seed database.
const perfClients = 100_000

// perfWorld is a copy of the seed database with perfClients generated clients, and the
// administrator's session saved in its data directory (so that the window opens on the main
// screen).
type perfWorld struct {
	dir, path string
}

func newPerfWorld(b *testing.B) perfWorld {
	b.Helper()
	src, _, err := seedDB()
	if err != nil {
		b.Fatal(err)
	}
	w := perfWorld{dir: b.TempDir()}
	w.path = filepath.Join(w.dir, "epicevents.db")
	data, err := os.ReadFile(src)
	if err == nil {
		err = os.WriteFile(w.path, data, 0o600)
	}
	if err != nil {
		b.Fatal(err)
	}
	db, svc := openPerf(b, w.path)
	defer db.Close()
	var hash string
	err = db.View(func(tx core.Tx) error {
		u, err := tx.UserByEmail(jean)
		hash = u.PasswordHash
		return err
	})
	if err == nil {
		_, err = db.Generate(storage.GenerateOptions{Clients: perfClients, PasswordHash: hash, Now: fixedNow, Seed: 6})
	}
	if err != nil {
		b.Fatal(err)
	}
	a, err := svc.Login(adminEmail, adminPass)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "session"), []byte(a.Token()+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	return w
}

func openPerf(b *testing.B, path string) (*storage.DB, *core.Service) {
	b.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return db, core.NewService(db, core.Options{Clock: func() time.Time { return fixedNow }})
}

// startPerf opens the window on the world, on the main screen, and waits for every tab to load.
func (w perfWorld) start(b *testing.B, app fyne.App) (*GUI, *storage.DB) {
	b.Helper()
	db, svc := openPerf(b, w.path)
	g := Run(app, Options{Service: svc, DataDir: w.dir, Version: "perf"})
	g.settle()
	if g.main == nil {
		b.Fatal("the saved session did not open the main screen")
	}
	g.win.Resize(fyne.NewSize(1280, 800))
	return g, db
}

func (g *GUI) stop(db *storage.DB) {
	g.settle()
	g.win.Close()
	_ = db.Close()
}

// BenchmarkWindow_OpenAndFirstPaint opens the database and the window, as the program starts
// with a saved session, up to the first paint of the main screen; the tabs fill in the
// background afterwards (not counted).
func BenchmarkWindow_OpenAndFirstPaint(b *testing.B) {
	w := newPerfWorld(b)
	app := test.NewTempApp(b)
	for b.Loop() {
		db, svc := openPerf(b, w.path)
		g := Run(app, Options{Service: svc, DataDir: w.dir, Version: "perf"})
		g.win.Resize(fyne.NewSize(1280, 800))
		g.win.Canvas().Capture()
		b.StopTimer()
		g.stop(db)
		b.StartTimer()
	}
}

// BenchmarkClientsTab_Load reloads the clients tab as Refresh does: list the 100k clients
// through core, name their commercials, sort, hand the rows to the table, and paint.
func BenchmarkClientsTab_Load(b *testing.B) {
	w := newPerfWorld(b)
	g, db := w.start(b, test.NewTempApp(b))
	defer g.stop(db)
	tab := g.main.clients
	for b.Loop() {
		tab.reload()
		g.settle()
		g.win.Canvas().Capture()
	}
	b.ReportMetric(float64(len(tab.table.rows)), "rows")
}

// BenchmarkClientsTab_FirstRender builds a clients table, gives it the 100k loaded rows and
// paints it for the first time: the window's own share of showing the tab.
func BenchmarkClientsTab_FirstRender(b *testing.B) {
	w := newPerfWorld(b)
	app := test.NewTempApp(b)
	g, db := w.start(b, app)
	defer g.stop(db)
	rows := g.main.clients.table.rows
	for b.Loop() {
		d := newDataTable(clientColumns())
		d.setRows(rows, func(x, y clientRow) bool { return x.ID == y.ID })
		win := app.NewWindow("clients")
		win.SetContent(d.content)
		win.Resize(fyne.NewSize(1280, 800))
		win.Canvas().Capture()
		b.StopTimer()
		win.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(rows)), "rows")
}

// BenchmarkClientsTab_ScrollJump moves the clients table to a random row of 100k, as a drag of
// the scroll bar does: "widgets" counts the table's update of its visible cells, "paint" adds
// a software paint of the window.
func BenchmarkClientsTab_ScrollJump(b *testing.B) {
	w := newPerfWorld(b)
	g, db := w.start(b, test.NewTempApp(b))
	defer g.stop(db)
	t := g.main.clients.table
	g.win.Canvas().Capture()
	r := rand.New(rand.NewPCG(1, 2))
	jump := func() { t.table.ScrollTo(widget.TableCellID{Row: r.IntN(len(t.rows)), Col: 0}) }
	b.Run("widgets", func(b *testing.B) {
		for b.Loop() {
			jump()
		}
	})
	b.Run("paint", func(b *testing.B) {
		for b.Loop() {
			jump()
			g.win.Canvas().Capture()
		}
	})
}

// BenchmarkClientsTab_Heap reports the Go heap once the window shows the 100k clients (after a
// garbage collection): "MiB-heap" in all, "MiB-rows" what opening the window added.
func BenchmarkClientsTab_Heap(b *testing.B) {
	w := newPerfWorld(b)
	app := test.NewTempApp(b)
	for b.Loop() {
		before := heapMiB()
		g, db := w.start(b, app)
		after := heapMiB()
		if n := len(g.main.clients.table.rows); n < perfClients {
			b.Fatalf("%d rows", n)
		}
		b.ReportMetric(after, "MiB-heap")
		b.ReportMetric(after-before, "MiB-rows")
		g.stop(db)
	}
}

func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}
