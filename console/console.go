// Package console connects the Windows build of Epic Events CRM to the console it was started
// from. That build is a GUI-subsystem program (no console window opens behind the desktop
// application), so Windows gives it no console: without this package, "epicevents.exe client
// list" typed in cmd.exe or PowerShell would print nothing.
//
// The decision (when to attach, which streams to rebind) is portable and tested everywhere;
// only Attach's system calls are Windows code, and Attach does nothing on other systems.
package console

// Streams names some of the three standard streams: a true field means "this one".
type Streams struct {
	Stdin, Stdout, Stderr bool
}

// Plan decides what Attach does. args are the command-line arguments without the program name;
// usable says which standard streams the process already has (a file, a pipe or a console
// handed over by whoever started it, as with "epicevents.exe client list > clients.txt").
//
// With no argument the program opens the window: nothing is attached and nothing rebound.
// With a command, the streams that are not usable are rebound to the parent's console, and the
// console is attached only when at least one stream needs it. Streams redirected by the caller
// are kept as they are.
func Plan(args []string, usable Streams) (attach bool, rebind Streams) {
	if len(args) == 0 {
		return false, Streams{}
	}
	rebind = Streams{Stdin: !usable.Stdin, Stdout: !usable.Stdout, Stderr: !usable.Stderr}
	return rebind != Streams{}, rebind
}
