package core_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestService_CreateUser(t *testing.T) {
	e := mustEnv(t)
	t.Run("OK", func(t *testing.T) {
		u, err := e.svc.CreateUser(e.admin, core.UserInput{FullName: "Jean Dupont", Email: " Jean.Dupont@EpicEvents.com ", Department: "gestion"}, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "jean.dupont@epicevents.com" || u.Department != core.Management || !u.Active {
			t.Fatalf("user %+v", u)
		}
		if !regexp.MustCompile(`^EE[0-9]{6}$`).MatchString(u.EmployeeNumber) {
			t.Fatalf("employee number %q", u.EmployeeNumber)
		}
		if u.PasswordHash == "" || u.PasswordHash == testPassword {
			t.Fatal("password not hashed")
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, d := range []core.Department{core.Commercial, core.Support} {
			a := e.user("Some One", d)
			_, err := e.svc.CreateUser(a, core.UserInput{FullName: "X Y", Email: "xy@epicevents.com", Department: core.Support}, testPassword)
			wantKind(t, err, core.Forbidden)
		}
		_, err := e.svc.CreateUser(nil, core.UserInput{}, testPassword)
		wantKind(t, err, core.Unauthenticated)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for field, in := range map[string]core.UserInput{
			"full_name":  {FullName: "J", Email: "j@epicevents.com", Department: core.Support},
			"email":      {FullName: "Jo", Email: "not-an-email", Department: core.Support},
			"department": {FullName: "Jo", Email: "jo@epicevents.com", Department: "sales"},
		} {
			_, err := e.svc.CreateUser(e.admin, in, testPassword)
			if core.KindOf(err) != core.Invalid || core.FieldOf(err) != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		_, err := e.svc.CreateUser(e.admin, core.UserInput{FullName: "Jo", Email: "jo@epicevents.com", Department: core.Support}, "password")
		if core.FieldOf(err) != "password" {
			t.Errorf("weak password: %v", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := e.svc.CreateUser(e.admin, core.UserInput{FullName: "Other Ada", Email: "ADA@epicevents.com", Department: core.Support}, testPassword)
		wantKind(t, err, core.Conflict)
	})
}

func TestService_UpdateUser(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	t.Run("OK", func(t *testing.T) {
		u, err := e.svc.UpdateUser(e.admin, com.ID(), core.UserPatch{FullName: ptr("Carl Commerce")})
		if err != nil || u.FullName != "Carl Commerce" {
			t.Fatalf("%+v %v", u, err)
		}
		last := e.mon.events[len(e.mon.events)-1]
		if last.Name != core.EventUserUpdate || len(last.Fields) != 1 || last.Fields[0] != "full_name" {
			t.Fatalf("monitor event %+v", last)
		}
	})
	t.Run("ErrConflictStillContact", func(t *testing.T) {
		e.client(com)
		_, err := e.svc.UpdateUser(e.admin, com.ID(), core.UserPatch{Department: ptr(core.Support)})
		wantKind(t, err, core.Conflict)
	})
	t.Run("ErrConflictEmail", func(t *testing.T) {
		_, err := e.svc.UpdateUser(e.admin, com.ID(), core.UserPatch{Email: ptr("ada@epicevents.com")})
		wantKind(t, err, core.Conflict)
	})
	t.Run("ErrForbiddenOwnDepartment", func(t *testing.T) {
		_, err := e.svc.UpdateUser(e.admin, e.admin.ID(), core.UserPatch{Department: ptr(core.Support)})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.UpdateUser(com, com.ID(), core.UserPatch{FullName: ptr("Me")})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.UpdateUser(e.admin, uuid.New(), core.UserPatch{FullName: ptr("Nobody")})
		wantKind(t, err, core.NotFound)
	})
}

func TestService_DeactivateUser(t *testing.T) {
	e := mustEnv(t)
	s := e.user("Sam Support", core.Support)
	t.Run("OK", func(t *testing.T) {
		u, err := e.svc.DeactivateUser(e.admin, s.ID())
		if err != nil || u.Active {
			t.Fatalf("%+v %v", u, err)
		}
		_, err = e.svc.Resume(s.Token())
		wantKind(t, err, core.Unauthenticated)
	})
	t.Run("ErrConflictAlready", func(t *testing.T) {
		_, err := e.svc.DeactivateUser(e.admin, s.ID())
		wantKind(t, err, core.Conflict)
	})
	t.Run("Reactivate", func(t *testing.T) {
		if _, err := e.svc.ReactivateUser(e.admin, s.ID()); err != nil {
			t.Fatal(err)
		}
		e.login(s.Email())
	})
	t.Run("ErrForbiddenSelf", func(t *testing.T) {
		_, err := e.svc.DeactivateUser(e.admin, e.admin.ID())
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.DeactivateUser(s, e.admin.ID())
		wantKind(t, err, core.Forbidden)
	})
}

func TestService_DeleteUser(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	t.Run("ErrConflictReferenced", func(t *testing.T) {
		c := e.client(com)
		ev := e.event(e.contract(c, "1000", true), sup)
		wantKind(t, e.svc.DeleteUser(e.admin, com.ID()), core.Conflict)
		wantKind(t, e.svc.DeleteUser(e.admin, sup.ID()), core.Conflict)
		if _, err := e.svc.AssignSupport(e.admin, ev.ID, uuid.Nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if err := e.svc.DeleteUser(e.admin, sup.ID()); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.GetUser(e.admin, sup.ID())
		wantKind(t, err, core.NotFound)
		_, err = e.svc.Resume(sup.Token())
		wantKind(t, err, core.Unauthenticated)
	})
	t.Run("ErrForbiddenSelf", func(t *testing.T) {
		wantKind(t, e.svc.DeleteUser(e.admin, e.admin.ID()), core.Forbidden)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantKind(t, e.svc.DeleteUser(com, e.admin.ID()), core.Forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantKind(t, e.svc.DeleteUser(e.admin, uuid.New()), core.NotFound)
	})
}

func TestService_ChangePassword(t *testing.T) {
	e := mustEnv(t)
	s := e.user("Sam Support", core.Support)
	t.Run("ErrInvalidCurrent", func(t *testing.T) {
		_, err := e.svc.ChangePassword(s, "Wrong-pass1!", "N3w-password!")
		if core.FieldOf(err) != "current_password" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrInvalidWeak", func(t *testing.T) {
		_, err := e.svc.ChangePassword(s, testPassword, "weak")
		if core.FieldOf(err) != "password" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		x := e.user("Xavier Support", core.Support)
		for i := 0; i < 5; i++ {
			_, err := e.svc.ChangePassword(x, "Wrong-pass1!", "N3w-password!")
			if core.FieldOf(err) != "current_password" {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		_, err := e.svc.ChangePassword(x, testPassword, "N3w-password!")
		wantKind(t, err, core.Unauthenticated)
		_, err = e.svc.Login(x.Email(), testPassword)
		wantKind(t, err, core.Unauthenticated) // the same counter locks the login
		e.clock.Advance(31 * time.Second)
		if _, err := e.svc.ChangePassword(x, testPassword, "N3w-password!"); err != nil {
			t.Fatalf("after the delay: %v", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		fresh, err := e.svc.ChangePassword(s, testPassword, "N3w-password!")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Resume(s.Token())
		wantKind(t, err, core.Unauthenticated)
		if _, err := e.svc.Resume(fresh.Token()); err != nil {
			t.Fatalf("new token: %v", err)
		}
		if _, err := e.svc.Login(s.Email(), "N3w-password!"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Login(s.Email(), testPassword)
		wantKind(t, err, core.Unauthenticated)
	})
}

func TestService_ResetPassword(t *testing.T) {
	e := mustEnv(t)
	s := e.user("Sam Support", core.Support)
	t.Run("OK", func(t *testing.T) {
		if err := e.svc.ResetPassword(e.admin, s.ID(), "R3set-password!"); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Resume(s.Token())
		wantKind(t, err, core.Unauthenticated)
		if _, err := e.svc.Login(s.Email(), "R3set-password!"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OKUnlocks", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			_, _ = e.svc.Login(s.Email(), "Wrong-pass1!")
		}
		if _, err := e.svc.Login(s.Email(), "R3set-password!"); core.KindOf(err) != core.Unauthenticated {
			t.Fatalf("not locked: %v", err)
		}
		if err := e.svc.ResetPassword(e.admin, s.ID(), "An0ther-password!"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Login(s.Email(), "An0ther-password!"); err != nil {
			t.Fatalf("a reset must end the lock-out: %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		s2 := e.user("Sue Support", core.Support)
		wantKind(t, e.svc.ResetPassword(s2, e.admin.ID(), "R3set-password!"), core.Forbidden)
		wantKind(t, e.svc.ResetPassword(e.admin, e.admin.ID(), "R3set-password!"), core.Forbidden)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		wantKind(t, e.svc.ResetPassword(e.admin, s.ID(), "short"), core.Invalid)
	})
}

func TestService_ReadUsers(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	e.user("Sam Support", core.Support)
	t.Run("OK", func(t *testing.T) {
		all, _, err := e.svc.ListUsers(e.admin, core.UserQuery{})
		if err != nil || len(all) != 3 || all[0].FullName != "Ada Manager" || all[2].FullName != "Sam Support" {
			t.Fatalf("%v %v", names(all), err)
		}
		sup, _, _ := e.svc.ListUsers(e.admin, core.UserQuery{Department: "support"})
		if len(sup) != 1 {
			t.Fatalf("support: %v", names(sup))
		}
		found, _, _ := e.svc.ListUsers(e.admin, core.UserQuery{Search: "CARL"})
		if len(found) != 1 || found[0].ID != com.ID() {
			t.Fatalf("search: %v", names(found))
		}
		byNumber, _, _ := e.svc.ListUsers(e.admin, core.UserQuery{Search: found[0].EmployeeNumber})
		if len(byNumber) != 1 {
			t.Fatalf("search by employee number: %v", names(byNumber))
		}
		me, err := e.svc.GetUser(com, com.ID())
		if err != nil || me.ID != com.ID() {
			t.Fatal(err)
		}
		contacts, err := e.svc.Contacts(com)
		if err != nil || len(contacts) != 3 {
			t.Fatalf("contacts %v %v", contacts, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, _, err := e.svc.ListUsers(com, core.UserQuery{})
		wantKind(t, err, core.Forbidden)
		_, err = e.svc.GetUser(com, e.admin.ID())
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := e.svc.ListUsers(e.admin, core.UserQuery{Department: "sales"})
		wantKind(t, err, core.Invalid)
	})
}

func names(u []core.User) []string {
	var n []string
	for _, x := range u {
		n = append(n, x.FullName)
	}
	return n
}
