package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	return loc
}

func wall(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

func TestLocalTime(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	t.Run("OK", func(t *testing.T) {
		for _, c := range []struct {
			wall time.Time
			loc  *time.Location
			want string
		}{
			{wall(2027, 6, 1, 18, 0), paris, "2027-06-01T18:00:00+02:00"},
			{wall(2027, 1, 15, 9, 30), paris, "2027-01-15T09:30:00+01:00"},
			{wall(2027, 3, 28, 1, 59), paris, "2027-03-28T01:59:00+01:00"},
			{wall(2027, 3, 28, 3, 0), paris, "2027-03-28T03:00:00+02:00"},
			{wall(2027, 3, 28, 2, 30), time.UTC, "2027-03-28T02:30:00Z"},
			{wall(2027, 10, 2, 2, 30), mustZone(t, "Australia/Lord_Howe"), "2027-10-02T02:30:00+10:30"},
		} {
			got, other, err := core.LocalTime("start", c.wall, c.loc)
			if err != nil || got.Format(time.RFC3339) != c.want || !other.IsZero() {
				t.Errorf("%v in %v = %v (other %v), %v; want %s", c.wall, c.loc, got, other, err, c.want)
			}
		}
	})
	t.Run("OKTwice", func(t *testing.T) {
		got, other, err := core.LocalTime("start", wall(2027, 10, 31, 2, 30), paris)
		if err != nil || got.Format(time.RFC3339) != "2027-10-31T02:30:00+02:00" || other.Format(time.RFC3339) != "2027-10-31T02:30:00+01:00" {
			t.Fatalf("2027-10-31 02:30 in Paris = %v, other %v, %v; want the first, summer time", got, other, err)
		}
	})
	t.Run("ErrSkipped", func(t *testing.T) {
		for _, c := range []struct {
			wall time.Time
			loc  *time.Location
		}{
			{wall(2027, 3, 28, 2, 30), paris},
			{wall(2027, 3, 28, 2, 0), paris},
			{wall(2027, 3, 14, 2, 15), mustZone(t, "America/New_York")},
			{wall(2011, 12, 30, 12, 0), mustZone(t, "Pacific/Apia")}, // a whole day skipped
		} {
			_, _, err := core.LocalTime("end", c.wall, c.loc)
			if core.KindOf(err) != core.Invalid || core.FieldOf(err) != "end" || !strings.Contains(err.Error(), "does not exist in local time") {
				t.Errorf("%v in %v: %v, want the end refused", c.wall, c.loc, err)
			}
		}
	})
}
