package console

import "testing"

func TestPlan(t *testing.T) {
	keep, reopen := Actions{}, Actions{Reopen, Reopen, Reopen}
	missing := Handles{}
	for _, c := range []struct {
		name       string
		args       []string
		h          Handles
		wantAttach bool
		wantAct    Actions
	}{
		// The window: never a console, whatever the handles.
		{"OKWindow", nil, missing, false, keep},
		{"OKWindowEmptyArgs", []string{}, Handles{Char, Char, Char}, false, keep},
		// A command typed in cmd.exe or PowerShell: a GUI program gets no handle at all.
		{"OKCommand", []string{"client", "list"}, missing, true, reopen},
		{"OKHelp", []string{"--help"}, missing, true, reopen},
		// "epicevents.exe client list > out.txt": the file is kept, stdin and stderr go to the
		// console (a password prompt still works).
		{"OKStdoutRedirected", []string{"client", "list"}, Handles{Stdout: Redirected}, true, Actions{Reopen, Keep, Reopen}},
		// "type pw.txt | epicevents.exe login --password-stdin": the pipe is kept.
		{"OKStdinPiped", []string{"login", "--password-stdin"}, Handles{Stdin: Redirected}, true, Actions{Keep, Reopen, Reopen}},
		// A shell that hands over its console handles while capturing stdout: they work only
		// once the process is attached to that console, and are wrapped again then.
		{"OKConsoleHandles", []string{"login"}, Handles{Char, Redirected, Char}, true, Actions{Renew, Keep, Renew}},
		// Everything redirected (a script, a scheduled task): no console is needed.
		{"OKAllRedirected", []string{"check"}, Handles{Redirected, Redirected, Redirected}, false, keep},
	} {
		t.Run(c.name, func(t *testing.T) {
			attach, act := Plan(c.args, c.h)
			if attach != c.wantAttach || act != c.wantAct {
				t.Errorf("Plan(%q, %+v) = %v, %+v; want %v, %+v", c.args, c.h, attach, act, c.wantAttach, c.wantAct)
			}
		})
	}
}
