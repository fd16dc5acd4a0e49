package cli

// Regression tests of issue #10 (hardening), run on the real binary.

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// TestE2E_ExportRefusesOwnFiles: export (any collaborator) and backup (management) refuse the
// database, its copies and the session file, whatever name or link leads to them, with exit 5,
// and leave them as they were.
func TestE2E_ExportRefusesOwnFiles(t *testing.T) {
	w := world(t)
	db := filepath.Join(w.home, dbFile)
	bak := db + ".20270101-120000.bak"
	copyTo(t, db, bak)
	other := t.TempDir()
	link := filepath.Join(other, "events.csv")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(other, "hard.csv")
	if err := os.Link(db, hard); err != nil {
		t.Fatal(err)
	}
	dirLink := filepath.Join(other, "home")
	if err := os.Symlink(w.home, dirLink); err != nil {
		t.Fatal(err)
	}
	targets := []string{db, link, hard, filepath.Join(dirLink, dbFile), bak,
		filepath.Join(w.home, sessionFile), db + ".lock"}
	for _, as := range []string{"lucas", "admin"} {
		w.as(as)
		token, _ := os.ReadFile(filepath.Join(w.home, sessionFile))
		before, err := os.Stat(db)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range targets {
			w.fail(exitInvalid, "is one of the database's own files", "", "export", "events", "--csv", target)
			if as == "admin" {
				w.fail(exitInvalid, "is one of the database's own files", "", "backup", target)
			}
		}
		if after, err := os.Stat(db); err != nil || !os.SameFile(before, after) {
			t.Fatalf("the database file was replaced (%v)", err)
		}
		sameBytes(t, "refused exports", filepath.Join(w.home, sessionFile), token)
		if _, err := os.Stat(db + ".lock"); err == nil {
			t.Error("a file was written beside the database")
		}
		expect(t, "clients after refused exports", len(w.list("client", "list")), 4)
	}
	expect(t, "check", w.ok("", "check"), "ok\n")
}

// TestE2E_AdminIsManagements: backup, restore, check, reindex and generate are management's.
func TestE2E_AdminIsManagements(t *testing.T) {
	w := world(t)
	backup := filepath.Join(t.TempDir(), "b.db")
	for _, as := range []string{"jean", "lucas"} {
		w.as(as)
		w.fail(exitForbidden, "may not back up the database", "", "backup", backup)
		w.fail(exitForbidden, "may not check the database", "", "check")
		w.fail(exitForbidden, "may not rebuild the indexes", "", "reindex")
		w.fail(exitForbidden, "may not generate test data", "", "generate", "--clients", "1")
		w.fail(exitForbidden, "may not restore the database", "", "restore", filepath.Join(templateDir, dbFile))
	}
	if _, err := os.Stat(backup); err == nil {
		t.Fatal("a backup was written")
	}
	w.as("admin")
	w.ok("", "backup", backup)
}

// TestE2E_BackupHoldsNoKey: a backup holds neither the session signing key nor the login
// counters, so that its reader cannot sign a session for anybody.
func TestE2E_BackupHoldsNoKey(t *testing.T) {
	w := world(t)
	claire := template.users["claire"]
	w.fail(exitUnauthenticated, "invalid email or password", "Wrong123!x\n", "login", "--email", claire.email, "--password-stdin")
	w.as("admin")
	key := signingKeyOf(t, filepath.Join(w.home, dbFile))
	if len(key) != 32 {
		t.Fatalf("the database's key has %d bytes", len(key))
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	w.ok("", "backup", backup)
	raw, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, key) {
		t.Fatal("the backup holds the signing key")
	}
	if len(signingKeyOf(t, backup)) != 0 {
		t.Fatal("the backup holds a signing key")
	}
	var th core.Throttle
	viewDB(t, backup, func(tx core.Tx) error {
		var err error
		th, err = tx.Throttle(claire.email)
		return err
	})
	if th.Failures != 0 {
		t.Errorf("the backup holds the login counter of %s: %+v", claire.email, th)
	}
	// The standard output gets the same copy.
	out := w.ok("", "backup", "-")
	if bytes.Contains([]byte(out), key) || len(out) < 4096 {
		t.Errorf("backup - wrote %d bytes, with the key: %v", len(out), bytes.Contains([]byte(out), key))
	}
}

