//go:build !(linux || darwin || freebsd || netbsd || openbsd || windows)

package datadir

import "os"

// tryLock cannot lock a file on this system.
func tryLock(*os.File) (bool, error) { return false, nil }

// openForLock opens path for its lock.
func openForLock(path string) (*os.File, error) { return os.OpenFile(path, os.O_RDWR, 0) }

// rename renames old to new, replacing new.
func rename(old, new string) error { return os.Rename(old, new) }
