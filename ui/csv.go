package ui

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// csvCell escapes a cell that a spreadsheet would run as a formula (PRODUCT.md §8).
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvBytes writes rows as CSV with every cell escaped.
func csvBytes(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range rows {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = csvCell(c)
		}
		if err := w.Write(out); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func fmtInt64(n uint64) string { return strconv.FormatUint(n, 10) }

// exportCSV saves the rows shown, in the order shown, to a file the user picks.
func (t *listTab[T]) exportCSV() {
	if t.spec.csv == nil {
		return
	}
	rows := append([]T(nil), t.table.rows...)
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		background(t.g, func() (int, error) {
			defer w.Close()
			data, err := csvBytes(t.spec.csv(rows))
			if err != nil {
				return 0, err
			}
			_, err = w.Write(data)
			return len(rows), err
		}, func(n int, err error) {
			if err != nil {
				t.g.showError(err)
				return
			}
			t.status.SetText(tr("{{.Count}} rows exported.", map[string]any{"Count": fmtInt(n)}))
		})
	}, t.g.win)
	d.SetFileName("epicevents-" + t.spec.name + ".csv")
	d.Show()
}
