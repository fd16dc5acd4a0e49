package cli

import (
	"path/filepath"
	"testing"
)

// PRODUCT.md §4: a password is never the account's email. patEmail, typed as a password, meets
// every other rule, so only that rule can refuse it.
const patEmail = "Pat9@epicevents.com"

const emailRefused = "password: must not be the account's email"

// TestMain_PasswordNotEmail types the account's email as its password in every command that sets
// one: init, user create, user password (a management reset and one's own change).
func TestMain_PasswordNotEmail(t *testing.T) {
	t.Run("ErrInvalidInit", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "home")
		refused(t, dir, patEmail+"\n", "init", "--admin-email", patEmail, "--admin-name", "Pat Nine", "--password-stdin")
		_, errOut, code := call(t, dir, "", "status")
		if code != exitUnauthenticated {
			t.Fatalf("status after a refused init: exit %d (%s), want %d", code, errOut, exitUnauthenticated)
		}
		oneErrorLine(t, errOut, "database not initialised")
	})
	t.Run("ErrInvalidUserCreate", func(t *testing.T) {
		dir := newAdmin(t, false)
		refused(t, dir, "pat9@EPICEVENTS.com\n", "user", "create", "--email", patEmail, "--name", "Pat Nine", "--department", "support", "--password-stdin")
		mustCall(t, dir, "", exitNotFound, "user", "view", patEmail)
	})
	t.Run("ErrInvalidUserPasswordReset", func(t *testing.T) {
		dir := newAdmin(t, false)
		mustCall(t, dir, testPassword+"\n", 0, "user", "create", "--email", patEmail, "--name", "Pat Nine", "--department", "support", "--password-stdin")
		refused(t, dir, patEmail+"\n", "user", "password", patEmail, "--password-stdin")
		mustCall(t, dir, testPassword+"\n", 0, "login", "--email", patEmail, "--password-stdin") // unchanged
	})
	t.Run("ErrInvalidUserPasswordOwn", func(t *testing.T) {
		dir := newAdmin(t, false)
		mustCall(t, dir, testPassword+"\n", 0, "user", "create", "--email", patEmail, "--name", "Pat Nine", "--department", "support", "--password-stdin")
		mustCall(t, dir, testPassword+"\n", 0, "login", "--email", patEmail, "--password-stdin")
		refused(t, dir, testPassword+"\n"+patEmail+"\n", "user", "password", "--password-stdin")
		mustCall(t, dir, testPassword+"\n", 0, "login", "--email", patEmail, "--password-stdin")
	})
}

// refused runs a command that must fail with exit 5 and the email refused as a password.
func refused(t *testing.T, dir, stdin string, args ...string) {
	t.Helper()
	_, errOut, code := call(t, dir, stdin, args...)
	if code != exitInvalid {
		t.Fatalf("%v: exit %d, want %d (%s)", args, code, exitInvalid, errOut)
	}
	oneErrorLine(t, errOut, emailRefused)
}
