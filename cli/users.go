package cli

import (
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

const userUsage = `Collaborator commands (management, except "user password" on one's own account):

  epicevents user list [--department D]     list collaborators by name
        --department D     commercial, support or management (gestion)
  epicevents user view U                    show a collaborator
  epicevents user create --email E --name N --department D [--password-stdin]
                                            create a collaborator with an initial password
  epicevents user update U [--email E] [--name N] [--department D]
                                            change the details given
  epicevents user deactivate U              stop a collaborator from logging in
  epicevents user reactivate U              let a deactivated collaborator log in again
  epicevents user delete U                  delete a collaborator who is no record's contact
  epicevents user password [U] [--password-stdin]
                                            without U (or with your own account): change your
                                            password; two lines are read, the current password
                                            then the new one; the new session is kept.
                                            With another U: reset that collaborator's password
                                            (one line)
  epicevents user search TEXT               find collaborators by name, email or employee number

  U is an email, a full id or a unique prefix of at least 8 characters of the id.
  --password-stdin reads passwords from standard input; without it they are typed at the
  terminal without echo. --json prints the result as JSON.
`

var userCommands = map[string]func(*runner, []string) error{
	"list":       userList,
	"view":       userView,
	"create":     userCreate,
	"update":     userUpdate,
	"deactivate": userChange("user deactivate", "User deactivated: %s", (*core.Service).DeactivateUser),
	"reactivate": userChange("user reactivate", "User reactivated: %s", (*core.Service).ReactivateUser),
	"delete":     userDelete,
	"password":   userPassword,
	"search":     searchCommand("user search", userUsage, func(s *session, text string) error { return s.listUsers(core.UserQuery{Search: text}) }),
}

// userOut is a collaborator as printed (PRODUCT.md §2).
type userOut struct {
	ID             string `json:"id"`
	EmployeeNumber string `json:"employee_number"`
	FullName       string `json:"full_name"`
	Email          string `json:"email"`
	Department     string `json:"department"`
	Active         bool   `json:"active"`
	CreatedAt      jtime  `json:"created_at"`
	UpdatedAt      jtime  `json:"updated_at"`
}

func toUser(u core.User) userOut {
	return userOut{ID: u.ID.String(), EmployeeNumber: u.EmployeeNumber, FullName: u.FullName,
		Email: u.Email, Department: string(u.Department), Active: u.Active,
		CreatedAt: jtime(u.CreatedAt), UpdatedAt: jtime(u.UpdatedAt)}
}

func toUsers(list []core.User) ([]userOut, error) { return each(list, toUser), nil }

var userColumns = []column[userOut]{
	{title: "ID", cell: func(u userOut) string { return short(u.ID) }},
	{title: "EMPLOYEE", cell: func(u userOut) string { return u.EmployeeNumber }},
	{title: "NAME", cell: func(u userOut) string { return u.FullName }},
	{title: "EMAIL", cell: func(u userOut) string { return u.Email }},
	{title: "DEPARTMENT", cell: func(u userOut) string { return u.Department }},
	{title: "ACTIVE", cell: func(u userOut) string { return yesNo(u.Active) }},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// doneUser prints the collaborator an action returned, or shows them in full when format is
// "", or returns the action's error.
func (s *session) doneUser(u core.User, err error, format string, args ...any) error {
	return doneRecord(s, u, err, toUsers, userFields, format, args...)
}

func userFields(out userOut) []field {
	return []field{
		{"ID", out.ID}, {"Employee number", out.EmployeeNumber}, {"Name", out.FullName},
		{"Email", out.Email}, {"Department", out.Department}, {"Active", yesNo(out.Active)},
		{"Created", out.CreatedAt.local()}, {"Updated", out.UpdatedAt.local()},
	}
}

func (s *session) listUsers(q core.UserQuery) error {
	users, hidden, err := s.svc.ListUsers(s.actor, q)
	return printRecords(s, users, hidden, err, toUsers, userColumns, "collaborators")
}

func userList(r *runner, args []string) error {
	f := r.newFlags("user list", userUsage)
	dept := f.String("department", "", "")
	return f.inSession(args, func(s *session, _ []string) error {
		return s.listUsers(core.UserQuery{Department: core.Department(*dept)})
	})
}

// withUser parses a command whose one argument is a collaborator and runs fn on its id.
func (r *runner) withUser(command string, args []string, fn func(s *session, u core.User) error) error {
	return r.newFlags(command, userUsage).inSession(args, func(s *session, pos []string) error {
		id, err := s.resolveUser(pos[0])
		if err != nil {
			return err
		}
		u, err := s.svc.GetUser(s.actor, id)
		if err != nil {
			return err
		}
		return fn(s, u)
	}, "U")
}

func userView(r *runner, args []string) error {
	return r.withUser("user view", args, func(s *session, u core.User) error { return s.doneUser(u, nil, "") })
}

func userCreate(r *runner, args []string) error {
	f := r.newFlags("user create", userUsage).need("email", "name", "department")
	email := f.String("email", "", "")
	name := f.String("name", "", "")
	dept := f.String("department", "", "")
	stdin := f.Bool("password-stdin", false, "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := r.checkSession(); err != nil {
		return err
	}
	pw, err := r.newPassword(*stdin, "Initial password: ") // before the database is opened
	if err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		u, err := s.svc.CreateUser(s.actor, core.UserInput{FullName: *name, Email: *email,
			Department: core.Department(*dept)}, pw)
		return s.doneUser(u, err, "User created: %s (%s)", u.ID, u.EmployeeNumber)
	})
}

