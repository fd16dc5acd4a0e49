package ui

import (
	"bytes"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// csvBytes writes rows as CSV with every cell escaped (core.WriteCSV).
func csvBytes(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	err := core.WriteCSV(&b, rows)
	return b.Bytes(), err
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
			data, err := csvBytes(t.spec.csv(rows))
			if err != nil {
				_ = w.Close()
				return 0, err
			}
			return len(rows), writeExport(w, data)
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

// writeExport saves data where the user chose. A local file is written like the command line
// writes its exports: atomically and readable by its owner only (0600), since it holds
// client data.
func writeExport(w fyne.URIWriteCloser, data []byte) error {
	if w.URI().Scheme() == "file" {
		path := w.URI().Path()
		_ = w.Close()
		return storage.WriteFileAtomic(path, data, 0o600)
	}
	defer w.Close()
	_, err := w.Write(data)
	return err
}
