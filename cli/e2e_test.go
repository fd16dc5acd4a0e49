package cli

// End-to-end tests: they build the real epicevents binary once and run it as a user would, each
// test in its own EPICEVENTS_HOME with passwords on standard input. "go test -short" skips them;
// EPICEVENTS_TEST_BINARY=path runs them on an already built binary.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/epicevents/crm/storage"
)

// binary is the epicevents program built by TestMain ("" with -short), or the one named by
// $EPICEVENTS_TEST_BINARY; templateDir holds the template database of world.
var binary, templateDir string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "epicevents-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = os.Getenv("EPICEVENTS_TEST_BINARY")
	if binary == "" {
		binary = filepath.Join(dir, "epicevents")
		build := exec.Command("go", "build", "-o", binary, "github.com/epicevents/crm")
		// The window needs cgo, also when these tests run with CGO_ENABLED=0.
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build the epicevents binary:", err)
			_ = os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	templateDir = filepath.Join(dir, "template")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the binary with EPICEVENTS_HOME=home and stdin, and returns its outputs and exit code.
func run(t *testing.T, home, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if binary == "" {
		t.Skip("end-to-end tests are skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), "EPICEVENTS_HOME="+home)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// cleanEnv is the test's environment without the variables the program reads.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EPICEVENTS_HOME=") && !strings.HasPrefix(kv, "SENTRY_") {
			env = append(env, kv)
		}
	}
	return env
}

// user is a demo collaborator of the template database.
type user struct {
	email, password, token string
}

// template is a database initialised with the demo data, with sessions of some collaborators,
// built once and copied by each test.
var template struct {
	once  sync.Once
	home  string
	users map[string]*user // by first name, lower case
	err   error
}

const adminEmail = "admin@epicevents.com"

// e2e is one test's home and the sessions it can switch between.
type e2e struct {
	t    *testing.T
	home string
}

// world returns a fresh copy of the template database, logged in as the administrator.
func world(t *testing.T) *e2e {
	t.Helper()
	if binary == "" {
		t.Skip("end-to-end tests are skipped with -short")
	}
	template.once.Do(func() { template.err = buildTemplate(t) })
	if template.err != nil {
		t.Fatalf("template database: %v", template.err)
	}
	w := &e2e{t: t, home: filepath.Join(t.TempDir(), "home")}
	if err := os.MkdirAll(w.home, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(template.home, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.home, dbFile), db, 0o600); err != nil {
		t.Fatal(err)
	}
	w.as("admin")
	return w
}

func buildTemplate(t *testing.T) error {
	dir := templateDir
	template.home = dir
	out, errOut, code := run(t, dir, testPassword+"\n", "init", "--admin-email", adminEmail,
		"--admin-name", "Ada Admin", "--password-stdin", "--demo", "--json")
	if code != 0 {
		return fmt.Errorf("init: exit %d: %s", code, errOut)
	}
	var res struct {
		DemoAccounts []struct{ Email, Password string } `json:"demo_accounts"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return err
	}
	template.users = map[string]*user{"admin": {email: adminEmail, password: testPassword}}
	for _, d := range res.DemoAccounts {
		first, _, _ := strings.Cut(d.Email, ".")
		template.users[first] = &user{email: d.Email, password: d.Password}
	}
	for _, name := range []string{"admin", "jean", "lucas", "emma"} {
		u := template.users[name]
		if _, errOut, code := run(t, dir, u.password+"\n", "login", "--email", u.email, "--password-stdin"); code != 0 {
			return fmt.Errorf("login %s: exit %d: %s", name, code, errOut)
		}
		tok, err := os.ReadFile(filepath.Join(dir, sessionFile))
		if err != nil {
			return err
		}
		u.token = string(tok)
	}
	return nil
}

// as makes the session file hold the session of the named collaborator.
func (w *e2e) as(name string) {
	w.t.Helper()
	u := template.users[name]
	if u == nil || u.token == "" {
		w.t.Fatalf("no session for %s", name)
	}
	if err := os.WriteFile(filepath.Join(w.home, sessionFile), []byte(u.token), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// ok runs a command that must succeed and returns its standard output.
func (w *e2e) ok(stdin string, args ...string) string {
	w.t.Helper()
	out, errOut, code := run(w.t, w.home, stdin, args...)
	if code != 0 || errOut != "" {
		w.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out
}

// fail runs a command that must fail with code and one error line containing part.
func (w *e2e) fail(code int, part, stdin string, args ...string) {
	w.t.Helper()
	out, errOut, got := run(w.t, w.home, stdin, args...)
	if got != code {
		w.t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, got, code, out, errOut)
	}
	if !strings.HasPrefix(errOut, "error: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, part) {
		w.t.Fatalf("%v: stderr %q, want one error line containing %q", args, errOut, part)
	}
}

// obj runs a command with --json that must succeed and returns its object.
func (w *e2e) obj(args ...string) map[string]any {
	w.t.Helper()
	return decode[map[string]any](w.t, w.ok("", append(args, "--json")...))
}

// list runs a command with --json that must succeed and returns its array.
func (w *e2e) list(args ...string) []map[string]any {
	w.t.Helper()
	raw := w.ok("", append(args, "--json")...)
	if !strings.HasPrefix(strings.TrimSpace(raw), "[") {
		w.t.Fatalf("%v: not an array: %s", args, raw)
	}
	return decode[[]map[string]any](w.t, raw)
}

// names returns the value of key of each record.
func names(recs []map[string]any, key string) string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprint(r[key]))
	}
	return strings.Join(out, ",")
}

// idOf returns the id of the record whose key has value.
func (w *e2e) idOf(recs []map[string]any, key, value string) string {
	w.t.Helper()
	for _, r := range recs {
		if r[key] == value {
			return r["id"].(string)
		}
	}
	w.t.Fatalf("no record with %s=%q in %s", key, value, names(recs, key))
	return ""
}

func TestE2E_Init(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	w := &e2e{t: t, home: home}
	w.fail(exitUnauthenticated, "database not initialised — run epicevents init", "", "status")
	w.fail(exitUnauthenticated, "database not initialised", "", "client", "list")
	w.fail(exitUsage, "password required: use --password-stdin", "", "init", "--admin-email", "a@example.com", "--admin-name", "Ada")
	w.fail(exitInvalid, "email: ", testPassword+"\n", "init", "--admin-email", "not-an-email", "--admin-name", "Ada", "--password-stdin")
	out := w.ok(testPassword+"\n", "init", "--admin-email", "a@example.com", "--admin-name", "Ada", "--password-stdin")
	if !strings.Contains(out, "Database initialised: "+filepath.Join(home, dbFile)) || strings.Contains(out, "Demo accounts") {
		t.Errorf("init printed %q", out)
	}
	w.fail(exitConflict, "already initialised", testPassword+"\n", "init", "--admin-email", "b@example.com", "--admin-name", "Bob", "--password-stdin", "--demo")
	w.ok(testPassword+"\n", "login", "--password-stdin", "--email", "a@example.com")
	if got := w.list("client", "list"); len(got) != 0 {
		t.Errorf("clients without --demo: %v", got)
	}
}

func TestE2E_SessionAcrossProcesses(t *testing.T) {
	w := world(t)
	u := template.users["sophie"]
	login := decode[map[string]any](t, w.ok(u.password+"\n", "--json", "login", "--email", u.email, "--password-stdin"))
	if login["email"] != u.email || login["department"] != "management" || login["expires_at"] == nil || login["employee_number"] == nil {
		t.Errorf("login --json = %v", login)
	}
	who := w.obj("whoami")
	if who["id"] != login["id"] || who["full_name"] != "Sophie Martin" {
		t.Errorf("whoami = %v", who)
	}
	if st := w.ok("", "status"); !strings.Contains(st, "Sophie Martin") || !strings.Contains(st, "valid until") {
		t.Errorf("status printed %q", st)
	}
	old, err := os.ReadFile(filepath.Join(w.home, sessionFile))
	if err != nil {
		t.Fatal(err)
	}
	if out := w.ok("", "logout"); out != "Logged out.\n" {
		t.Errorf("logout printed %q", out)
	}
	w.fail(exitUnauthenticated, "not logged in", "", "whoami")
	if err := os.WriteFile(filepath.Join(w.home, sessionFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	w.fail(exitUnauthenticated, "no longer valid", "", "status")
	w.fail(exitUnauthenticated, "invalid email or password", "Wrong123!x\n", "login", "--email", u.email, "--password-stdin")
	w.fail(exitUnauthenticated, "invalid email or password", "Wrong123!x\n", "login", "--email", "ghost@example.com", "--password-stdin")
}

func TestE2E_PasswordChange(t *testing.T) {
	w := world(t)
	jean := template.users["jean"]
	w.as("jean")
	const next = "N3w-Secret!pw"
	w.fail(exitInvalid, "current_password: is incorrect", "Wrong123!x\n"+next+"\n", "user", "password", "--password-stdin")
	out := decode[map[string]any](t, w.ok(jean.password+"\n"+next+"\n", "user", "password", "--password-stdin", "--json"))
	if out["ok"] != true {
		t.Errorf("user password --json = %v", out)
	}
	if who := w.obj("whoami"); who["email"] != jean.email {
		t.Errorf("the new session is not kept: %v", who)
	}
	w.as("jean") // the token from before the change
	w.fail(exitUnauthenticated, "no longer valid", "", "client", "list")
	w.fail(exitUnauthenticated, "invalid email or password", jean.password+"\n", "login", "--email", jean.email, "--password-stdin")
	w.ok(next+"\n", "login", "--email", jean.email, "--password-stdin")

	// A management reset reads one line and ends the collaborator's sessions.
	w.as("admin")
	w.ok("Reset-Pass1!\n", "user", "password", "lucas.petit@epicevents.com", "--password-stdin")
	w.as("lucas")
	w.fail(exitUnauthenticated, "no longer valid", "", "whoami")
	w.ok("Reset-Pass1!\n", "login", "--email", "lucas.petit@epicevents.com", "--password-stdin")
	w.fail(exitForbidden, "may not reset passwords", "Other-Pass1!\n", "user", "password", jean.email, "--password-stdin")
}

func TestE2E_LoginThrottling(t *testing.T) {
	w := world(t)
	claire := template.users["claire"]
	for i := range 5 {
		_, errOut, code := run(t, w.home, "Wrong123!x\n", "login", "--email", claire.email, "--password-stdin")
		if code != exitUnauthenticated || !strings.Contains(errOut, "invalid email or password") {
			t.Fatalf("attempt %d: exit %d, %q", i+1, code, errOut)
		}
	}
	w.fail(exitUnauthenticated, "too many failed login attempts", claire.password+"\n", "login", "--email", claire.email, "--password-stdin")
}

func TestE2E_DatabaseInUse(t *testing.T) {
	w := world(t)
	db, err := storage.Open(filepath.Join(w.home, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	w.fail(exitInternal, "the database is in use by another program ("+filepath.Join(w.home, dbFile)+")", "", "client", "list")
	refusedByTimeout(t, time.Since(start))
}

// lockRetry is how much earlier than its timeout a lock wait may give up: bbolt retries the
// lock every 50 ms and stops when the next try would end past the timeout.
const lockRetry = 50 * time.Millisecond

// refusedByTimeout checks that a command refused with "in use" took at least the lock timeout
// of PRODUCT.md §6 (storage.DefaultTimeout, pinned to 2 s by storage's tests), so that the
// refusal came from that timeout. Hangs are caught by run's deadline.
func refusedByTimeout(t *testing.T, took time.Duration) {
	t.Helper()
	t.Logf("refused after %v", took.Round(time.Millisecond))
	if took < storage.DefaultTimeout-lockRetry {
		t.Errorf("refused after %v, before the lock timeout (%v)", took, storage.DefaultTimeout)
	}
}

func TestE2E_Usage(t *testing.T) {
	w := world(t)
	if out := w.ok("", "--help"); out != Usage {
		t.Errorf("--help printed %q", out)
	}
	if out := w.ok("", "event", "create", "--help"); out != eventUsage {
		t.Errorf("event create --help printed %q", out)
	}
	w.fail(exitUsage, "unknown command", "", "explode")
	w.fail(exitUsage, "unknown flag --colour", "", "client", "list", "--colour")
	w.fail(exitUsage, "missing argument K", "", "contract", "sign")
}
