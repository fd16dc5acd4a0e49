package ui

import (
	"context"
	"net/url"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// File → Team… (PRODUCT.md §9): management creates the team from this laptop's database; a
// laptop with no database joins from the first-start screen; management takes a laptop out.

// teamForm asks how to reach the team's etcd cluster: to create the team (with etcd root
// credentials) or to join it.
type teamForm struct {
	g         *GUI
	join      bool
	view      *formView
	endpoints *field
	ca        *field
	cert      *field
	key       *field
	user      *field // create only
	password  *field // create only
	d         *dialog.CustomDialog
	submit    *widget.Button
	busy      *widget.ProgressBarInfinite
	// done runs on the UI goroutine after the cluster accepted the request.
	done func()
}

// showTeam opens File → Team…: the team's state and Leave in team mode; the Create form in
// solo mode for management, an explanation for the others.
func (m *mainScreen) showTeam() {
	g, a := m.g, m.g.actor
	background(g, func() (core.SyncStatus, error) {
		ctx, cancel := context.WithTimeout(context.Background(), core.SyncTimeout)
		defer cancel()
		return g.svc.SyncStatus(ctx, a)
	}, func(st core.SyncStatus, err error) {
		switch {
		case err != nil:
			g.showError(err)
		case st.Mode == core.ModeTeam:
			m.showTeamStatus(st)
		case core.CanCreateTeam(a):
			f := newTeamForm(g, false)
			if m.sync != nil {
				m.sync.team = f
			}
			f.done = func() {
				if m.sync != nil {
					m.sync.restart()
				}
				dialog.ShowInformation(tr("Team"), tr("This laptop's data is now the team's: colleagues join from their first-start screen."), g.win)
			}
			f.show()
		default:
			dialog.ShowInformation(tr("Team"), tr("This laptop works alone (solo mode). Management creates the team; a laptop with no database joins it from the first-start screen."), g.win)
		}
	})
}

// showTeamStatus shows where the laptop syncs, with Leave for management.
func (m *mainScreen) showTeamStatus(st core.SyncStatus) {
	g := m.g
	connected := tr("no")
	if st.Connected {
		connected = tr("yes")
	}
	form := widget.NewForm(
		widget.NewFormItem(tr("Endpoints"), widget.NewLabel(strings.Join(st.Endpoints, "\n"))),
		widget.NewFormItem(tr("Connected"), widget.NewLabel(connected)),
		widget.NewFormItem(tr("Status"), widget.NewLabel(syncText(st, m.syncNow()))),
		widget.NewFormItem(tr("Changes waiting"), widget.NewLabel(fmtInt(st.Outbox))),
		widget.NewFormItem(tr("Conflicts"), widget.NewLabel(fmtInt(st.Conflicts))))
	d := dialog.NewCustomWithoutButtons(tr("Team"), form, g.win)
	buttons := []fyne.CanvasObject{widget.NewButton(tr("Close"), d.Hide)}
	if core.CanLeaveTeam(g.actor) {
		leave := widget.NewButtonWithIcon(tr("Leave the team…"), theme.LogoutIcon(), g.guard(func() {
			d.Hide()
			m.confirmLeave()
		}))
		buttons = append([]fyne.CanvasObject{leave}, buttons...)
	}
	d.SetButtons(buttons)
	d.Show()
}

// syncNow is the clock of the status texts.
func (m *mainScreen) syncNow() time.Time {
	if m.sync != nil {
		return m.sync.now()
	}
	return time.Now()
}

// confirmLeave takes the laptop out of the team after a confirmation.
func (m *mainScreen) confirmLeave() {
	g, a := m.g, m.g.actor
	dialog.ShowConfirm(tr("Leave the team"), tr("This laptop stops syncing and keeps its copy of the data. Leave the team?"), func(yes bool) {
		if !yes {
			return
		}
		background(g, func() (struct{}, error) {
			ctx, cancel := context.WithTimeout(context.Background(), core.SyncTimeout)
			defer cancel()
			return struct{}{}, g.svc.TeamLeave(ctx, a)
		}, func(_ struct{}, err error) {
			if err != nil {
				g.showError(err)
				return
			}
			if m.sync != nil {
				m.sync.restart()
			}
			dialog.ShowInformation(tr("Team"), tr("This laptop works alone again (solo mode)."), g.win)
		})
	}, g.win)
}

// newTeamForm builds the form; join selects the join form, else the create form.
func newTeamForm(g *GUI, join bool) *teamForm {
	f := &teamForm{g: g, join: join, view: newFormView()}
	f.endpoints = f.view.add(tr("Endpoints"), newEntryField("endpoints", "", nil))
	f.endpoints.entry.SetPlaceHolder("https://etcd1.office:2379, https://etcd2.office:2379")
	f.endpoints.check = f.checkEndpoints
	f.endpoints.entry.OnChanged = func(string) { f.validateEndpoints() }
	f.ca = f.fileField("cacert", tr("CA certificate"), false)
	f.cert = f.fileField("cert", tr("Client certificate"), false)
	f.key = f.fileField("key", tr("Client key"), false)
	f.cert.check = func() error { return f.checkPair(f.cert, f.key) }
	f.key.check = func() error { return f.checkPair(f.key, f.cert) }
	if !join {
		// Root credentials: root's client certificate (the files above), or the root user and
		// its password.
		f.user = f.view.add(tr("etcd root user"), newEntryField("etcd-user", "", nil))
		f.user.check = func() error {
			if strings.TrimSpace(f.user.entry.Text) == "" && strings.TrimSpace(f.cert.entry.Text) == "" {
				return teamErr("etcd-user", tr("is required without a root client certificate: the cluster's root sets up the roles"))
			}
			return nil
		}
		f.password = f.view.add(tr("etcd root password"), newField("etcd-password", widget.NewPasswordEntry(), nil))
		f.password.entry = f.password.input.(*widget.Entry)
		f.password.check = func() error {
			if f.password.entry.Text == "" && strings.TrimSpace(f.user.entry.Text) != "" {
				return teamErr("etcd-password", tr("is required with the etcd user: it is used once and never stored"))
			}
			return nil
		}
		f.password.entry.OnChanged = func(string) { f.password.validate() }
	}
	return f
}

// fileField is an entry for a file name with a Browse button.
func (f *teamForm) fileField(name, label string, required bool) *field {
	e := widget.NewEntry()
	e.SetPlaceHolder(tr("optional"))
	browse := widget.NewButtonWithIcon(tr("Browse…"), theme.FolderOpenIcon(), nil)
	fd := newField(name, container.NewBorder(nil, nil, nil, browse, e), nil)
	fd.entry = e
	fd.check = func() error { return checkFile(name, e.Text, required) }
	e.OnChanged = func(string) { fd.validate() }
	browse.OnTapped = func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			e.SetText(r.URI().Path())
			_ = r.Close()
		}, f.g.win)
	}
	f.view.add(label, fd)
	return fd
}

