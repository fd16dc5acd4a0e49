package core

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestValidateEmail(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for in, want := range map[string]string{
			"kevin@startup.io":           "kevin@startup.io",
			"  Kevin.Casey@StartUp.IO  ": "kevin.casey@startup.io",
			"a+b@sub.example.fr":         "a+b@sub.example.fr",
			"kevin@xn--caf-dma.fr":       "kevin@xn--caf-dma.fr", // café.fr in punycode
		} {
			got, err := ValidateEmail("email", in)
			if err != nil || got != want {
				t.Errorf("ValidateEmail(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"", "kevin", "kevin@", "@startup.io", "kevin@startup",
			"Kevin <kevin@startup.io>", "kev in@startup.io", "kevin@start_up.io",
			strings.Repeat("a", 250) + "@x.io", "kevin@-startup.io",
			"ada\u200b@epicevents.com",   // a zero-width space: looks like ada@
			"\u0430da@epicevents.com",    // a Cyrillic а
			"\uff41da@epicevents.com",    // a full-width ａ
			"ada@epicevents\u2024com",    // a one-dot leader
			"kevin@café.fr",              // a Unicode domain: write it xn--caf-dma.fr
			"ada\u202e@epicevents.com",   // a right-to-left override
			"ada@epicevents.com\u00ad"} { // a soft hyphen
			_, err := ValidateEmail("email", in)
			if KindOf(err) != Invalid || FieldOf(err) != "email" {
				t.Errorf("ValidateEmail(%q) = %v, want invalid email", in, err)
			}
		}
	})
}

func TestValidatePhone(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, in := range []string{"+678 123 456 78", "01.23.45.67.89", "(555) 123-4567", "123456",
			"+33 6 12 34 56 78", "12345678901234567890",
			"+33 (0)6-12-34-56-78", strings.Repeat("1-", 16)} { // 32 characters
			if _, err := ValidatePhone(in); err != nil {
				t.Errorf("ValidatePhone(%q): %v", in, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"", "12345", "123456789012345678901", "06 12 34 ab 78",
			"06+1234567", "phone: 0612345678", "++33612345678",
			"123456" + strings.Repeat("-", 5000), // 6 digits, but no phone is that long
			strings.Repeat("1-", 16) + "1"} {     // 33 characters
			_, err := ValidatePhone(in)
			if KindOf(err) != Invalid || FieldOf(err) != "phone" {
				t.Errorf("ValidatePhone(%q) = %v, want invalid phone", in, err)
			}
		}
	})
}

func TestValidateText(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for in, want := range map[string]string{
			"  Jo ":                  "Jo",
			strings.Repeat("é", 255): strings.Repeat("é", 255),
			"Zoe\u0308 Ba\u0301n":    "Zoë Bán", // decomposed accents are stored composed (NFC)
			"Владимир Ильич":         "Владимир Ильич",
			"李小龍":                    "李小龍",
			"محمد عبد الله":          "محمد عبد الله",
			"Ǆemal Ŀuka":             "Ǆemal Ŀuka",
			"O'Brien-Smith Jr.":      "O'Brien-Smith Jr.",
		} {
			got, err := ValidateText("full_name", in, 2, 255)
			if err != nil || got != want {
				t.Errorf("ValidateText(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"", " J ", strings.Repeat("x", 256), "two\nlines", "bell\a",
			"Ada\u200b Admin",    // zero-width space (Cf)
			"\u200b\u200b",       // nothing visible
			"Ada \u202eNIMDA",    // right-to-left override (Cf)
			"Ada\u2028Admin",     // line separator (Zl)
			"Ada\u2029Admin",     // paragraph separator (Zp)
			"Ada\u00adAdmin",     // soft hyphen (Cf)
			"Ada\ufeffAdmin",     // byte-order mark (Cf)
			"Ada\x85Admin",       // next line (Cc)
			"\u0301\u0301",       // combining marks alone: nothing visible
			"\u3000\u200d\u3000", // ideographic spaces and a zero-width joiner
		} {
			if _, err := ValidateText("full_name", in, 2, 255); FieldOf(err) != "full_name" {
				t.Errorf("ValidateText(%q) = %v", in, err)
			}
		}
	})
}

