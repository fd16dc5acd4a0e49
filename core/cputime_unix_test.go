//go:build unix

package core_test

import (
	"syscall"
	"time"
)

// cpuTime is the processor time this process has used, all threads, user and system. Other
// programs on a shared machine do not count in it, as they do in the wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
