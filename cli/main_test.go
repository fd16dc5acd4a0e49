package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

const testPassword = "Admin123!x"

// recMonitor records the errors reported to it.
type recMonitor struct {
	mu   sync.Mutex
	errs []error
}

func (m *recMonitor) Event(core.MonitorEvent) {}

func (m *recMonitor) Error(err error, _ *core.Actor) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errs = append(m.errs, err)
}

// call runs Main in-process on the data directory dir with stdin and returns its outputs.
func call(t *testing.T, dir, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		DataDir: dir, Monitor: core.NopMonitor{}, Version: "test"})
	return out.String(), errOut.String(), code
}

// mustCall runs Main and fails the test unless it exits with want.
func mustCall(t *testing.T, dir, stdin string, want int, args ...string) string {
	t.Helper()
	out, errOut, code := call(t, dir, stdin, args...)
	if code != want {
		t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, want, out, errOut)
	}
	return out
}

// oneErrorLine checks that stderr is exactly one "error: " line containing part.
func oneErrorLine(t *testing.T, stderr, part string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "error: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, part) {
		t.Fatalf("stderr = %q, want one error line containing %q", stderr, part)
	}
}

// callFails runs Main and fails the test unless it exits with want and writes one error line
// containing part (oneErrorLine).
func callFails(t *testing.T, dir, stdin string, want int, part string, args ...string) {
	t.Helper()
	out, errOut, code := call(t, dir, stdin, args...)
	if code != want {
		t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, want, out, errOut)
	}
	oneErrorLine(t, errOut, part)
}

// newAdmin initialises a database in a temp dir, logs the administrator in and returns the dir.
func newAdmin(t *testing.T, demo bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "home")
	args := []string{"init", "--admin-email", "admin@example.com", "--admin-name", "Ada Admin", "--password-stdin"}
	if demo {
		args = append(args, "--demo")
	}
	mustCall(t, dir, testPassword+"\n", 0, args...)
	mustCall(t, dir, testPassword+"\n", 0, "login", "--email", "admin@example.com", "--password-stdin")
	return dir
}

func keysOf(t *testing.T, raw string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, raw)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestMain_Help(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out := mustCall(t, dir, "", 0, args...)
		if out != Usage {
			t.Errorf("%v printed %q, want Usage", args, out)
		}
	}
	for name, cmd := range commands {
		out := mustCall(t, dir, "", 0, name, "--help")
		if out != cmd.usage {
			t.Errorf("%s --help printed %.40q…, want its usage", name, out)
		}
		if !strings.Contains(Usage, name) || !strings.Contains(cmd.usage, name) {
			t.Errorf("command %s is missing from the help", name)
		}
		for sub := range cmd.subs {
			out := mustCall(t, dir, "", 0, name, sub, "-h")
			if out != cmd.usage {
				t.Errorf("%s %s -h: want the usage of %s", name, sub, name)
			}
			if !strings.Contains(cmd.usage, "epicevents "+name+" "+sub) && !strings.Contains(cmd.usage, "| "+sub) {
				t.Errorf("%s %s is not described in its help", name, sub)
			}
		}
	}
	if _, errOut, _ := call(t, dir, "", "client", "--help"); errOut != "" {
		t.Errorf("help wrote to stderr: %q", errOut)
	}
}

// TestMain_HelpFlags checks that every flag a command accepts is described in its help.
func TestMain_HelpFlags(t *testing.T) {
	want := map[string][]string{
		authUsage:     {"--admin-email", "--admin-name", "--password-stdin", "--demo", "--email"},
		userUsage:     {"--department", "--email", "--name", "--password-stdin"},
		clientUsage:   {"--mine", "--name", "--email", "--phone", "--company", "--commercial", "--notes"},
		contractUsage: {"--mine", "--unsigned", "--unpaid", "--total", "--due"},
		eventUsage:    {"--mine", "--unassigned", "--upcoming", "--days", "--name", "--start", "--end", "--location", "--attendees", "--notes"},
		adminUsage:    {"--csv"},
	}
	for usage, names := range want {
		for _, n := range names {
			if !strings.Contains(usage, n) {
				t.Errorf("flag %s is missing from %.30q…", n, usage)
			}
		}
	}
	for _, n := range []string{"--json", "--help", "--version"} {
		if !strings.Contains(Usage, n) {
			t.Errorf("Usage does not describe %s", n)
		}
	}
}

