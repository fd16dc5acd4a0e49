package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/epicevents/crm/core"
)

// userRow is a collaborator.
type userRow struct{ core.User }

func userColumns() []column[userRow] {
	return []column[userRow]{
		textColumn(tr("Full name"), 180, func(r userRow) string { return r.FullName }),
		{Title: tr("Employee no."), Width: 110, Value: func(r userRow) string { return r.EmployeeNumber },
			Less: func(a, b userRow) bool { return a.EmployeeNumber < b.EmployeeNumber }},
		{Title: tr("Email"), Width: 240, Value: func(r userRow) string { return r.Email },
			Less: func(a, b userRow) bool { return a.Email < b.Email }},
		{Title: tr("Department"), Width: 120, Value: func(r userRow) string { return deptName(r.Department) },
			Less: func(a, b userRow) bool { return a.Department < b.Department }},
		{Title: tr("Status"), Width: 100, Value: func(r userRow) string { return activeName(r.Active) },
			Less: func(a, b userRow) bool { return !a.Active && b.Active }},
		{Title: tr("Created"), Width: 110, Value: func(r userRow) string { return fmtDate(r.CreatedAt) },
			Less: func(a, b userRow) bool { return a.CreatedAt.Before(b.CreatedAt) }},
	}
}

func activeName(active bool) string {
	if active {
		return tr("active")
	}
	return tr("deactivated")
}

func newUsersTab(m *mainScreen) *listTab[userRow] {
	g := m.g
	a := g.actor
	filters := []filterDef{{"commercial", tr("Commercial")}, {"support", tr("Support")}, {"management", tr("Management")}}
	spec := tabSpec[userRow]{
		name:    "collaborators",
		record:  core.UserRecord,
		columns: userColumns(),
		filters: filters,
		load: func(q query) ([]userRow, int, error) {
			us, hidden, err := g.svc.ListUsers(a, core.UserQuery{Search: q.search})
			rows := make([]userRow, 0, len(us))
			any := q.flags["commercial"] || q.flags["support"] || q.flags["management"]
			for _, u := range us {
				if !any || q.flags[string(u.Department)] {
					rows = append(rows, userRow{u})
				}
			}
			return rows, hidden, err
		},
		same:     func(x, y userRow) bool { return x.ID == y.ID },
		open:     func(r userRow) { showUserForm(m, &r.User) },
		create:   func() { showUserForm(m, nil) },
		canNew:   core.CanCreateUser(a),
		remove:   func(r userRow) { m.deleted(g.svc.DeleteUser(a, r.ID), m.users) },
		canerase: func(r userRow) bool { return r.ID != a.ID() },
		csv: func(rows []userRow, _ core.ExportLookup) [][]string {
			out := [][]string{{"id", "employee_number", "full_name", "email", "department", "active", "created_at"}}
			for _, r := range rows {
				out = append(out, []string{r.ID.String(), r.EmployeeNumber, r.FullName, r.Email, string(r.Department),
					map[bool]string{true: "true", false: "false"}[r.Active], core.CSVTime(r.CreatedAt)})
			}
			return out
		},
	}
	return newListTab(g, spec)
}

// userForm creates or edits a collaborator; management also deactivates, reactivates and
// resets the password from it.
type userForm struct {
	m        *mainScreen
	user     *core.User
	view     *formView
	name     *field
	email    *field
	dept     *widget.Select
	password *field
	dlg      *formDialog
}

var departments = core.Departments()

