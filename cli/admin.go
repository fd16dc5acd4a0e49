package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

const adminUsage = `Administration commands:

  epicevents audit [RECORD]                 show the audit trail (management): every change,
                                            backup, restore, export, login and logout, oldest
                                            first, or only those of one record
  epicevents backup FILE                    write a consistent copy of the database to FILE
                                            (management); the copy leaves out this laptop's
                                            session key and login counters
  epicevents export clients|contracts|events --csv FILE
                                            write every client, contract or event to a CSV file
        --csv FILE         the file to write
  epicevents check                          verify the database file, every record's checksum
                                            and the indexes (management); prints "ok" (exit 0)
                                            or every damaged record and index entry by type and
                                            id and what to do (exit 1)
  epicevents reindex                        rebuild every index from the records (management)
  epicevents repair [--from BACKUP]         mend a damaged database (management): puts back
                                            each damaged record from the team's cluster (team
                                            mode) or from BACKUP (default: the last backup
                                            written on this laptop), removes those with no
                                            healthy copy, records each in the audit trail with
                                            the changes lost, rebuilds the indexes, and keeps
                                            the damaged file beside the database (*.damaged)
        --from BACKUP      the backup file to take records from

  FILE of backup and export: "-" writes to standard output (backup refuses a terminal); a
  regular file is written beside and renamed into place (mode 0600), its missing directories
  created (0700); a character device or a named pipe is written in place. The database, its
  copies and the session file are refused (exit 5), whatever name or link leads to them; so
  is a FILE that cannot be written (exit 5). Both are recorded in the audit trail.
  RECORD is an email, a full id or a unique prefix of at least 8 characters of any record.
  --json prints the result as JSON.
`

// auditOut is an audit trail entry as printed.
type auditOut struct {
	Seq       uint64   `json:"seq"`
	At        jtime    `json:"at"`
	ActorID   *string  `json:"actor_id"`
	ActorName string   `json:"actor_name"`
	Action    string   `json:"action"`
	Record    string   `json:"record"`
	RecordID  string   `json:"record_id"`
	Fields    []string `json:"fields"`
	// Source is where a repair took the record from ("cluster", "backup FILE").
	Source string `json:"source,omitempty"`
}

var auditColumns = []column[auditOut]{
	{title: "WHEN", cell: func(a auditOut) string { return a.At.local() }},
	{title: "WHO", cell: func(a auditOut) string { return a.ActorName }},
	{title: "ACTION", cell: func(a auditOut) string { return a.Action }},
	{title: "RECORD", cell: func(a auditOut) string { return a.Record }},
	{title: "ID", cell: func(a auditOut) string { return short(a.RecordID) }},
	{title: "FIELDS", cell: func(a auditOut) string {
		if a.Source != "" {
			return orDash(strings.Join(a.Fields, ", ")) + " (from the " + a.Source + ")"
		}
		return orDash(strings.Join(a.Fields, ", "))
	}},
}

func runAudit(r *runner, args []string) error {
	return r.newFlags("audit", adminUsage).inSession(args, func(s *session, pos []string) error {
		var q core.AuditQuery
		if pos[0] != "" {
			var err error
			if q.RecordID, err = s.resolveAny(pos[0]); err != nil {
				return err
			}
		}
		entries, hidden, err := s.svc.Audit(s.actor, q)
		return printRecords(s, entries, hidden, err, func(list []core.AuditEntry) ([]auditOut, error) {
			return convert(list, s.toAudit)
		}, auditColumns, "changes recorded")
	}, "RECORD?")
}

func (s *session) toAudit(e core.AuditEntry) (auditOut, error) {
	name := "system"
	if e.Action == core.ActionLoginFailed {
		name = "-" // an attempt for an email no account has: nobody to name
	}
	if e.ActorID != uuid.Nil {
		n, err := s.contactName(e.ActorID)
		if err != nil {
			return auditOut{}, err
		}
		name = orDash(n)
	}
	fields := e.Fields
	if fields == nil {
		fields = []string{}
	}
	return auditOut{Seq: e.Seq, At: jtime(e.At), ActorID: optID(e.ActorID), ActorName: name,
		Action: e.Action, Record: string(e.Record), RecordID: e.RecordID.String(), Fields: fields,
		Source: e.Source}, nil
}

// resolveAny turns a record argument of unknown type into an id: an email names a user, a full
// id is taken as it is (the record may have been deleted), a prefix must match one record.
func (s *session) resolveAny(ref string) (uuid.UUID, error) {
	if strings.Contains(ref, "@") {
		return s.resolveUser(ref)
	}
	if id, err := uuid.Parse(strings.TrimSpace(ref)); err == nil {
		return id, nil
	}
	var found []uuid.UUID
	for _, t := range []core.RecordType{core.UserRecord, core.ClientRecord, core.ContractRecord, core.EventRecord} {
		id, err := s.resolve(t, ref)
		switch core.KindOf(err) {
		case "":
			found = append(found, id)
		case core.NotFound:
		default:
			return uuid.Nil, err
		}
	}
	switch len(found) {
	case 0:
		return uuid.Nil, core.Errorf(core.NotFound, "record not found")
	case 1:
		return found[0], nil
	}
	return uuid.Nil, core.Errorf(core.Conflict, "the id prefix %q matches several records; type more characters", ref)
}

