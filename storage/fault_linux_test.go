//go:build linux

package storage

// A full disk, for real: as root, the database lives on a small tmpfs that a filler file fills
// up (ENOSPC); otherwise the process's file-size limit (RLIMIT_FSIZE) is lowered to a few
// times the database's size, so the kernel refuses to grow the file (EFBIG) when a commit needs
// more pages — Go ignores SIGXFSZ, so the failure comes back as an error. The limit holds for
// every file of the process, the test log of `go test` included, which could then fail to grow:
// the tmpfs is preferred.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage/storagetest"
)

// limitFileSize lowers the soft file-size limit of the process to n bytes and returns the
// function that lifts it again ("space is back"); the test's cleanup lifts it too.
func limitFileSize(t *testing.T, n uint64) func() {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	lift := func() {
		once.Do(func() {
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(lift)
	return lift
}

// errMonitor records the errors reported to monitoring.
type errMonitor struct {
	core.NopMonitor
	errs []error
}

func (m *errMonitor) Error(err error, _ *core.Actor) { m.errs = append(m.errs, err) }

// snapshot is what a failed commit must leave as it was.
type snapshot struct{ clients, audit int }

func takeSnapshot(t *testing.T, db *DB) snapshot {
	t.Helper()
	var s snapshot
	mustView(t, db, func(tx core.Tx) error {
		c, _, err := tx.Clients(core.ClientFilter{})
		if err != nil {
			return err
		}
		a, _, err := tx.Audit(core.AuditFilter{})
		s = snapshot{clients: len(c), audit: len(a)}
		return err
	})
	return s
}

func TestDB_DiskFull(t *testing.T) {
	dir, tmpfsErr := storagetest.Tmpfs(t, 16<<20)
	if tmpfsErr != nil {
		t.Logf("%v: the file-size limit stands for a full disk", tmpfsErr)
		dir = t.TempDir()
	}
	w := newCrashWorld(t, filepath.Join(dir, "epicevents.db"))
	db, err := Open(w.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mon := &errMonitor{}
	svc := core.NewService(db, core.Options{Monitor: mon})
	a, err := svc.Resume(w.token)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Repeat("A long note about the client. ", 300)
	create := func(i int) error {
		_, err := svc.CreateClient(a, core.ClientInput{FullName: "Client", Email: fmt.Sprintf("c%d@example.com", i),
			Phone: "0123456789", CompanyName: "Company", Notes: notes, CommercialID: w.commercial})
		return err
	}
	size := fileSize(t, w.path)
	limit := 3 * size // room for some writes, not for the file to double twice
	var lift func()
	if tmpfsErr == nil {
		lift, limit = storagetest.FillDisk(t, dir), 1<<62
	} else {
		lift = limitFileSize(t, uint64(limit))
	}

	written, failed := 0, error(nil)
	for i := 0; i < 1000 && failed == nil; i++ {
		before := takeSnapshot(t, db)
		if failed = create(i); failed != nil {
			if after := takeSnapshot(t, db); after != before {
				t.Errorf("the failed commit changed the database: %+v → %+v", before, after)
			}
			break
		}
		written++
	}
	if failed == nil {
		t.Fatal("no commit failed with the file size limited")
	}
	t.Logf("%d clients written, then: %v", written, failed)
	if core.KindOf(failed) != core.Internal || !diskFull(failed) {
		t.Errorf("error %v: want an internal error naming the cause", failed)
	}
	// People are told the disk is full, in both faces, not "internal error: … file too large".
	if core.CodeOf(failed) != core.CodeDiskFull || !errors.Is(failed, ErrDiskFull) ||
		core.MessageOf(failed) != core.Text(core.CodeDiskFull) {
		t.Errorf("error %v (code %q, message %q): want the disk-full code and its plain message",
			failed, core.CodeOf(failed), core.MessageOf(failed))
	}
	if len(mon.errs) != 1 {
		t.Errorf("%d errors reported to monitoring, want 1", len(mon.errs))
	}
	if fileSize(t, w.path) > limit {
		t.Errorf("the file grew past the limit")
	}
	if err := db.Check(); err != nil {
		t.Fatalf("check after the failed commit: %v", err)
	}

	lift()
	before := takeSnapshot(t, db)
	if err := create(1000); err != nil {
		t.Fatalf("write once space is back: %v", err)
	}
	if after := takeSnapshot(t, db); after.clients != before.clients+1 || after.audit != before.audit+1 {
		t.Errorf("after the retry: %+v → %+v, want one client and one audit entry more", before, after)
	}
	if err := db.Check(); err != nil {
		t.Fatalf("check after the retry: %v", err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
