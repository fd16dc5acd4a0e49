//go:build linux || darwin || freebsd || netbsd || openbsd

package cli

import (
	"os"
	"syscall"
	"testing"
)

// TestGuardTerminal: the terminal's state is put back once the read ends, and also when a
// signal arrives during the read, before the program is ended as the signal would end it.
func TestGuardTerminal(t *testing.T) {
	restored := 0
	done := guardTerminal(func() { restored++ }, func(os.Signal) { t.Error("interrupted without a signal") }, syscall.SIGUSR1)
	done()
	if restored != 1 {
		t.Errorf("after the read: restored %d times, want 1", restored)
	}

	restores := make(chan struct{}, 2)
	got := make(chan os.Signal, 1)
	done = guardTerminal(func() { restores <- struct{}{} }, func(s os.Signal) { got <- s }, syscall.SIGUSR1)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != syscall.SIGUSR1 {
		t.Errorf("interrupted by %v, want SIGUSR1", s)
	}
	if len(restores) != 1 {
		t.Errorf("when interrupted: restored %d times before the end, want 1", len(restores))
	}
	done()
}
