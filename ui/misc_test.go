package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/storage"
)

func TestFail_DatabaseInUse(t *testing.T) {
	a := test.NewTempApp(t)
	code := Fail(a, storage.InUseError(filepath.Join(t.TempDir(), "epicevents.db")))
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	ws := a.Driver().AllWindows()
	if len(ws) == 0 {
		t.Fatal("no window")
	}
	var text string
	for _, o := range test.LaidOutObjects(ws[len(ws)-1].Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			text += l.Text
		}
	}
	if !strings.Contains(text, "in use by another program") {
		t.Errorf("the window says %q", text)
	}
}

func TestCSV_EscapesFormulas(t *testing.T) {
	b, err := csvBytes([][]string{{"=1+1", "+33 6", "-5", "@SUM(A1)", "plain", "a,b"}})
	mustNoErr(t, err)
	if got, want := string(b), "'=1+1,'+33 6,'-5,'@SUM(A1),plain,\"a,b\"\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestChangePassword_OK(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	old := g.actor.Token()
	menuItem(t, g, "Change password…").Action()
	view := g.win.Canvas().Overlays().Top()
	var entries []*widget.Entry
	var save *widget.Button
	for _, o := range test.LaidOutObjects(view) {
		switch w := o.(type) {
		case *widget.Entry:
			entries = append(entries, w)
		case *widget.Button:
			if w.Text == "Save" {
				save = w
			}
		}
	}
	if len(entries) != 2 || save == nil {
		t.Fatalf("the dialog has %d entries, save=%v", len(entries), save != nil)
	}
	test.Type(entries[0], e.demo[jean])
	test.Type(entries[1], "N3w!password-jean")
	test.Tap(save)
	g.settle()
	if _, err := e.svc.Login(jean, "N3w!password-jean"); err != nil {
		t.Fatal("the new password does not work:", err)
	}
	if _, err := e.svc.Resume(old); err == nil {
		t.Error("the old session survives a password change")
	}
	if _, err := e.svc.Resume(g.actor.Token()); err != nil {
		t.Error("the window's new session is not valid:", err)
	}
}
