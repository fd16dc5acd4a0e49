package core

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/unicode/norm"
)

// Limits of PRODUCT.md §2.
const (
	MaxNameLen     = 255
	MaxLocationLen = 500
	MaxNotesLen    = 10000
	MaxAttendees   = 100000
	MaxEmailLen    = 254
	MinPhoneDigits = 6
	MaxPhoneDigits = 20
	MaxPhoneLen    = 32 // the whole field, separators included
)

// MaxAmount is the largest contract total: 999,999,999.99.
var MaxAmount = decimal.RequireFromString("999999999.99")

// NormalizeEmail trims and lower-cases an email address, the form in which emails are stored
// and compared.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks an email address (after NormalizeEmail) and returns it normalised. It
// must be plain ASCII — no look-alike letters from other scripts or full-width forms, no
// invisible characters — so that two addresses that look the same are the same; a domain with
// accents is accepted in its punycode form (xn--…). Errors: Invalid naming field.
func ValidateEmail(field, s string) (string, error) {
	for _, r := range strings.TrimSpace(s) {
		if r < 0x21 || r > 0x7e {
			if r > 0x7e {
				return "", FieldError(field, CodeEmailNotASCII)
			}
			return "", FieldError(field, CodeEmailInvalid)
		}
	}
	e := NormalizeEmail(s)
	if e == "" {
		return "", FieldError(field, CodeRequired)
	}
	if len(e) > MaxEmailLen {
		return "", FieldError(field, CodeTooLong, MaxEmailLen)
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", FieldError(field, CodeEmailInvalid)
	}
	at := strings.LastIndexByte(e, '@')
	local, domain := e[:at], e[at+1:]
	if local == "" || len(local) > 64 || !validDomain(domain) {
		return "", FieldError(field, CodeEmailInvalid)
	}
	return e, nil
}

var domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return false
		}
	}
	return true
}

// ValidatePhone checks a phone number: digits with an optional leading "+", spaces, dots, dashes
// and parentheses, 6 to 20 digits in all, at most 32 characters in all. It returns the number
// trimmed, inner runs of white space collapsed. Errors: Invalid naming field "phone".
func ValidatePhone(s string) (string, error) {
	p := strings.Join(strings.Fields(s), " ")
	if p == "" {
		return "", FieldError("phone", CodeRequired)
	}
	if utf8.RuneCountInString(p) > MaxPhoneLen {
		return "", FieldError("phone", CodeTooLong, MaxPhoneLen)
	}
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", FieldError("phone", CodePhoneChars)
		}
	}
	if digits < MinPhoneDigits || digits > MaxPhoneDigits {
		return "", FieldError("phone", CodePhoneDigits, MinPhoneDigits, MaxPhoneDigits)
	}
	return p, nil
}

// ValidateText checks a one-line text field — a name, a company, a location — of min..max
// characters and returns it trimmed and in Unicode normal form C (so that "é" typed as one
// character or as "e" and an accent is stored the same). Letters of every script are welcome;
// refused are control and format characters (Unicode categories Cc, Cf: zero-width spaces,
// direction overrides such as U+202E), line and paragraph separators (Zl, Zp), and text without
// a visible character. Errors: Invalid naming field.
func ValidateText(field, s string, min, max int) (string, error) {
	t := strings.TrimSpace(s)
	if !utf8.ValidString(t) {
		return "", FieldError(field, CodeTextInvalid)
	}
	t = norm.NFC.String(t)
	n := utf8.RuneCountInString(t)
	switch {
	case n == 0 && min > 0:
		return "", FieldError(field, CodeRequired)
	case n < min:
		return "", FieldError(field, CodeTooShort, min)
	case n > max:
		return "", FieldError(field, CodeTooLong, max)
	}
	visible := false
	for _, r := range t {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return "", FieldError(field, CodeOneLine)
		}
		visible = visible || unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
	}
	if !visible && n > 0 {
		return "", FieldError(field, CodeNoVisibleChar)
	}
	return t, nil
}

