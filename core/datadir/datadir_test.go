package datadir_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

func TestWriteFileAtomic(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "session")
		must(t, datadir.WriteFileAtomic(path, []byte("token-1"), 0o600))
		must(t, os.Chmod(path, 0o644))
		must(t, datadir.WriteFileAtomic(path, []byte("token-2"), 0o600))
		got, err := os.ReadFile(path)
		if err != nil || string(got) != "token-2" {
			t.Fatalf("content %q, %v", got, err)
		}
		if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v", fi.Mode().Perm())
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%d files left, want only the session file", len(entries))
		}
	})
	t.Run("ErrNoDirectory", func(t *testing.T) {
		if err := datadir.WriteFileAtomic(filepath.Join(t.TempDir(), "missing", "session"), []byte("x"), 0o600); err == nil {
			t.Fatal("wrote into a missing directory")
		}
	})
}

// The session file the window and the command line share: saved private, read back trimmed,
// absent reads as no session, removed twice without error.
func TestSession(t *testing.T) {
	dir := t.TempDir()
	if tok, err := datadir.ReadSession(dir); tok != "" || err != nil {
		t.Fatalf("no file: %q, %v", tok, err)
	}
	must(t, datadir.SaveSession(dir, "tok-123"))
	if b, _ := os.ReadFile(filepath.Join(dir, "session")); string(b) != "tok-123\n" {
		t.Errorf("file holds %q", b)
	}
	if tok, err := datadir.ReadSession(dir); tok != "tok-123" || err != nil {
		t.Errorf("read %q, %v", tok, err)
	}
	must(t, datadir.RemoveSession(dir))
	must(t, datadir.RemoveSession(dir))
	if datadir.Database(dir) != filepath.Join(dir, "epicevents.db") {
		t.Errorf("database path %s", datadir.Database(dir))
	}
}

// Lock takes the lock bbolt takes: refused while bbolt holds the file, and bbolt refused while
// Lock holds it.
func TestLock_SameAsBbolt(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		t.Skip("no file lock on " + runtime.GOOS)
	}
	path := filepath.Join(t.TempDir(), "epicevents.db")
	db, err := bbolt.Open(path, 0o600, nil)
	must(t, err)
	_, err = datadir.Lock(path, 100*time.Millisecond)
	if !errors.Is(err, datadir.ErrInUse) || core.CodeOf(err) != core.CodeInUse ||
		err.Error() != core.Text(core.CodeInUse, path) {
		t.Fatalf("locked by bbolt: %v", err)
	}
	must(t, db.Close())
	unlock, err := datadir.Lock(path, time.Second)
	must(t, err)
	if db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 100 * time.Millisecond}); err == nil {
		_ = db.Close()
		t.Fatal("bbolt opened a file Lock holds")
	}
	unlock()
	db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	must(t, err)
	must(t, db.Close())
}

// Swap keeps the current file under a dated name and puts the new one in place; Place puts a
// file where there was none and never over one.
func TestSwapAndPlace(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "epicevents.db")
	tmp := filepath.Join(dir, ".new")
	must(t, os.WriteFile(tmp, []byte("first"), 0o600))
	must(t, datadir.Place(tmp, dst))
	must(t, os.Remove(tmp)) // restore removes its copy once placed (a link to it)
	must(t, os.WriteFile(tmp, []byte("second"), 0o600))
	if err := datadir.Place(tmp, dst); err == nil {
		t.Fatal("Place replaced an existing database")
	}
	prev, err := datadir.Swap(tmp, dst)
	must(t, err)
	must(t, os.WriteFile(tmp, []byte("other"), 0o600))
	if b, _ := os.ReadFile(dst); string(b) != "second" {
		t.Errorf("database holds %q", b)
	}
	if b, _ := os.ReadFile(prev); string(b) != "first" || !strings.HasPrefix(filepath.Base(prev), "epicevents.db.") {
		t.Errorf("previous %s holds %q", prev, b)
	}
	if !datadir.SameFile(dst, filepath.Join(dir, ".", "epicevents.db")) || datadir.SameFile(dst, tmp) {
		t.Error("SameFile")
	}
}

// The window imports nothing of storage: the data directory's files come from this package.
func TestUI_NoStorageDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../ui/...").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/epicevents/crm/storage" || strings.HasPrefix(p, "go.etcd.io/bbolt") {
			t.Errorf("ui depends on %s", p)
		}
	}
	if !strings.Contains(string(out), "github.com/epicevents/crm/core/datadir") {
		t.Errorf("the listing does not show ui's dependencies:\n%s", out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
