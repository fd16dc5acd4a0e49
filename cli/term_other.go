//go:build !(linux || darwin || freebsd || netbsd || openbsd || windows)

package cli

import (
	"errors"
	"os"
)

// isTerminal reports false: on this system passwords are read with --password-stdin only.
func isTerminal(*os.File) bool { return false }

// readSecret is not available on this system.
func readSecret(*os.File) (string, error) {
	return "", errors.New("reading a password without echo is not supported here; use --password-stdin")
}
