package ui

import (
	"bytes"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/epicevents/crm/core"
)

// csvBytes writes rows as CSV with every cell escaped (core.WriteCSV).
func csvBytes(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	err := core.WriteCSV(&b, rows)
	return b.Bytes(), err
}

func fmtInt64(n uint64) string { return strconv.FormatUint(n, 10) }

// exportCSV saves the rows shown, in the order shown, to a file the user picks. core writes
// the file (refusing the database's own files) and records the export in the audit trail.
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
			l, err := t.g.svc.ExportLookup(t.g.actor)
			var data []byte
			if err == nil {
				data, err = csvBytes(t.spec.csv(rows, l))
			}
			if err == nil {
				err = t.g.writeTo(w, func(dst core.Destination) error {
					return t.g.svc.Export(t.g.actor, t.spec.record, len(rows), data, dst)
				})
			}
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
	t.g.main.saveDialog = d
	d.Show()
}

// writeTo runs write on the destination the save dialog chose: a local file by its path, so
// that core can refuse the database's own files and write it atomically and readable by its
// owner only (0600) — the dialog's writer was never used, the file never opened; anything else
// through the dialog's writer. The writer is closed afterwards.
func (g *GUI) writeTo(w fyne.URIWriteCloser, write func(core.Destination) error) error {
	dst := core.Destination{Writer: w}
	if w.URI().Scheme() == "file" {
		dst = core.Destination{Path: w.URI().Path()}
	}
	err := write(dst)
	if cerr := w.Close(); err == nil && dst.Writer != nil {
		err = cerr
	}
	return err
}