// teamErr is a field error of the team form, already in the window's language.
func teamErr(field, msg string) error {
	return &core.Error{Kind: core.Invalid, Field: field, Message: msg}
}

// checkFile checks that a named file can be read.
func checkFile(field, name string, required bool) error {
	name = strings.TrimSpace(name)
	if name == "" {
		if required {
			return teamErr(field, tr("is required"))
		}
		return nil
	}
	st, err := os.Stat(name)
	switch {
	case err != nil:
		return teamErr(field, tr("{{.File}} cannot be read", map[string]any{"File": name}))
	case st.IsDir():
		return teamErr(field, tr("{{.File}} is a folder, not a file", map[string]any{"File": name}))
	}
	return nil
}

// checkPair: a client certificate and its key go together.
func (f *teamForm) checkPair(this, other *field) error {
	if err := checkFile(this.name, this.entry.Text, false); err != nil {
		return err
	}
	if strings.TrimSpace(this.entry.Text) == "" && strings.TrimSpace(other.entry.Text) != "" {
		if this == f.key {
			return teamErr("key", tr("is required with a client certificate"))
		}
		return teamErr("cert", tr("is required with a client key"))
	}
	return nil
}

// endpointList splits the endpoints on commas and spaces.
func endpointList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' })
}

func (f *teamForm) checkEndpoints() error {
	eps := endpointList(f.endpoints.entry.Text)
	if len(eps) == 0 {
		return teamErr("endpoints", tr("is required: the cluster's client URLs, such as https://etcd1.office:2379"))
	}
	for _, e := range eps {
		if err := core.ValidateTeamConfig(core.TeamConfig{Endpoints: []string{e}}); err != nil {
			return teamErr("endpoints", tr("{{.URL}} is not an http:// or https:// URL with a host and port", map[string]any{"URL": e}))
		}
	}
	return nil
}

