package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
	"github.com/epicevents/crm/storage/storagetest"
)

// useUpRoom writes clients in the database of dir until a write finds no room, so that the
// next write needs the file to grow: the free pages inside the file are used up.
func useUpRoom(t *testing.T, path string) {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := core.NewService(db, core.Options{})
	a, err := svc.Login(adminEmail, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	com, _, err := svc.ListUsers(a, core.UserQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var commercial core.User
	for _, u := range com {
		if u.Department == core.Commercial {
			commercial = u
		}
	}
	for i := range 10000 {
		_, err := svc.CreateClient(a, core.ClientInput{FullName: "Filler Client", Email: fmt.Sprintf("filler%d@example.com", i),
			Phone: "0123456789", CompanyName: "Filler", Notes: strings.Repeat("n", core.MaxNotesLen), CommercialID: commercial.ID})
		if core.CodeOf(err) == core.CodeDiskFull {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the disk never filled up")
}

// TestE2E_DiskFull: on a real file system with no room left, a change fails saying the disk is
// full and that nothing was saved (exit 1), changes nothing, reads still work, and the same
// change succeeds once room is made.
func TestE2E_DiskFull(t *testing.T) {
	w := world(t)
	dir := storagetest.MountTmpfs(t, 8<<20)
	for _, name := range []string{dbFile, sessionFile} {
		b, err := os.ReadFile(filepath.Join(w.home, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w.home = dir
	free := storagetest.FillDisk(t, dir)
	useUpRoom(t, filepath.Join(dir, dbFile))
	before := w.list("client", "list")
	audit := w.list("audit")
	create := []string{"client", "create", "--name", "Zoé Lambert", "--email", "zoe@lambert.fr",
		"--phone", "0612345678", "--company", "Lambert & Fils", "--commercial", "jean.dupont@epicevents.com",
		"--notes", strings.Repeat("a note ", 1000)}
	w.fail(exitInternal, core.Text(core.CodeDiskFull), "", create...)
	expect(t, "clients after the refused create", len(w.list("client", "list")), len(before))
	expect(t, "audit entries after the refused create", len(w.list("audit")), len(audit))
	expect(t, "check after the refused create", w.ok("", "check"), "ok\n")
	free()
	w.ok("", create...)
	expect(t, "clients once room is made", len(w.list("client", "list")), len(before)+1)
}