// backupOut is the JSON answer of backup.
type backupOut struct {
	OK      bool   `json:"ok"`
	Path    string `json:"path"`
	Records int    `json:"records"`
}

func runBackup(r *runner, args []string) error {
	f := r.newFlags("backup", adminUsage)
	pos, err := f.parse(args, "FILE")
	if err != nil {
		return err
	}
	dst, err := r.destination("backup", pos[0])
	if err != nil {
		return err
	}
	if dst.Writer != nil && r.stdoutIsTerminal() {
		return usagef("backup", "standard output is a terminal: redirect it to a file, or give a FILE")
	}
	return r.withSession(func(s *session) error {
		n, err := s.svc.Backup(s.actor, dst)
		if err != nil || dst.Writer != nil {
			return err
		}
		return s.done(backupOut{OK: true, Path: dst.Path, Records: n}, "Backup written: %s (%d records)", dst.Path, n)
	})
}

// destination is where backup and export write: FILE made absolute, or standard output for
// "-".
func (r *runner) destination(command, file string) (core.Destination, error) {
	if file == "-" {
		return core.Destination{Writer: r.env.Stdout}, nil
	}
	if file == "" {
		return core.Destination{}, usagef(command, "the file name is empty")
	}
	path, err := filepath.Abs(file)
	if err != nil {
		return core.Destination{}, fmt.Errorf("%s: %w", command, err)
	}
	return core.Destination{Path: path}, nil
}

// stdoutIsTerminal reports whether standard output is a terminal.
func (r *runner) stdoutIsTerminal() bool {
	f, ok := r.out.w.(*os.File)
	return ok && isTerminal(f)
}

// exportOut is the JSON answer of export.
type exportOut struct {
	OK    bool   `json:"ok"`
	Path  string `json:"path"`
	Count int    `json:"count"`
}

// exportKinds maps the kinds of export to their record types.
var exportKinds = map[string]core.RecordType{
	"clients": core.ClientRecord, "contracts": core.ContractRecord, "events": core.EventRecord,
}

func runExport(r *runner, args []string) error {
	f := r.newFlags("export", adminUsage).need("csv")
	file := f.String("csv", "", "")
	pos, err := f.parse(args, "clients|contracts|events")
	if err != nil {
		return err
	}
	rec, ok := exportKinds[pos[0]]
	if !ok {
		return usagef("export", "unknown kind %q: export clients, contracts or events", pos[0])
	}
	dst, err := r.destination("export", *file)
	if err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		data, n, err := s.exportCSV(pos[0])
		if err != nil {
			return err
		}
		if err := s.svc.Export(s.actor, rec, n, data, dst); err != nil || dst.Writer != nil {
			return err
		}
		return s.done(exportOut{OK: true, Path: dst.Path, Count: n}, "Exported %d %s to %s", n, pos[0], dst.Path)
	})
}

// exportCSV returns every record of a kind as CSV in core's schema of the record (the window
// exports the same bytes), with the number of records.
func (s *session) exportCSV(kind string) ([]byte, int, error) {
	l, err := s.svc.ExportLookup(s.actor)
	if err != nil {
		return nil, 0, err
	}
	switch kind {
	case "clients":
		list, hidden, err := s.svc.ListClients(s.actor, core.ClientQuery{})
		return writeCSV(s, list, hidden, err, core.ClientsCSV, l)
	case "contracts":
		list, hidden, err := s.svc.ListContracts(s.actor, core.ContractQuery{})
		return writeCSV(s, list, hidden, err, core.ContractsCSV, l)
	case "events":
		list, hidden, err := s.svc.ListEvents(s.actor, core.EventQuery{})
		return writeCSV(s, list, hidden, err, core.EventsCSV, l)
	}
	return nil, 0, usagef("export", "unknown kind %q: export clients, contracts or events", kind)
}

// writeCSV writes the answer of a list query — the records, how many damaged ones were left out
// (said on standard error), the error — as CSV lines made by lines, with the number of records.
func writeCSV[R any](s *session, list []R, hidden int, err error, lines func([]R, core.ExportLookup) [][]string,
	l core.ExportLookup) ([]byte, int, error) {
	if err != nil {
		return nil, 0, err
	}
	s.warnHidden(hidden)
	csv := lines(list, l)
	var buf bytes.Buffer
	err = core.WriteCSV(&buf, csv)
	return buf.Bytes(), len(csv) - 1, err
}

