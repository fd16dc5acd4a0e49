package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/permissions"
)

// checkDialog is File → Check database… (management): the report of core's check, and a
// Repair button when something is wrong (tests reach it through mainScreen.check).
type checkDialog struct {
	d      dialog.Dialog
	report *widget.Label
	repair *widget.Button
}

// checkDatabase runs the check off the UI goroutine and shows its report.
func (m *mainScreen) checkDatabase() {
	g := m.g
	background(g, func() (core.CheckReport, error) { return g.svc.Inspect(g.actor) },
		func(rep core.CheckReport, err error) {
			if err != nil {
				g.showError(err)
				return
			}
			m.showCheck(rep)
		})
}

// showCheck shows a check's report.
func (m *mainScreen) showCheck(rep core.CheckReport) {
	g := m.g
	c := &checkDialog{report: widget.NewLabel(checkText(rep))}
	c.report.Wrapping = fyne.TextWrapWord
	body := container.NewVScroll(c.report)
	body.SetMinSize(fyne.NewSize(560, 260))
	d := dialog.NewCustomWithoutButtons(tr("Check database"), body, g.win)
	buttons := []fyne.CanvasObject{widget.NewButton(tr("Close"), d.Hide)}
	if !rep.OK() && core.CanAdminister(g.actor, permissions.Repair) {
		c.repair = widget.NewButton(tr("Repair"), func() {
			d.Hide()
			m.repairDatabase()
		})
		c.repair.Importance = widget.HighImportance
		buttons = append(buttons, c.repair)
	}
	d.SetButtons(buttons)
	c.d = d
	m.check = c
	d.Show()
}

// repairDatabase repairs from the team's cluster or the last backup and shows what it did.
func (m *mainScreen) repairDatabase() {
	g := m.g
	background(g, func() (core.RepairResult, error) {
		return g.svc.Repair(context.Background(), g.actor, core.RepairOptions{})
	}, func(res core.RepairResult, err error) {
		if err != nil {
			g.showError(err)
			return
		}
		c := &checkDialog{report: widget.NewLabel(repairText(res))}
		c.report.Wrapping = fyne.TextWrapWord
		body := container.NewVScroll(c.report)
		body.SetMinSize(fyne.NewSize(560, 260))
		c.d = dialog.NewCustom(tr("Repair database"), tr("Close"), body, g.win)
		m.check = c
		c.d.Show()
		m.reloadAll()
	})
}

// checkText is the window's report of a check.
func checkText(rep core.CheckReport) string {
	if rep.OK() {
		return tr("The database is sound: every record, checksum and index was checked.")
	}
	var b strings.Builder
	if n := len(rep.Records); n > 0 {
		b.WriteString(tr("Damaged records ({{.Count}}):", map[string]any{"Count": fmtInt(n)}) + "\n")
		for _, r := range rep.Records {
			b.WriteString("  • " + refText(r) + "\n")
		}
	}
	if n := len(rep.Indexes); n > 0 {
		b.WriteString(tr("Index entries damaged or out of step ({{.Count}}):", map[string]any{"Count": fmtInt(n)}) + "\n")
		for _, x := range rep.Indexes {
			b.WriteString("  • " + x.Index + ": " + x.Problem + "\n")
		}
	}
	if n := len(rep.Other); n > 0 {
		b.WriteString(tr("Other problems ({{.Count}}):", map[string]any{"Count": fmtInt(n)}) + "\n")
		for _, o := range rep.Other {
			b.WriteString("  • " + o + "\n")
		}
	}
	b.WriteString("\n")
	switch {
	case len(rep.Other) > 0 && len(rep.Records) == 0 && len(rep.Indexes) == 0:
		b.WriteString(tr("The file itself is damaged: restore the latest backup (epicevents restore FILE)."))
	default:
		b.WriteString(tr("Repair puts back each damaged record from the team's cluster or the latest backup, records what was lost in the activity, and rebuilds the indexes. A copy of the damaged file is kept."))
	}
	return b.String()
}

// refText names a record in the window's language.
func refText(r core.RecordRef) string {
	if r.Type == core.AuditRecord {
		return tr("activity entry #{{.Seq}}", map[string]any{"Seq": r.Seq})
	}
	return recordName(r.Type) + " " + r.ID.String()
}

// sourceText names where a repair took a record from.
func sourceText(s string) string {
	if file, ok := strings.CutPrefix(s, "backup "); ok {
		return tr("the backup {{.File}}", map[string]any{"File": file})
	}
	return tr("the team's cluster")
}

// repairText is the window's report of a repair.
func repairText(res core.RepairResult) string {
	var b strings.Builder
	for _, x := range res.Restored {
		b.WriteString(tr("Restored {{.Record}} from {{.Source}}.", map[string]any{"Record": refText(x.Record), "Source": sourceText(x.Source)}))
		if len(x.Lost) > 0 {
			b.WriteString(" " + tr("Changes made since then are lost: {{.Fields}}.", map[string]any{"Fields": strings.Join(x.Lost, ", ")}))
		}
		b.WriteString("\n")
	}
	for _, r := range res.Lost {
		b.WriteString(tr("Lost {{.Record}}: no healthy copy was found; it was removed.", map[string]any{"Record": refText(r)}) + "\n")
	}
	if res.Local > 0 {
		b.WriteString(tr("Removed {{.Count}} damaged entries of this laptop's own state.", map[string]any{"Count": fmtInt(res.Local)}) + "\n")
	}
	b.WriteString(tr("Indexes rebuilt.") + "\n")
	if res.Recopy {
		b.WriteString(tr("The next sync copies the team's data again from the cluster: records put back from a backup catch up with the changes made since.") + "\n")
	}
	if res.Kept != "" {
		b.WriteString(tr("The damaged file was kept as {{.Path}}.", map[string]any{"Path": res.Kept}) + "\n")
	}
	if res.After.OK() {
		b.WriteString(tr("The database is sound: every record, checksum and index was checked."))
	} else {
		b.WriteString(tr("Problems remain:") + "\n  • " + strings.Join(res.After.Problems, "\n  • "))
	}
	return b.String()
}
