package core_test

// Fuzz targets for the field validators and for session-token parsing. Seeds are in
// testdata/fuzz/<FuzzName>/; "make fuzz" runs each target for a while.

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/epicevents/crm/core"
)

// wantInvalid fails unless err is an Invalid error naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if core.KindOf(err) != core.Invalid || core.FieldOf(err) != field {
		t.Fatalf("error %v: kind %q field %q, want invalid %q", err, core.KindOf(err), core.FieldOf(err), field)
	}
}

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

func FuzzValidateEmail(f *testing.F) {
	f.Add("  Kevin@Startup.IO ")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := core.ValidateEmail("email", s)
		if err != nil {
			wantInvalid(t, err, "email")
			return
		}
		if e != core.NormalizeEmail(s) || len(e) > core.MaxEmailLen || !strings.Contains(e, "@") {
			t.Fatalf("%q accepted as %q", s, e)
		}
		for _, r := range e {
			if r < 0x21 || r > 0x7e {
				t.Fatalf("%q accepted with %q: emails are printable ASCII", s, r)
			}
		}
		if again, err := core.ValidateEmail("email", e); err != nil || again != e {
			t.Fatalf("%q: not stable: %q, %v", e, again, err)
		}
	})
}

func FuzzValidatePhone(f *testing.F) {
	f.Add("+678 123 456 78")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := core.ValidatePhone(s)
		if err != nil {
			wantInvalid(t, err, "phone")
			return
		}
		digits := 0
		for i, r := range p {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' && i == 0, strings.ContainsRune(" .-()", r):
			default:
				t.Fatalf("%q accepted as %q with %q", s, p, r)
			}
		}
		if digits < core.MinPhoneDigits || digits > core.MaxPhoneDigits || p != strings.TrimSpace(p) || len(p) > core.MaxPhoneLen {
			t.Fatalf("%q accepted as %q", s, p)
		}
		if again, err := core.ValidatePhone(p); err != nil || again != p {
			t.Fatalf("%q: not stable: %q, %v", p, again, err)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	f.Add("15 000,50 €")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := core.ParseAmount("total_amount", s)
		if err != nil {
			wantInvalid(t, err, "total_amount")
			return
		}
		if d.IsNegative() || !d.Equal(d.Round(2)) || d.GreaterThanOrEqual(dec("1000000000000")) {
			t.Fatalf("%q accepted as %s", s, d)
		}
		again, err := core.ParseAmount("total_amount", d.StringFixed(2))
		if err != nil || !again.Equal(d) {
			t.Fatalf("%q → %s does not read back: %s, %v", s, d.StringFixed(2), again, err)
		}
		if err := core.ValidateAmounts(d, d); err == nil && (!d.IsPositive() || d.GreaterThan(core.MaxAmount)) {
			t.Fatalf("total %s accepted", d)
		}
	})
}

func FuzzValidateName(f *testing.F) {
	f.Add(" Kevin Casey ")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := core.ValidateText("full_name", s, 2, core.MaxNameLen)
		if err != nil {
			wantInvalid(t, err, "full_name")
			return
		}
		count := utf8.RuneCountInString(n)
		if n != norm.NFC.String(strings.TrimSpace(s)) || count < 2 || count > core.MaxNameLen || !utf8.ValidString(n) {
			t.Fatalf("%q accepted as %q", s, n)
		}
		if i := strings.IndexFunc(n, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) }); i >= 0 {
			t.Fatalf("%q accepted with the invisible or control character %q", s, []rune(n[i:])[0])
		}
		if strings.IndexFunc(n, func(r rune) bool { return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) }) < 0 {
			t.Fatalf("%q accepted with nothing visible", s)
		}
		if again, err := core.ValidateText("full_name", n, 2, core.MaxNameLen); err != nil || again != n {
			t.Fatalf("%q: not stable: %q, %v", n, again, err)
		}
	})
}

func FuzzValidateSchedule(f *testing.F) {
	f.Add(int64(1780300800), int64(1780318800))
	f.Fuzz(func(t *testing.T, startSec, endSec int64) {
		start, end := time.Unix(startSec, 0).UTC(), time.Unix(endSec, 0).UTC()
		lo, hi := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		in := func(x time.Time) bool { return !x.IsZero() && !x.Before(lo) && !x.After(hi) }
		want := in(start) && in(end) && start.Before(end)
		err := core.ValidateSchedule(start, end)
		if (err == nil) != want {
			t.Fatalf("schedule %v – %v: %v, want accepted %v", start, end, err, want)
		}
		if err != nil && core.KindOf(err) != core.Invalid {
			t.Fatalf("schedule %v – %v: %v", start, end, err)
		}
	})
}

// FuzzResume feeds arbitrary session tokens to Service.Resume. A token is accepted only when it
// carries a valid HS256 signature of the database's key over the administrator's claims.
func FuzzResume(f *testing.F) {
	e := mustEnv(f)
	var key []byte
	if err := e.db.View(func(tx core.Tx) error {
		var err error
		key, err = tx.SigningKey()
		return err
	}); err != nil {
		f.Fatal(err)
	}
	now := e.clock.Now()
	sign := func(m jwt.SigningMethod, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	claims := func(exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"iss": "epicevents-crm", "aud": "epicevents-crm-session", "sub": e.admin.ID().String(),
			"iat": now.Unix(), "exp": exp.Unix(), "epc": 0}
	}
	f.Add(e.admin.Token())
	f.Add(sign(jwt.SigningMethodHS512, claims(now.Add(time.Hour))))
	f.Add(sign(jwt.SigningMethodHS256, claims(now.Add(-time.Hour))))
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(now.Add(time.Hour))).SignedString(jwt.UnsafeAllowNoneSignatureType)
	f.Add(unsigned)
	f.Fuzz(func(t *testing.T, token string) {
		a, err := e.svc.Resume(token)
		if err != nil {
			if core.KindOf(err) != core.Unauthenticated {
				t.Fatalf("token %q: %v, want unauthenticated", token, err)
			}
			return
		}
		if a.ID() != e.admin.ID() || a.Department() != core.Management {
			t.Fatalf("token %q resumed as %s (%s)", token, a.ID(), a.Department())
		}
		var c jwt.RegisteredClaims
		_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(e.clock.Now), jwt.WithExpirationRequired())
		if err != nil || c.Subject != e.admin.ID().String() || uuid.MustParse(c.Subject) != a.ID() {
			t.Fatalf("token %q accepted without a valid signature: %v", token, err)
		}
	})
}
