package ui

import (
	"bytes"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// File → Import clients… (issue #14): the file is checked by core.Service.ImportClients in a dry
// run first; a preview lists every line, with its line number and its error; Import writes only
// from a preview without errors, in one transaction.

// importPreview is the dialog of one import (tests reach it through mainScreen.importing).
type importPreview struct {
	m       *mainScreen
	data    []byte
	report  core.ImportReport
	err     error
	summary *widget.Label
	table   *dataTable[core.ImportRow]
	ok      *widget.Button
	dlg     dialog.Dialog
	done    bool // the clients were written
}

// importClients asks for the CSV file to import.
func (m *mainScreen) importClients() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		name := r.URI().Name()
		data, err := io.ReadAll(io.LimitReader(r, core.MaxImportBytes+1))
		_ = r.Close()
		if err != nil {
			m.g.showError(err)
			return
		}
		m.previewImport(data, name)
	}, m.g.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".CSV", ".txt"}))
	d.Show()
}

func importColumns() []column[core.ImportRow] {
	return []column[core.ImportRow]{
		{Title: tr("Line"), Width: 60, Align: fyne.TextAlignTrailing, Value: func(r core.ImportRow) string { return fmtInt(r.Line) },
			Less: func(a, b core.ImportRow) bool { return a.Line < b.Line }},
		{Title: tr("Action"), Width: 110, Value: func(r core.ImportRow) string { return importActionName(r) }},
		textColumn(tr("Email"), 200, func(r core.ImportRow) string { return r.Client.Email }),
		textColumn(tr("Full name"), 170, func(r core.ImportRow) string { return r.Client.FullName }),
		textColumn(tr("Error"), 420, func(r core.ImportRow) string { return importErrText(r.Err) }),
	}
}

func importActionName(r core.ImportRow) string {
	if r.Err != nil {
		return tr("error")
	}
	switch r.Action {
	case core.ImportCreate:
		return tr("create")
	case core.ImportUpdate:
		return tr("update")
	}
	return tr("unchanged")
}

// importErrText is an import error for people, in the window's language (core's codes, with
// their French texts in coremsg.go).
func importErrText(err error) string { return errText(err) }

// previewImport checks data in a dry run and shows what the import would do.
func (m *mainScreen) previewImport(data []byte, name string) *importPreview {
	g := m.g
	p := &importPreview{m: m, data: data, summary: widget.NewLabel(tr("Checking {{.Name}}…", map[string]any{"Name": name}))}
	p.summary.Wrapping = fyne.TextWrapWord
	p.table = newDataTable(importColumns())
	p.ok = widget.NewButton(tr("Import"), g.guard(p.write))
	p.ok.Importance = widget.HighImportance
	p.ok.Disable()
	cancel := widget.NewButton(tr("Cancel"), func() { p.dlg.Hide() })
	body := container.NewBorder(p.summary, container.NewHBox(layout.NewSpacer(), cancel, p.ok), nil, nil, p.table.content)
	p.dlg = dialog.NewCustomWithoutButtons(tr("Import clients"), body, g.win)
	p.dlg.Resize(fyne.NewSize(1000, 560))
	p.dlg.Show()
	m.importing = p
	background(g, func() (core.ImportReport, error) {
		return g.svc.ImportClients(g.actor, bytes.NewReader(data), core.ImportOptions{DryRun: true})
	}, func(rep core.ImportReport, err error) { p.show(rep, err) })
	return p
}

func (p *importPreview) show(rep core.ImportReport, err error) {
	p.report, p.err = rep, err
	p.table.setRows(rep.Rows, func(a, b core.ImportRow) bool { return a.Line == b.Line })
	switch {
	case err != nil && rep.Rows == nil:
		if k := core.KindOf(err); k != core.Invalid {
			p.dlg.Hide()
			p.m.g.showError(err)
			return
		}
		p.summary.SetText(capitalize(importErrText(err)))
	case rep.Failed > 0:
		p.summary.SetText(capitalize(importErrText(err)) + "\n" + tr("Correct the file and import it again; nothing has been written."))
	case rep.Created+rep.Updated == 0:
		p.summary.SetText(tr("Nothing to import: the {{.Count}} clients of the file are already as it says.",
			map[string]any{"Count": fmtInt(rep.Unchanged)}))
	default:
		p.summary.SetText(tr("{{.Created}} clients to create, {{.Updated}} to update, {{.Unchanged}} unchanged. Nothing is written until you press Import.",
			map[string]any{"Created": fmtInt(rep.Created), "Updated": fmtInt(rep.Updated), "Unchanged": fmtInt(rep.Unchanged)}))
		p.ok.Enable()
	}
}

// write imports for real, all or nothing.
func (p *importPreview) write() {
	g := p.m.g
	p.ok.Disable()
	background(g, func() (core.ImportReport, error) {
		return g.svc.ImportClients(g.actor, bytes.NewReader(p.data), core.ImportOptions{})
	}, func(rep core.ImportReport, err error) {
		if err != nil {
			p.show(rep, err)
			return
		}
		p.done = true
		p.dlg.Hide()
		dialog.ShowInformation(tr("Import clients"), tr("{{.Created}} clients created, {{.Updated}} updated.",
			map[string]any{"Created": fmtInt(rep.Created), "Updated": fmtInt(rep.Updated)}), g.win)
		p.m.clients.changed()
		if p.m.home != nil {
			p.m.home.refresh()
		}
	})
}
