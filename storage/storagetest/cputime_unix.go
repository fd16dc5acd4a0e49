//go:build unix

package storagetest

import (
	"syscall"
	"time"
)

// CPUTime is the processor time this process has used, all threads, user and system. Other
// programs on a shared machine do not count in it, as they do in the wall-clock time: the
// benchmarks report it beside the wall clock, and the login timing test compares it.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
