package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// tapConfirm taps the confirmation dialog's Yes, whatever language Fyne speaks.
func tapConfirm(t *testing.T, g *GUI) {
	t.Helper()
	for _, o := range test.LaidOutObjects(g.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && (b.Text == "Yes" || b.Text == "Oui") {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no Yes button in %q", dialogTexts(g))
}

// leaveWithOutbox has management leave a team while changes wait in the outbox: core refuses
// with CodeOutboxPending and the window shows the refusal.
func leaveWithOutbox(t *testing.T, team, leave string) *GUI {
	e := newEnv(t, true)
	fake := newFakeRep(true)
	fake.set(func(st *core.SyncStatus) { st.Outbox = 3 })
	g := e.startTeam(fake, adminEmail)
	fake.fire(g)
	menuItem(t, g, team).Action()
	g.settle()
	tapButton(t, g, leave)
	g.settle()
	tapConfirm(t, g)
	g.settle()
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.left {
		t.Fatal("the laptop left the team with changes waiting")
	}
	return g
}

// A team error reads in French in a French window: the code of core's refusal picks the text.
func TestFrench_TeamLeaveRefused(t *testing.T) {
	inFrench(t)
	g := leaveWithOutbox(t, "Équipe…", "Quitter l’équipe…")
	want := "3 modifications locales ne sont pas encore arrivées au cluster"
	if got := dialogTexts(g); !strings.Contains(got, want) {
		t.Errorf("the dialog says %q, want %q", got, want)
	}
}

// The English window shows core's text, as the command line does.
func TestEnglish_TeamLeaveRefusedAsCore(t *testing.T) {
	g := leaveWithOutbox(t, "Team…", "Leave the team…")
	if want := core.Text(core.CodeOutboxPending, 3); !strings.Contains(dialogTexts(g), want) {
		t.Errorf("the dialog says %q, want %q", dialogTexts(g), want)
	}
}
