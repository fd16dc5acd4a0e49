package ui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// Test accounts: the administrator created at set-up, and the demo accounts.
const (
	adminName  = "Ada Admin"
	adminEmail = "ada.admin@epicevents.com"
	adminPass  = "Adm1n!pass-word"
	jean       = "jean.dupont@epicevents.com"
	lucas      = "lucas.petit@epicevents.com"
	emma       = "emma.moreau@epicevents.com"
)

// fixedNow is the clock of the tests, so that goldens do not move with the date.
var fixedNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// uiQueue holds the functions background work hands to the UI goroutine; in the tests the
// test's goroutine plays the UI goroutine and runs them in settle.
var uiQueue struct {
	sync.Mutex
	fns []func()
}

// settle runs what background work handed to the UI, until nothing is pending any more.
func (g *GUI) settle() {
	for {
		g.pending.Wait()
		uiQueue.Lock()
		fns := uiQueue.fns
		uiQueue.fns = nil
		uiQueue.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

func TestMain(m *testing.M) {
	onUI = func(f func()) {
		uiQueue.Lock()
		uiQueue.fns = append(uiQueue.fns, f)
		uiQueue.Unlock()
	}
	time.Local = time.UTC
	for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES"} {
		_ = os.Unsetenv(k)
	}
	_ = os.Setenv("LANG", "en_US.UTF-8")
	code := m.Run()
	if seed.dir != "" {
		_ = os.RemoveAll(seed.dir)
	}
	os.Exit(code)
}

// inFrench switches the system locale to French for one test.
func inFrench(t *testing.T) {
	t.Setenv("LANG", "fr_FR.UTF-8")
	mustNoErr(t, LoadTranslations())
	t.Cleanup(func() {
		_ = os.Setenv("LANG", "en_US.UTF-8")
		_ = LoadTranslations()
	})
}

// env is a real database in a temp dir, initialised with the demo data.
type env struct {
	t    *testing.T
	dir  string
	db   *storage.DB
	svc  *core.Service
	demo map[string]string // email → password
}

// seed is a database initialised once with the admin and the demo data; each test works on a
// copy of it, which spares every test the password hashing of the set-up.
var seed struct {
	once sync.Once
	dir  string
	demo map[string]string // email → password
	err  error
}

func seedDB() (string, map[string]string, error) {
	seed.once.Do(func() {
		seed.dir, seed.err = os.MkdirTemp("", "ui-seed-")
		if seed.err != nil {
			return
		}
		db, err := storage.Open(filepath.Join(seed.dir, "epicevents.db"), storage.Options{})
		if err != nil {
			seed.err = err
			return
		}
		defer db.Close()
		svc := core.NewService(db, core.Options{Clock: func() time.Time { return fixedNow }})
		res, err := svc.Initialize(core.InitInput{AdminName: adminName, AdminEmail: adminEmail, Password: adminPass, Demo: true})
		seed.demo, seed.err = map[string]string{adminEmail: adminPass}, err
		for _, a := range res.Demo {
			seed.demo[a.Email] = a.Password
		}
	})
	return filepath.Join(seed.dir, "epicevents.db"), seed.demo, seed.err
}

// newEnv opens a fresh database in a temp dir; with init it is a copy of the seed database
// (the admin and the demo data).
func newEnv(t *testing.T, init bool) *env {
	t.Helper()
	return newEnvWith(t, init, nil)
}

// newEnvWith is newEnv with prepare run on the file before it is opened (to damage it); the
// index check at the end is then left out, the damage being deliberate.
func newEnvWith(t *testing.T, init bool, prepare func(path string)) *env {
	t.Helper()
	return newEnvIn(t, t.TempDir(), init, prepare)
}

// newEnvIn is newEnvWith with the database in dir (a small file system that fills up).
func newEnvIn(t *testing.T, dir string, init bool, prepare func(path string)) *env {
	t.Helper()
	path := filepath.Join(dir, "epicevents.db")
	demo := map[string]string{}
	if init {
		src, d, err := seedDB()
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(src)
		mustNoErr(t, err)
		mustNoErr(t, os.WriteFile(path, b, 0o600))
		demo = d
	}
	if prepare != nil {
		prepare(path)
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil && prepare == nil {
			t.Errorf("index check: %v", err)
		}
		_ = db.Close()
	})
	e := &env{t: t, dir: dir, db: db, demo: demo}
	e.svc = core.NewService(db, core.Options{Clock: func() time.Time { return fixedNow }})
	return e
}