func userUpdate(r *runner, args []string) error {
	f := r.newFlags("user update", userUsage).needOne("email", "name", "department")
	email := f.String("email", "", "")
	name := f.String("name", "", "")
	dept := f.String("department", "", "")
	return f.inSession(args, func(s *session, pos []string) error {
		id, err := s.resolveUser(pos[0])
		if err != nil {
			return err
		}
		p := core.UserPatch{FullName: f.opt("name", name), Email: f.opt("email", email)}
		if f.given("department") {
			d := core.Department(*dept)
			p.Department = &d
		}
		u, err := s.svc.UpdateUser(s.actor, id, p)
		return s.doneUser(u, err, "User updated: %s", u.ID)
	}, "U")
}

// userChange is a command on one collaborator U: act changes them, then done says so with
// their id.
func userChange(command, done string, act func(*core.Service, *core.Actor, uuid.UUID) (core.User, error)) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		return r.withUser(command, args, func(s *session, u core.User) error {
			u, err := act(s.svc, s.actor, u.ID)
			return s.doneUser(u, err, done, u.ID)
		})
	}
}

func userDelete(r *runner, args []string) error {
	return r.withUser("user delete", args, func(s *session, u core.User) error {
		return s.deleted(s.svc.DeleteUser(s.actor, u.ID), "User", u.ID)
	})
}

func userPassword(r *runner, args []string) error {
	f := r.newFlags("user password", userUsage)
	stdin := f.Bool("password-stdin", false, "")
	pos, err := f.parse(args, "U?")
	if err != nil {
		return err
	}
	// Whose password it is decides what is asked: found with the shared lock, and the
	// passwords asked before the database is opened for writing.
	own := pos[0] == ""
	if !own {
		r.readOnly = true
		err := r.withSession(func(s *session) error {
			id, err := s.resolveUser(pos[0])
			own = id == s.actor.ID()
			return err
		})
		r.readOnly = false
		if err != nil {
			return err
		}
	}
	if own {
		return r.changeOwnPassword(*stdin)
	}
	pw, err := r.newPassword(*stdin, "New password: ")
	if err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		id, err := s.resolveUser(pos[0])
		if err != nil {
			return err
		}
		if err := s.svc.ResetPassword(s.actor, id, pw); err != nil {
			return err
		}
		return s.done(okJSON{OK: true, ID: id.String()}, "Password reset: %s", id)
	})
}

// changeOwnPassword reads the current and the new password, then changes it and keeps the new
// session (every other session of the account ends).
func (r *runner) changeOwnPassword(stdin bool) error {
	if err := r.checkSession(); err != nil {
		return err
	}
	cur, err := r.password(stdin, "Current password: ")
	if err != nil {
		return err
	}
	next, err := r.newPassword(stdin, "New password: ")
	if err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		a, err := s.svc.ChangePassword(s.actor, cur, next)
		if err != nil {
			return err
		}
		s.actor, s.runner.actor = a, a
		if err := s.saveToken(a.Token()); err != nil {
			return err
		}
		return s.done(okJSON{OK: true, ID: a.ID().String()}, "Password changed.")
	})
}
