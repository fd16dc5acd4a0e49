package core

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Reading the CSV files spreadsheets write, for the client import (issue #14): UTF-8 with or
// without a byte-order mark, "," or ";" between cells (French Excel writes ";"), CRLF or LF line
// ends, and headers in any order, in English (the export's own names) or French.

// The codes of the import's errors, with their English texts (importTexts); the window has
// their French texts.
const (
	CodeCSVEmpty          = "csv_empty"
	CodeCSVTooLarge       = "csv_too_large"
	CodeCSVEncoding       = "csv_encoding"
	CodeCSVMalformed      = "csv_malformed"
	CodeCSVColumnUnknown  = "csv_column_unknown"
	CodeCSVColumnTwice    = "csv_column_twice"
	CodeCSVColumnMissing  = "csv_column_missing"
	CodeCSVCells          = "csv_cells"
	CodeImportDuplicate   = "import_duplicate_email"
	CodeImportRejected    = "import_rejected"
	CodeImportNotYours    = "import_not_yours"
	CodeImportOtherOwner  = "import_other_commercial"
	CodeImportReassign    = "import_reassign"
	CodeImportNoCommerial = "import_commercial_unknown"
	CodeImportAmbiguous   = "import_commercial_ambiguous"
	CodeImportNeedsOwner  = "import_commercial_required"
)

// ImportTexts are the English texts of the import's codes, fmt formats filled with Error.Args.
var ImportTexts = map[string]string{
	CodeCSVEmpty:          "the file is empty: it needs a header line and at least one client",
	CodeCSVTooLarge:       "the file is larger than %d MB",
	CodeCSVEncoding:       "line %d is not UTF-8 text: save the file as \"CSV UTF-8\"",
	CodeCSVMalformed:      "line %d is not valid CSV (check its quotes)",
	CodeCSVColumnUnknown:  "unknown column %q: the columns are full_name, email, phone, company_name, notes and commercial (or their French names)",
	CodeCSVColumnTwice:    "the column %q appears twice",
	CodeCSVColumnMissing:  "the file has no %s column",
	CodeCSVCells:          "this line has %d cells where the header has %d",
	CodeImportDuplicate:   "this email is already on line %d of the file",
	CodeImportRejected:    "nothing was imported: %d line(s) have errors, the first on line %d",
	CodeImportNotYours:    "this client belongs to another commercial: you may update only your own clients",
	CodeImportOtherOwner:  "the clients you import are your own: you may not name another commercial",
	CodeImportReassign:    "the import does not change a client's commercial: reassign the client from the clients list",
	CodeImportNoCommerial: "no active commercial is called %q",
	CodeImportAmbiguous:   "several commercials are called %q: give their email instead",
	CodeImportNeedsOwner:  "is required: name the commercial in charge of this client (email, id or name)",
}

// importError returns an error of an import code, its message the English text.
func importError(kind Kind, code, field string, args ...any) *Error {
	return &Error{Kind: kind, Code: Code(code), Field: field, Args: args, Message: fmt.Sprintf(ImportTexts[code], args...)}
}

// MaxImportBytes bounds the size of an imported file.
const MaxImportBytes = 64 << 20

// The columns of an imported client file.
const (
	colFullName     = "full_name"
	colEmail        = "email"
	colPhone        = "phone"
	colCompany      = "company_name"
	colNotes        = "notes"
	colCommercial   = "commercial"    // an email, an id or a full name
	colCommercialID = "commercial_id" // an id: preferred to colCommercial when both are given
	colIgnored      = ""
)

// importHeaders maps each accepted header (lower-cased, trimmed) to its column.
var importHeaders = map[string]string{
	"full_name": colFullName, "full name": colFullName, "name": colFullName,
	"nom complet": colFullName, "nom": colFullName,
	"email": colEmail, "e-mail": colEmail, "courriel": colEmail, "mail": colEmail,
	"phone": colPhone, "téléphone": colPhone, "telephone": colPhone, "tel": colPhone, "tél": colPhone,
	"company_name": colCompany, "company": colCompany, "entreprise": colCompany,
	"société": colCompany, "societe": colCompany,
	"notes": colNotes, "note": colNotes,
	"commercial": colCommercial, "commercial_contact": colCommercial,
	"commercial_contact_name": colCommercial, "commercial_contact_id": colCommercialID,
	// The export's own columns that an import does not set.
	"id": colIgnored, "created_at": colIgnored, "updated_at": colIgnored,
}

// csvRow is one line of an imported file: its line number (the header is line 1) and its
// cells by column; a column the file does not have is absent.
type csvRow struct {
	line  int
	cells map[string]string
	err   error // the line's own error (its number of cells)
}

// readClientCSV reads an imported file into rows. Errors: Invalid with a csv_* code.
func readClientCSV(r io.Reader) ([]csvRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, InternalError("read the file", err)
	}
	if len(data) > MaxImportBytes {
		return nil, importError(Invalid, CodeCSVTooLarge, "", MaxImportBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		bad := len(data)
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				bad = i
				break
			}
			i += n
		}
		return nil, importError(Invalid, CodeCSVEncoding, "", 1+bytes.Count(data[:bad], []byte("\n")))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, importError(Invalid, CodeCSVEmpty, "")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = separator(data)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, csvReadError(err)
	}
	cols, err := importColumns(head)
	if err != nil {
		return nil, err
	}
	var rows []csvRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvReadError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line (spaces only)
		}
		row := csvRow{line: line, cells: make(map[string]string, len(cols))}
		if len(rec) != len(cols) {
			row.err = importError(Invalid, CodeCSVCells, "", len(rec), len(cols))
		}
		for i, c := range cols {
			if c == colIgnored || i >= len(rec) {
				continue
			}
			row.cells[c] = unescapeCell(rec[i])
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, importError(Invalid, CodeCSVEmpty, "")
	}
	return rows, nil
}

func csvReadError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return importError(Invalid, CodeCSVMalformed, "", pe.StartLine)
	}
	return importError(Invalid, CodeCSVEmpty, "")
}

// separator returns ';' when the header line has more semicolons than commas outside quotes,
// ',' otherwise.
func separator(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// importColumns maps the header's cells to columns. Errors: unknown or repeated column, no
// email column.
func importColumns(head []string) ([]string, error) {
	cols := make([]string, len(head))
	seen := map[string]string{}
	for i, h := range head {
		key := strings.ToLower(norm.NFC.String(strings.TrimSpace(h)))
		c, ok := importHeaders[key]
		if !ok {
			return nil, importError(Invalid, CodeCSVColumnUnknown, "", strings.TrimSpace(h))
		}
		if c != colIgnored {
			if prev, dup := seen[c]; dup {
				return nil, importError(Invalid, CodeCSVColumnTwice, "", prev+" / "+strings.TrimSpace(h))
			}
			seen[c] = strings.TrimSpace(h)
		}
		cols[i] = c
	}
	// Only the email is needed in every file: it says which client a line is. A file of emails
	// and phones updates phones; a line of it that creates a client fails on the missing name.
	if _, ok := seen[colEmail]; !ok {
		return nil, importError(Invalid, CodeCSVColumnMissing, "", colEmail)
	}
	return cols, nil
}

// unescapeCell undoes EscapeCSVCell: a quote before a formula's first character goes, so that
// an exported file imports back unchanged.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}
