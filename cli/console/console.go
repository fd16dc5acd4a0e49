// Package console connects the Windows build of Epic Events CRM to the console it was started
// from. That build is a GUI-subsystem program (no console window opens behind the desktop
// application), so Windows gives it no console: without this package, "epicevents.exe client
// list" typed in cmd.exe or PowerShell would print nothing.
//
// The decision (when to attach, which streams to rebind) is portable and tested everywhere;
// only Attach's system calls are Windows code, and Attach does nothing on other systems.
package console

// Handle says what one standard handle of the process is open on when it starts.
type Handle int

const (
	// Missing is no handle: what a GUI-subsystem program gets when started from a console
	// without redirection.
	Missing Handle = iota
	// Char is a character device: a console (which the process can use only once attached to
	// it) or NUL.
	Char
	// Redirected is a file or a pipe: "> clients.txt", "| findstr", a script's capture.
	Redirected
)

// Handles are the three standard handles.
type Handles struct {
	Stdin, Stdout, Stderr Handle
}

// Action is what Attach does with one standard stream.
type Action int

const (
	// Keep leaves the stream as it is.
	Keep Action = iota
	// Reopen points the stream at the attached console (CONIN$ or CONOUT$).
	Reopen
	// Renew wraps the inherited handle again once the console is attached, when it is that
	// console (not NUL): Go checks whether a handle is a console when it wraps it, and writes
	// to a console in UTF-16 so that accented names print right.
	Renew
)

// Actions are the actions on the three standard streams.
type Actions struct {
	Stdin, Stdout, Stderr Action
}

// Plan decides what Attach does. args are the command-line arguments without the program name;
// h says what the standard handles are open on.
//
// With no argument the program opens the window: nothing is attached and every stream kept.
// With a command, the process attaches to its parent's console when a handle is missing (the
// stream is then reopened on that console) or is a character device (a console, usable only
// once attached, is renewed). Handles redirected to a file or a pipe are kept as they are, and
// when all three are, no console is needed.
func Plan(args []string, h Handles) (attach bool, act Actions) {
	if len(args) == 0 || (h.Stdin == Redirected && h.Stdout == Redirected && h.Stderr == Redirected) {
		return false, Actions{}
	}
	return true, Actions{Stdin: action(h.Stdin), Stdout: action(h.Stdout), Stderr: action(h.Stderr)}
}

func action(h Handle) Action {
	switch h {
	case Missing:
		return Reopen
	case Char:
		return Renew
	}
	return Keep
}
