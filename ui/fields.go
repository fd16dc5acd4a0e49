package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// field is an input with core's rule for it and the line under it that names what is wrong.
type field struct {
	name  string // core's field name, as in FieldOf
	input fyne.CanvasObject
	entry *widget.Entry // nil when the input is not an entry
	msg   *canvas.Text
	check func() error
	box   *fyne.Container
}

// newField wraps input; check runs core's validator on the current value.
func newField(name string, input fyne.CanvasObject, check func() error) *field {
	msg := canvas.NewText("", theme.Color(theme.ColorNameError))
	msg.TextSize = theme.CaptionTextSize()
	msg.Hide()
	f := &field{name: name, input: input, msg: msg, check: check}
	f.box = container.NewVBox(input, msg)
	return f
}

// newEntryField is a one-line entry validated as the user types.
func newEntryField(name, value string, check func(string) error) *field {
	e := widget.NewEntry()
	e.SetText(value)
	f := newField(name, e, nil)
	f.entry = e
	f.check = func() error {
		if check == nil {
			return nil
		}
		return check(e.Text)
	}
	e.OnChanged = func(string) { f.validate() }
	return f
}

// validate runs the rule and shows its message; it reports whether the value is valid.
func (f *field) validate() bool {
	if f.check == nil {
		return true
	}
	err := f.check()
	f.setError(err)
	return err == nil
}

// setError shows err's message under the input (nil clears it).
func (f *field) setError(err error) {
	if err == nil {
		f.msg.Text = ""
		f.msg.Hide()
		return
	}
	var e *core.Error
	text := errText(err)
	if errors.As(err, &e) && e.Field != "" {
		text = coreMessage(e)
	}
	f.msg.Text = text
	f.msg.Color = theme.Color(theme.ColorNameError)
	f.msg.Show()
	f.msg.Refresh()
}

// setNote shows a remark that is not an error under the input, in the text colour.
func (f *field) setNote(text string) {
	f.msg.Text = text
	f.msg.Color = theme.Color(theme.ColorNameForeground)
	f.msg.Show()
	f.msg.Refresh()
}

// error returns the message shown under the field ("" when none).
func (f *field) error() string { return f.msg.Text }

// formView is a form of fields laid out as labelled rows.
type formView struct {
	form   *widget.Form
	fields []*field
}

func newFormView() *formView { return &formView{form: widget.NewForm()} }

// add appends a labelled field.
func (v *formView) add(label string, f *field) *field {
	v.fields = append(v.fields, f)
	v.form.Append(label, f.box)
	return f
}

// addRow appends a labelled read-only or custom row.
func (v *formView) addRow(label string, obj fyne.CanvasObject) {
	v.form.Append(label, obj)
}

// validate checks every field, showing each message; it reports whether all are valid.
func (v *formView) validate() bool {
	ok := true
	for _, f := range v.fields {
		if !f.validate() {
			ok = false
		}
	}
	return ok
}

// showFieldError puts a core error under the field it names, when that field is in the form.
func (v *formView) showFieldError(err error) {
	name := core.FieldOf(err)
	for _, f := range v.fields {
		if f.name == name && name != "" {
			f.setError(err)
		}
	}
}

// setReadOnly disables every entry of the form.
func (v *formView) setReadOnly(ro bool) {
	for _, f := range v.fields {
		if d, ok := f.input.(fyne.Disableable); ok {
			if ro {
				d.Disable()
			} else {
				d.Enable()
			}
		}
	}
}

// textCheck adapts core.ValidateText to a field.
func textCheck(name string, min, max int) func(string) error {
	return func(s string) error {
		_, err := core.ValidateText(name, s, min, max)
		return err
	}
}

// emailCheck adapts core.ValidateEmail to a field.
func emailCheck(s string) error {
	_, err := core.ValidateEmail("email", s)
	return err
}

// phoneCheck adapts core.ValidatePhone to a field.
func phoneCheck(s string) error {
	_, err := core.ValidatePhone(s)
	return err
}

// notesCheck adapts core.ValidateNotes to a field.
func notesCheck(s string) error {
	_, err := core.ValidateNotes(s)
	return err
}

// newNotesField is a multi-line notes entry.
func newNotesField(value string) *field {
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	e.SetText(value)
	f := newField("notes", e, func() error { return notesCheck(e.Text) })
	f.entry = e
	e.OnChanged = func(string) { f.validate() }
	return f
}

// newPasswordField is a password entry checked with core.ValidatePassword against email().
func newPasswordField(name string, email func() string) *field {
	e := widget.NewPasswordEntry()
	f := newField(name, e, func() error { return core.ValidatePassword(e.Text, email()) })
	f.entry = e
	e.OnChanged = func(string) { f.validate() }
	return f
}

func errMismatch() error {
	return &core.Error{Kind: core.Invalid, Field: "confirm", Message: "the two passwords differ"}
}
