package core

import (
	"slices"
	"time"
)

// LocalTime returns the instant at which clocks in loc show the date and time of wall (its
// year to nanosecond; its own location is ignored). Both faces read typed times through it.
//
// Around a change of time (daylight saving) a wall-clock time may not exist or may happen
// twice. A time skipped when the clocks go forward (02:30 on the last Sunday of March in
// Paris) is refused rather than moved an hour: Invalid naming field. A time that happens twice
// when they go back (02:30 on the last Sunday of October) gives its first occurrence, and its
// second as other so that the caller can say which was taken; other is the zero time for every
// time that happens once. Errors: Invalid naming field.
func LocalTime(field string, wall time.Time, loc *time.Location) (t, other time.Time, err error) {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	naive := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), time.UTC)
	var found []time.Time
	for _, off := range zoneOffsets(naive, loc) {
		c := naive.Add(-time.Duration(off) * time.Second)
		if sameWall(c.In(loc), naive) && !slices.ContainsFunc(found, c.Equal) {
			found = append(found, c)
		}
	}
	slices.SortFunc(found, func(a, b time.Time) int { return a.Compare(b) })
	switch len(found) {
	case 0:
		return time.Time{}, time.Time{}, FieldError(field, CodeSkippedHour,
			naive.Format("2006-01-02 15:04"))
	case 1:
		return found[0].In(loc), time.Time{}, nil
	}
	return found[0].In(loc), found[1].In(loc), nil
}

// zoneOffsets returns the UTC offsets loc uses within a day and a half of the instant naive,
// where any change of time around the wall-clock time naive stands for must lie.
func zoneOffsets(naive time.Time, loc *time.Location) []int {
	var offs []int
	for _, h := range []int{-36, -12, 0, 12, 36} {
		_, off := naive.Add(time.Duration(h) * time.Hour).In(loc).Zone()
		if !slices.Contains(offs, off) {
			offs = append(offs, off)
		}
	}
	return offs
}

// sameWall reports whether t shows the same date and time as naive.
func sameWall(t, naive time.Time) bool {
	y1, m1, d1 := t.Date()
	y2, m2, d2 := naive.Date()
	h1, i1, s1 := t.Clock()
	h2, i2, s2 := naive.Clock()
	return y1 == y2 && m1 == m2 && d1 == d2 && h1 == h2 && i1 == i2 && s1 == s2 && t.Nanosecond() == naive.Nanosecond()
}
