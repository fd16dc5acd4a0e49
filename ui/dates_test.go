package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A day is written one way in the window: the event form's date field (Fyne's DateEntry, whose
// layout follows the locale's region) and every table, label and title (fmtDate).
func TestDateLayout_AsDateEntry(t *testing.T) {
	test.NewTempApp(t)
	day := time.Date(2026, 12, 23, 0, 0, 0, 0, time.Local)
	for lang, want := range map[string]string{
		"en_US.UTF-8": "12/23/2026", "en_GB.UTF-8": "23/12/2026", "fr_FR.UTF-8": "23/12/2026",
		"fr_CA.UTF-8": "23/12/2026", "de_DE.UTF-8": "23.12.2026", "sv_SE.UTF-8": "2026-12-23",
		"C": "23/12/2026", "ja_JP.UTF-8": "23/12/2026",
	} {
		t.Run(lang, func(t *testing.T) {
			t.Setenv("LANG", lang)
			entry := widget.NewDateEntry()
			entry.SetDate(&day)
			if entry.Text != want {
				t.Errorf("Fyne's date field writes %q; this test expects %q", entry.Text, want)
			}
			if got := fmtDate(day); got != entry.Text {
				t.Errorf("tables write %q where the date field writes %q", got, entry.Text)
			}
			if got := fmtDateTime(day.Add(18*time.Hour + 30*time.Minute)); got != entry.Text+" 18:30" {
				t.Errorf("a moment is written %q, want %q", got, entry.Text+" 18:30")
			}
		})
	}
}

// In one session the events table and the open event form show an event's start the same way.
func TestDates_TableAndFormAgree(t *testing.T) {
	for _, french := range []bool{false, true} {
		t.Run(map[bool]string{false: "en_US", true: "fr_FR"}[french], func(t *testing.T) {
			if french {
				inFrench(t)
			}
			e := newEnv(t, true)
			g := e.startAs(adminEmail)
			tab := g.main.events
			row := rowOf(t, tab, 0, "Innovate Annual Seminar")
			cell := tab.table.cols[2].Value(tab.table.rows[row])
			openRow(g, tab, row)
			f, ok := g.main.form.(*eventForm)
			if !ok {
				t.Fatal("the event form did not open")
			}
			shown := f.startDate.Text + " " + f.startTime.entry.Text
			if cell != shown {
				t.Errorf("the table shows the start as %q, the form as %q", cell, shown)
			}
		})
	}
}

// The agenda's "go to a date" reads a day the way the tables write it, and says so in its hint.
func TestParseDay_LocaleLayout(t *testing.T) {
	for _, c := range []struct {
		lang, hint string
		typed      []string
		want       time.Time
	}{
		{"en_US.UTF-8", "12/31/2026", []string{"03/04/2026", "3/4/2026", "2026-03-04", " 03/04/2026 "}, time.Date(2026, 3, 4, 0, 0, 0, 0, time.Local)},
		{"fr_FR.UTF-8", "31/12/2026", []string{"04/03/2026", "4/3/2026", "2026-03-04"}, time.Date(2026, 3, 4, 0, 0, 0, 0, time.Local)},
		{"de_DE.UTF-8", "31.12.2026", []string{"04.03.2026", "4.3.2026", "2026-03-04"}, time.Date(2026, 3, 4, 0, 0, 0, 0, time.Local)},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Setenv("LANG", c.lang)
			if got := dateHint(); got != c.hint {
				t.Errorf("hint %q, want %q", got, c.hint)
			}
			for _, s := range c.typed {
				if d, ok := parseDay(s); !ok || !d.Equal(c.want) {
					t.Errorf("%q read as %v (ok %v), want %v", s, d, ok, c.want)
				}
			}
			for _, s := range []string{"", "31/31/2026", "tomorrow", "2026-13-01"} {
				if d, ok := parseDay(s); ok {
					t.Errorf("%q read as %v, want refused", s, d)
				}
			}
		})
	}
}

// BenchmarkDateLayout times the locale lookup a table cell's date makes (dateLayout), the same
// one Fyne's date field makes on every use.
func BenchmarkDateLayout(b *testing.B) {
	for b.Loop() {
		_ = dateLayout()
	}
}