// TestE2E_RestoreEndsSessions: after a restore every session from before it ends, the
// restored database gets a new key at the next login, and the restore is in its trail.
func TestE2E_RestoreEndsSessions(t *testing.T) {
	w := world(t)
	backup := filepath.Join(t.TempDir(), "b.db")
	w.ok("", "backup", backup)
	key := signingKeyOf(t, filepath.Join(w.home, dbFile))
	w.ok("", "restore", backup)
	for _, as := range []string{"admin", "lucas", "jean"} {
		w.as(as)
		w.fail(exitUnauthenticated, "no longer valid", "", "whoami")
	}
	w.ok(testPassword+"\n", "login", "--email", adminEmail, "--password-stdin")
	next := signingKeyOf(t, filepath.Join(w.home, dbFile))
	if len(next) != 32 || bytes.Equal(next, key) {
		t.Fatalf("the restored database's key: %x (before: %x)", next, key)
	}
	trail := w.list("audit")
	last := trail[len(trail)-1]
	if last["action"] != "login" || trail[len(trail)-2]["action"] != "restore" || trail[len(trail)-2]["actor_name"] != "Ada Admin" {
		t.Errorf("audit trail ends with %v, %v", trail[len(trail)-2], last)
	}
}

// signingKeyOf reads the session signing key of the database at path.
func signingKeyOf(t *testing.T, path string) []byte {
	t.Helper()
	var v []byte
	viewDB(t, path, func(tx core.Tx) error {
		var err error
		v, err = tx.SigningKey()
		return err
	})
	return v
}

// viewDB runs fn in a read transaction of the database at path, opened read-only.
func viewDB(t *testing.T, path string, fn func(tx core.Tx) error) {
	t.Helper()
	db, err := storage.Open(path, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(fn); err != nil {
		t.Fatal(err)
	}
}

// TestE2E_DevFull: client list > /dev/full exits 1.
func TestE2E_DevFull(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	w := world(t)
	cmd := exec.Command(binary, "client", "list")
	cmd.Env = append(cleanEnv(), "EPICEVENTS_HOME="+w.home)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = full, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInternal || !strings.Contains(errOut.String(), "no space left on device") {
		t.Fatalf("client list > /dev/full: %v, stderr %q", err, errOut.String())
	}
}

// TestE2E_BackupAndExportAgree: backup and export treat a FILE alike — missing directories are
// made, an impossible FILE is exit 5 with a plain message, and "-" is standard output.
func TestE2E_BackupAndExportAgree(t *testing.T) {
	w := world(t)
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "exports", "june", "clients.csv")
	w.ok("", "export", "clients", "--csv", csvFile)
	expect(t, "lines of the export", len(readCSV(t, csvFile)), 5)
	wantPrivate(t, csvFile)
	copyFile := filepath.Join(dir, "backups", "june", "copy.db")
	w.ok("", "backup", copyFile)
	wantPrivate(t, copyFile)
	for _, d := range []string{filepath.Dir(csvFile), filepath.Dir(copyFile)} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a 0700 directory", d, fi.Mode(), err)
		}
	}

	notDir := filepath.Join(dir, "a-file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"export", "clients", "--csv", filepath.Join(notDir, "x.csv")}, {"backup", filepath.Join(notDir, "x.db")}} {
		_, errOut, code := run(t, w.home, "", args...)
		if code != exitInvalid || !strings.Contains(errOut, "cannot write "+filepath.Join(notDir, "x.")) ||
			strings.Contains(errOut, ".tmp-") || strings.Contains(errOut, "internal error") {
			t.Errorf("%v: exit %d, %q; want exit 5 and a plain message", args, code, errOut)
		}
	}

	// "-" is standard output for both; no file named "-" appears.
	cwd := t.TempDir()
	for _, args := range [][]string{{"backup", "-"}, {"export", "clients", "--csv", "-"}} {
		cmd := exec.Command(binary, args...)
		cmd.Env, cmd.Dir = append(cleanEnv(), "EPICEVENTS_HOME="+w.home), cwd
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil || errOut.Len() > 0 {
			t.Fatalf("%v: %v, %s", args, err, errOut.String())
		}
		if args[0] == "backup" {
			path := filepath.Join(t.TempDir(), "from-stdout.db")
			if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			expect(t, "collaborators in backup -", len(usersOf(t, path)), 6)
		} else if !strings.HasPrefix(out.String(), "id,full_name,") {
			t.Errorf("export --csv - printed %.40q", out.String())
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("files written in the working directory: %v", entries)
	}
}

// usersOf lists the collaborators of the database at path.
func usersOf(t *testing.T, path string) []core.User {
	t.Helper()
	var users []core.User
	viewDB(t, path, func(tx core.Tx) error {
		var err error
		users, _, err = tx.Users(core.UserFilter{})
		return err
	})
	return users
}
