package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// showChangePassword changes the user's own password; the current one is required. The new
// session token replaces the saved one (the others are ended by core).
func showChangePassword(g *GUI) {
	view := newFormView()
	current := view.add(tr("Current password"), newField("current_password", widget.NewPasswordEntry(), nil))
	current.entry = current.input.(*widget.Entry)
	next := view.add(tr("New password"), newPasswordField("password", func() string { return g.actor.Email() }))
	var d *dialog.CustomDialog
	busy := widget.NewProgressBarInfinite()
	busy.Stop()
	busy.Hide()
	var save *widget.Button
	save = widget.NewButtonWithIcon(tr("Save"), theme.DocumentSaveIcon(), func() {
		if !view.validate() {
			return
		}
		save.Disable()
		busy.Show()
		busy.Start()
		cur, nw := current.entry.Text, next.entry.Text
		background(g, func() (*core.Actor, error) { return g.svc.ChangePassword(g.actor, cur, nw) },
			func(a *core.Actor, err error) {
				busy.Stop()
				busy.Hide()
				save.Enable()
				if err != nil {
					view.showFieldError(err)
					if core.FieldOf(err) == "" {
						g.showError(err)
					}
					return
				}
				g.actor = a
				g.saveSession(a)
				d.Hide()
				dialog.ShowInformation(tr("Change password"), tr("Your password was changed."), g.win)
			})
	})
	save.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(tr("Change password"), container.NewVBox(view.form, busy), g.win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(tr("Close"), d.Hide), save})
	d.Resize(fyne.NewSize(520, 280))
	d.Show()
	g.win.Canvas().Focus(current.entry)
}
