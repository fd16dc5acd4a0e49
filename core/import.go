package core

import (
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/epicevents/crm/permissions"
)

// ImportAction is what an import does with one line.
type ImportAction string

// The import actions.
const (
	ImportCreate    ImportAction = "create"    // a new client
	ImportUpdate    ImportAction = "update"    // an existing client (same email) changes
	ImportUnchanged ImportAction = "unchanged" // an existing client, already as the line says
)

// ImportRow is one line of an imported file and what the import does with it.
type ImportRow struct {
	Line   int // the line of the file (the header is line 1)
	Action ImportAction
	Client Client   // the client as it will be (create, update) or is (unchanged)
	Fields []string // the fields an update changes
	Err    error    // why the line cannot be imported (an *Error naming the field); nil when it can
}

// ImportReport is the outcome of an import: every line, what happens to it, and the counts.
type ImportReport struct {
	Rows                        []ImportRow
	Created, Updated, Unchanged int
	Failed                      int  // lines with an error
	Written                     bool // the changes were committed (never on a dry run or an error)
}

// ImportOptions tune ImportClients.
type ImportOptions struct {
	DryRun bool // check and report, write nothing
}

// ImportClients reads clients from a CSV file (see readClientCSV for what it reads) and, unless
// opt.DryRun, writes them in one transaction: a line whose email is a client's updates only what
// differs (within the actor's rights: a commercial updates only their own clients), any other
// line creates a client (a commercial's are their own; management names the commercial of each
// line in a "commercial" column: an email, an id or a full name). Every line is validated with
// the rules of CreateClient and UpdateClient; if any line fails, nothing is written and the
// report lists every failing line. One audit entry per client created or updated.
// Errors: Unauthenticated, Forbidden (department), Invalid (the file: csv_* codes; a line:
// import_rejected with the first failing line), Internal.
func (s *Service) ImportClients(a *Actor, r io.Reader, opt ImportOptions) (ImportReport, error) {
	if err := authorize(a, resClient, permissions.Create, "import clients"); err != nil {
		return ImportReport{}, err
	}
	rows, err := readClientCSV(r)
	if err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	run := func(tx Tx) error {
		var err error
		if rep, err = s.planImport(tx, a, rows); err != nil {
			return err
		}
		if rep.Failed > 0 {
			first := 0
			for _, row := range rep.Rows {
				if row.Err != nil {
					first = row.Line
					break
				}
			}
			return importError(Invalid, CodeImportRejected, "", rep.Failed, first)
		}
		if opt.DryRun {
			return nil
		}
		return s.applyImport(tx, a, rep.Rows)
	}
	if opt.DryRun {
		err = s.view(a, "import clients", run)
	} else {
		err = s.update(a, "import clients", run)
	}
	rep.Written = err == nil && !opt.DryRun
	if rep.Written && rep.Created+rep.Updated > 0 {
		s.event(a, "clients_imported", "clients imported from a file", nil)
	}
	return rep, err
}

