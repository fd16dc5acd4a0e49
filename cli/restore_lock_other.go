//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package cli

import "time"

// lockFile cannot lock a file on this system: restore replaces a database that bbolt cannot
// open without holding its lock there (a database that opens is always locked by bbolt).
func lockFile(string, time.Duration) (func(), error) { return func() {}, nil }
