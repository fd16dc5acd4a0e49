package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// displayTime is how people read times: local time to the minute.
const displayTime = "2006-01-02 15:04"

// shortID is how many characters of an id a table shows: the shortest prefix commands accept.
const shortID = 8

// jtime is a time of an output record: RFC 3339 in UTC in JSON and CSV, local time in tables.
type jtime time.Time

// MarshalJSON writes the time as an RFC 3339 string.
func (t jtime) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// String returns the time in RFC 3339, in UTC.
func (t jtime) String() string { return time.Time(t).UTC().Format(time.RFC3339) }

// local returns the time as people read it.
func (t jtime) local() string { return time.Time(t).Local().Format(displayTime) }

// optTimeOut is a time that may be unset (zero): nil then, shown as null.
func optTimeOut(t time.Time) *jtime {
	if t.IsZero() {
		return nil
	}
	j := jtime(t)
	return &j
}

// optID is an id that may be unset: nil then, shown as null.
func optID(id uuid.UUID) *string {
	if id == uuid.Nil {
		return nil
	}
	s := id.String()
	return &s
}

// column is one column of a table: its title, its alignment and how a row fills it.
type column[T any] struct {
	title string
	right bool
	cell  func(T) string
}

// writeTable writes rows as an aligned table with a header line.
func writeTable[T any](w io.Writer, cols []column[T], rows []T) {
	cells := make([][]string, 0, len(rows)+1)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.title
	}
	cells = append(cells, head)
	for _, row := range rows {
		line := make([]string, len(cols))
		for i, c := range cols {
			line[i] = oneLine(c.cell(row))
		}
		cells = append(cells, line)
	}
	for i, c := range cols {
		if c.right {
			padLeft(cells, i)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, line := range cells {
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	_ = tw.Flush()
}

// padLeft right-aligns column i by padding its cells to the widest.
func padLeft(cells [][]string, i int) {
	width := 0
	for _, line := range cells {
		width = max(width, utf8.RuneCountInString(line[i]))
	}
	for _, line := range cells {
		line[i] = strings.Repeat(" ", width-utf8.RuneCountInString(line[i])) + line[i]
	}
}

// oneLine keeps a table cell on one line and out of the tab stops, escaped with plain.
func oneLine(s string) string {
	return plain(strings.NewReplacer("\t", " ", "\r\n", " ", "\n", " ").Replace(s))
}

// plain makes text safe to print on a terminal: every control character (Unicode Cc — C0,
// DEL, C1: ESC would start a command of the terminal, CR would rewrite the line) and every
// format or separator character that hides or reorders text (Cf, Zl, Zp: U+202E would reverse
// what follows, a zero-width space would hide) is written as an escape — \x1b, \r, \u202e — and
// so is each byte of invalid UTF-8. Every plain-text cell, field, message and error line goes
// through it; JSON output is escaped by encoding/json.
func plain(s string) string {
	if strings.IndexFunc(s, needsEscape) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			b.WriteString(escapeRune(r))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) }

// escapeRune writes r, one that needsEscape, as Go writes it in a string literal: \n, \r, \t,
// \x1b, \u202e, \U000e0001 (strconv quotes every such rune, none being printable).
func escapeRune(r rune) string {
	q := strconv.QuoteRune(r)
	return q[1 : len(q)-1]
}

// field is one line of a record's detail view.
type field struct {
	label, value string
}

// writeFields writes a record's details as aligned "Label: value" lines; a value of several
// lines continues under the first. Each line is escaped with plain.
func writeFields(w io.Writer, fields []field) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fields {
		lines := strings.Split(strings.ReplaceAll(f.value, "\r\n", "\n"), "\n")
		for i, l := range lines {
			label := ""
			if i == 0 {
				label = f.label + ":"
			}
			fmt.Fprintf(tw, "%s\t%s\n", label, plain(strings.ReplaceAll(l, "\t", " ")))
		}
	}
	_ = tw.Flush()
}

