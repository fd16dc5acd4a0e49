package storage

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

// localState gives db a session signing key and a login-throttling record, the laptop-local
// state that must not leave it, and returns the key.
func localState(t *testing.T, db *DB) []byte {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := tx.SetSigningKey(key); err != nil {
			return err
		}
		return tx.PutThrottle("anne@example.com", core.Throttle{Failures: 3})
	})
	return key
}

// openCopy opens a backup read-only and checks it.
func openCopy(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Check(); err != nil {
		t.Fatalf("check the copy: %v", err)
	}
	return db
}

func TestDB_Backup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		f := mustFixture(t, db)
		key := localState(t, db)
		dir := filepath.Join(t.TempDir(), "backups", "june") // missing directories are made
		path := filepath.Join(dir, "copy.db")

		// Writers keep going during the backup.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				_ = db.Update(func(tx core.Tx) error {
					return tx.PutClient(newClient("Hot", fmt.Sprintf("hot%d@example.com", i), uuid.New()))
				})
			}
		}()
		n, err := db.Backup(core.Destination{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if n < 5 || n > 25 {
			t.Errorf("backup counted %d records, want the 5 of the fixture and some of the 20 added", n)
		}
		wantMode(t, path, 0o600)
		wantMode(t, dir, 0o700)
		wantOnlyFile(t, dir, "copy.db")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, key) {
			t.Fatal("the backup file holds the session signing key")
		}
		backup := openCopy(t, path)
		mustView(t, backup, func(tx core.Tx) error {
			if _, err := tx.Event(f.e.ID); err != nil {
				t.Error(err)
			}
			if v, err := tx.SigningKey(); err != nil || v != nil {
				t.Errorf("signing key in the copy: %x, %v", v, err)
			}
			if th, err := tx.Throttle("anne@example.com"); err != nil || th.Failures != 0 {
				t.Errorf("throttle in the copy: %+v, %v", th, err)
			}
			return nil
		})
	})
	t.Run("OKSequencesKept", func(t *testing.T) {
		db := mustOpen(t)
		mustFixture(t, db)
		path := filepath.Join(t.TempDir(), "copy.db")
		if _, err := db.Backup(core.Destination{Path: path}); err != nil {
			t.Fatal(err)
		}
		copyDB, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer copyDB.Close()
		e := core.AuditEntry{At: t0, Action: "update"}
		mustUpdate(t, copyDB, func(tx core.Tx) error { return tx.AppendAudit(&e) })
		if e.Seq != 2 {
			t.Errorf("the copy's next audit entry is number %d, want 2", e.Seq)
		}
	})
	t.Run("OKStream", func(t *testing.T) {
		db := mustOpen(t)
		f := mustFixture(t, db)
		key := localState(t, db)
		var buf bytes.Buffer
		n, err := db.Backup(core.Destination{Writer: &buf})
		if err != nil || n != 5 {
			t.Fatalf("backup to a stream: %d records, %v", n, err)
		}
		if bytes.Contains(buf.Bytes(), key) {
			t.Fatal("the backup holds the session signing key")
		}
		path := filepath.Join(t.TempDir(), "from-stream.db")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		mustView(t, openCopy(t, path), func(tx core.Tx) error { _, err := tx.Client(f.kevin.ID); return err })
		wantOnlyFile(t, filepath.Dir(db.Path()), "epicevents.db") // the temporary copy is gone
	})
	t.Run("OKFIFO", func(t *testing.T) {
		db := mustOpen(t)
		mustFixture(t, db)
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := mkfifo(fifo); err != nil {
			t.Skip("no FIFO here:", err)
		}
		got := readFIFO(t, fifo)
		if _, err := db.Backup(core.Destination{Path: fifo}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "from-fifo.db")
		if err := os.WriteFile(path, <-got, 0o600); err != nil {
			t.Fatal(err)
		}
		openCopy(t, path)
		wantSpecial(t, fifo, fs.ModeNamedPipe)
	})
	t.Run("OKCharDevice", func(t *testing.T) {
		db := mustOpen(t)
		mustFixture(t, db)
		null := mustDevNull(t)
		if _, err := db.Backup(core.Destination{Path: null}); err != nil {
			t.Fatal(err)
		}
		wantSpecial(t, null, fs.ModeCharDevice)
	})
	t.Run("ErrOwnFiles", func(t *testing.T) {
		wantOwnFilesRefused(t, func(db *DB, path string) error {
			_, err := db.Backup(core.Destination{Path: path})
			return err
		})
	})
	t.Run("ErrDirectory", func(t *testing.T) {
		db := mustOpen(t)
		_, err := db.Backup(core.Destination{Path: t.TempDir()})
		wantKind(t, err, core.Invalid)
	})
}

