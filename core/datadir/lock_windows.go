package datadir

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// openForLock opens path for its lock, sharing deletion, so that the restored copy can be
// renamed over it while the lock is held.
func openForLock(path string) (*os.File, error) {
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// tryLock takes bbolt's lock on f without waiting: LockFileEx, exclusive, on the byte range
// bbolt locks (offset -1, one byte; go.etcd.io/bbolt bolt_windows.go), so that bbolt in another
// program sees the file in use. busy when another program holds it.
func tryLock(f *os.File) (busy bool, err error) {
	const m1 = ^uint32(0) // -1 in a uint32
	err = windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
		&windows.Overlapped{Offset: m1, OffsetHigh: m1})
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true, nil
	}
	return false, err
}

// rename renames old over new with MoveFileEx (os.Rename: MOVEFILE_REPLACE_EXISTING), retrying
// for a moment while another program (an antivirus, the indexer) has new open without sharing
// deletion: Windows then refuses with access denied or a sharing violation.
func rename(old, new string) error {
	var err error
	for i := 0; i < 20; i++ {
		err = os.Rename(old, new)
		if err == nil || !(errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}
