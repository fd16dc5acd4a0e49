package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestScreenshot_ImportPreview renders the import preview of a file with errors into
// $EPICEVENTS_SHOTS/import-preview.png (tests/screenshots.sh runs it; skipped otherwise): the
// file dialog of File → Import clients… cannot be driven under Xvfb, the preview after it can
// be drawn by Fyne's software painter.
func TestScreenshot_ImportPreview(t *testing.T) {
	dir := os.Getenv("EPICEVENTS_SHOTS")
	if dir == "" {
		t.Skip("EPICEVENTS_SHOTS is not set")
	}
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	csv := "\ufeffNom complet;Courriel;Téléphone;Société;Notes;Commercial\r\n" +
		"Zoé Lambert;zoe@lambert.fr;01 02 03 04 05;Lambert SA;;jean.dupont@epicevents.com\r\n" +
		"Hugo Martin;hugo.martin@exemple;06 11 22 33 44;Martin & Fils;;jean.dupont@epicevents.com\r\n" +
		"Kevin Casey;kevin@startup.io;+678 123 456 78;Cool Startup LLC;Prefers calls after 10;\r\n" +
		"Inès Petit;ines@petit.fr;01 02 03 04 05;Petit SARL;;Nobody Known\r\n" +
		"Zoé Lambert;ZOE@lambert.fr;01 02 03 04 06;Lambert SA;;jean.dupont@epicevents.com\r\n"
	p := g.main.previewImport([]byte(csv), "clients-salon.csv")
	g.settle()
	if p.report.Failed == 0 {
		t.Fatal("the sample file has no errors")
	}
	f, err := os.Create(filepath.Join(dir, "import-preview.png"))
	mustNoErr(t, err)
	defer f.Close()
	mustNoErr(t, png.Encode(f, g.win.Canvas().Capture()))
}

// TestScreenshot_AgendaWeek renders the agenda's week across the October change of time, in
// English and in French, into $EPICEVENTS_SHOTS/agenda-week.png and agenda-fr-week.png.
func TestScreenshot_AgendaWeek(t *testing.T) {
	dir := os.Getenv("EPICEVENTS_SHOTS")
	if dir == "" {
		t.Skip("EPICEVENTS_SHOTS is not set")
	}
	paris := inParis(t)
	for _, c := range []struct{ file, week string }{{"agenda-week.png", "Week"}, {"agenda-fr-week.png", "Semaine"}} {
		t.Run(c.file, func(t *testing.T) {
			if c.week == "Semaine" {
				inFrench(t)
			}
			e := newEnv(t, true)
			k := e.signedContract(nil)
			at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, paris) }
			e.eventAt(k, "Salon du mariage", at(27, 10), e.actor(lucas))
			e.eventAt(k, "Dîner de gala", at(28, 19), nil)
			e.eventAt(k, "Brunch de printemps", at(29, 11), e.actor(emma))
			e.eventAt(k, "Séminaire Innovate", at(31, 9), nil)
			g := e.startAs(adminEmail)
			g.main.tabs.SelectIndex(1)
			a := g.main.agenda
			a.mode.SetSelected(c.week)
			a.jump.SetText(map[string]string{"Week": "2026-03-26", "Semaine": "26/03/2026"}[c.week])
			a.jumpTo()
			g.settle()
			if len(a.lines) != 4 {
				t.Fatalf("%d events in the week", len(a.lines))
			}
			f, err := os.Create(filepath.Join(dir, c.file))
			mustNoErr(t, err)
			defer f.Close()
			mustNoErr(t, png.Encode(f, g.win.Canvas().Capture()))
		})
	}
}