// show prints v as JSON with --json, or calls human to write it for people.
func (r *runner) show(v any, human func(w io.Writer)) error {
	if r.json {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		_, err = fmt.Fprintf(r.env.Stdout, "%s\n", b)
		return err
	}
	human(r.env.Stdout)
	return nil
}

// warnHidden says on standard error that damaged records were left out of a list (the exit
// code stays 0: the list shown is right, only incomplete).
func (r *runner) warnHidden(n int) {
	if msg := core.HiddenMessage(n); msg != "" {
		fmt.Fprintln(r.env.Stderr, msg)
	}
}

// printList prints records as a JSON array or an aligned table ("No <noun>." when empty).
func printList[T any](r *runner, rows []T, cols []column[T], noun string) error {
	if rows == nil {
		rows = []T{}
	}
	return r.show(rows, func(w io.Writer) {
		if len(rows) == 0 {
			fmt.Fprintf(w, "No %s.\n", noun)
			return
		}
		writeTable(w, cols, rows)
	})
}

// printRecords prints the answer of a list query — the records, how many damaged ones were
// left out, the error —: the hidden count goes to standard error (warnHidden), the records are
// made output records by conv and printed by printList.
func printRecords[R, O any](s *session, list []R, hidden int, err error, conv func([]R) ([]O, error), cols []column[O], noun string) error {
	if err != nil {
		return err
	}
	s.warnHidden(hidden)
	out, err := conv(list)
	if err != nil {
		return err
	}
	return printList(s.runner, out, cols, noun)
}

// each returns the output records made of list by one.
func each[R, O any](list []R, one func(R) O) []O {
	out := make([]O, len(list))
	for i, r := range list {
		out[i] = one(r)
	}
	return out
}

// convert returns the output records made of list by one, stopping at its first error.
func convert[R, O any](list []R, one func(R) (O, error)) ([]O, error) {
	out := make([]O, len(list))
	for i, r := range list {
		var err error
		if out[i], err = one(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// doneRecord prints the record an action returned, made an output record by conv: as one line
// of format and args (see done), or in full with its fields when format is "" (view). When
// the action failed (err), it returns err and prints nothing.
func doneRecord[R, O any](s *session, rec R, err error, conv func([]R) ([]O, error), fields func(O) []field,
	format string, args ...any) error {
	if err != nil {
		return err
	}
	out, err := conv([]R{rec})
	if err != nil {
		return err
	}
	if format != "" {
		return s.done(out[0], format, args...)
	}
	return s.show(out[0], func(w io.Writer) { writeFields(w, fields(out[0])) })
}

// done prints the outcome of an action: v as JSON, or one line for people, its string
// arguments escaped with plain.
func (r *runner) done(v any, format string, args ...any) error {
	return r.show(v, func(w io.Writer) { fmt.Fprintf(w, format+"\n", plainArgs(args)...) })
}

// plainArgs escapes the strings among args with plain.
func plainArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = plain(s)
		}
		out[i] = a
	}
	return out
}

// printLines writes text line by line, each escaped with plain.
func printLines(w io.Writer, text string) {
	for _, l := range strings.Split(text, "\n") {
		fmt.Fprintln(w, plain(l))
	}
}

// deleted prints the outcome of deleting the record id: err, or "<What> deleted: <id>".
func (s *session) deleted(err error, what string, id uuid.UUID) error {
	if err != nil {
		return err
	}
	return s.done(okJSON{OK: true, ID: id.String()}, what+" deleted: %s", id)
}

// okJSON is the JSON answer of an action that returns no record.
type okJSON struct {
	OK   bool   `json:"ok"`
	ID   string `json:"id,omitempty"`
	Path string `json:"path,omitempty"`
}

// short returns the first characters of an id, as tables show it.
func short(id string) string {
	if len(id) > shortID {
		return id[:shortID]
	}
	return id
}

// orDash shows an empty value as "-".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// deref returns *p, "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
