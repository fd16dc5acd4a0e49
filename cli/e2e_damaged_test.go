package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/storage"
)

// flipValue changes one byte of a stored value behind the program's back, as a failing disk
// would.
func flipValue(t *testing.T, path, bucket string, key []byte) {
	t.Helper()
	updateFile(t, path, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		v := append([]byte(nil), b.Get(key)...)
		v[len(v)/2] ^= 0x20
		return b.Put(key, v)
	})
}

// updateFile runs fn in a write transaction on the bbolt file at path, behind the program's
// back, and closes it.
func updateFile(t *testing.T, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(fn)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestE2E_DamagedRecord(t *testing.T) {
	w := world(t)
	clients := w.list("client", "list")
	id := w.idOf(clients, "full_name", "Marie Leclerc")
	key := uuid.MustParse(id)
	flipValue(t, filepath.Join(w.home, dbFile), "clients", key[:])
	t.Run("OKListHidesAndSays", func(t *testing.T) {
		out, errOut, code := run(t, w.home, "", "client", "list", "--json")
		expect(t, "client list: exit", code, 0)
		expect(t, "client list: stderr", errOut, "1 damaged record hidden — run Check\n")
		got := decode[[]map[string]any](t, out)
		expect(t, "clients listed", len(got), len(clients)-1)
		if strings.Contains(out, id) {
			t.Fatal("the damaged client is listed")
		}
	})
	t.Run("ErrViewNamesIt", func(t *testing.T) {
		w.fail(exitInternal, "the stored client "+id+" is damaged and is not shown; run a database check", "", "client", "view", id)
	})
	t.Run("ErrCheckListsIt", func(t *testing.T) {
		out, _, code := run(t, w.home, "", "check")
		expect(t, "check: exit", code, exitInternal)
		contains(t, "check report", out, "damaged client "+id)
	})
}

// TestE2E_RestoreV1Backup restores a backup made by version 1.0 (storage/testdata/v1): the copy
// is upgraded to schema 2, checked, and put in place.
func TestE2E_RestoreV1Backup(t *testing.T) {
	w := world(t)
	backup := filepath.Join(t.TempDir(), "v1.db")
	copyTo(t, filepath.Join("..", "storage", "testdata", "v1", "epicevents.db"), backup)
	before, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	w.ok("", "restore", backup)
	sameBytes(t, "restore of a v1 backup", backup, before)
	if _, errOut, code := run(t, w.home, "Fixture-Pass1!\n", "login", "--email", "ada@epicevents.com", "--password-stdin"); code != 0 {
		t.Fatalf("login to the restored v1 database: exit %d: %s", code, errOut)
	}
	expect(t, "clients of the v1 backup", len(w.list("client", "list")), 7)
	expect(t, "check after restore", w.ok("", "check"), "ok\n")
}

// TestE2E_ReadOnlyUpgradesV1 runs a command that opens the database read-only first on a
// database of version 1.0: it is upgraded (then asks for a login), where a read-only open alone
// would fail with "must be opened for writing once".
func TestE2E_ReadOnlyUpgradesV1(t *testing.T) {
	w := &e2e{t: t, home: t.TempDir()}
	path := filepath.Join(w.home, dbFile)
	copyTo(t, filepath.Join("..", "storage", "testdata", "v1", "epicevents.db"), path)
	w.fail(exitUnauthenticated, "not logged in", "", "client", "list")
	db, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("after a read-only command: %v", err)
	}
	_ = db.Close()
}

// TestE2E_Repair: a client changed after the last backup, then damaged; check names it and says
// what to do; repair (management only) puts the backup's copy back, says the note's change is
// lost, records it in the audit trail and leaves a database that checks clean.
func TestE2E_Repair(t *testing.T) {
	w := world(t)
	clients := w.list("client", "list")
	id := w.idOf(clients, "full_name", "Marie Leclerc")
	key := uuid.MustParse(id)
	backup := filepath.Join(t.TempDir(), "friday.db")
	w.ok("", "backup", backup)
	w.ok("", "client", "update", id, "--notes", "called on Monday")
	before := w.obj("client", "view", id)
	flipValue(t, filepath.Join(w.home, dbFile), "clients", key[:])

	out, _, code := run(t, w.home, "", "check")
	expect(t, "check: exit", code, exitInternal)
	contains(t, "check report", out, "damaged client "+id, "damaged records (1): client "+id,
		"what to do: run `epicevents repair`")
	out, _, _ = run(t, w.home, "", "check", "--json")
	rep := decode[map[string]any](t, out)
	expect(t, "check --json damaged", fmt.Sprint(rep["damaged"]), "[client "+id+"]")

	t.Run("ErrForbidden", func(t *testing.T) {
		w.as("jean")
		defer w.as("admin")
		w.fail(exitForbidden, "may not repair the database", "", "repair")
	})
	t.Run("OK", func(t *testing.T) {
		out := w.ok("", "repair")
		contains(t, "repair", out, "restored client "+id+" from the backup friday.db; later changes lost: notes",
			"the damaged file was kept as ", "Indexes rebuilt.", "ok\n")
		expect(t, "check after repair", w.ok("", "check"), "ok\n")
		got := w.obj("client", "view", id)
		expect(t, "email after repair", got["email"], before["email"])
		if got["notes"] == "called on Monday" {
			t.Fatal("the note written after the backup came back: the damaged copy was kept")
		}
		trail := w.list("audit", id)
		last := trail[len(trail)-1]
		expect(t, "audit action", last["action"], "repair_restore")
		expect(t, "audit source", last["source"], "backup friday.db")
		expect(t, "audit fields", fmt.Sprint(last["fields"]), "[notes]")
		kept, _ := filepath.Glob(filepath.Join(w.home, dbFile+".*.damaged"))
		expect(t, "damaged copies kept", len(kept), 1)
	})
}
