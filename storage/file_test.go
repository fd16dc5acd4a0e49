package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
	}
}

func wantOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only %s", names, name)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "session")
		if err := WriteFileAtomic(path, []byte("token-1"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("token-2"), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != "token-2" {
			t.Fatalf("content %q, %v", got, err)
		}
		wantMode(t, path, 0o600)
		wantOnlyFile(t, dir, "session")
	})
	t.Run("ErrNoDirectory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "session")
		if err := WriteFileAtomic(path, []byte("x"), 0o600); err == nil {
			t.Fatal("wrote into a missing directory")
		}
	})
}

func TestDB_Backup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		f := mustFixture(t, db)
		dir := filepath.Join(t.TempDir(), "backups")
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
		if err := db.Backup(path); err != nil {
			t.Fatal(err)
		}
		wg.Wait()

		wantMode(t, path, 0o600)
		wantOnlyFile(t, dir, "copy.db")
		backup, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer backup.Close()
		if err := backup.Check(); err != nil {
			t.Fatal(err)
		}
		mustView(t, backup, func(tx core.Tx) error {
			if _, err := tx.Event(f.e.ID); err != nil {
				t.Error(err)
			}
			return nil
		})
	})
	t.Run("ErrSameFile", func(t *testing.T) {
		db := mustOpen(t)
		if err := db.Backup(db.Path()); err == nil {
			t.Fatal("backup over the database succeeded")
		}
		if err := db.Backup(filepath.Join(filepath.Dir(db.Path()), ".", filepath.Base(db.Path()))); err == nil {
			t.Fatal("backup over the database succeeded")
		}
	})
}
