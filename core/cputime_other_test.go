//go:build !unix

package core_test

import "time"

// cpuTime is not measured here: the timing test falls back to the wall-clock time.
func cpuTime() time.Duration { return 0 }
