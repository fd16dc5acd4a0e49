package ui

import (
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

// The Conflicts dialog explains each kind of conflict it lists, and only those.
func TestConflictsIntro_PerKind(t *testing.T) {
	intro := conflictsIntro([]core.SyncConflict{{Kind: core.ConflictField}, {Kind: core.ConflictUnique}, {Kind: core.ConflictField}})
	for _, want := range []string{"met a colleague's change to the same field", "must be unique"} {
		if strings.Count(intro, want) != 1 {
			t.Errorf("intro should say %q once:\n%s", want, intro)
		}
	}
	for _, not := range []string{"deleted on one side", "cluster refused"} {
		if strings.Contains(intro, not) {
			t.Errorf("intro speaks of a kind not listed (%q):\n%s", not, intro)
		}
	}
	intro = conflictsIntro([]core.SyncConflict{{Kind: core.ConflictDeleted}, {Kind: core.ConflictInvalid}})
	if !strings.Contains(intro, "deleted on one side") || !strings.Contains(intro, "cluster refused") || strings.Contains(intro, "same field") {
		t.Errorf("intro for deleted and invalid:\n%s", intro)
	}
}

// Values are written as everywhere else in the window, not as stored.
func TestWireValueText(t *testing.T) {
	cases := []struct{ f, v, en, fr string }{
		{core.WireTotalAmount, "15000.00", "€15,000.00", "15\u00a0000,00\u00a0€"},
		{core.WireStart, "2026-12-24T09:00:00Z", "12/24/2026 09:00", "24/12/2026 09:00"},
		{core.WireAttendees, "1200", "1,200", "1\u00a0200"},
		{core.WireStatus, "signed", "signed", "signé"},
		{core.WireActive, "false", "no", "non"},
		{core.WireEmail, "kevin@startup.io", "kevin@startup.io", "kevin@startup.io"},
		{core.WireTotalAmount, "not a number", "not a number", "not a number"},
	}
	for _, c := range cases {
		if got := wireValueText(c.f, c.v); got != c.en {
			t.Errorf("en %s=%q: got %q, want %q", c.f, c.v, got, c.en)
		}
	}
	inFrench(t)
	for _, c := range cases {
		if got := wireValueText(c.f, c.v); got != c.fr {
			t.Errorf("fr %s=%q: got %q, want %q", c.f, c.v, got, c.fr)
		}
	}
}
