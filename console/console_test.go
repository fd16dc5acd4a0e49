package console

import "testing"

func TestPlan(t *testing.T) {
	none, all := Streams{}, Streams{Stdin: true, Stdout: true, Stderr: true}
	for _, c := range []struct {
		name       string
		args       []string
		usable     Streams
		wantAttach bool
		wantRebind Streams
	}{
		// The window: never a console, whatever the streams.
		{"OKWindow", nil, none, false, none},
		{"OKWindowEmptyArgs", []string{}, none, false, none},
		// A command typed in cmd.exe or PowerShell: a GUI program has no stream at all.
		{"OKCommand", []string{"client", "list"}, none, true, all},
		{"OKHelp", []string{"--help"}, none, true, all},
		// "epicevents.exe client list > out.txt": the file is kept, stdin and stderr go to the
		// console (a password prompt still works).
		{"OKStdoutRedirected", []string{"client", "list"}, Streams{Stdout: true}, true, Streams{Stdin: true, Stderr: true}},
		// "type pw.txt | epicevents.exe login --password-stdin": the pipe is kept.
		{"OKStdinPiped", []string{"login", "--password-stdin"}, Streams{Stdin: true}, true, Streams{Stdout: true, Stderr: true}},
		// Everything redirected (a script, a scheduled task): no console is needed.
		{"OKAllRedirected", []string{"check"}, all, false, none},
	} {
		t.Run(c.name, func(t *testing.T) {
			attach, rebind := Plan(c.args, c.usable)
			if attach != c.wantAttach || rebind != c.wantRebind {
				t.Errorf("Plan(%q, %+v) = %v, %+v; want %v, %+v", c.args, c.usable, attach, rebind, c.wantAttach, c.wantRebind)
			}
		})
	}
}
