//go:build linux || darwin || freebsd || netbsd || openbsd

package datadir

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryLock takes bbolt's lock on f without waiting (flock, exclusive); busy when another
// program holds it.
func tryLock(f *os.File) (busy bool, err error) {
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}

// openForLock opens path for its lock.
func openForLock(path string) (*os.File, error) { return os.OpenFile(path, os.O_RDWR, 0) }

// rename renames old to new, replacing new.
func rename(old, new string) error { return os.Rename(old, new) }