// planImport decides what each line does, reading the store, writing nothing.
func (s *Service) planImport(tx Tx, a *Actor, rows []csvRow) (ImportReport, error) {
	rep := ImportReport{Rows: make([]ImportRow, 0, len(rows))}
	owners := &commercialResolver{tx: tx, ids: map[string]uuid.UUID{}}
	emails := map[string]int{}
	for _, in := range rows {
		row := ImportRow{Line: in.line}
		var err error
		if in.err != nil {
			row.Err = in.err
		} else {
			row, err = s.planRow(tx, a, in, emails, owners)
			if err != nil {
				return rep, err
			}
		}
		if row.Err != nil {
			// The line as written, so that a preview can say which one it is.
			row.Client = Client{FullName: in.cells[colFullName], Email: in.cells[colEmail]}
		}
		switch {
		case row.Err != nil:
			rep.Failed++
		case row.Action == ImportCreate:
			rep.Created++
		case row.Action == ImportUpdate:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// planRow plans one line. A rule the line breaks goes in row.Err; the error returned is a
// failure of the store.
func (s *Service) planRow(tx Tx, a *Actor, in csvRow, emails map[string]int, owners *commercialResolver) (ImportRow, error) {
	row := ImportRow{Line: in.line}
	fail := func(err error) (ImportRow, error) {
		if KindOf(err) == Internal {
			return row, err
		}
		row.Err = err
		return row, nil
	}
	email, err := ValidateEmail("email", in.cells[colEmail])
	if err != nil {
		return fail(err)
	}
	if prev, dup := emails[email]; dup {
		return fail(importError(Invalid, CodeImportDuplicate, "email", prev))
	}
	emails[email] = in.line
	owner, named, err := owners.resolve(in.cells)
	if err != nil {
		return fail(err)
	}
	cur, err := tx.ClientByEmail(email)
	switch KindOf(err) {
	case NotFound:
		return s.planCreate(tx, a, row, in, email, owner, named)
	case "":
	default:
		return fail(err)
	}
	next := cur
	set := func(dst *string, col string) {
		if v, ok := in.cells[col]; ok {
			*dst = v
		}
	}
	set(&next.FullName, colFullName)
	set(&next.Phone, colPhone)
	set(&next.CompanyName, colCompany)
	set(&next.Notes, colNotes)
	if next, err = ValidateClient(next); err != nil {
		return fail(err)
	}
	if named && owner != cur.CommercialID {
		return fail(importError(Invalid, CodeImportReassign, "commercial_contact"))
	}
	row.Fields = clientChanges(cur, next)
	row.Client, row.Action = next, ImportUpdate
	if len(row.Fields) == 0 {
		row.Client, row.Action = cur, ImportUnchanged
		return row, nil
	}
	switch a.Can(resClient, permissions.Update) {
	case deny:
		return fail(NewError(Forbidden, CodeDepartmentForbidden, a.dept, "update clients"))
	case own:
		if cur.CommercialID != a.id {
			return fail(importError(Forbidden, CodeImportNotYours, ""))
		}
	}
	return row, nil
}

func (s *Service) planCreate(tx Tx, a *Actor, row ImportRow, in csvRow, email string, owner uuid.UUID, named bool) (ImportRow, error) {
	c, err := ValidateClient(Client{FullName: in.cells[colFullName], Email: email, Phone: in.cells[colPhone],
		CompanyName: in.cells[colCompany], Notes: in.cells[colNotes]})
	if err == nil {
		if a.Can(resClient, permissions.Create) == own {
			if named && owner != a.id {
				err = importError(Forbidden, CodeImportOtherOwner, "commercial_contact")
			}
			owner = a.id
		} else if !named {
			err = importError(Invalid, CodeImportNeedsOwner, "commercial_contact")
		} else {
			err = requireActive(tx, owner, Commercial, "commercial_contact")
		}
	}
	if err != nil {
		if k := KindOf(err); k == Internal {
			return row, err
		}
		row.Err = err
		return row, nil
	}
	c.CommercialID = owner
	row.Client, row.Action = c, ImportCreate
	return row, nil
}

// applyImport writes the planned lines: each created or updated client with its audit entry.
func (s *Service) applyImport(tx Tx, a *Actor, rows []ImportRow) error {
	now := s.Now()
	for i := range rows {
		row := &rows[i]
		c := &row.Client
		switch row.Action {
		case ImportCreate:
			c.ID, c.CreatedAt, c.UpdatedAt = newID(), now, now
			if err := tx.PutClient(c); err != nil {
				return err
			}
			if err := s.audit(tx, a, ActionCreate, ClientRecord, c.ID,
				"full_name", "email", "phone", "company_name", "notes", "commercial_contact"); err != nil {
				return err
			}
		case ImportUpdate:
			c.UpdatedAt = now
			if err := tx.PutClient(c); err != nil {
				return err
			}
			if err := s.audit(tx, a, ActionUpdate, ClientRecord, c.ID, row.Fields...); err != nil {
				return err
			}
		}
	}
	return nil
}

// commercialResolver finds the commercial a line names, by id, email or full name, once per
// distinct value.
type commercialResolver struct {
	tx     Tx
	ids    map[string]uuid.UUID
	byName map[string][]uuid.UUID // lower-cased full name → commercials
}

// resolve returns the commercial the cells name and whether they name one.
func (r *commercialResolver) resolve(cells map[string]string) (uuid.UUID, bool, error) {
	ref := strings.TrimSpace(cells[colCommercialID])
	if ref == "" {
		ref = strings.TrimSpace(cells[colCommercial])
	}
	if ref == "" {
		return uuid.Nil, false, nil
	}
	if id, ok := r.ids[ref]; ok {
		return id, true, nil
	}
	id, err := r.lookup(ref)
	if err != nil {
		return uuid.Nil, true, err
	}
	r.ids[ref] = id
	return id, true, nil
}

func (r *commercialResolver) lookup(ref string) (uuid.UUID, error) {
	if id, err := uuid.Parse(ref); err == nil {
		u, err := r.tx.User(id)
		if KindOf(err) == NotFound || err == nil && u.Department != Commercial {
			return uuid.Nil, importError(Invalid, CodeImportNoCommerial, "commercial_contact", ref)
		}
		return id, err
	}
	if strings.Contains(ref, "@") {
		u, err := r.tx.UserByEmail(NormalizeEmail(ref))
		if KindOf(err) == NotFound || err == nil && u.Department != Commercial {
			return uuid.Nil, importError(Invalid, CodeImportNoCommerial, "commercial_contact", ref)
		}
		return u.ID, err
	}
	if r.byName == nil {
		users, _, err := r.tx.Users(UserFilter{Department: Commercial})
		if err != nil {
			return uuid.Nil, err
		}
		r.byName = map[string][]uuid.UUID{}
		for _, u := range users {
			k := strings.ToLower(strings.TrimSpace(u.FullName))
			r.byName[k] = append(r.byName[k], u.ID)
		}
	}
	switch ids := r.byName[strings.ToLower(ref)]; len(ids) {
	case 0:
		return uuid.Nil, importError(Invalid, CodeImportNoCommerial, "commercial_contact", ref)
	case 1:
		return ids[0], nil
	}
	return uuid.Nil, importError(Invalid, CodeImportAmbiguous, "commercial_contact", ref)
}
