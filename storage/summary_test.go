package storage

import (
	"testing"

	"github.com/shopspring/decimal"
)

// The integer sum of cents agrees with decimal arithmetic, and falls back to it for amounts
// with more decimals, big magnitudes and overflow.
func TestCents_Sum(t *testing.T) {
	amounts := []string{"1500.50", "0.01", "200000", "12.5", "-3.25", "0.001", "92233720368547758.07", "92233720368547758.07", "123456789012345678901234567890.12"}
	var c cents
	want := decimal.Zero
	for _, a := range amounts {
		d := decimal.RequireFromString(a)
		e := newEncoder(32)
		e.decimal(d)
		c.add(e.b[1:]) // after the format byte
		want = want.Add(d)
	}
	if got := c.total(); !got.Equal(want) {
		t.Fatalf("sum = %s, want %s", got, want)
	}
}
