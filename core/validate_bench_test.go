package core

import (
	"strings"
	"testing"
)

// BenchmarkParseAmount is the cost of reading amounts, refused ones included: a huge exponent or
// a 100-digit number must be refused as cheaply as a plain amount is read.
func BenchmarkParseAmount(b *testing.B) {
	for name, in := range map[string]string{"Plain": "15 000,00 €", "HugeExponent": "1E1000000000", "HundredDigits": strings.Repeat("9", 100)} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _ = ParseAmount("total_amount", in)
			}
		})
	}
}