// start runs the window on a test app.
func (e *env) start() *GUI {
	e.t.Helper()
	a := test.NewTempApp(e.t)
	g := Run(a, Options{Service: e.svc, DataDir: e.dir, Version: "9.9.9"})
	e.t.Cleanup(func() { g.settle(); g.win.Close() })
	g.settle()
	return g
}

// actor logs email in directly through core.
func (e *env) actor(email string) *core.Actor {
	e.t.Helper()
	a, err := e.svc.Login(email, e.demo[email])
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// login types the credentials in the login screen and presses Enter.
func (e *env) login(g *GUI, email string) {
	e.t.Helper()
	if g.login == nil {
		e.t.Fatal("the login screen is not shown")
	}
	test.Type(g.login.email, email)
	g.login.email.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(g.login.password, e.demo[email])
	g.login.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.settle()
	if g.main == nil {
		e.t.Fatalf("not logged in as %s: %q", email, g.login.message.Text)
	}
	g.settle()
}

// startAs starts the window and logs in.
func (e *env) startAs(email string) *GUI {
	e.t.Helper()
	g := e.start()
	e.login(g, email)
	return g
}

// rowOf returns the index of the first row whose text in column col contains s.
func rowOf[T any](t *testing.T, tab *listTab[T], col int, s string) int {
	t.Helper()
	for i, r := range tab.table.rows {
		if strings.Contains(tab.table.cols[col].Value(r), s) {
			return i
		}
	}
	t.Fatalf("no row with %q in column %d", s, col)
	return -1
}

// openRow double-clicks the row (the tables of the tests do not scroll).
func openRow[T any](g *GUI, tab *listTab[T], row int) {
	for i, it := range g.main.tabs.Items {
		if it.Content == tab.content {
			g.main.tabs.SelectIndex(i) // only the tab on screen is laid out
		}
	}
	h := tab.table.createCell().MinSize().Height
	y := float32(row)*(h+theme.Padding()) + h/2
	tab.table.table.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(20, y)})
	g.settle()
}

// openFormOf opens the row of a tab whose first column contains text and returns the form it
// opened, of type F.
func openFormOf[F any, T any](t *testing.T, g *GUI, tab *listTab[T], text string) F {
	t.Helper()
	openRow(g, tab, rowOf(t, tab, 0, text))
	f, ok := g.main.form.(F)
	if !ok {
		t.Fatalf("opening %q shows %T", text, g.main.form)
	}
	return f
}

// tabTitles lists the main window's tab titles.
func tabTitles(g *GUI) []string {
	var out []string
	for _, it := range g.main.tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// menuItem finds a menu item by its label.
func menuItem(t *testing.T, g *GUI, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range g.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

// dialogTexts returns every label text of the topmost overlay (a dialog).
func dialogTexts(g *GUI) string {
	top := g.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	for _, o := range test.LaidOutObjects(top) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		}
	}
	return b.String()
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newTestID is a deterministic id for generated records.
func newTestID(i int) (id [16]byte) {
	id[0], id[1], id[2], id[3] = 0xee, byte(i>>16), byte(i>>8), byte(i)
	id[6], id[8] = 0x40, 0x80
	return id
}

// typeLogin types an email and a password in the login screen and presses Log in.
func typeLogin(g *GUI, email, password string) {
	test.Type(g.login.email, email)
	test.Type(g.login.password, password)
	test.Tap(g.login.submit)
	g.settle()
}

// typeNewClient opens a new client form from the clients tab and types its four text fields
// (nothing saved yet).
func typeNewClient(g *GUI, name, company, email, phone string) *clientForm {
	test.Tap(g.main.clients.newBtn)
	f := g.main.form.(*clientForm)
	test.Type(f.name.entry, name)
	test.Type(f.company.entry, company)
	test.Type(f.email.entry, email)
	test.Type(f.phone.entry, phone)
	return f
}

// formButton finds the button labelled text among a form dialog's buttons; the test fails
// without one.
func formButton(t *testing.T, d *formDialog, text string) *widget.Button {
	t.Helper()
	for _, b := range d.buttons {
		if btn, ok := b.(*widget.Button); ok && btn.Text == text {
			return btn
		}
	}
	t.Fatalf("no %q button in the form", text)
	return nil
}

// saveForm taps a form's Save and runs what the save hands to the UI goroutine.
func saveForm(g *GUI, d *formDialog) {
	test.Tap(d.save)
	g.settle()
}