// validateEndpoints checks the endpoints and warns under them about plain http://.
func (f *teamForm) validateEndpoints() bool {
	if !f.endpoints.validate() {
		return false
	}
	for _, e := range endpointList(f.endpoints.entry.Text) {
		if u, _ := url.Parse(e); u != nil && u.Scheme == "http" {
			f.endpoints.setNote(tr("Plain http:// is for a lab only: nothing is encrypted."))
		}
	}
	return true
}

// config is the settings typed in the form.
func (f *teamForm) config() core.TeamConfig {
	cfg := core.TeamConfig{Endpoints: endpointList(f.endpoints.entry.Text),
		CACert: strings.TrimSpace(f.ca.entry.Text), Cert: strings.TrimSpace(f.cert.entry.Text),
		Key: strings.TrimSpace(f.key.entry.Text)}
	if f.user != nil {
		cfg.User = strings.TrimSpace(f.user.entry.Text)
		cfg.Password = f.password.entry.Text
	}
	return cfg
}

// show opens the form in a dialog.
func (f *teamForm) show() {
	title, intro, action := tr("Create a team"),
		tr("Publish this laptop's data to an empty etcd cluster; colleagues' laptops then join it. The etcd root credentials set up the department roles and are not kept."),
		tr("Create the team")
	if f.join {
		title, intro, action = tr("Join a team"),
			tr("Copy the team's data from its etcd cluster to this laptop, then log in with your usual email and password. Management gives you the certificate files."),
			tr("Join the team")
	}
	text := widget.NewLabel(intro)
	text.Wrapping = fyne.TextWrapWord
	f.busy = widget.NewProgressBarInfinite()
	f.busy.Stop()
	f.busy.Hide()
	f.d = dialog.NewCustomWithoutButtons(title, container.NewVBox(text, f.view.form, f.busy), f.g.win)
	f.submit = widget.NewButtonWithIcon(action, theme.ConfirmIcon(), f.g.guard(f.onSubmit))
	f.submit.Importance = widget.HighImportance
	f.d.SetButtons([]fyne.CanvasObject{widget.NewButton(tr("Cancel"), f.d.Hide), f.submit})
	f.d.Resize(fyne.NewSize(640, 520))
	f.d.Show()
	f.g.win.Canvas().Focus(f.endpoints.entry)
}

// onSubmit checks every field, then asks core to create or join, off the UI goroutine.
func (f *teamForm) onSubmit() {
	if f.submit.Disabled() || !f.view.validate() {
		return
	}
	f.validateEndpoints()
	cfg := f.config()
	if err := core.ValidateTeamConfig(cfg); err != nil {
		f.view.showFieldError(err)
		f.g.showError(err)
		return
	}
	g, a, join := f.g, f.g.actor, f.join
	f.submit.Disable()
	f.busy.Show()
	f.busy.Start()
	background(g, func() (struct{}, error) {
		if join {
			return struct{}{}, g.svc.TeamJoin(context.Background(), cfg)
		}
		return struct{}{}, g.svc.TeamCreate(context.Background(), a, cfg)
	}, func(_ struct{}, err error) {
		f.busy.Stop()
		f.busy.Hide()
		f.submit.Enable()
		if err != nil {
			f.view.showFieldError(err)
			g.showError(err)
			return
		}
		f.d.Hide()
		if f.done != nil {
			f.done()
		}
	})
}

// showJoin opens the join form from the first-start screen; after the copy, the login.
func (s *setupScreen) showJoin() {
	f := newTeamForm(s.g, true)
	f.done = func() {
		s.g.showLogin()
		dialog.ShowInformation(tr("Team"), tr("This laptop now has the team's data: log in with your usual email and password."), s.g.win)
	}
	s.join = f
	f.show()
}
