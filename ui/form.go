package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// formDialog is a record's form shown over the main window. It closes only on Close or after a
// successful save, so nothing typed is lost when core refuses the input.
type formDialog struct {
	g       *GUI
	d       *dialog.CustomDialog
	view    *formView
	save    *widget.Button
	close   *widget.Button
	buttons []fyne.CanvasObject
	onSave  func() error // runs core; nil error closes the form
	// onSaveAsync, when set, replaces onSave for saves that hash a password: it starts the work
	// in the background and calls done on the UI goroutine with the outcome.
	onSaveAsync func(done func(error))
	// notice, above the form, says when a colleague changed the record meanwhile (team mode).
	notice *widget.Label
	open   bool // shown and not closed yet
}

// newFormDialog builds the dialog around view and extra content below it. When editable is
// false the fields are read-only and there is no Save button.
func newFormDialog(g *GUI, title string, view *formView, below fyne.CanvasObject, editable bool, onSave func() error) *formDialog {
	f := &formDialog{g: g, view: view, onSave: onSave}
	content := fyne.CanvasObject(view.form)
	if below != nil {
		content = container.NewVBox(view.form, below)
	}
	f.notice = widget.NewLabel("")
	f.notice.Importance = widget.WarningImportance
	f.notice.Wrapping = fyne.TextWrapWord
	f.notice.Hide()
	f.d = dialog.NewCustomWithoutButtons(title, container.NewBorder(f.notice, nil, nil, nil, container.NewVScroll(content)), g.win)
	f.d.SetOnClosed(func() { f.open = false })
	f.close = widget.NewButtonWithIcon(tr("Close"), theme.CancelIcon(), f.d.Hide)
	f.buttons = []fyne.CanvasObject{f.close}
	if editable && onSave != nil {
		f.save = widget.NewButtonWithIcon(tr("Save"), theme.DocumentSaveIcon(), g.guard(f.onSubmit))
		f.save.Importance = widget.HighImportance
		f.buttons = append(f.buttons, f.save)
	}
	view.setReadOnly(!editable)
	f.d.SetButtons(f.buttons)
	return f
}

// addButton puts an action button (Sign, Cancel, Reset password…) before Close.
func (f *formDialog) addButton(b *widget.Button) {
	f.buttons = append([]fyne.CanvasObject{b}, f.buttons...)
	f.d.SetButtons(f.buttons)
}

// show opens the dialog at a size that fits the form.
func (f *formDialog) show(size fyne.Size) {
	f.d.Resize(size)
	f.open = true
	f.d.Show()
}

// visible reports whether the form is on screen.
func (f *formDialog) visible() bool { return f.open }

// setNotice shows text above the form.
func (f *formDialog) setNotice(text string) {
	f.notice.SetText(text)
	f.notice.Show()
}

// onSubmit validates every field, then saves through core; errors keep the form open.
func (f *formDialog) onSubmit() {
	if !f.view.validate() {
		return
	}
	if f.onSaveAsync != nil {
		f.save.Disable()
		f.onSaveAsync(func(err error) {
			f.save.Enable()
			f.done(err)
		})
		return
	}
	f.done(f.onSave())
}

// done closes the form after a save, or shows why core refused it and keeps the input.
func (f *formDialog) done(err error) {
	if err != nil {
		f.view.showFieldError(err)
		f.g.showError(err)
		return
	}
	f.d.Hide()
}
