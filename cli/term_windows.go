package cli

import (
	"os"

	"golang.org/x/sys/windows"
)

// statusControlCExit is STATUS_CONTROL_C_EXIT (0xC000013A) as a signed 32-bit exit code: how a
// console program ends when Ctrl+C is pressed.
const statusControlCExit = -1073741510

// isTerminal reports whether f is a console (a pipe, a file or NUL is not).
func isTerminal(f *os.File) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(f.Fd()), &mode) == nil
}

// readSecret reads one line typed at the console f with echo turned off (secretConsoleMode).
// The console's mode is restored afterwards, also when Ctrl+C interrupts the typing (the
// program then ends as Ctrl+C ends it): the console belongs to cmd.exe or PowerShell, which
// would otherwise stay without echo.
func readSecret(f *os.File) (string, error) {
	h := windows.Handle(f.Fd())
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return "", err
	}
	if err := windows.SetConsoleMode(h, secretConsoleMode(old)); err != nil {
		return "", err
	}
	restore := func() { _ = windows.SetConsoleMode(h, old) }
	defer guardTerminal(restore, func(os.Signal) { os.Exit(statusControlCExit) }, os.Interrupt)()
	return readTerminalLine(f, false)
}
