//go:build linux || darwin || freebsd || netbsd || openbsd

package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/epicevents/crm/storage"
)

// lockFile takes the exclusive lock that bbolt takes on a database (flock), waiting up to
// timeout, and returns the function that releases it. restore uses it on a database too
// damaged for bbolt to open, so that no other program opens the file while it is replaced.
// Errors wrap storage.ErrInUse (storage.InUseError) when another program keeps the lock.
func lockFile(path string, timeout time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return func() { _ = f.Close() }, nil
		case !errors.Is(err, unix.EWOULDBLOCK):
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		case time.Now().After(deadline):
			_ = f.Close()
			return nil, storage.InUseError(path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
