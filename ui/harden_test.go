package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// saveAs answers the window's open save dialog: the file name in dir, Save, and Yes when asked
// whether to overwrite.
func saveAs(t *testing.T, g *GUI, dir, name string) {
	t.Helper()
	d := g.main.saveDialog
	if d == nil {
		t.Fatal("no save dialog")
	}
	l, err := fstorage.ListerForURI(fstorage.NewFileURI(dir))
	mustNoErr(t, err)
	d.SetLocation(l)
	d.SetFileName(name)
	tapButton(t, g, "Save")
	if strings.Contains(dialogTexts(g), "overwrite") {
		tapButton(t, g, "Yes")
	}
	g.settle()
}

// tapButton taps the button labelled text in the topmost overlay.
func tapButton(t *testing.T, g *GUI, text string) {
	t.Helper()
	for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && !b.Disabled() {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q in %q", text, dialogTexts(g))
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	mustNoErr(t, err)
	return b
}

func TestExport_OK(t *testing.T) {
	e := newEnv(t, true)
	admin := e.actor(adminEmail)
	g := e.startAs(lucas)
	g.main.tabs.SelectIndex(2) // Clients
	g.main.current().exportCSV()
	dir := t.TempDir()
	saveAs(t, g, dir, "clients.csv")
	path := filepath.Join(dir, "clients.csv")
	st, err := os.Stat(path)
	mustNoErr(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v, want 0600", st.Mode().Perm())
	}
	if b := readFile(t, path); !bytes.Contains(b, []byte("Kevin Casey")) {
		t.Errorf("export content %q", b)
	}
	trail, _, err := e.svc.Audit(admin, core.AuditQuery{})
	mustNoErr(t, err)
	last := trail[len(trail)-1]
	if last.Action != core.ActionExport || last.Record != core.ClientRecord || last.Count != 4 {
		t.Errorf("last audit entry %+v, want the export of 4 clients", last)
	}
}

// TestExport_RefusesDatabaseFile points the Export dialog at the database file itself: the
// dialog must not open (truncate) it, core must refuse it, and the database stays whole.
func TestExport_RefusesDatabaseFile(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(lucas)
	db := filepath.Join(e.dir, "epicevents.db")
	before := readFile(t, db)
	g.main.tabs.SelectIndex(2) // Clients
	g.main.current().exportCSV()
	saveAs(t, g, e.dir, "epicevents.db")
	if got := dialogTexts(g); !strings.Contains(got, "one of the database's own files") {
		t.Errorf("the window says %q", got)
	}
	if !bytes.Equal(readFile(t, db), before) {
		_ = os.Remove(db) // a new file for the checks of the clean-up (the old one is mapped)
		mustNoErr(t, os.WriteFile(db, before, 0o600))
		t.Fatal("the database file changed")
	}
	if _, _, err := e.svc.ListClients(g.actor, core.ClientQuery{}); err != nil {
		t.Fatal("the database no longer works:", err)
	}
}

func TestBackup_Menu(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(lucas)
	for _, m := range g.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "Backup…" {
				t.Fatal("support is offered File → Backup")
			}
		}
	}
	g.endSession(true)
	e.login(g, adminEmail)
	menuItem(t, g, "Backup…").Action()
	dir := t.TempDir()
	saveAs(t, g, dir, "copy.db")
	if got := dialogTexts(g); !strings.Contains(got, "The database was saved") {
		t.Errorf("the window says %q", got)
	}
	if b := readFile(t, filepath.Join(dir, "copy.db")); len(b) == 0 {
		t.Error("empty backup")
	}
	// the session file beside the database is refused too
	menuItem(t, g, "Backup…").Action()
	session := filepath.Join(e.dir, "session")
	token := readFile(t, session)
	saveAs(t, g, e.dir, "session")
	if !bytes.Equal(readFile(t, session), token) {
		t.Fatal("the session file changed")
	}
	if got := dialogTexts(g); !strings.Contains(got, "one of the database's own files") {
		t.Errorf("the window says %q", got)
	}
}

var _ fyne.URIWriteCloser = (*lazyWriter)(nil)

// TestEventForm_DaylightSaving: the window's time entry refuses a time the clocks skip, naming
// the field, and says which of two occurrences of an autumn time it takes.
func TestEventForm_DaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	time.Local = paris
	defer func() { time.Local = time.UTC }()
	k := openFormOf[*contractForm](t, g, g.main.contracts, "Kevin Casey")
	f := showNewEvent(g.main, k.contract)
	g.settle() // the client's row is read in the background
	day := func(y int, m time.Month, d int) *time.Time {
		v := time.Date(y, m, d, 0, 0, 0, 0, paris)
		return &v
	}
	f.startDate.SetDate(day(2027, 3, 28))
	test.Type(f.startTime.entry, "02:30")
	if got := f.start.error(); !strings.Contains(got, "2027-03-28 02:30 does not exist in local time") {
		t.Errorf("a start the clocks skip: the form says %q", got)
	}
	f.startDate.SetDate(day(2027, 10, 31))
	if got := f.start.error(); !strings.Contains(got, "the first, 02:30 CEST, is taken; not the second, 02:30 CET") {
		t.Errorf("a start that happens twice: the form says %q", got)
	}
	s, _, err := at(f.startDate, f.startTime.entry.Text, "start")
	if err != nil || !s.Equal(time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("taken as %v, %v; want the first 02:30 (00:30 UTC)", s, err)
	}
}

// TestEvents_CancelledContractIsFinal: the form of an event whose contract is cancelled changes
// nothing, as core refuses: no Save, no support picker to use, read-only fields.
func TestEvents_CancelledContractIsFinal(t *testing.T) {
	e := newEnv(t, true)
	admin := e.actor(adminEmail)
	g := e.startAs(adminEmail)
	tab := g.main.events
	row := rowOf(t, tab, 0, "Startup Launch Party")
	ev := tab.table.rows[row]
	_, err := e.svc.CancelContract(admin, ev.ContractID)
	mustNoErr(t, err)
	openRow(g, tab, row)
	f := g.main.form.(*eventForm)
	if f.dlg.save != nil || (f.support != nil && !f.support.Disabled()) || !f.name.entry.Disabled() || !f.startDate.Disabled() {
		t.Error("the form of an event of a cancelled contract should change nothing")
	}
	if got := dialogTexts(g); !strings.Contains(got, "The contract is cancelled") {
		t.Errorf("the form does not say why: %q", got)
	}
}
