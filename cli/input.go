package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// maxLine bounds a line read from standard input (a password), so a stray file piped in cannot
// fill the memory.
const maxLine = 4096

var errNoPassword = &cliError{code: exitUsage, msg: "password required: use --password-stdin"}

// line reads the next line of standard input, without its line ending. what names the value in
// errors.
func (r *runner) line(what string) (string, error) {
	if r.env.Stdin == nil {
		return "", &cliError{code: exitUsage, msg: what + " required: standard input is empty"}
	}
	if r.in == nil {
		r.in = bufio.NewReaderSize(r.env.Stdin, maxLine+2)
	}
	b, err := r.in.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", &cliError{code: exitUsage, msg: what + " on standard input: the line is too long"}
	case errors.Is(err, io.EOF) && len(b) == 0:
		return "", &cliError{code: exitUsage, msg: what + " required: standard input is empty"}
	case err != nil && !errors.Is(err, io.EOF):
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return string(bytes.TrimRight(b, "\r\n")), nil
}

// terminal returns standard input when it is a terminal, nil otherwise.
func (r *runner) terminal() *os.File {
	f, ok := r.env.Stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	return f
}

// password reads one password: a line of standard input with --password-stdin, else typed at
// the terminal without echo after prompt; without either it fails at once (never hangs).
func (r *runner) password(fromStdin bool, prompt string) (string, error) {
	if fromStdin {
		return r.line("password")
	}
	tty := r.terminal()
	if tty == nil {
		return "", errNoPassword
	}
	fmt.Fprint(r.env.Stderr, prompt)
	pw, err := readSecret(tty)
	fmt.Fprintln(r.env.Stderr)
	return pw, err
}

// newPassword reads a password being set: at a terminal it is typed twice.
func (r *runner) newPassword(fromStdin bool, prompt string) (string, error) {
	pw, err := r.password(fromStdin, prompt)
	if err != nil || fromStdin {
		return pw, err
	}
	again, err := r.password(false, "Repeat the password: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", core.FieldErrorf("password", "the two passwords typed differ")
	}
	return pw, nil
}

// ask reads a value typed at the terminal (echoed) for a flag that was not given; without a
// terminal it fails with a usage error naming the flag.
func (r *runner) ask(f *flags, name, prompt string) (string, error) {
	if f.given(name) {
		return f.Lookup(name).Value.String(), nil
	}
	if r.terminal() == nil {
		return "", usagef(f.command, "missing flag --%s", name)
	}
	fmt.Fprint(r.env.Stderr, prompt)
	return r.line(name)
}

// timeLayouts are the local-time forms accepted besides RFC 3339.
var timeLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// parseTime reads a time as RFC 3339 or "YYYY-MM-DD HH:MM" in local time.
// Errors: Invalid naming field.
func parseTime(field, s string) (time.Time, error) {
	t, _, err := parseTimeNote(field, s)
	return t, err
}

// parseTimeNote reads a time as parseTime does. A local time that does not exist (skipped when
// the clocks go forward) is refused with a message that says so; one that happens twice (when
// they go back) is taken at its first occurrence, and note says so and how to mean the second.
func parseTimeNote(field, s string) (t time.Time, note string, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, "", nil
	}
	for _, l := range timeLayouts {
		wall, err := time.Parse(l, s) // the wall-clock fields, placed in local time below
		if err != nil {
			continue
		}
		t, other, err := core.LocalTime(field, wall, time.Local)
		if err == nil && !other.IsZero() {
			note = fmt.Sprintf("%s: %s happens twice in local time (the clocks go back); the first, %s, was taken — for the second, give %s",
				field, wall.Format(displayTime), t.Format(time.RFC3339), other.Format(time.RFC3339))
		}
		return t, note, err
	}
	return time.Time{}, "", core.FieldErrorf(field, "must be a time such as \"2026-06-01 18:00\" (local time) or RFC 3339 \"2026-06-01T18:00:00+02:00\"")
}

// optTime parses the time flag name when it was given; a note about it goes to standard error.
func optTime(f *flags, name, field string, v string) (*time.Time, error) {
	if !f.given(name) {
		return nil, nil
	}
	t, note, err := parseTimeNote(field, v)
	if note != "" {
		fmt.Fprintln(f.r.env.Stderr, "note: "+plain(note))
	}
	return &t, err
}

// parseInt reads a whole number. Errors: Invalid naming field.
func parseInt(field, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, core.FieldErrorf(field, "must be a whole number")
	}
	return n, nil
}

// optAmount parses the amount flag name when it was given.
func optAmount(f *flags, name, field, v string) (*decimal.Decimal, error) {
	if !f.given(name) {
		return nil, nil
	}
	d, err := core.ParseAmount(field, v)
	return &d, err
}

// resolve turns a record argument (full id or unique prefix) into an id.
func (s *session) resolve(t core.RecordType, ref string) (uuid.UUID, error) {
	return s.svc.ResolveID(s.actor, t, ref)
}

// resolveUser turns a user argument (email, full id or unique prefix) into an id.
func (s *session) resolveUser(ref string) (uuid.UUID, error) {
	return s.svc.ResolveUser(s.actor, ref)
}
