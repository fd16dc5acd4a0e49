package storage

// Regression tests of the damage the store refuses cleanly: each used to crash, hang or answer
// with a misleading error (see checkFile, checkPages, verifyTree and errCorrupt).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// patchFile changes bytes of a closed database file at offset at.
func patchFile(t *testing.T, path string, at int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// pageOfType returns the id of the first page in use of type typ ("branch", "leaf",
// "freelist").
func pageOfType(t *testing.T, db *DB, typ string) int {
	t.Helper()
	id := -1
	if err := db.bolt.View(func(tx *bbolt.Tx) error {
		for i := 2; id < 0; i++ {
			info, err := tx.Page(i)
			if err != nil || info == nil {
				return fmt.Errorf("no %s page: %v", typ, err)
			}
			if info.Type == typ {
				id = i
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// bigDB writes enough users for branch pages, closes the database and returns its path and the
// first page of type typ.
func bigDB(t *testing.T, typ string) (string, int) {
	t.Helper()
	db, path := openWithUsers(t, 1500)
	id := pageOfType(t, db, typ)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, id
}

// wantDamaged fails unless err wraps ErrDamaged and names path.
func wantDamaged(t *testing.T, what string, err error, path string) {
	t.Helper()
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "the database is damaged: "+path) {
		t.Errorf("%s: %v, want ErrDamaged naming %s", what, err, path)
	}
}

func TestDB_Check_WildPages(t *testing.T) {
	page := int64(os.Getpagesize())
	for name, patch := range map[string][]byte{
		"KeyPastThePage":   {4: 0x00, 5: 0xff, 6: 0xff, 7: 0x7f},     // pos of the first element
		"ValuePastThePage": {12: 0xff, 13: 0xff, 14: 0xff, 15: 0x0f}, // its value's size
	} {
		t.Run(name, func(t *testing.T) {
			path, id := bigDB(t, "leaf")
			patchFile(t, path, int64(id)*page+pageHeaderLen, patch)
			db, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Without checkPages, bbolt's check read the key or value on its own goroutine and
			// the memory fault ended the test binary.
			var ce *CheckError
			if err := db.Check(); !errors.As(err, &ce) || !strings.Contains(ce.Error(), fmt.Sprintf("page %d: element 0", id)) {
				t.Fatalf("check: %v, want the damaged page reported", err)
			}
		})
	}
}

func TestOpen_DamagedFiles(t *testing.T) {
	page := int64(os.Getpagesize())
	t.Run("Truncated", func(t *testing.T) {
		path, _ := bigDB(t, "leaf")
		if err := os.Truncate(path, 3*page); err != nil {
			t.Fatal(err)
		}
		wantOpenDamaged(t, path)
	})
	t.Run("FreelistOverwritten", func(t *testing.T) {
		path, id := bigDB(t, "freelist")
		patchFile(t, path, int64(id)*page, make([]byte, pageHeaderLen))
		wantOpenDamaged(t, path)
	})
	t.Run("BranchCycle", func(t *testing.T) {
		// A branch page whose first child is itself: bbolt's cursor would descend forever
		// on the first listing of the bucket.
		path, id := bigDB(t, "branch")
		patchFile(t, path, int64(id)*page+pageHeaderLen+8, binary.LittleEndian.AppendUint64(nil, uint64(id)))
		wantOpenDamaged(t, path)
	})
	t.Run("EmptyReadOnly", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "epicevents.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(path, Options{ReadOnly: true})
		wantDamaged(t, "open an empty file read-only", err, path)
	})
	t.Run("NoSchemaVersionReadOnly", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "epicevents.db")
		bdb, err := bbolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := bdb.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = Open(path, Options{ReadOnly: true})
		wantDamaged(t, "open a file without schema version read-only", err, path)
	})
}

// wantOpenDamaged opens path twice each way: every open must say the database is damaged, none
// that it is in use (an open that panicked must not keep the file locked).
func wantOpenDamaged(t *testing.T, path string) {
	t.Helper()
	for i, ro := range []bool{true, false, true, false} {
		_, err := Open(path, Options{ReadOnly: ro, Timeout: 200 * time.Millisecond})
		wantDamaged(t, fmt.Sprintf("open %d (read-only %v)", i+1, ro), err, path)
	}
}

func TestTx_DamagedRecord(t *testing.T) {
	db := mustOpenUnchecked(t)
	f := mustFixture(t, db)
	// Garbage where the client was: its seal fails.
	breakDB(t, db, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketClients).Put(f.kevin.ID[:], []byte{formatV2, 0xff})
	})
	t.Run("ListHidesAndCounts", func(t *testing.T) {
		mustView(t, db, func(tx core.Tx) error {
			for name, f := range map[string]core.ClientFilter{"all": {}, "mine": {CommercialID: f.anne.ID}, "limited": {Limit: 5}} {
				got, hidden, err := tx.Clients(f)
				if err != nil || len(got) != 0 || hidden != 1 {
					t.Errorf("%s: %d clients, %d hidden, %v; want 0, 1 hidden", name, len(got), hidden, err)
				}
			}
			return nil
		})
	})
	t.Run("ErrDamagedDirectRead", func(t *testing.T) {
		err := db.View(func(tx core.Tx) error {
			_, err := tx.Client(f.kevin.ID)
			return err
		})
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Kind != core.Damaged || ce.Code != core.CodeRecordDamaged ||
			ce.Record != core.ClientRecord || ce.ID != f.kevin.ID {
			t.Fatalf("read a damaged client: %#v", err)
		}
		if !strings.Contains(err.Error(), "client "+f.kevin.ID.String()) || errors.Is(err, ErrDamaged) {
			t.Errorf("message %q: want the record named, not the whole file damaged", err)
		}
	})
	t.Run("ErrDamagedWrites", func(t *testing.T) {
		c := *f.kevin
		err := db.Update(func(tx core.Tx) error { return tx.PutClient(&c) })
		wantKind(t, err, core.Damaged)
		err = db.Update(func(tx core.Tx) error { return tx.DeleteClient(c.ID) })
		wantKind(t, err, core.Damaged)
	})
	t.Run("CheckNamesIt", func(t *testing.T) {
		err := db.Check()
		if err == nil || !strings.Contains(err.Error(), "damaged client "+f.kevin.ID.String()) {
			t.Fatalf("check: %v", err)
		}
	})
}

// mustOpenUnchecked opens a new database that the test damages on purpose.
func mustOpenUnchecked(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "epicevents.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
