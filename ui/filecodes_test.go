package ui

import (
	"path/filepath"
	"strings"
	"testing"

	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The French window says in French that an export may not overwrite the database: the refusal
// carries a code (core.CodeOwnFile) since storage's file errors were given codes.
func TestExport_RefusesDatabaseFile_French(t *testing.T) {
	inFrench(t)
	e := newEnv(t, true)
	g := e.startAs(lucas)
	g.main.tabs.SelectIndex(2) // Clients
	g.main.current().exportCSV()
	d := g.main.saveDialog
	if d == nil {
		t.Fatal("no save dialog")
	}
	l, err := fstorage.ListerForURI(fstorage.NewFileURI(e.dir))
	mustNoErr(t, err)
	d.SetLocation(l)
	d.SetFileName("epicevents.db")
	tapButton(t, g, "Enregistrer")
	for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Oui" { // Fyne asks before overwriting
			test.Tap(b)
			break
		}
	}
	g.settle()
	want := filepath.Join(e.dir, "epicevents.db") + " est un des fichiers de la base de données"
	if got := dialogTexts(g); !strings.Contains(got, want) {
		t.Errorf("the French window says %q, want %q", got, want)
	}
}
