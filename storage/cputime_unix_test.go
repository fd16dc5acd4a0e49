//go:build unix

package storage_test

import (
	"syscall"
	"time"
)

// cpuTime is the processor time the process has used, all threads, user and system: on a
// machine shared with other work it varies much less than the wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
