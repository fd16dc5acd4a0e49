package core_test

import (
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

// PRODUCT.md §4: a password is never the account's email. patEmail, typed as a password, meets
// every other rule (upper and lower case, a digit, a symbol), so only that rule can refuse it.
const (
	patEmail = "Pat9@epicevents.com"
	patName  = "Pat Nine"
)

// emailPasswords are patEmail as people may type it for a password: as is, in other letter
// cases, with spaces around.
var emailPasswords = []string{patEmail, "pAT9@EPICEVENTS.COM", " pAt9@epicevents.com "}

// wantEmailRefused fails unless err is the refusal of a password equal to the account's email.
func wantEmailRefused(t *testing.T, err error) {
	t.Helper()
	if core.KindOf(err) != core.Invalid || core.FieldOf(err) != "password" ||
		!strings.Contains(err.Error(), "must not be the account's email") {
		t.Fatalf("error %v, want the password refused for being the account's email", err)
	}
}

// TestService_PasswordNotEmail sets the account's email as its password through every service
// that sets one.
func TestService_PasswordNotEmail(t *testing.T) {
	t.Run("ErrInvalidCreateUser", func(t *testing.T) {
		e := mustEnv(t)
		for _, pw := range emailPasswords {
			_, err := e.svc.CreateUser(e.admin, core.UserInput{FullName: patName, Email: patEmail, Department: core.Support}, pw)
			wantEmailRefused(t, err)
		}
		if users, _, err := e.svc.ListUsers(e.admin, core.UserQuery{}); err != nil || len(users) != 1 {
			t.Fatalf("refused creations left %d users (%v), want the manager only", len(users), err)
		}
	})
	t.Run("ErrInvalidChangePassword", func(t *testing.T) {
		e := mustEnv(t)
		pat := e.userWithEmail(patEmail)
		for _, pw := range emailPasswords {
			_, err := e.svc.ChangePassword(pat, testPassword, pw)
			wantEmailRefused(t, err)
		}
		e.login(patEmail) // the password is unchanged
	})
	t.Run("ErrInvalidResetPassword", func(t *testing.T) {
		e := mustEnv(t)
		pat := e.userWithEmail(patEmail)
		for _, pw := range emailPasswords {
			wantEmailRefused(t, e.svc.ResetPassword(e.admin, pat.ID(), pw))
		}
		e.login(patEmail)
	})
	t.Run("ErrInvalidResetPasswordAfterEmailChange", func(t *testing.T) {
		e := mustEnv(t)
		pat := e.user(patName, core.Support)
		email := patEmail
		if _, err := e.svc.UpdateUser(e.admin, pat.ID(), core.UserPatch{Email: &email}); err != nil {
			t.Fatal(err)
		}
		wantEmailRefused(t, e.svc.ResetPassword(e.admin, pat.ID(), patEmail))
	})
	t.Run("ErrInvalidInitialize", func(t *testing.T) {
		f := &env{t: t, path: t.TempDir() + "/init.db", clock: &clock{}, mon: &recorder{}}
		f.open()
		defer f.close()
		for _, pw := range emailPasswords {
			_, err := f.svc.Initialize(core.InitInput{AdminName: patName, AdminEmail: patEmail, Password: pw})
			wantEmailRefused(t, err)
		}
		if ok, err := f.svc.Initialized(); ok || err != nil {
			t.Fatalf("initialised = %v, %v after refused initialisations", ok, err)
		}
	})
}

// userWithEmail creates a support collaborator with email and testPassword, logged in.
func (e *env) userWithEmail(email string) *core.Actor {
	e.t.Helper()
	if _, err := e.svc.CreateUser(e.admin, core.UserInput{FullName: patName, Email: email, Department: core.Support}, testPassword); err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return e.login(email)
}
