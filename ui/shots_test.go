package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
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