func TestValidateNotes(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for in, want := range map[string]string{
			strings.Repeat("n", MaxNotesLen): strings.Repeat("n", MaxNotesLen),
			"line one\nline two":             "line one\nline two",
			"one\r\ntwo\rthree\ttab":         "one\ntwo\nthree\ttab", // a lone CR cannot rewrite a line
		} {
			got, err := ValidateNotes(in)
			if err != nil || got != want {
				t.Errorf("ValidateNotes(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{strings.Repeat("n", MaxNotesLen+1), "esc \x1b[2J", "bell\a"} {
			if _, err := ValidateNotes(in); FieldOf(err) != "notes" {
				t.Errorf("ValidateNotes(%q) = %v", in, err)
			}
		}
	})
}

func TestParseAmount(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for in, want := range map[string]string{
			"15000": "15000", "15000.5": "15000.5", "15 000,00": "15000", "0.01": "0.01",
			"999999999.99": "999999999.99", "15\u00a0000,00 €": "15000",
		} {
			got, err := ParseAmount("total_amount", in)
			if err != nil || !got.Equal(decimal.RequireFromString(want)) {
				t.Errorf("ParseAmount(%q) = %v, %v; want %s", in, got, err, want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"", "abc", "1E1000000000", "1e3", "-5", "1.234", "1,000.00",
			"NaN", "Infinity", "0x10", strings.Repeat("9", 100), "1.2.3", "+5"} {
			start := time.Now()
			_, err := ParseAmount("total_amount", in)
			if KindOf(err) != Invalid || FieldOf(err) != "total_amount" {
				t.Errorf("ParseAmount(%q) = %v, want invalid", in, err)
			}
			if d := time.Since(start); d > 10*time.Second { // a hang bound; the cost is BenchmarkParseAmount
				t.Errorf("ParseAmount(%q) took %v", in, d)
			}
		}
	})
}

func TestValidateAmounts(t *testing.T) {
	d := decimal.RequireFromString
	if err := ValidateAmounts(d("15000"), d("5000")); err != nil {
		t.Fatal(err)
	}
	if err := ValidateAmounts(d("999999999.99"), d("0")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ total, due, field string }{
		{"0", "0", "total_amount"},
		{"-1", "0", "total_amount"},
		{"1000000000", "0", "total_amount"},
		{"10.001", "0", "total_amount"},
		{"100", "-1", "amount_due"},
		{"100", "100.01", "amount_due"},
		{"100", "1.005", "amount_due"},
	} {
		if err := ValidateAmounts(d(c.total), d(c.due)); FieldOf(err) != c.field {
			t.Errorf("ValidateAmounts(%s, %s) = %v, want field %s", c.total, c.due, err, c.field)
		}
	}
}

func TestValidateSchedule(t *testing.T) {
	s := time.Date(2026, 7, 1, 18, 0, 0, 0, time.UTC)
	if err := ValidateSchedule(s, s.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		start, end time.Time
		field      string
	}{
		{time.Time{}, s, "start"},
		{s, time.Time{}, "end"},
		{s, s, "end"},
		{s, s.Add(-time.Minute), "end"},
		{time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), s, "start"},
		{s, time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), "end"},
	} {
		if err := ValidateSchedule(c.start, c.end); FieldOf(err) != c.field {
			t.Errorf("ValidateSchedule(%v, %v) = %v, want field %s", c.start, c.end, err, c.field)
		}
	}
}

func TestValidateAttendees(t *testing.T) {
	for _, n := range []int{0, 1, MaxAttendees} {
		if err := ValidateAttendees(n); err != nil {
			t.Errorf("%d: %v", n, err)
		}
	}
	for _, n := range []int{-1, MaxAttendees + 1} {
		if err := ValidateAttendees(n); FieldOf(err) != "attendees" {
			t.Errorf("%d: %v", n, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	if err := ValidatePassword("Sup3r-secret!", "ada@epicevents.com"); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"Sh0rt!", "alllowercase1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol123",
		strings.Repeat("Aa1!", 33)} {
		if err := ValidatePassword(pw, "ada@epicevents.com"); FieldOf(err) != "password" {
			t.Errorf("ValidatePassword(%q) = %v", pw, err)
		}
	}
	if err := ValidatePassword("A1!a@b.fr", "A1!a@b.fr"); FieldOf(err) != "password" {
		t.Errorf("password equal to email accepted: %v", err)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("Sup3r-secret!", MinHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string at the floor", h)
	}
	ok, rehash, err := verifyPassword("Sup3r-secret!", h, MinHashParams)
	if !ok || rehash || err != nil {
		t.Fatalf("verify = %v %v %v", ok, rehash, err)
	}
	if ok, _, _ := verifyPassword("Sup3r-secret?", h, MinHashParams); ok {
		t.Fatal("wrong password accepted")
	}
	weak, _ := hashPassword("Sup3r-secret!", HashParams{Memory: 1024, Time: 1, Threads: 1})
	if ok, rehash, _ := verifyPassword("Sup3r-secret!", weak, MinHashParams); !ok || !rehash {
		t.Fatalf("weak hash: ok=%v rehash=%v", ok, rehash)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "plain"} {
		if _, _, err := verifyPassword("x", bad, MinHashParams); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestRandomPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := RandomPassword()
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidatePassword(pw, ""); err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("repeated password")
		}
		seen[pw] = true
	}
}

func TestError(t *testing.T) {
	err := FieldErrorf("email", "is not a valid email address")
	if err.Error() != "email: is not a valid email address" || KindOf(err) != Invalid {
		t.Fatalf("%v", err)
	}
	if KindOf(nil) != "" || KindOf(errString("x")) != Internal {
		t.Fatal("KindOf")
	}
	wrapped := InternalError("op", errString("disk"))
	if KindOf(wrapped) != Internal || !strings.Contains(MessageOf(wrapped), "disk") {
		t.Fatalf("%v", wrapped)
	}
	if InternalError("op", err) != error(err) {
		t.Fatal("InternalError must keep an *Error")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
