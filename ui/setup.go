package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// setupScreen creates the first management account of a new database, with the demo data on
// request (PRODUCT.md §6).
type setupScreen struct {
	g        *GUI
	form     *formView
	name     *field
	email    *field
	password *field
	confirm  *field
	demo     *widget.Check
	submit   *widget.Button
	busy     *widget.ProgressBarInfinite
	content  fyne.CanvasObject
	// demoAccounts is written by the background task before its result is applied.
	demoAccounts []core.DemoAccount
	// join is the Join a team form, once opened (team.go).
	join *teamForm
}

func (g *GUI) showSetup() {
	s := &setupScreen{g: g}
	s.buildUI()
	g.setup = s
	g.win.SetTitle(appTitle() + " — " + tr("Set-up"))
	g.win.SetContent(s.content)
	g.win.Resize(fyne.NewSize(640, 520))
	g.win.CenterOnScreen()
	g.win.Canvas().Focus(s.name.entry)
}

func (s *setupScreen) buildUI() {
	s.form = newFormView()
	s.name = s.form.add(tr("Full name"), newEntryField("full_name", "", textCheck("full_name", 2, core.MaxNameLen)))
	s.email = s.form.add(tr("Email"), newEntryField("email", "", emailCheck))
	s.password = s.form.add(tr("Password"), newPasswordField("password", func() string { return s.email.entry.Text }))
	s.confirm = s.form.add(tr("Confirm password"), newField("confirm", widget.NewPasswordEntry(), nil))
	confirm := s.confirm.input.(*widget.Entry)
	s.confirm.entry = confirm
	s.confirm.check = func() error {
		if confirm.Text != s.password.entry.Text {
			return errMismatch()
		}
		return nil
	}
	confirm.OnChanged = func(string) { s.confirm.validate() }
	confirm.OnSubmitted = func(string) { s.onSubmit() }
	s.demo = widget.NewCheck(tr("Add demo data (collaborators, clients, contracts, events)"), nil)
	s.submit = widget.NewButtonWithIcon(tr("Create the database"), theme.ConfirmIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.busy = widget.NewProgressBarInfinite()
	s.busy.Stop()
	s.busy.Hide()
	title := widget.NewLabelWithStyle(tr("Welcome to Epic Events CRM"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel(tr("This is the first start: create the first management account."))
	intro.Wrapping = fyne.TextWrapWord
	join := widget.NewButtonWithIcon(tr("Join a team…"), theme.LoginIcon(), s.g.guard(s.showJoin))
	joinNote := widget.NewLabel(tr("Or, when your company already works as a team, copy its data to this laptop:"))
	joinNote.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, intro, s.form.form, s.demo, s.submit, s.busy,
		widget.NewSeparator(), joinNote, join)
	s.content = container.NewPadded(container.NewVScroll(box))
}

func (s *setupScreen) onSubmit() {
	if s.submit.Disabled() || !s.form.validate() {
		return
	}
	in := core.InitInput{AdminName: s.name.entry.Text, AdminEmail: s.email.entry.Text,
		Password: s.password.entry.Text, Demo: s.demo.Checked}
	s.submit.Disable()
	s.busy.Show()
	s.busy.Start()
	background(s.g, func() (*core.Actor, error) {
		res, err := s.g.svc.Initialize(in)
		if err != nil {
			return nil, err
		}
		s.demoAccounts = res.Demo
		return s.g.svc.Login(in.AdminEmail, in.Password)
	}, s.onResult)
}

func (s *setupScreen) onResult(a *core.Actor, err error) {
	s.busy.Stop()
	s.busy.Hide()
	s.submit.Enable()
	if err != nil {
		s.form.showFieldError(err)
		s.g.showError(err)
		return
	}
	demo := s.demoAccounts
	s.g.saveSession(a)
	s.g.showMain(a)
	if len(demo) > 0 {
		showDemoAccounts(s.g, demo)
	}
}

// showDemoAccounts shows the generated demo passwords once, with a button to copy them.
func showDemoAccounts(g *GUI, accounts []core.DemoAccount) {
	text := ""
	for _, a := range accounts {
		text += a.Email + "\t" + deptName(a.Department) + "\t" + a.Password + "\n"
	}
	grid := container.NewGridWithColumns(3,
		widget.NewLabelWithStyle(tr("Email"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr("Department"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr("Password"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, a := range accounts {
		pw := widget.NewLabelWithStyle(a.Password, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		pw.Selectable = true
		grid.Add(widget.NewLabel(a.Email))
		grid.Add(widget.NewLabel(deptName(a.Department)))
		grid.Add(pw)
	}
	note := widget.NewLabel(tr("These passwords are shown only once. Copy them now and hand them over."))
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons(tr("Demo accounts"), container.NewVBox(note, grid), g.win)
	copyBtn := widget.NewButtonWithIcon(tr("Copy"), theme.ContentCopyIcon(), func() {
		g.app.Clipboard().SetContent(text)
	})
	closeBtn := widget.NewButton(tr("Close"), d.Hide)
	closeBtn.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{copyBtn, closeBtn})
	d.Resize(fyne.NewSize(760, 380))
	d.Show()
}
