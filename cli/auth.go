package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
	"github.com/epicevents/crm/storage"
)

const authUsage = `Set-up and session commands:

  epicevents init [--admin-email E --admin-name N --password-stdin] [--demo]
      Create the database and its first management account. Refused (exit 7) when the
      database is already initialised.
        --admin-email E      the administrator's email (asked at a terminal when missing)
        --admin-name N       the administrator's full name (asked at a terminal when missing)
        --password-stdin     read the administrator's password as one line of standard input
        --demo               add the demo data of the original system; the demo accounts and
                             their generated passwords are printed once

  epicevents login --email E [--password-stdin]
      Log in and keep the session (8 hours) in the file "session" of the data directory.
        --email E            your email
        --password-stdin     read the password as one line of standard input

  epicevents logout      end your sessions and remove the session file
  epicevents status      show who is logged in and until when (exit 3 when nobody is)
  epicevents whoami      show your collaborator record

  Without --password-stdin the password is typed at the terminal without echo; with neither a
  terminal nor --password-stdin the command fails (exit 2). Passwords are never flags.
  --json prints the result as JSON.
`

// userSession is the JSON answer of login and status: the user and the session's end.
type userSession struct {
	userOut
	ExpiresAt jtime `json:"expires_at"`
}

// demoOut is a demo account in the JSON answer of init.
type demoOut struct {
	FullName   string `json:"full_name"`
	Email      string `json:"email"`
	Department string `json:"department"`
	Password   string `json:"password"`
}

// initOut is the JSON answer of init.
type initOut struct {
	Admin        userOut   `json:"admin"`
	DemoAccounts []demoOut `json:"demo_accounts"`
}

func runInit(r *runner, args []string) error {
	f := r.newFlags("init", authUsage)
	f.String("admin-email", "", "")
	f.String("admin-name", "", "")
	stdin := f.Bool("password-stdin", false, "")
	demo := f.Bool("demo", false, "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(r.env.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	if err := r.refuseInitialised(); err != nil {
		return err
	}
	// Asked before the database is opened: nobody waits for the typing.
	in := core.InitInput{Demo: *demo}
	var err error
	if in.AdminEmail, err = r.ask(f, "admin-email", "Administrator's email: "); err != nil {
		return err
	}
	if in.AdminName, err = r.ask(f, "admin-name", "Administrator's full name: "); err != nil {
		return err
	}
	if in.Password, err = r.newPassword(*stdin, "Administrator's password: "); err != nil {
		return err
	}
	return r.withDB(dbCreate, func(_ *storage.DB, svc *core.Service) error {
		res, err := svc.Initialize(in) // Conflict if initialised meanwhile
		if err != nil {
			return err
		}
		return r.showInit(res)
	})
}

// refuseInitialised fails with Conflict when the database exists and is initialised, looking
// with the shared lock; a missing file is fine.
func (r *runner) refuseInitialised() error {
	if _, err := os.Stat(r.dbPath()); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	err := r.withDB(dbReadOnly, func(*storage.DB, *core.Service) error {
		return core.Errorf(core.Conflict, "the database is already initialised: %s", r.dbPath())
	})
	if errors.Is(err, errNotInitialised) {
		return nil
	}
	return err
}

func (r *runner) showInit(res core.InitResult) error {
	out := initOut{Admin: toUser(res.Admin), DemoAccounts: []demoOut{}}
	for _, d := range res.Demo {
		out.DemoAccounts = append(out.DemoAccounts, demoOut{FullName: d.FullName, Email: d.Email,
			Department: string(d.Department), Password: d.Password})
	}
	return r.show(out, func(w io.Writer) {
		fmt.Fprintf(w, "Database initialised: %s\n", plain(r.dbPath()))
		fmt.Fprintf(w, "Administrator: %s <%s> (%s)\n", plain(out.Admin.FullName), plain(out.Admin.Email), out.Admin.EmployeeNumber)
		if len(out.DemoAccounts) > 0 {
			fmt.Fprintln(w, "\nDemo accounts — note these passwords now, they are not shown again:")
			writeTable(w, []column[demoOut]{
				{title: "NAME", cell: func(d demoOut) string { return d.FullName }},
				{title: "EMAIL", cell: func(d demoOut) string { return d.Email }},
				{title: "DEPARTMENT", cell: func(d demoOut) string { return d.Department }},
				{title: "PASSWORD", cell: func(d demoOut) string { return d.Password }},
			}, out.DemoAccounts)
		}
		fmt.Fprintf(w, "\nLog in with: epicevents login --email %s\n", plain(out.Admin.Email))
	})
}

func runLogin(r *runner, args []string) error {
	f := r.newFlags("login", authUsage)
	f.String("email", "", "")
	stdin := f.Bool("password-stdin", false, "")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(r.dbPath()); errors.Is(err, fs.ErrNotExist) {
		return errNotInitialised
	}
	// Asked before the database is opened: a prompt left waiting locks nobody out.
	email, err := r.ask(f, "email", "Email: ")
	if err != nil {
		return err
	}
	pw, err := r.password(*stdin, "Password: ")
	if err != nil {
		return err
	}
	return r.withDB(dbInitialised, func(_ *storage.DB, svc *core.Service) error {
		a, err := svc.Login(email, pw)
		if err != nil {
			return err
		}
		r.actor = a
		if err := r.saveToken(a.Token()); err != nil {
			return err
		}
		return r.showSession(svc, a, "Logged in as")
	})
}

// showSession prints the logged-in user and the end of the session.
func (r *runner) showSession(svc *core.Service, a *core.Actor, lead string) error {
	u, err := svc.GetUser(a, a.ID())
	if err != nil {
		return err
	}
	out := userSession{userOut: toUser(u), ExpiresAt: jtime(tokenExpiry(a.Token()))}
	return r.show(out, func(w io.Writer) {
		fmt.Fprintf(w, "%s %s <%s> (%s, %s).\n", lead, plain(u.FullName), plain(u.Email), u.Department, u.EmployeeNumber)
		fmt.Fprintf(w, "The session is valid until %s.\n", out.ExpiresAt.local())
	})
}

// tokenExpiry reads the expiry of a session token that core has already verified.
func tokenExpiry(tok string) time.Time {
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil || c.ExpiresAt == nil {
		return time.Time{}
	}
	return c.ExpiresAt.Time
}

func runLogout(r *runner, args []string) error {
	f := r.newFlags("logout", authUsage)
	if _, err := f.parse(args); err != nil {
		return err
	}
	var out okJSON
	err := r.withSession(func(s *session) error {
		out.ID = s.actor.ID().String()
		return s.svc.Logout(s.actor)
	})
	if core.KindOf(err) == core.Unauthenticated || errors.Is(err, errNotInitialised) {
		err = nil // nobody was logged in: removing the file is all there is to do
	}
	if err != nil {
		return err
	}
	if rerr := datadir.RemoveSession(r.env.DataDir); rerr != nil {
		return rerr
	}
	out.OK = true
	if out.ID == "" {
		return r.done(out, "Not logged in.")
	}
	return r.done(out, "Logged out.")
}

func runStatus(r *runner, args []string) error {
	f := r.newFlags("status", authUsage)
	if _, err := f.parse(args); err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		return r.showSession(s.svc, s.actor, "Logged in as")
	})
}

func runWhoami(r *runner, args []string) error {
	f := r.newFlags("whoami", authUsage)
	if _, err := f.parse(args); err != nil {
		return err
	}
	return r.withSession(func(s *session) error {
		u, err := s.svc.GetUser(s.actor, s.actor.ID())
		return s.doneUser(u, err, "")
	})
}