func TestDB_WriteExport(t *testing.T) {
	data := []byte("name\nKevin\n")
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		path := filepath.Join(t.TempDir(), "missing", "clients.csv")
		if err := db.WriteExport(core.Destination{Path: path}, data); err != nil {
			t.Fatal(err)
		}
		wantMode(t, path, 0o600)
		if b, _ := os.ReadFile(path); !bytes.Equal(b, data) {
			t.Fatalf("content %q", b)
		}
	})
	t.Run("OKThroughLink", func(t *testing.T) {
		db := mustOpen(t)
		dir := t.TempDir()
		target := filepath.Join(dir, "2027.csv")
		link := filepath.Join(dir, "latest.csv")
		if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("2027.csv", link); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteExport(core.Destination{Path: link}, data); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatal("the link was replaced")
		}
		if b, _ := os.ReadFile(target); !bytes.Equal(b, data) {
			t.Fatalf("the link's target holds %q", b)
		}
	})
	t.Run("OKFIFO", func(t *testing.T) {
		db := mustOpen(t)
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := mkfifo(fifo); err != nil {
			t.Skip("no FIFO here:", err)
		}
		got := readFIFO(t, fifo)
		if err := db.WriteExport(core.Destination{Path: fifo}, data); err != nil {
			t.Fatal(err)
		}
		if b := <-got; !bytes.Equal(b, data) {
			t.Fatalf("the reader got %q", b)
		}
		wantSpecial(t, fifo, fs.ModeNamedPipe)
	})
	t.Run("OKCharDevice", func(t *testing.T) {
		db := mustOpen(t)
		null := mustDevNull(t)
		if err := db.WriteExport(core.Destination{Path: null}, data); err != nil {
			t.Fatal(err)
		}
		wantSpecial(t, null, fs.ModeCharDevice)
	})
	t.Run("ErrOwnFiles", func(t *testing.T) {
		wantOwnFilesRefused(t, func(db *DB, path string) error {
			return db.WriteExport(core.Destination{Path: path}, data)
		})
	})
	t.Run("ErrNotADirectory", func(t *testing.T) {
		db := mustOpen(t)
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err := db.WriteExport(core.Destination{Path: filepath.Join(file, "x.csv")}, data)
		wantKind(t, err, core.Invalid)
		if msg := err.Error(); bytes.Contains([]byte(msg), []byte(".tmp-")) {
			t.Errorf("the message names a temporary file: %s", msg)
		}
	})
}

// wantOwnFilesRefused checks that write refuses each of the database's own files (Invalid)
// and leaves the database and the session file as they were.
func wantOwnFilesRefused(t *testing.T, write func(db *DB, path string) error) {
	t.Helper()
	db := mustOpen(t)
	mustFixture(t, db)
	for name, path := range ownFiles(t, db) {
		before := fileSum(t, db.Path())
		if err := write(db, path); core.KindOf(err) != core.Invalid {
			t.Errorf("%s: writing %s: %v, want Invalid", name, path, err)
		}
		if fileSum(t, db.Path()) != before {
			t.Fatalf("%s: the database file changed", name)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(filepath.Dir(db.Path()), datadir.SessionFile)); string(b) != "token\n" {
		t.Fatalf("the session file holds %q", b)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

// ownFiles returns paths that are, or would replace, one of db's own files, by name.
func ownFiles(t *testing.T, db *DB) map[string]string {
	t.Helper()
	dir := filepath.Dir(db.Path())
	session := filepath.Join(dir, datadir.SessionFile)
	if err := os.WriteFile(session, []byte("token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bak := db.Path() + ".20270101-120000.bak"
	if err := os.Link(db.Path(), bak); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	hard := filepath.Join(other, "hard.db")
	if err := os.Link(db.Path(), hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(other, "soft.db")
	if err := os.Symlink(db.Path(), soft); err != nil {
		t.Fatal(err)
	}
	dirLink := filepath.Join(other, "home-link")
	if err := os.Symlink(dir, dirLink); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"the database":               db.Path(),
		"the database, dotted":       filepath.Join(dir, ".", "epicevents.db"),
		"a hard link":                hard,
		"a symbolic link":            soft,
		"through a linked dir":       filepath.Join(dirLink, "epicevents.db"),
		"the session file":           session,
		"a restore's copy":           bak,
		"a new sibling":              db.Path() + ".lock",
		"a sibling via linked dir":   filepath.Join(dirLink, "epicevents.db-wal"),
		"the session via linked dir": filepath.Join(dirLink, datadir.SessionFile),
	}
}

// readFIFO reads everything written to the FIFO at path, in the background.
func readFIFO(t *testing.T, path string) <-chan []byte {
	t.Helper()
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	return got
}

// mustDevNull makes a null character device in a temporary directory (root only), so that a
// test that fails does not replace the system's /dev/null.
func mustDevNull(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "null")
	if err := mknodNull(path); err != nil {
		t.Skip("cannot make a device node here:", err)
	}
	return path
}

// wantSpecial fails unless path is still a file of the given kind.
func wantSpecial(t *testing.T, path string, kind fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&kind == 0 {
		t.Fatalf("%s is no longer a %v: %v, %v", path, kind, fi.Mode(), err)
	}
}

func TestDB_DropLocalState(t *testing.T) {
	db := mustOpen(t)
	mustFixture(t, db)
	localState(t, db)
	n, err := db.DropLocalState()
	if err != nil || n != 5 {
		t.Fatalf("drop local state: %d records, %v", n, err)
	}
	mustView(t, db, func(tx core.Tx) error {
		if v, _ := tx.SigningKey(); v != nil {
			t.Error("the signing key is still there")
		}
		if th, _ := tx.Throttle("anne@example.com"); th.Failures != 0 {
			t.Error("the throttle is still there")
		}
		return nil
	})
}
