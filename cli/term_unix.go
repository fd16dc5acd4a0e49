//go:build linux || darwin || freebsd || netbsd || openbsd

package cli

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

// readSecret reads one line typed at the terminal f with echo turned off. The terminal's state
// is restored afterwards, also when Ctrl+C interrupts the typing (the signal is then raised
// again, so the program ends as it would have).
func readSecret(f *os.File) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return "", err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return "", err
	}
	restore := func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, old) }
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, unix.SIGINT, unix.SIGTERM)
	done := make(chan struct{})
	defer func() {
		signal.Stop(sig)
		close(done)
		restore()
	}()
	go func() {
		select {
		case s := <-sig:
			restore()
			signal.Stop(sig)
			_ = unix.Kill(unix.Getpid(), s.(unix.Signal))
		case <-done:
		}
	}()
	return readTerminalLine(f, true)
}
