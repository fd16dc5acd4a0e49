package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage/storagetest"
)

// TestClients_DiskFull: on a real file system with no room left, saving a new client shows a
// dialog saying the disk is full and nothing was saved; the form keeps what was typed, nothing
// changed, and Save works once room is made.
func TestClients_DiskFull(t *testing.T) {
	dir := storagetest.MountTmpfs(t, 8<<20)
	e := newEnvIn(t, dir, true, nil)
	free := storagetest.FillDisk(t, dir)
	// Use up the free pages inside the file, so that the next write must grow it.
	admin := e.actor(adminEmail)
	jeanID := e.actor(jean).ID()
	for i := 0; ; i++ {
		_, err := e.svc.CreateClient(admin, core.ClientInput{FullName: "Filler Client", Email: fmt.Sprintf("filler%d@example.com", i),
			Phone: "0123456789", CompanyName: "Filler", Notes: strings.Repeat("n", core.MaxNotesLen), CommercialID: jeanID})
		if core.CodeOf(err) == core.CodeDiskFull {
			break
		}
		mustNoErr(t, err)
		if i > 10000 {
			t.Fatal("the disk never filled up")
		}
	}
	before, _, err := e.svc.ListClients(admin, core.ClientQuery{})
	mustNoErr(t, err)

	g := e.startAs(jean)
	f := typeNewClient(g, "Zoé Lambert", "Lambert & Fils", "zoe@lambert.fr", "+33 6 98 76 54 32")
	f.notes.entry.SetText(strings.Repeat("a note ", 1000)) // typed key by key, it would take minutes
	saveForm(g, f.dlg)
	if got := dialogTexts(g); !strings.Contains(got, "he disk is full or the file has reached its size limit: nothing was saved; free some space and try again") {
		t.Fatalf("the window says %q", got)
	}
	after, _, err := e.svc.ListClients(admin, core.ClientQuery{})
	mustNoErr(t, err)
	if len(after) != len(before) || f.name.entry.Text != "Zoé Lambert" {
		t.Fatalf("%d clients after the refused save (%d before); the form holds %q", len(after), len(before), f.name.entry.Text)
	}
	top := g.win.Canvas().Overlays().Top()
	top.Hide()
	g.win.Canvas().Overlays().Remove(top)
	free()
	saveForm(g, f.dlg)
	after, _, err = e.svc.ListClients(admin, core.ClientQuery{})
	mustNoErr(t, err)
	if len(after) != len(before)+1 {
		t.Fatalf("%d clients once room is made, want %d", len(after), len(before)+1)
	}
}
