package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

var (
	userKeys     = []string{"active", "created_at", "department", "email", "employee_number", "full_name", "id", "updated_at"}
	clientKeys   = []string{"commercial_contact_id", "commercial_contact_name", "company_name", "created_at", "email", "full_name", "id", "notes", "phone", "updated_at"}
	contractKeys = []string{"amount_due", "client_id", "client_name", "commercial_contact_id", "commercial_contact_name", "created_at", "id", "signed", "signed_at", "status", "total_amount", "updated_at"}
	eventKeys    = []string{"attendees", "client_email", "client_id", "client_name", "client_phone", "contract_id", "created_at", "end", "id", "location", "name", "notes", "start", "support_contact_id", "support_contact_name", "updated_at"}
)

func decode[T any](t *testing.T, raw string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, raw)
	}
	return v
}

// fixture is a database with a commercial, a client, a signed contract and an event.
type fixture struct {
	dir                                string
	commercial, client, contract, evID string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	fx := fixture{dir: newAdmin(t, false)}
	d := fx.dir
	u := decode[map[string]any](t, mustCall(t, d, "Sales123!x\n", 0, "user", "create", "--email", "sam@example.com",
		"--name", "Sam Sales", "--department", "commercial", "--password-stdin", "--json"))
	if !reflect.DeepEqual(keysOf(t, mustCall(t, d, "", 0, "user", "view", "sam@example.com", "--json")), userKeys) {
		t.Errorf("user keys differ")
	}
	fx.commercial = u["id"].(string)
	c := decode[map[string]any](t, mustCall(t, d, "", 0, "client", "create", "--name=Kevin Casey", "--email", "kevin@startup.io",
		"--phone", "+678 123 456 78", "--company", "=HYPERLINK(1)", "--commercial", "sam@example.com", "--json"))
	fx.client = c["id"].(string)
	k := decode[map[string]any](t, mustCall(t, d, "", 0, "contract", "create", "--total", "15000", fx.client[:8], "--due=5000", "--json"))
	fx.contract = k["id"].(string)
	mustCall(t, d, "", 0, "contract", "sign", fx.contract)
	e := decode[map[string]any](t, mustCall(t, d, "", 0, "event", "create", fx.contract, "--name", "Launch Party",
		"--start", time.Now().Add(48*time.Hour).Format("2006-01-02 15:04"), "--end", time.Now().Add(50*time.Hour).Format(time.RFC3339),
		"--location", "Lyon", "--attendees", "75", "--json"))
	fx.evID = e["id"].(string)
	return fx
}

func TestRecords_JSONShapes(t *testing.T) {
	fx := newFixture(t)
	d := fx.dir
	for _, tc := range []struct {
		args []string
		keys []string
	}{
		{[]string{"client", "view", fx.client, "--json"}, append([]string{"contracts", "events"}, clientKeys...)},
		{[]string{"contract", "view", fx.contract, "--json"}, contractKeys},
		{[]string{"event", "view", fx.evID, "--json"}, eventKeys},
		{[]string{"whoami", "--json"}, userKeys},
	} {
		want := append([]string{}, tc.keys...)
		sort.Strings(want)
		expect(t, strings.Join(tc.args, " "), keysOf(t, mustCall(t, d, "", 0, tc.args...)), want)
	}
	k := decode[map[string]any](t, mustCall(t, d, "", 0, "--json", "contract", "view", fx.contract))
	has(t, "contract", k, "total_amount", "15000.00", "amount_due", "5000.00", "signed", true,
		"client_name", "Kevin Casey", "commercial_contact_id", fx.commercial)
	if k["signed_at"] == nil {
		t.Errorf("signed_at is null on a signed contract")
	}
	e := decode[map[string]any](t, mustCall(t, d, "", 0, "event", "view", fx.evID[:8], "--json"))
	has(t, "event", e, "support_contact_id", nil, "support_contact_name", nil, "client_phone", "+678 123 456 78", "attendees", 75.0)
	expect(t, "empty list", mustCall(t, d, "", 0, "client", "search", "nobody", "--json"), "[]\n")
	list := decode[[]map[string]any](t, mustCall(t, d, "", 0, "client", "list", "--json"))
	expect(t, "clients", names(list, "commercial_contact_name"), "Sam Sales")
}

