//go:build !windows

package console

// Attach does nothing on this system: a program started from a terminal already has it as its
// standard streams.
func Attach(args []string) error { return nil }
