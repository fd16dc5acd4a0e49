package console

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1.
const attachParentProcess = ^uint32(0)

// procAttachConsole is kernel32's AttachConsole, which golang.org/x/sys/windows does not wrap.
var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// Attach attaches the process to the console of the program that started it (cmd.exe,
// PowerShell, Windows Terminal) when args hold a command, and points the standard streams at
// that console as Plan says: os.Stdin/os.Stdout/os.Stderr and the process's standard handles
// (which the Go runtime uses to print a panic). It returns an error when there is no parent
// console (started from Explorer or a shortcut), in which case nothing changes.
func Attach(args []string) error {
	attach, act := Plan(args, Handles{
		Stdin:  handleKind(windows.STD_INPUT_HANDLE),
		Stdout: handleKind(windows.STD_OUTPUT_HANDLE),
		Stderr: handleKind(windows.STD_ERROR_HANDLE),
	})
	if !attach {
		return nil
	}
	if r, _, err := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return fmt.Errorf("console: attach to the parent console: %w", err)
	}
	os.Stdin = apply(act.Stdin, "CONIN$", windows.STD_INPUT_HANDLE, os.Stdin)
	os.Stdout = apply(act.Stdout, "CONOUT$", windows.STD_OUTPUT_HANDLE, os.Stdout)
	os.Stderr = apply(act.Stderr, "CONOUT$", windows.STD_ERROR_HANDLE, os.Stderr)
	return nil
}

// handleKind tells what the standard handle std is open on. GetFileType says "unknown" for a
// handle that is not open (a GUI program started without redirection gets none).
func handleKind(std uint32) Handle {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return Missing
	}
	switch t, _ := windows.GetFileType(h); t {
	case windows.FILE_TYPE_DISK, windows.FILE_TYPE_PIPE:
		return Redirected
	case windows.FILE_TYPE_CHAR:
		return Char
	}
	return Missing
}

// apply does act on the standard stream std, now that the console is attached, and returns
// the stream's file: the console device (opened read and write, as console mode calls need)
// for Reopen, the inherited handle wrapped again for Renew when it is a console, else old.
func apply(act Action, device string, std uint32, old *os.File) *os.File {
	switch act {
	case Reopen:
		f, err := os.OpenFile(device, os.O_RDWR, 0)
		if err != nil {
			return old
		}
		_ = windows.SetStdHandle(std, windows.Handle(f.Fd()))
		return f
	case Renew:
		h, err := windows.GetStdHandle(std)
		var mode uint32
		if err != nil || windows.GetConsoleMode(h, &mode) != nil { // NUL, not a console
			return old
		}
		return os.NewFile(uintptr(h), device)
	}
	return old
}