// ValidateNotes checks a free-text notes field: at most 10,000 characters, new lines and tabs
// allowed. Line ends are stored as "\n": a "\r\n" or a lone "\r" (which would send a terminal
// back to the start of the line) becomes one. Errors: Invalid naming field "notes".
func ValidateNotes(s string) (string, error) {
	t := strings.TrimSpace(s)
	if !utf8.ValidString(t) {
		return "", FieldError("notes", CodeTextInvalid)
	}
	t = strings.ReplaceAll(strings.ReplaceAll(t, "\r\n", "\n"), "\r", "\n")
	if utf8.RuneCountInString(t) > MaxNotesLen {
		return "", FieldError("notes", CodeTooLong, MaxNotesLen)
	}
	for _, r := range t {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", FieldError("notes", CodeControlChars)
		}
	}
	return t, nil
}

var amountPattern = regexp.MustCompile(`^[0-9]{1,12}([.][0-9]{1,2})?$`)

// ParseAmount reads a money amount as people type it: digits, an optional decimal point or
// comma and at most two decimals; spaces, no-break spaces and a trailing "€" are ignored. Input
// such as "1E1000000000" is refused before any arithmetic. Errors: Invalid naming field.
func ParseAmount(field, s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "€")
	t = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, t)
	if t == "" {
		return decimal.Decimal{}, FieldError(field, CodeRequired)
	}
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	if len(t) > 16 || !amountPattern.MatchString(t) {
		return decimal.Decimal{}, FieldError(field, CodeAmountSyntax)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return decimal.Decimal{}, FieldError(field, CodeAmountInvalid)
	}
	return d, nil
}

// ValidateAmounts checks a contract's total and amount due: 0 < total ≤ 999,999,999.99,
// 0 ≤ due ≤ total, at most two decimals each. Errors: Invalid naming "total_amount" or
// "amount_due".
func ValidateAmounts(total, due decimal.Decimal) error {
	if total.Exponent() < -2 && !total.Equal(total.Round(2)) {
		return FieldError("total_amount", CodeTwoDecimals)
	}
	if due.Exponent() < -2 && !due.Equal(due.Round(2)) {
		return FieldError("amount_due", CodeTwoDecimals)
	}
	if !total.IsPositive() {
		return FieldError("total_amount", CodeNotPositive)
	}
	if total.GreaterThan(MaxAmount) {
		return FieldError("total_amount", CodeAmountTooLarge)
	}
	if due.IsNegative() {
		return FieldError("amount_due", CodeNegative)
	}
	if due.GreaterThan(total) {
		return FieldError("amount_due", CodeDueOverTotal)
	}
	return nil
}

var (
	minTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// ValidateSchedule checks an event's start and end: both set, within years 1900–9999, and
// start strictly before end. Errors: Invalid naming "start" or "end".
func ValidateSchedule(start, end time.Time) error {
	if start.IsZero() {
		return FieldError("start", CodeRequired)
	}
	if end.IsZero() {
		return FieldError("end", CodeRequired)
	}
	if start.Before(minTime) || start.After(maxTime) {
		return FieldError("start", CodeYearRange)
	}
	if end.Before(minTime) || end.After(maxTime) {
		return FieldError("end", CodeYearRange)
	}
	if !start.Before(end) {
		return FieldError("end", CodeEndBeforeStart)
	}
	return nil
}

// ValidateAttendees checks an attendee count: 0 to 100,000. Errors: Invalid naming "attendees".
func ValidateAttendees(n int) error {
	if n < 0 || n > MaxAttendees {
		return FieldError("attendees", CodeAttendeesRange, MaxAttendees)
	}
	return nil
}

// ValidatePassword checks a new password against §4: 8–128 characters with a lower-case
// letter, an upper-case letter, a digit and a symbol, and not the account's email.
// Errors: Invalid naming "password".
func ValidatePassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	if n < 8 {
		return FieldError("password", CodeTooShort, 8)
	}
	if n > 128 {
		return FieldError("password", CodeTooLong, 128)
	}
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ':
			symbol = true
		}
	}
	if !lower || !upper || !digit || !symbol {
		return FieldError("password", CodePasswordRule)
	}
	if email != "" && strings.EqualFold(strings.TrimSpace(password), NormalizeEmail(email)) {
		return FieldError("password", CodePasswordIsEmail)
	}
	return nil
}