func TestRecords_ExitCodes(t *testing.T) {
	fx := newFixture(t)
	d := fx.dir
	for _, tc := range []struct {
		code int
		part string
		args []string
	}{
		{exitInvalid, "phone: ", []string{"client", "update", fx.client, "--phone", "abc"}},
		{exitInvalid, "start: must be a time", []string{"event", "update", fx.evID, "--start", "tomorrow"}},
		{exitInvalid, "attendees: must be a whole number", []string{"event", "update", fx.evID, "--attendees", "many"}},
		{exitInvalid, "total_amount: ", []string{"contract", "update", fx.contract, "--total", "1.234"}},
		{exitInvalid, "id: ", []string{"client", "view", "xyz"}},
		{exitNotFound, "client not found", []string{"client", "view", "00000000"}},
		{exitNotFound, "user not found", []string{"user", "view", "nobody@example.com"}},
		{exitConflict, "cannot sign a contract that is signed", []string{"contract", "sign", fx.contract}},
		{exitConflict, "still has contracts", []string{"client", "delete", fx.client}},
		{exitForbidden, "your own account", []string{"user", "delete", "admin@example.com"}},
	} {
		out, errOut, code := call(t, d, "", tc.args...)
		if code != tc.code || out != "" {
			t.Errorf("%v: exit %d (stdout %q), want %d", tc.args, code, out, tc.code)
			continue
		}
		oneErrorLine(t, errOut, tc.part)
	}
}

func TestRecords_Update(t *testing.T) {
	fx := newFixture(t)
	d := fx.dir
	out := mustCall(t, d, "", 0, "client", "update", "--notes", "Met in Lyon", fx.client, "--company", "Cool Startup")
	if out != "Client updated: "+fx.client+"\n" {
		t.Errorf("client update printed %q", out)
	}
	c := decode[map[string]any](t, mustCall(t, d, "", 0, "client", "view", fx.client, "--json"))
	if c["notes"] != "Met in Lyon" || c["company_name"] != "Cool Startup" || c["email"] != "kevin@startup.io" {
		t.Errorf("client = %v", c)
	}
	k := decode[map[string]any](t, mustCall(t, d, "", 0, "contract", "update", fx.contract, "--due", "0", "--json"))
	if k["amount_due"] != "0.00" || k["total_amount"] != "15000.00" {
		t.Errorf("contract = %v", k)
	}
	if unpaid := decode[[]any](t, mustCall(t, d, "", 0, "contract", "unpaid", "--json")); len(unpaid) != 0 {
		t.Errorf("unpaid = %v", unpaid)
	}
}

func TestRecords_Export(t *testing.T) {
	fx := newFixture(t)
	file := filepath.Join(t.TempDir(), "clients.csv")
	mustCall(t, fx.dir, "", 0, "export", "clients", "--csv", file)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %v, %v", rows, err)
	}
	col := func(name string) string {
		for i, h := range rows[0] {
			if h == name {
				return rows[1][i]
			}
		}
		t.Fatalf("no column %s in %v", name, rows[0])
		return ""
	}
	if col("company_name") != "'=HYPERLINK(1)" || col("phone") != "'+678 123 456 78" || col("full_name") != "Kevin Casey" {
		t.Errorf("row = %v", rows[1])
	}
}

func TestEscapeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+33 6": "'+33 6", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"\rx": "'\rx", "Kevin": "Kevin", "": "", "a=b": "a=b",
	} {
		if got := core.EscapeCSVCell(in); got != want {
			t.Errorf("EscapeCSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	got, err := parseTime("start", "2030-06-01 18:30")
	if err != nil || !got.Equal(time.Date(2030, 6, 1, 18, 30, 0, 0, time.Local)) {
		t.Errorf("local form: %v %v", got, err)
	}
	got, err = parseTime("start", "2030-06-01T18:30:00+02:00")
	if err != nil || !got.Equal(time.Date(2030, 6, 1, 16, 30, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339: %v %v", got, err)
	}
	if _, err := parseTime("end", "01/06/2030"); err == nil || !strings.HasPrefix(err.Error(), "end: ") {
		t.Errorf("bad time: %v", err)
	}
}

func TestFlags_Interleaved(t *testing.T) {
	r := &runner{env: Env{}}
	f := r.newFlags("x", "")
	name := f.String("name", "", "")
	mine := f.Bool("mine", false, "")
	pos, err := f.parse([]string{"a", "--name=N", "b", "--mine", "--", "--c"}, "A", "B", "C")
	if err != nil || !reflect.DeepEqual(pos, []string{"a", "b", "--c"}) || *name != "N" || !*mine {
		t.Errorf("pos %v name %q mine %v err %v", pos, *name, *mine, err)
	}
	if !f.given("name") || f.given("other") {
		t.Errorf("given is wrong")
	}
	f = r.newFlags("x", "")
	pos, err = f.parse([]string{"find", "me", "now"}, "TEXT...")
	if err != nil || pos[0] != "find me now" {
		t.Errorf("TEXT... = %v, %v", pos, err)
	}
}

func TestExtractJSON(t *testing.T) {
	args, on := extractJSON([]string{"client", "--json", "list", "--", "--json"})
	if !on || !reflect.DeepEqual(args, []string{"client", "list", "--", "--json"}) {
		t.Errorf("got %v %v", args, on)
	}
}
