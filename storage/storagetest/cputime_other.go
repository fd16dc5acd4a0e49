//go:build !unix

package storagetest

import "time"

// CPUTime is not measured here: it is 0, and its users fall back to the wall clock.
func CPUTime() time.Duration { return 0 }
