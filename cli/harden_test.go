package cli

// Regression tests of issue #10 (hardening), run in-process through Main.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// rawControls are the characters that drive a terminal when printed as they are.
const rawControls = "\x1b\r\a\b\u202e\u200b\u009b"

// noRawControls fails unless out holds none of rawControls.
func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, rawControls); i >= 0 {
		t.Errorf("%s prints %q raw: %q", what, out[i:i+1], out)
	}
}

// storeClient puts a client straight into the database of dir, as an older version or a
// damaged file may hold it: its text is not checked by core.
func storeClient(t *testing.T, dir string, c core.Client) {
	t.Helper()
	db, err := storage.Open(filepath.Join(dir, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx core.Tx) error {
		users, _, err := tx.Users(core.UserFilter{})
		if err != nil {
			return err
		}
		c.CommercialID, c.CreatedAt, c.UpdatedAt = users[0].ID, time.Now(), time.Now()
		return tx.PutClient(&c)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"Kevin Casey":             "Kevin Casey",
		"Zoë 李小龍 Владимир":        "Zoë 李小龍 Владимир",
		"\x1b[2Jgone":             `\x1b[2Jgone`,
		"line\rover":              `line\rover`,
		"two\nlines":              `two\nlines`,
		"bell\a\x7f":              `bell\a\x7f`,
		"csi\u009b31m":            `csi\u009b31m`,
		"Ada \u202eNIMDA":         `Ada \u202eNIMDA`,
		"ada\u200b@epicevents.fr": `ada\u200b@epicevents.fr`,
		"sep\u2028\u2029":         `sep\u2028\u2029`,
		"bad\xffbyte":             `bad\xffbyte`,
		"\b\f\t\v":                `\b\f\t\v`,
		"tag\U000E0001":           `tag\U000e0001`,
	} {
		if got := plain(in); got != want {
			t.Errorf("plain(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMain_EscapesControls: text that reached the database before the text rules, flags and
// paths typed with control characters are all printed escaped — tables, details, messages and
// error lines — and JSON keeps them exact.
func TestMain_EscapesControls(t *testing.T) {
	dir := newAdmin(t, false)
	id := uuid.New()
	storeClient(t, dir, core.Client{ID: id, FullName: "Evil \u202eCorp\x1b[31m", Email: "evil@example.com",
		Phone: "0102030405", CompanyName: "Spoof\rReal Company", Notes: "hello\x1b[2J\x1b[H\rsecret\nline two\a"})
	for _, args := range [][]string{{"client", "list"}, {"client", "view", id.String()}, {"client", "search", "evil"}} {
		out := mustCall(t, dir, "", 0, args...)
		noRawControls(t, strings.Join(args, " "), out)
		if !strings.Contains(out, `\x1b[31m`) {
			t.Errorf("%v: the escape is not shown: %q", args, out)
		}
	}
	view := mustCall(t, dir, "", 0, "client", "view", id.String())
	if !strings.Contains(view, `hello\x1b[2J\x1b[H\rsecret`) || !strings.Contains(view, "line two\\a") {
		t.Errorf("client view notes: %q", view)
	}
	js := mustCall(t, dir, "", 0, "client", "view", id.String(), "--json")
	if !strings.Contains(js, `"notes": "hello\u001b[2J\u001b[H\rsecret\nline two\u0007"`) {
		t.Errorf("JSON changes the notes: %s", js)
	}
	for _, args := range [][]string{
		{"client", "list", "--\x1b[31mred"},
		{"restore", "/nowhere/\x1b[2Jbackup.db"},
		{"client", "view", "\x1b]0;title\a"},
		{"frob\rnicate"},
	} {
		_, errOut, code := call(t, dir, "", args...)
		if code == 0 || !strings.HasPrefix(errOut, "error: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
		noRawControls(t, "the error of "+strings.Join(args, " "), errOut)
	}
}

// signalReader closes reading the first time it is read: the command is then waiting for
// its input.
type signalReader struct {
	r       io.Reader
	once    sync.Once
	reading chan struct{}
}

func (s *signalReader) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.reading) })
	return s.r.Read(p)
}

// TestMain_PasswordBeforeDatabase: a command waiting for a password holds no lock on the
// database — another command, even one that writes, runs meanwhile.
func TestMain_PasswordBeforeDatabase(t *testing.T) {
	dir := newAdmin(t, false)
	for i, args := range [][]string{
		{"login", "--email", "admin@example.com", "--password-stdin"},
		{"user", "create", "--email", "sam@example.com", "--name", "Sam", "--department", "support", "--password-stdin"},
		{"user", "password", "--password-stdin"},
	} {
		pr, pw := io.Pipe()
		in := &signalReader{r: pr, reading: make(chan struct{})}
		done := make(chan int, 1)
		var errOut strings.Builder
		go func() {
			done <- Main(args, Env{Stdin: in, Stdout: io.Discard, Stderr: &errOut, DataDir: dir, Monitor: core.NopMonitor{}})
		}()
		<-in.reading
		mustCall(t, dir, testPassword+"\n", 0, "user", "create", "--email", fmt.Sprintf("w%d@example.com", i),
			"--name", "Waiting Colleague", "--department", "commercial", "--password-stdin")
		_, _ = io.WriteString(pw, testPassword+"\n"+"N3w-Pass!word\n")
		_ = pw.Close()
		if code := <-done; code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		if args[1] == "password" {
			mustCall(t, dir, "N3w-Pass!word\n"+testPassword+"\n", 0, "user", "password", "--password-stdin")
		}
	}
}

// readOnlyArgs gives each command of readOnlyCommands the arguments of one run.
func readOnlyArgs(ids map[string]string) map[string][]string {
	return map[string][]string{
		"status": {"status"}, "whoami": {"whoami"}, "audit": {"audit"}, "check": {"check"},
		"user list": {"user", "list"}, "user view": {"user", "view", "admin@example.com"},
		"user search": {"user", "search", "ada"},
		"client list": {"client", "list"}, "client view": {"client", "view", ids["client"]},
		"client search": {"client", "search", "kevin"},
		"contract list": {"contract", "list"}, "contract mine": {"contract", "mine"},
		"contract unsigned": {"contract", "unsigned"}, "contract unpaid": {"contract", "unpaid"},
		"contract view": {"contract", "view", ids["contract"]}, "contract search": {"contract", "search", "kevin"},
		"event list": {"event", "list"}, "event mine": {"event", "mine"},
		"event upcoming": {"event", "upcoming"}, "event unassigned": {"event", "unassigned"},
		"event view": {"event", "view", ids["event"]}, "event search": {"event", "search", "party"},
		"event agenda": {"event", "agenda", "--month"},
	}
}

// TestMain_ReadOnlyShared: the read-only commands open the database with the shared lock: they
// run while another program reads it (a long client list, say); a write still waits for it.
func TestMain_ReadOnlyShared(t *testing.T) {
	dir := newAdmin(t, false)
	ids := map[string]string{}
	ids["client"], ids["contract"] = signedContract(t, dir)
	start := time.Now().Add(48 * time.Hour).Format("2006-01-02 15:04")
	end := time.Now().Add(50 * time.Hour).Format("2006-01-02 15:04")
	ids["event"] = jsonID(t, mustCall(t, dir, "", 0, "--json", "event", "create", ids["contract"], "--name", "Party",
		"--start", start, "--end", end, "--location", "Lyon", "--attendees", "10"))

	reader, err := storage.Open(filepath.Join(dir, dbFile), storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	runs := readOnlyArgs(ids)
	for name := range readOnlyCommands {
		args, ok := runs[name]
		if !ok {
			t.Errorf("no run of the read-only command %q", name)
			continue
		}
		if _, errOut, code := call(t, dir, "", args...); code != 0 {
			t.Errorf("%v while another program reads: exit %d, %s", args, code, errOut)
		}
	}
	if len(runs) != len(readOnlyCommands) {
		t.Errorf("%d runs for %d read-only commands", len(runs), len(readOnlyCommands))
	}
	_, errOut, code := call(t, dir, "", "client", "update", ids["client"], "--notes", "x")
	if code != exitInternal || !strings.Contains(errOut, "in use by another program") {
		t.Errorf("a write beside a reader: exit %d, %s", code, errOut)
	}
}

func jsonID(t *testing.T, out string) string {
	t.Helper()
	var v struct{ ID string }
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.ID == "" {
		t.Fatalf("no id in %q: %v", out, err)
	}
	return v.ID
}

// fullWriter fails every write, as /dev/full does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestMain_OutputErrors: a command whose output cannot be written fails with exit 1 and says
// so, whatever it printed: a table, JSON, a message, the help.
func TestMain_OutputErrors(t *testing.T) {
	dir := newAdmin(t, false)
	for _, args := range [][]string{{"client", "list"}, {"user", "list", "--json"}, {"whoami"}, {"--help"},
		{"export", "clients", "--csv", "-"}} {
		var errOut strings.Builder
		code := Main(args, Env{Stdin: strings.NewReader(""), Stdout: fullWriter{}, Stderr: &errOut, DataDir: dir, Monitor: core.NopMonitor{}})
		if code != exitInternal {
			t.Errorf("%v > /dev/full: exit %d, want 1", args, code)
		}
		oneErrorLine(t, errOut.String(), "cannot write the output: no space left on device")
	}
}

// addUser creates a collaborator of dir with the password testPassword.
func addUser(t *testing.T, dir, email, name, dept string) {
	t.Helper()
	mustCall(t, dir, testPassword+"\n", 0, "user", "create", "--email", email, "--name", name,
		"--department", dept, "--password-stdin")
}

// signedContract adds the commercial carl@example.com, a client of his and a signed contract,
// and returns the ids of the client and the contract.
func signedContract(t *testing.T, dir string) (client, contract string) {
	t.Helper()
	addUser(t, dir, "carl@example.com", "Carl", "commercial")
	client = jsonID(t, mustCall(t, dir, "", 0, "--json", "client", "create", "--name", "Kevin Casey", "--email", "k@example.com",
		"--phone", "0102030405", "--company", "Startup", "--commercial", "carl@example.com"))
	contract = jsonID(t, mustCall(t, dir, "", 0, "--json", "contract", "create", client, "--total", "100"))
	mustCall(t, dir, "", 0, "contract", "sign", contract)
	return client, contract
}

// inParis makes the local time zone Europe/Paris for one test.
func inParis(t *testing.T) {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	old := time.Local
	time.Local = paris
	t.Cleanup(func() { time.Local = old })
}

// TestMain_DaylightSaving: a local time skipped when the clocks go forward is refused with a
// message that says so and names the field; one that happens twice is taken at its first
// occurrence, and a note says so.
func TestMain_DaylightSaving(t *testing.T) {
	inParis(t)
	dir := newAdmin(t, false)
	_, contract := signedContract(t, dir)
	create := func(start, end string) (string, string, int) {
		return call(t, dir, "", "--json", "event", "create", contract, "--name", "Gala", "--start", start, "--end", end,
			"--location", "Paris", "--attendees", "10")
	}

	_, errOut, code := create("2027-03-28 02:30", "2027-03-28 03:15")
	if code != exitInvalid {
		t.Fatalf("a start in the spring-forward gap: exit %d, %s", code, errOut)
	}
	oneErrorLine(t, errOut, "start: 2027-03-28 02:30 does not exist in local time: the clocks go forward")
	_, errOut, code = create("2027-03-28 01:30", "2027-03-28 02:15")
	if code != exitInvalid {
		t.Fatalf("an end in the gap: exit %d, %s", code, errOut)
	}
	oneErrorLine(t, errOut, "end: 2027-03-28 02:15 does not exist in local time")

	out, errOut, code := create("2027-10-31 02:30", "2027-10-31 04:00")
	if code != 0 {
		t.Fatalf("a start that happens twice: exit %d, %s", code, errOut)
	}
	want := "note: start: 2027-10-31 02:30 happens twice in local time (the clocks go back); the first, 2027-10-31T02:30:00+02:00, was taken — for the second, give 2027-10-31T02:30:00+01:00\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	var ev struct{ Start string }
	if err := json.Unmarshal([]byte(out), &ev); err != nil || ev.Start != "2027-10-31T00:30:00Z" {
		t.Errorf("start stored as %q (%v), want the first 02:30, 00:30 UTC", ev.Start, err)
	}
}

// loginAs logs in the collaborator email of dir (password testPassword).
func loginAs(t *testing.T, dir, email string) {
	t.Helper()
	mustCall(t, dir, testPassword+"\n", 0, "login", "--email", email, "--password-stdin")
}

// TestMain_ClientCommercialAndRepeatedFlags: a commercial's --commercial naming someone else
// is refused (exit 4), not ignored; a flag given twice is a usage error (exit 2).
func TestMain_ClientCommercialAndRepeatedFlags(t *testing.T) {
	dir := newAdmin(t, false)
	for _, email := range []string{"carl@example.com", "olga@example.com"} {
		addUser(t, dir, email, "Commercial "+email[:4], "commercial")
	}
	loginAs(t, dir, "carl@example.com")
	create := func(email string, more ...string) (string, string, int) {
		args := append([]string{"--json", "client", "create", "--name", "Kevin Casey", "--email", email,
			"--phone", "0102030405", "--company", "Startup"}, more...)
		return call(t, dir, "", args...)
	}
	_, errOut, code := create("k1@example.com", "--commercial", "olga@example.com")
	if code != exitForbidden {
		t.Fatalf("a commercial naming another: exit %d, %s", code, errOut)
	}
	oneErrorLine(t, errOut, "you may not name another commercial")
	if out, errOut, code := create("k2@example.com", "--commercial", "carl@example.com"); code != 0 || !strings.Contains(out, "Commercial carl") {
		t.Fatalf("a commercial naming themself: exit %d, %s %s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"client", "create", "--name", "A", "--name", "B", "--email", "k3@example.com", "--phone", "0102030405", "--company", "X"},
		{"client", "list", "--mine", "--mine"},
		{"contract", "list", "--unpaid", "--unsigned", "--unpaid=false"},
		{"event", "list", "--days", "3", "--days=4"},
	} {
		out, errOut, code := call(t, dir, "", args...)
		if code != exitUsage || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want exit 2", args, code, out)
			continue
		}
		oneErrorLine(t, errOut, "given 2 times")
	}
	if out := mustCall(t, dir, "", 0, "client", "search", "Kevin"); strings.Contains(out, " B ") {
		t.Errorf("a client was created with a repeated flag: %s", out)
	}
}

// TestMain_CancelledContractEvents: an event of a cancelled contract is final (exit 7).
func TestMain_CancelledContractEvents(t *testing.T) {
	dir := newAdmin(t, false)
	addUser(t, dir, "sam@example.com", "Sam", "support")
	_, contract := signedContract(t, dir)
	start := time.Now().Add(48 * time.Hour).Format("2006-01-02 15:04")
	end := time.Now().Add(50 * time.Hour).Format("2006-01-02 15:04")
	event := jsonID(t, mustCall(t, dir, "", 0, "--json", "event", "create", contract, "--name", "Party",
		"--start", start, "--end", end, "--location", "Lyon", "--attendees", "10"))
	mustCall(t, dir, "", 0, "event", "assign", event, "sam@example.com")
	mustCall(t, dir, "", 0, "contract", "cancel", contract)
	for _, args := range [][]string{
		{"event", "update", event, "--attendees", "12"},
		{"event", "assign", event, "sam@example.com"},
		{"event", "unassign", event},
	} {
		_, errOut, code := call(t, dir, "", args...)
		if code != exitConflict {
			t.Errorf("%v: exit %d, want 7", args, code)
		}
		oneErrorLine(t, errOut, "the contract is cancelled")
	}
}