func showUserForm(m *mainScreen, u *core.User) *userForm {
	f := &userForm{m: m, user: u, view: newFormView()}
	m.form = f
	var v core.User
	if u != nil {
		v = *u
	}
	f.name = f.view.add(tr("Full name"), newEntryField("full_name", v.FullName, textCheck("full_name", 2, core.MaxNameLen)))
	f.email = f.view.add(tr("Email"), newEntryField("email", v.Email, emailCheck))
	opts := make([]string, len(departments))
	for i, d := range departments {
		opts[i] = deptName(d)
	}
	f.dept = widget.NewSelect(opts, nil)
	f.dept.PlaceHolder = tr("Choose a department")
	for i, d := range departments {
		if d == v.Department {
			f.dept.SetSelectedIndex(i)
		}
	}
	f.view.add(tr("Department"), newField("department", f.dept, func() error {
		if f.dept.SelectedIndex() < 0 {
			return core.FieldError("department", core.CodeRequired)
		}
		return nil
	}))
	title := tr("New collaborator")
	if u == nil {
		f.password = f.view.add(tr("Initial password"), newPasswordField("password", func() string { return f.email.entry.Text }))
	} else {
		title = tr("Collaborator: {{.Name}}", map[string]any{"Name": u.FullName})
		f.view.addRow(tr("Employee no."), widget.NewLabel(u.EmployeeNumber))
		f.view.addRow(tr("Status"), widget.NewLabel(activeName(u.Active)))
	}
	f.dlg = newFormDialog(m.g, title, f.view, nil, true, f.save)
	if u == nil {
		f.dlg.onSaveAsync = f.create
	}
	if u != nil && u.ID != m.g.actor.ID() {
		f.addActions()
	}
	f.dlg.show(fyne.NewSize(620, 420))
	m.g.win.Canvas().Focus(f.name.entry)
	return f
}

func (f *userForm) addActions() {
	g, u := f.m.g, f.user
	f.dlg.addButton(widget.NewButtonWithIcon(tr("Reset password"), theme.AccountIcon(), func() { showResetPassword(g, u) }))
	label, icon := tr("Deactivate"), theme.VisibilityOffIcon()
	if !u.Active {
		label, icon = tr("Reactivate"), theme.VisibilityIcon()
	}
	f.dlg.addButton(widget.NewButtonWithIcon(label, icon, func() {
		var err error
		if u.Active {
			_, err = g.svc.DeactivateUser(g.actor, u.ID)
		} else {
			_, err = g.svc.ReactivateUser(g.actor, u.ID)
		}
		if err != nil {
			g.showError(err)
			return
		}
		f.dlg.d.Hide()
		f.m.users.changed()
	}))
}

// create adds the collaborator off the UI goroutine: it hashes the initial password.
func (f *userForm) create(done func(error)) {
	g := f.m.g
	in := core.UserInput{FullName: f.name.entry.Text, Email: f.email.entry.Text, Department: departments[f.dept.SelectedIndex()]}
	password := f.password.entry.Text
	background(g, func() (core.User, error) { return g.svc.CreateUser(g.actor, in, password) },
		func(u core.User, err error) {
			if err == nil {
				f.user = &u
				f.m.users.changed()
			}
			done(err)
		})
}

// save updates an existing collaborator.
func (f *userForm) save() error {
	g := f.m.g
	name, email := f.name.entry.Text, f.email.entry.Text
	dept := departments[f.dept.SelectedIndex()]
	p := core.UserPatch{FullName: &name, Email: &email}
	if dept != f.user.Department {
		p.Department = &dept
	}
	u, err := g.svc.UpdateUser(g.actor, f.user.ID, p)
	if err != nil {
		return err
	}
	*f.user = u
	f.m.users.changed()
	return nil
}

// showResetPassword sets another collaborator's password (management).
func showResetPassword(g *GUI, u *core.User) {
	view := newFormView()
	pw := view.add(tr("New password"), newPasswordField("password", func() string { return u.Email }))
	var d *dialog.CustomDialog
	var save *widget.Button
	save = widget.NewButtonWithIcon(tr("Save"), theme.DocumentSaveIcon(), func() {
		if !view.validate() {
			return
		}
		save.Disable()
		next := pw.entry.Text
		background(g, func() (struct{}, error) { return struct{}{}, g.svc.ResetPassword(g.actor, u.ID, next) },
			func(_ struct{}, err error) {
				save.Enable()
				if err != nil {
					view.showFieldError(err)
					g.showError(err)
					return
				}
				d.Hide()
				dialog.ShowInformation(tr("Reset password"), tr("The password of {{.Name}} was changed; their sessions are closed.", map[string]any{"Name": u.FullName}), g.win)
			})
	})
	save.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(tr("Reset the password of {{.Name}}", map[string]any{"Name": u.FullName}), view.form, g.win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(tr("Close"), d.Hide), save})
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}
