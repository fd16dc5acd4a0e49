package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// loginScreen asks for the email and password. The password hash is checked off the UI
// goroutine, with a busy indicator, since it takes a noticeable fraction of a second.
type loginScreen struct {
	g        *GUI
	email    *widget.Entry
	password *widget.Entry
	submit   *widget.Button
	busy     *widget.ProgressBarInfinite
	message  *widget.Label
	content  fyne.CanvasObject
}

func (g *GUI) showLogin() {
	s := &loginScreen{g: g}
	s.buildUI()
	g.login = s
	g.win.SetTitle(appTitle())
	g.win.SetContent(s.content)
	g.win.Resize(fyne.NewSize(520, 380))
	g.win.CenterOnScreen()
	g.win.Canvas().Focus(s.email)
}

func (s *loginScreen) buildUI() {
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(tr("name@epicevents.com"))
	s.email.OnSubmitted = func(string) { s.g.win.Canvas().Focus(s.password) }
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.onSubmit() }
	s.submit = widget.NewButtonWithIcon(tr("Log in"), theme.LoginIcon(), s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.busy = widget.NewProgressBarInfinite()
	s.busy.Stop()
	s.busy.Hide()
	s.message = widget.NewLabel("")
	s.message.Importance = widget.DangerImportance
	s.message.Alignment = fyne.TextAlignCenter
	s.message.Wrapping = fyne.TextWrapWord

	title := widget.NewLabelWithStyle(appTitle(), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	form := widget.NewForm(
		widget.NewFormItem(tr("Email"), s.email),
		widget.NewFormItem(tr("Password"), s.password),
	)
	box := container.NewVBox(title, widget.NewLabelWithStyle(tr("Please log in to continue."), fyne.TextAlignCenter, fyne.TextStyle{}),
		form, s.submit, s.busy, s.message)
	s.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height+40), box))
}

// onSubmit starts the login in the background.
func (s *loginScreen) onSubmit() {
	if s.submit.Disabled() {
		return
	}
	email, password := s.email.Text, s.password.Text
	s.setBusy(true)
	s.message.SetText("")
	background(s.g, func() (*core.Actor, error) {
		return s.g.svc.Login(email, password)
	}, s.onResult)
}

func (s *loginScreen) onResult(a *core.Actor, err error) {
	if s.g.login != s {
		return // the window moved on meanwhile
	}
	s.setBusy(false)
	if err != nil {
		s.password.SetText("")
		s.message.SetText(errText(err))
		s.g.win.Canvas().Focus(s.password)
		return
	}
	s.g.saveSession(a)
	s.g.showMain(a)
}

func (s *loginScreen) setBusy(busy bool) {
	if busy {
		s.submit.Disable()
		s.email.Disable()
		s.password.Disable()
		s.busy.Show()
		s.busy.Start()
		return
	}
	s.busy.Stop()
	s.busy.Hide()
	s.submit.Enable()
	s.email.Enable()
	s.password.Enable()
}