func TestMain_UsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		part string
	}{
		{nil, "missing command"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--frob"}, "unknown flag --frob"},
		{[]string{"client"}, "missing client command"},
		{[]string{"client", "explode"}, `unknown client command "explode"`},
		{[]string{"client", "list", "--frob"}, "unknown flag --frob"},
		{[]string{"client", "view"}, "missing argument C"},
		{[]string{"client", "view", "a", "b"}, `unexpected argument "b"`},
		{[]string{"client", "create", "--name", "X"}, "missing flag --email"},
		{[]string{"client", "update", "12345678"}, "nothing to change"},
		{[]string{"login", "--email"}, "flag --email needs a value"},
		{[]string{"contract", "create", "--total", "5"}, "missing argument CLIENT"},
		{[]string{"event", "create", "12345678", "--name", "x"}, "missing flag --start"},
		{[]string{"export", "clients"}, "missing flag --csv"},
		{[]string{"user", "search"}, "missing argument TEXT"},
	} {
		out, errOut, code := call(t, dir, "", tc.args...)
		if code != exitUsage || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want exit 2 and no output", tc.args, code, out)
			continue
		}
		oneErrorLine(t, errOut, tc.part)
		if !strings.Contains(errOut, "--help") {
			t.Errorf("%v: no hint in %q", tc.args, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, dbFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a usage error created the database: %v", err)
	}
}

func TestMain_NotInitialised(t *testing.T) {
	dir := t.TempDir()
	callFails(t, dir, "", exitUnauthenticated, "database not initialised — run epicevents init", "client", "list")
	if _, err := os.Stat(filepath.Join(dir, dbFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("client list created the database")
	}
}

func TestMain_Version(t *testing.T) {
	if out := mustCall(t, t.TempDir(), "", 0, "--version"); out != "epicevents test\n" {
		t.Errorf("--version printed %q", out)
	}
}

// panicWriter panics on the first write: a stand-in for a bug inside a command.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom") }

func TestMain_Panic(t *testing.T) {
	mon := &recMonitor{}
	var errOut bytes.Buffer
	code := Main([]string{"--help"}, Env{Stdout: panicWriter{}, Stderr: &errOut, DataDir: t.TempDir(), Monitor: mon})
	if code != exitInternal {
		t.Fatalf("exit %d, want 1", code)
	}
	oneErrorLine(t, errOut.String(), "internal error")
	if strings.Contains(errOut.String(), "goroutine") {
		t.Errorf("stack trace on stderr: %q", errOut.String())
	}
	if len(mon.errs) != 1 || !strings.Contains(mon.errs[0].Error(), "goroutine") {
		t.Fatalf("monitor got %v, want one error with the stack", mon.errs)
	}
}

func TestMain_PasswordRequired(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	callFails(t, dir, "", exitUsage, "password required: use --password-stdin", "init", "--admin-email", "a@example.com", "--admin-name", "Ada")
	callFails(t, dir, "", exitUsage, "standard input is empty", "init", "--admin-email", "a@example.com", "--admin-name", "Ada", "--password-stdin")
}

func TestMain_Init(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	out := mustCall(t, dir, testPassword+"\n", 0, "--json", "init", "--admin-email", "Admin@Example.com",
		"--admin-name=Ada Admin", "--password-stdin", "--demo")
	var res struct {
		Admin        map[string]any      `json:"admin"`
		DemoAccounts []map[string]string `json:"demo_accounts"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Admin["email"] != "admin@example.com" || res.Admin["department"] != "management" {
		t.Errorf("admin = %v", res.Admin)
	}
	if len(res.DemoAccounts) != 5 || res.DemoAccounts[0]["password"] == "" {
		t.Errorf("demo accounts = %v", res.DemoAccounts)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v %v", fi.Mode(), err)
	}
	callFails(t, dir, testPassword+"\n", exitConflict, "already initialised", "init", "--admin-email", "b@example.com", "--admin-name", "Bob", "--password-stdin")
}

func TestMain_InitInvalid(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	callFails(t, dir, "short\n", exitInvalid, "password: ", "init", "--admin-email", "a@example.com", "--admin-name", "Ada", "--password-stdin")
	callFails(t, dir, testPassword+"\n", exitInvalid, "email: ", "init", "--admin-email", "nope", "--admin-name", "Ada", "--password-stdin")
}

func TestMain_Session(t *testing.T) {
	dir := newAdmin(t, false)
	fi, err := os.Stat(filepath.Join(dir, sessionFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v %v", fi, err)
	}
	out := mustCall(t, dir, "", 0, "status", "--json")
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	exp, err := time.Parse(time.RFC3339, st["expires_at"].(string))
	if err != nil || time.Until(exp) < 7*time.Hour || time.Until(exp) > 8*time.Hour+time.Minute {
		t.Errorf("expires_at = %v (%v)", st["expires_at"], err)
	}
	if got := mustCall(t, dir, "", 0, "whoami"); !strings.Contains(got, "Ada Admin") {
		t.Errorf("whoami printed %q", got)
	}
	if got := mustCall(t, dir, "", 0, "logout", "--json"); !strings.Contains(got, `"ok": true`) {
		t.Errorf("logout --json printed %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, sessionFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("session file left after logout: %v", err)
	}
	callFails(t, dir, "", exitUnauthenticated, "not logged in", "status")
	if got := mustCall(t, dir, "", 0, "logout"); got != "Not logged in.\n" {
		t.Errorf("second logout printed %q", got)
	}
}

func TestMain_LoginBadPassword(t *testing.T) {
	dir := newAdmin(t, false)
	callFails(t, dir, "Wrong123!x\n", exitUnauthenticated, "invalid email or password", "login", "--email", "admin@example.com", "--password-stdin")
}

func TestMain_DamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, dbFile)
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"client", "list"}, {"check"}} {
		callFails(t, dir, "", exitInternal, "the database is damaged: "+path, args...)
	}
}

func TestMain_OwnPasswordByEmail(t *testing.T) {
	dir := newAdmin(t, false)
	old, err := os.ReadFile(filepath.Join(dir, sessionFile))
	if err != nil {
		t.Fatal(err)
	}
	const next = "Brand-New1!pw"
	out := mustCall(t, dir, testPassword+"\n"+next+"\n", 0, "user", "password", "ADMIN@example.com", "--password-stdin")
	if out != "Password changed.\n" {
		t.Errorf("printed %q", out)
	}
	mustCall(t, dir, "", 0, "whoami")
	if err := os.WriteFile(filepath.Join(dir, sessionFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	callFails(t, dir, "", exitUnauthenticated, "no longer valid", "whoami")
	_, errOut, code := call(t, dir, testPassword+"\n", "user", "password", "--password-stdin")
	if code != exitUnauthenticated {
		t.Fatalf("after the old session: exit %d (%s)", code, errOut)
	}
	mustCall(t, dir, next+"\n", 0, "login", "--email", "admin@example.com", "--password-stdin")
	callFails(t, dir, next+"\n", exitUsage, "standard input is empty", "user", "password", "--password-stdin")
}
