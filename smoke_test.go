package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smokeScript runs inside xvfb-run: it starts the window, waits for the login window, logs in
// with keystrokes, prints the main window's title, clicks a row and presses Enter (the form must
// open: a check only the real driver can make), and quits with Ctrl+Q.
const smokeScript = `
set -u
"$BIN" >"$LOG" 2>&1 &
pid=$!
wid=""
for i in $(seq 1 150); do
	wid=$(xdotool search --name '^Epic Events CRM$' 2>/dev/null | head -n1)
	[ -n "$wid" ] && break
	sleep 0.2
done
if [ -z "$wid" ]; then echo "NO-LOGIN-WINDOW"; kill "$pid"; exit 10; fi
sleep 1
xdotool windowfocus --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid"
sleep 0.3
xdotool type --delay 15 "$EMAIL"
xdotool key Tab
xdotool type --delay 15 "$PASSWORD"
xdotool key Return
title=""
for i in $(seq 1 150); do
	title=$(xdotool getwindowname "$wid" 2>/dev/null)
	case "$title" in "Epic Events CRM — "*) break ;; esac
	sleep 0.2
done
echo "TITLE:$title"
sleep 1
xdotool key ctrl+q
for i in $(seq 1 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then echo "DID-NOT-QUIT"; kill -9 "$pid"; exit 11; fi
wait "$pid"
echo "EXIT:$?"
# A click on a row gives the table the keyboard focus, and Enter opens the row's form: the middle
# of the window changes colour when the form's dialog covers it (needs ImageMagick). The window
# starts again on the saved session, and is killed at the end (the form holds the focus, and
# its entries take Ctrl+Q).
if command -v import >/dev/null && command -v convert >/dev/null; then
	"$BIN" >>"$LOG" 2>&1 &
	pid=$!
	wid=""
	for i in $(seq 1 150); do
		wid=$(xdotool search --name '^Epic Events CRM' 2>/dev/null | head -n1)
		case "$(xdotool getwindowname "$wid" 2>/dev/null)" in "Epic Events CRM — "*) break ;; esac
		sleep 0.2
	done
	for i in $(seq 1 50); do
		xdotool windowmove "$wid" 0 0; xdotool windowsize "$wid" 1280 800; sleep 0.2
		case "$(xdotool getwindowgeometry "$wid" 2>/dev/null | tr -d '\n')" in
		*"Position: 0,0"*"Geometry: 1280x800"*) break ;;
		esac
	done
	sleep 1
	xdotool windowfocus "$wid"
	probe() { import -window root "$SHOT" && convert "$SHOT" -format '%[pixel:p{640,400}]' info:; }
	xdotool key ctrl+6
	sleep 1
	before=$(probe)
	xdotool mousemove 300 174
	sleep 0.3
	xdotool click 1
	sleep 1
	xdotool key Return
	sleep 2
	after=$(probe)
	if [ -n "$before" ] && [ "$before" != "$after" ]; then echo "FORM:open"; else echo "FORM:closed ($before $after)"; fi
	kill "$pid"
	wait "$pid" 2>/dev/null
else
	echo "FORM:skip"
fi
`

// TestSmoke_Window builds the real binary, starts it under Xvfb, logs in with keystrokes and
// checks the main window's title. It needs xvfb-run and xdotool (installed in CI by make test).
//
// "release" is the binary the Makefile ships: built with -tags migrated_fynedo, where Fyne
// trusts the program to call it on the UI goroutine (fyne.Do) and checks nothing. "plain" is
// built without the tag, where Fyne reports every call from another goroutine ("Error in Fyne
// call thread"): the one build that catches a wrong-thread call.
func TestSmoke_Window(t *testing.T) {
	for _, tool := range []string{"xvfb-run", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	if testing.Short() {
		t.Skip("smoke test skipped in -short mode")
	}
	t.Run("release", func(t *testing.T) { smokeWindow(t, "migrated_fynedo") })
	t.Run("plain", func(t *testing.T) { smokeWindow(t, "") })
}

// smokeWindow builds the binary with tags and runs the smoke script against it.
func smokeWindow(t *testing.T, tags string) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "epicevents")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"build", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	build := exec.CommandContext(ctx, "go", append(args, ".")...)
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	const email, password = "ada.admin@epicevents.com", "Adm1n!pass-word"
	initCmd := exec.CommandContext(ctx, bin, "init", "--admin-email", email, "--admin-name", "Ada Admin", "--password-stdin")
	initCmd.Env = append(os.Environ(), "EPICEVENTS_HOME="+home, "LANG=en_US.UTF-8")
	initCmd.Stdin = strings.NewReader(password + "\n")
	if out, err := initCmd.CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	logFile := filepath.Join(dir, "window.log")
	run := exec.CommandContext(ctx, "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "bash", "-c", smokeScript)
	run.Env = append(os.Environ(), "EPICEVENTS_HOME="+home, "BIN="+bin, "LOG="+logFile, "EMAIL="+email, "SHOT="+filepath.Join(dir, "shot.png"),
		"PASSWORD="+password, "LANG=en_US.UTF-8", "LANGUAGE=", "LC_ALL=", "SENTRY_DSN=")
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	err := run.Run()
	logText, _ := os.ReadFile(logFile)
	t.Logf("script:\n%s\nwindow output:\n%s", out.String(), logText)
	if err != nil {
		t.Fatalf("smoke script: %v", err)
	}
	if !strings.Contains(out.String(), "TITLE:Epic Events CRM — Ada Admin (management)") {
		t.Errorf("the main window title was not seen")
	}
	switch {
	case strings.Contains(out.String(), "FORM:skip"):
		t.Log("ImageMagick is not installed: Enter on a clicked row was not checked")
	case !strings.Contains(out.String(), "FORM:open"):
		t.Errorf("a click on the collaborators' first row then Enter did not open its form")
	}
	if !strings.Contains(out.String(), "EXIT:0") {
		t.Errorf("the window did not exit cleanly")
	}
	for _, bad := range []string{"Error in Fyne call thread", "panic", "DATA RACE"} {
		if strings.Contains(string(logText), bad) {
			t.Errorf("the window printed %q", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "session")); err != nil {
		t.Errorf("the window did not save the session: %v", err)
	}
}
