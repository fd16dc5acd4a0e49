package cli

// Fuzz targets for CSV export and time parsing. Seeds are in testdata/fuzz/<FuzzName>/.

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

// formulaStart reports whether a spreadsheet would read a cell beginning like s as a formula.
func formulaStart(s string) bool { return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) }

// FuzzExportCSV writes rows of arbitrary text as export does (core.WriteCSV) and reads them back with encoding/csv:
// every cell comes back as written, prefixed with a quote when it began like a formula, and no
// cell begins like a formula.
func FuzzExportCSV(f *testing.F) {
	f.Add("=HYPERLINK(\"http://evil\")", "+33 6 12 34 56 78", "-2+3", "@SUM(A1)", "\tx", "\r\n=1")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		want := [][]string{{"full_name", "notes", "phone"}, {a, b, c}, {d, "", e}, {g, g, ""}}
		var buf bytes.Buffer
		if err := core.WriteCSV(&buf, want); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		data := buf.Bytes()
		got, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("the export does not read back: %v\n%q", err, data)
		}
		if len(got) != len(want) {
			t.Fatalf("%d lines read back, want %d:\n%q", len(got), len(want), data)
		}
		for i := range want {
			for j, cell := range want[i] {
				if i > 0 && formulaStart(cell) {
					cell = "'" + cell
				}
				// encoding/csv reads "\r\n" inside a quoted field as "\n".
				cell = strings.ReplaceAll(cell, "\r\n", "\n")
				if got[i][j] != cell || (i > 0 && formulaStart(got[i][j])) {
					t.Fatalf("line %d cell %d reads back %q, want %q", i, j, got[i][j], cell)
				}
			}
		}
	})
}

// FuzzParseTime checks that a time the command line accepts reads back the same from its
// RFC 3339 form.
func FuzzParseTime(f *testing.F) {
	f.Add("2026-06-01 18:00")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTime("start", s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "start: ") {
				t.Fatalf("%q: %v, want an error naming the field", s, err)
			}
			return
		}
		back, err := parseTime("start", tm.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%q → %v → %q reads back %v, %v", s, tm, tm.Format(time.RFC3339Nano), back, err)
		}
	})
}
