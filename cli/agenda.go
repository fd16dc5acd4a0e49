package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/epicevents/crm/core"
)

// eventAgenda prints the events of a week (the seven days from --from, default today) or of the
// calendar month containing --from, by start. --json prints the objects of "event list".
func eventAgenda(r *runner, args []string) error {
	f := r.newFlags("event agenda", eventUsage)
	week := f.Bool("week", false, "")
	month := f.Bool("month", false, "")
	from := f.String("from", "", "")
	mine := f.Bool("mine", false, "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *week && *month {
		return usagef("event agenda", "give --week or --month, not both")
	}
	q := core.AgendaQuery{View: core.AgendaWeek, Mine: *mine, Loc: time.Local}
	if *month {
		q.View = core.AgendaMonth
	}
	if f.given("from") {
		d, err := parseDate("from", *from)
		if err != nil {
			return err
		}
		q.Day = d
	}
	return r.withSession(func(s *session) error {
		list, hidden, ag, err := s.svc.AgendaEvents(s.actor, q)
		return printRecords(s, list, hidden, err, func(list []core.Event) ([]eventOut, error) {
			out, err := s.toEvents(list)
			if err == nil && !r.json { // the days shown, above the table
				last := ag.To.Add(-time.Nanosecond)
				fmt.Fprintf(r.env.Stdout, "%s to %s\n", ag.From.Format("Mon 2006-01-02"), last.Format("Mon 2006-01-02"))
			}
			return out, err
		}, eventColumns, "events")
	})
}

// parseDate reads a day as YYYY-MM-DD (or a time of parseTime, whose day is taken).
// Errors: Invalid naming field.
func parseDate(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return d, nil
	}
	t, err := parseTime(field, s)
	if err != nil {
		return time.Time{}, core.FieldErrorf(field, "must be a date such as 2026-06-01")
	}
	return t, nil
}

const importUsage = `Import commands:

  epicevents import clients --csv FILE [--dry-run]
                                            create and update clients from a CSV file
        --csv FILE         the file ("-" reads standard input): UTF-8 with or without a BOM,
                           "," or ";" between cells, CRLF or LF; headers in any order, in
                           English (the export's: full_name, email, phone, company_name, notes,
                           commercial_contact_id…) or French (nom complet/nom,
                           e-mail/email/courriel, téléphone/tel, entreprise/société, notes,
                           commercial)
        --dry-run          check every line and say what would happen; write nothing

  A line whose email is a client's updates only what differs (a commercial: only their own
  clients); any other line creates a client (a commercial's are their own; management names
  the commercial of each line: email, id or full name). If one line fails, nothing is written
  and every failing line is listed with its line number (exit 5). One audit entry per client.
  --json prints the report as JSON.
`

var importCommands = map[string]func(*runner, []string) error{
	"clients": importClients,
}

// importOut is the report of an import as printed.
type importOut struct {
	DryRun    bool           `json:"dry_run"`
	Written   bool           `json:"written"`
	Created   int            `json:"created"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Failed    int            `json:"failed"`
	Rows      []importRowOut `json:"rows"`
}

type importRowOut struct {
	Line   int      `json:"line"`
	Action string   `json:"action,omitempty"`
	Email  string   `json:"email,omitempty"`
	Fields []string `json:"fields,omitempty"`
	Error  string   `json:"error,omitempty"`
	Code   string   `json:"code,omitempty"`
}

func importClients(r *runner, args []string) error {
	f := r.newFlags("import clients", importUsage).need("csv")
	file := f.String("csv", "", "")
	dry := f.Bool("dry-run", false, "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	var data io.Reader
	if *file == "-" {
		data = r.env.Stdin
	} else {
		fh, err := openInput(*file)
		if err != nil {
			return err
		}
		defer fh.Close()
		data = fh
	}
	return r.withSession(func(s *session) error {
		rep, err := s.svc.ImportClients(s.actor, data, core.ImportOptions{DryRun: *dry})
		if rep.Rows == nil && err != nil {
			return err // the file itself, or the department
		}
		out := importOut{DryRun: *dry, Written: rep.Written, Created: rep.Created, Updated: rep.Updated,
			Unchanged: rep.Unchanged, Failed: rep.Failed, Rows: []importRowOut{}}
		for _, row := range rep.Rows {
			o := importRowOut{Line: row.Line, Email: row.Client.Email, Fields: row.Fields}
			if row.Err != nil {
				o.Error, o.Code = row.Err.Error(), errCode(row.Err)
			} else {
				o.Action = string(row.Action)
			}
			out.Rows = append(out.Rows, o)
		}
		if perr := r.show(out, func(w io.Writer) { writeImport(w, out) }); perr != nil {
			return perr
		}
		return err
	})
}

func errCode(err error) string {
	var e *core.Error
	if asCoreErr(err, &e) {
		return string(e.Code)
	}
	return ""
}

// writeImport prints the failing lines, then what the import did or would do.
func writeImport(w io.Writer, o importOut) {
	for _, row := range o.Rows {
		if row.Error != "" {
			fmt.Fprintf(w, "line %d: %s\n", row.Line, row.Error)
		}
	}
	counts := fmt.Sprintf("%d to create, %d to update, %d unchanged", o.Created, o.Updated, o.Unchanged)
	switch {
	case o.Failed > 0:
		fmt.Fprintf(w, "Nothing imported: %d line(s) with errors.\n", o.Failed)
	case o.DryRun:
		fmt.Fprintf(w, "Dry run, nothing written: %s.\n", counts)
	default:
		fmt.Fprintf(w, "Imported %d client(s): %d created, %d updated, %d unchanged.\n",
			o.Created+o.Updated, o.Created, o.Updated, o.Unchanged)
	}
}

// openInput opens a file to read; a missing or unreadable file is invalid input naming it.
func openInput(path string) (*os.File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &cliError{code: exitInvalid, msg: fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))}
	}
	if fi, err := fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		return nil, &cliError{code: exitInvalid, msg: fmt.Sprintf("%s is not a regular file", path)}
	}
	return fh, nil
}

func asCoreErr(err error, e **core.Error) bool { return errors.As(err, e) }
