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
// PowerShell, Windows Terminal) when args hold a command, and points the standard streams that
// were not redirected at that console: os.Stdin/os.Stdout/os.Stderr and the process's standard
// handles (which the Go runtime uses to print a panic). It returns an error when there is no
// parent console (started from Explorer or a shortcut), in which case nothing changes.
func Attach(args []string) error {
	attach, rebind := Plan(args, Streams{
		Stdin:  usable(windows.STD_INPUT_HANDLE),
		Stdout: usable(windows.STD_OUTPUT_HANDLE),
		Stderr: usable(windows.STD_ERROR_HANDLE),
	})
	if !attach {
		return nil
	}
	if r, _, err := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return fmt.Errorf("console: attach to the parent console: %w", err)
	}
	if rebind.Stdin {
		os.Stdin = reopen("CONIN$", windows.STD_INPUT_HANDLE, os.Stdin)
	}
	if rebind.Stdout {
		os.Stdout = reopen("CONOUT$", windows.STD_OUTPUT_HANDLE, os.Stdout)
	}
	if rebind.Stderr {
		os.Stderr = reopen("CONOUT$", windows.STD_ERROR_HANDLE, os.Stderr)
	}
	return nil
}

// usable reports whether the standard handle std is open on something: a file, a pipe, a
// character device or a console.
func usable(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, _ := windows.GetFileType(h)
	return t != windows.FILE_TYPE_UNKNOWN
}

// reopen opens the console device name (read and write, as console mode calls need), makes it
// the standard handle std and returns it; it returns old when the device cannot be opened.
func reopen(name string, std uint32, old *os.File) *os.File {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return old
	}
	_ = windows.SetStdHandle(std, windows.Handle(f.Fd()))
	return f
}
