package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core/datadir"
	"github.com/epicevents/crm/storage"
)

// damageFile overwrites both meta pages of a database file with garbage: bbolt cannot open it.
func damageFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	for i := 0; i < 2*page && i < len(data); i++ {
		data[i] = byte(i*31) | 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

// sameBytes fails unless the file at path still holds want.
func sameBytes(t *testing.T, what, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s: %s changed (%v)", what, path, err)
	}
}

// onlyFiles fails unless dir holds exactly the names matching the patterns, one each.
func onlyFiles(t *testing.T, dir string, patterns ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != len(patterns) {
		t.Fatalf("%s holds %v, want %d files matching %v", dir, names, len(patterns), patterns)
	}
	for _, p := range patterns {
		n := 0
		for _, name := range names {
			if regexp.MustCompile("^" + p + "$").MatchString(name) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s holds %v: want one file matching %s", dir, names, p)
		}
	}
}

func TestE2E_DamagedDatabase(t *testing.T) {
	w := world(t)
	path := filepath.Join(w.home, dbFile)
	data := damageFile(t, path)
	for _, args := range [][]string{{"client", "list"}, {"check"}, {"backup", filepath.Join(t.TempDir(), "b.db")}} {
		w.fail(exitInternal, "the database is damaged: "+path, "", args...)
	}
	sameBytes(t, "commands on a damaged database", path, data)
}

// restoreWorld is a world with a backup taken before a client was added.
func restoreWorld(t *testing.T) (w *e2e, backup, db string) {
	t.Helper()
	w = world(t)
	backup = filepath.Join(t.TempDir(), "backup.db")
	w.ok("", "backup", backup)
	w.ok("", "client", "create", "--name", "After Backup", "--email", "after@example.com", "--phone", "0102030405",
		"--company", "Later", "--commercial", "jean.dupont@epicevents.com")
	return w, backup, filepath.Join(w.home, dbFile)
}

func TestE2E_Restore(t *testing.T) {
	w, backup, db := restoreWorld(t)
	before, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	w.as("jean")
	w.fail(exitForbidden, "may not restore the database", "", "restore", backup)
	w.as("admin")
	w.fail(exitUsage, "is the database itself", "", "restore", db)
	w.fail(exitInvalid, "cannot read the backup", "", "restore", filepath.Join(t.TempDir(), "missing.db"))
	expect(t, "clients after refused restores", names(w.list("client", "search", "After Backup"), "full_name"), "After Backup")
	onlyFiles(t, w.home, dbFile, sessionFile)

	out := decode[map[string]any](t, w.ok("", "restore", backup, "--json"))
	prev, _ := out["previous"].(string)
	expect(t, "restore --json", []any{out["ok"], out["path"], out["backup"]}, []any{true, db, backup})
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(db) + `\.\d{8}-\d{6}\.bak$`).MatchString(prev) {
		t.Fatalf("previous database kept as %q", prev)
	}
	if fi, err := os.Stat(prev); err != nil || !os.SameFile(fi, before) {
		t.Errorf("%s is not the previous database file (%v)", prev, err)
	}
	old := &e2e{t: t, home: t.TempDir()}
	copyTo(t, prev, filepath.Join(old.home, dbFile))
	copyTo(t, filepath.Join(w.home, sessionFile), filepath.Join(old.home, sessionFile))
	expect(t, "clients of the previous database", names(old.list("client", "search", "After Backup"), "full_name"), "After Backup")
	wantPrivate(t, db)
	wantPrivate(t, prev)
	onlyFiles(t, w.home, dbFile, sessionFile, `epicevents\.db\.\d{8}-\d{6}\.bak`)
	// Sessions do not survive a restore, even of a backup of this very database.
	w.fail(exitUnauthenticated, "no longer valid", "", "check")
	w.ok(testPassword+"\n", "login", "--email", adminEmail, "--password-stdin")
	expect(t, "check after restore", w.ok("", "check"), "ok\n")
	if got := names(w.list("client", "search", "After Backup"), "full_name"); got != "" {
		t.Errorf("the client added after the backup is still there: %s", got)
	}
	expect(t, "clients after restore", len(w.list("client", "list")), 4)
}

func wantPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, %v; want 0600", path, fi.Mode().Perm(), err)
	}
}

func TestE2E_RestoreRefusesBadBackups(t *testing.T) {
	w, backup, db := restoreWorld(t)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(t.TempDir(), "damaged.db")
	copyTo(t, backup, damaged)
	damageFile(t, damaged)
	w.fail(exitInvalid, "the backup "+damaged+" is damaged; nothing was restored", "", "restore", damaged)

	broken := filepath.Join(t.TempDir(), "broken.db")
	copyTo(t, backup, broken)
	breakIndex(t, broken)
	w.fail(exitInvalid, "the backup "+broken+" failed its check with 1 problem(s)", "", "restore", broken)

	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	w.fail(exitInvalid, "is damaged", "", "restore", text)
	sameBytes(t, "refused backups", db, before)
	onlyFiles(t, w.home, dbFile, sessionFile)
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// breakIndex removes one entry of idx_clients_by_email behind the program's back.
func breakIndex(t *testing.T, path string) {
	t.Helper()
	updateFile(t, path, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("idx_clients_by_email"))
		if b == nil {
			return errors.New("no bucket idx_clients_by_email")
		}
		k, _ := b.Cursor().First()
		return b.Delete(k)
	})
}

func TestE2E_RestoreInUse(t *testing.T) {
	w, backup, db := restoreWorld(t)
	held, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	start := time.Now()
	w.fail(exitInternal, "the database is in use by another program", "", "restore", backup)
	refusedByTimeout(t, time.Since(start))
	onlyFiles(t, w.home, dbFile, sessionFile)
}

func TestE2E_RestoreDamagedDatabase(t *testing.T) {
	w, backup, db := restoreWorld(t)
	damaged := damageFile(t, db)
	if err := os.Remove(filepath.Join(w.home, sessionFile)); err != nil {
		t.Fatal(err)
	}
	out := w.ok("", "restore", backup)
	contains(t, "restore of a damaged database", out, "Database restored from "+backup, "The previous database is kept as "+db+".")
	prev := strings.TrimSuffix(strings.TrimSpace(out[strings.LastIndex(out, " as ")+4:]), ".")
	sameBytes(t, "the damaged database kept", prev, damaged)
	w.ok(testPassword+"\n", "login", "--email", adminEmail, "--password-stdin")
	expect(t, "check after restore", w.ok("", "check"), "ok\n")

	// A damaged database held by another program is not replaced.
	damageFile(t, db)
	unlock, err := datadir.Lock(db, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	w.fail(exitInternal, "the database is in use by another program", "", "restore", backup)
	refusedByTimeout(t, time.Since(start))
}

func TestE2E_RestoreIntoEmptyHome(t *testing.T) {
	w, backup, _ := restoreWorld(t)
	home := filepath.Join(t.TempDir(), "new-home")
	fresh := &e2e{t: t, home: home}
	out := fresh.ok("", "restore", backup)
	expect(t, "restore into an empty home", out, "Database restored from "+backup+".\n")
	wantPrivate(t, filepath.Join(home, dbFile))
	copyTo(t, filepath.Join(w.home, sessionFile), filepath.Join(home, sessionFile))
	fresh.fail(exitUnauthenticated, "no longer valid", "", "client", "list")
	fresh.ok(testPassword+"\n", "login", "--email", adminEmail, "--password-stdin")
	expect(t, "clients of the restored database", len(fresh.list("client", "list")), 4)
}