// checkOut is the JSON answer of check and reindex.
type checkOut struct {
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`
	// Damaged lists the damaged records ("client 0b6f…", "audit entry #12"), Indexes the index
	// entries damaged or out of step, Advice what to do (check only).
	Damaged []string `json:"damaged,omitempty"`
	Indexes []string `json:"indexes,omitempty"`
	Advice  string   `json:"advice,omitempty"`
}

func runCheck(r *runner, args []string) error {
	return r.newFlags("check", adminUsage).inSession(args, func(s *session, _ []string) error {
		rep, err := s.svc.Inspect(s.actor)
		if err != nil {
			return err
		}
		return r.reportCheck(rep)
	})
}

// reportCheck prints a check's report: "ok", or every problem, the damaged records and index
// entries by type and id, and what to do (exit 1).
func (r *runner) reportCheck(rep core.CheckReport) error {
	out := checkOut{OK: rep.OK(), Problems: append([]string{}, rep.Problems...), Advice: rep.Advice()}
	for _, ref := range rep.Records {
		out.Damaged = append(out.Damaged, ref.String())
	}
	for _, x := range rep.Indexes {
		out.Indexes = append(out.Indexes, x.Index+": "+x.Problem)
	}
	return r.showCheck(out, func(w io.Writer) {
		if out.OK {
			fmt.Fprintln(w, "ok")
			return
		}
		fmt.Fprintf(w, "the database has %d problem(s)\n", len(out.Problems))
		for _, p := range out.Problems {
			printLines(w, "- "+p)
		}
		if len(out.Damaged) > 0 {
			fmt.Fprintf(w, "damaged records (%d): %s\n", len(out.Damaged), strings.Join(out.Damaged, ", "))
		}
		fmt.Fprintln(w, "what to do: "+out.Advice)
	})
}

// showCheck prints the answer of check or reindex (human writes it for people), then fails
// with exit 1 when the database has problems.
func (r *runner) showCheck(out checkOut, human func(w io.Writer)) error {
	if err := r.show(out, human); err != nil || out.OK {
		return err
	}
	return &cliError{code: exitInternal, msg: fmt.Sprintf("the database check found %d problem(s): %s", len(out.Problems), r.dbPath())}
}

// repairOut is the JSON answer of repair.
type repairOut struct {
	OK       bool          `json:"ok"`
	Restored []restoredOut `json:"restored"`
	Lost     []string      `json:"lost"`
	Local    int           `json:"local_entries_removed"`
	Backup   string        `json:"backup"`
	Kept     string        `json:"damaged_copy"`
	After    checkOut      `json:"after"`
}

type restoredOut struct {
	Record string   `json:"record"`
	Source string   `json:"source"`
	Lost   []string `json:"lost_fields"`
}

func runRepair(r *runner, args []string) error {
	f := r.newFlags("repair", adminUsage)
	from := f.String("from", "", "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	opt := core.RepairOptions{}
	if *from != "" {
		abs, err := filepath.Abs(*from)
		if err != nil {
			return fmt.Errorf("repair: %w", err)
		}
		opt.Backup = abs
	}
	return r.withSession(func(s *session) error {
		res, err := s.svc.Repair(context.Background(), s.actor, opt)
		if err != nil {
			return err
		}
		out := repairOut{OK: res.After.OK(), Restored: []restoredOut{}, Lost: []string{}, Local: res.Local,
			Backup: res.Backup, Kept: res.Kept, After: checkOut{OK: res.After.OK(), Problems: append([]string{}, res.After.Problems...)}}
		for _, x := range res.Restored {
			out.Restored = append(out.Restored, restoredOut{Record: x.Record.String(), Source: x.Source, Lost: x.Lost})
		}
		for _, ref := range res.Lost {
			out.Lost = append(out.Lost, ref.String())
		}
		if err := r.show(out, func(w io.Writer) {
			for _, line := range res.Summary() {
				fmt.Fprintln(w, line)
			}
			fmt.Fprintln(w, "Indexes rebuilt.")
			if out.OK {
				fmt.Fprintln(w, "ok")
				return
			}
			for _, p := range res.After.Problems {
				printLines(w, "- "+p)
			}
		}); err != nil || out.OK {
			return err
		}
		return &cliError{code: exitInternal, msg: fmt.Sprintf("the database still has %d problem(s) after the repair: %s", len(res.After.Problems), r.dbPath())}
	})
}

func runReindex(r *runner, args []string) error {
	return r.newFlags("reindex", adminUsage).inSession(args, func(s *session, _ []string) error {
		return r.report(s.svc.Reindex(s.actor), "Indexes rebuilt.")
	})
}

// report prints the outcome of reindex: okText, or the problems found and exit 1.
func (r *runner) report(err error, okText string) error {
	var ce *storage.CheckError
	if err != nil && !errors.As(err, &ce) {
		return err
	}
	out := checkOut{OK: err == nil, Problems: []string{}}
	if ce != nil {
		for _, p := range ce.Problems {
			out.Problems = append(out.Problems, p.Error())
		}
	}
	return r.showCheck(out, func(w io.Writer) {
		if ce == nil {
			fmt.Fprintln(w, okText)
			return
		}
		printLines(w, ce.Error())
	})
}
