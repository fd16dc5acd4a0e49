package cli

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

// sameKeys fails unless rec has exactly the keys want.
func sameKeys(t *testing.T, what string, rec map[string]any, want []string) {
	t.Helper()
	got := make([]string, 0, len(rec))
	for k := range rec {
		got = append(got, k)
	}
	sort.Strings(got)
	w := append([]string(nil), want...)
	sort.Strings(w)
	expect(t, what+" keys", got, w)
}

// expect reports (and goes on) when got differs from want.
func expect(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// has checks some fields of a JSON record, given as pairs of key and value.
func has(t *testing.T, what string, rec map[string]any, kv ...any) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		expect(t, what+"."+k, rec[k], kv[i+1])
	}
}

// contains checks that out contains every part.
func contains(t *testing.T, what, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, out)
		}
	}
}

// filter is one run of a list command: who runs it, and the values of a key it must list, in
// order.
type filter struct {
	who  string
	args []string
	want string
}

// filters runs each filter and checks what it lists.
func (w *e2e) filters(key string, cases []filter) {
	w.t.Helper()
	for _, tc := range cases {
		w.as(tc.who)
		expect(w.t, tc.who+" "+strings.Join(tc.args, " "), names(w.list(tc.args...), key), tc.want)
	}
}

func TestE2E_Users(t *testing.T) {
	w := world(t)
	contains(t, "user list", w.ok("", "user", "list"), "EMPLOYEE", "Emma Moreau")
	w.filters("full_name", []filter{
		{"admin", []string{"user", "list", "--department", "commercial"}, "Claire Bernard,Jean Dupont"},
		{"admin", []string{"user", "list", "--department=gestion"}, "Ada Admin,Sophie Martin"},
		{"admin", []string{"user", "search", "DUPONT"}, "Jean Dupont"},
	})
	sameKeys(t, "user", w.obj("user", "view", "jean.dupont@epicevents.com"), userKeys)
	w.fail(exitInvalid, "department: ", "Nina-Pass1!\n", "user", "create", "--email", "nina@epicevents.com", "--name", "Nina", "--department", "sales", "--password-stdin")
	nina := decode[map[string]any](t, w.ok("Nina-Pass1!\n", "user", "create", "--email", "nina@epicevents.com", "--name", "Nina Noor", "--department", "commercial", "--password-stdin", "--json"))
	id := nina["id"].(string)
	w.fail(exitConflict, "", "Nina-Pass1!\n", "user", "create", "--email", "NINA@epicevents.com", "--name", "Nina Two", "--department", "support", "--password-stdin")
	expect(t, "user update", w.ok("", "user", "update", id[:8], "--name", "Nina N", "--department", "support"), "User updated: "+id+"\n")
	has(t, "updated user", w.obj("user", "view", id), "full_name", "Nina N", "department", "support")
	has(t, "deactivated user", w.obj("user", "deactivate", "nina@epicevents.com"), "active", false)
	w.fail(exitConflict, "already deactivated", "", "user", "deactivate", id)
	w.fail(exitUnauthenticated, "error: this account is deactivated", "Nina-Pass1!\n", "login", "--email", "nina@epicevents.com", "--password-stdin")
	has(t, "reactivated user", w.obj("user", "reactivate", id), "active", true)
	w.ok("Nina-Pass2!\n", "user", "password", id, "--password-stdin")
	w.ok("Nina-Pass2!\n", "login", "--email", "nina@epicevents.com", "--password-stdin")
	w.fail(exitForbidden, "may not list collaborators", "", "user", "list")
	w.as("admin")
	w.fail(exitConflict, "still the contact", "", "user", "delete", "lucas.petit@epicevents.com")
	has(t, "user delete", w.obj("user", "delete", id), "ok", true, "id", id)
	w.fail(exitNotFound, "user not found", "", "user", "view", id)
}

func TestE2E_Clients(t *testing.T) {
	w := world(t)
	contains(t, "client list", w.ok("", "client", "list"), "COMMERCIAL", "Kevin Casey", "Jean Dupont")
	all := w.list("client", "list")
	sameKeys(t, "client", all[0], clientKeys)
	kevin := w.idOf(all, "full_name", "Kevin Casey")
	w.filters("full_name", []filter{
		{"admin", []string{"client", "list"}, "Anne Girard,Kevin Casey,Marie Leclerc,Pierre Rousseau"},
		{"admin", []string{"client", "list", "--mine"}, ""},
		{"jean", []string{"client", "list", "--mine"}, "Kevin Casey,Marie Leclerc"},
		{"jean", []string{"client", "search", "+33"}, "Anne Girard"},
	})
	w.fail(exitInvalid, "email: ", "", "client", "create", "--name", "Zoe Zed", "--email", "zoe@", "--phone", "0102030405", "--company", "Zed")
	zoe := decode[map[string]any](t, w.ok("", "client", "create", "--name", "Zoe Zed", "--email", "zoe@zed.io", "--phone", "01 02 03 04 05", "--company", "Zed", "--notes", "Met at a fair", "--json"))
	has(t, "created client", zoe, "commercial_contact_name", "Jean Dupont", "notes", "Met at a fair")
	zid := zoe["id"].(string)
	w.fail(exitConflict, core.Text(core.CodeEmailTaken), "", "client", "create", "--name", "Zoe Again", "--email", "ZOE@zed.io", "--phone", "0102030405", "--company", "Zed")
	w.ok("", "client", "update", zid, "--company", "Zed Corp")
	w.fail(exitForbidden, "only your own clients", "", "client", "update", w.idOf(all, "full_name", "Anne Girard"), "--notes", "x")
	expect(t, "search", names(w.list("client", "search", "zed corp"), "full_name"), "Zoe Zed")
	w.as("lucas")
	w.fail(exitForbidden, "may not create clients", "", "client", "create", "--name", "X Y", "--email", "x@y.io", "--phone", "0102030405", "--company", "XY")
	w.as("admin")
	has(t, "assigned client", w.obj("client", "assign", zid[:8], "claire.bernard@epicevents.com"), "commercial_contact_name", "Claire Bernard")
	w.fail(exitInvalid, "commercial_contact: must be a member of the commercial department", "", "client", "assign", zid, "lucas.petit@epicevents.com")
	contains(t, "client view", w.ok("", "client", "view", kevin), "Kevin Casey", "Contracts (1):", "15000.00", "Events (1):", "Startup Launch Party")
	c := w.obj("client", "view", kevin)
	expect(t, "client view contracts and events", []int{len(c["contracts"].([]any)), len(c["events"].([]any))}, []int{1, 1})
	w.fail(exitConflict, "still has contracts", "", "client", "delete", kevin)
	expect(t, "client delete", w.ok("", "client", "delete", zid), "Client deleted: "+zid+"\n")
	w.fail(exitNotFound, "client not found", "", "client", "view", zid)
}

func TestE2E_ContractFilters(t *testing.T) {
	w := world(t)
	sameKeys(t, "contract", w.list("contract", "list")[0], contractKeys)
	w.filters("client_name", []filter{
		{"admin", []string{"contract", "list"}, "Anne Girard,Pierre Rousseau,Marie Leclerc,Kevin Casey"},
		{"admin", []string{"contract", "unsigned"}, "Marie Leclerc"},
		{"admin", []string{"contract", "list", "--unsigned"}, "Marie Leclerc"},
		{"admin", []string{"contract", "unpaid"}, "Anne Girard,Marie Leclerc,Kevin Casey"},
		{"admin", []string{"contract", "list", "--unpaid"}, "Anne Girard,Marie Leclerc,Kevin Casey"},
		{"admin", []string{"contract", "search", "innovate"}, "Pierre Rousseau"},
		{"admin", []string{"contract", "mine"}, ""},
		{"jean", []string{"contract", "mine"}, "Marie Leclerc,Kevin Casey"},
		{"jean", []string{"contract", "list", "--mine"}, "Marie Leclerc,Kevin Casey"},
		{"jean", []string{"contract", "unpaid", "--mine", "--unsigned"}, "Marie Leclerc"},
	})
	w.as("admin")
	contains(t, "contract list", w.ok("", "contract", "list"), "TOTAL", "8500.50", "     0.00", "Claire Bernard")
}

func TestE2E_Contracts(t *testing.T) {
	w := world(t)
	kevin := w.list("contract", "search", "cool startup")[0]
	w.as("jean")
	w.fail(exitForbidden, "may not create contracts", "", "contract", "create", kevin["client_id"].(string), "--total", "10")
	w.as("admin")
	w.fail(exitInvalid, "amount_due: must not exceed the total amount", "", "contract", "create", kevin["client_id"].(string), "--total", "100", "--due", "200")
	k := w.obj("contract", "create", kevin["client_id"].(string)[:8], "--total", "1000")
	has(t, "created contract", k, "total_amount", "1000.00", "amount_due", "1000.00", "status", "draft", "signed", false, "signed_at", nil)
	id := k["id"].(string)
	has(t, "updated contract", w.obj("contract", "update", id, "--due", "250.5"), "amount_due", "250.50")
	w.fail(exitConflict, "must be signed", "", "event", "create", id, "--name", "Too Early", "--start", "2099-01-01 10:00", "--end", "2099-01-01 12:00", "--location", "Paris", "--attendees", "5")
	expect(t, "contract sign", w.ok("", "contract", "sign", id), "Contract signed: "+id+"\n")
	w.fail(exitConflict, "cannot sign a contract that is signed", "", "contract", "sign", id)
	has(t, "cancelled contract", w.obj("contract", "cancel", id), "status", "cancelled", "signed", false)
	w.fail(exitConflict, "cancelled contract cannot be changed", "", "contract", "update", id, "--total", "5")
	has(t, "viewed contract", w.obj("contract", "view", id[:8]), "status", "cancelled", "client_name", "Kevin Casey")
	w.fail(exitConflict, "still has events", "", "contract", "delete", kevin["id"].(string))
	w.ok("", "contract", "delete", id)
	w.fail(exitNotFound, "contract not found", "", "contract", "view", id)
}

func TestE2E_EventFilters(t *testing.T) {
	w := world(t)
	sameKeys(t, "event", w.list("event", "list")[0], eventKeys)
	all := "EventPro Gala Dinner,Startup Launch Party,Innovate Annual Seminar"
	w.filters("name", []filter{
		{"admin", []string{"event", "list"}, all},
		{"admin", []string{"event", "upcoming"}, "Startup Launch Party,Innovate Annual Seminar"},
		{"admin", []string{"event", "list", "--upcoming"}, "Startup Launch Party,Innovate Annual Seminar"},
		{"admin", []string{"event", "upcoming", "--days", "7"}, ""},
		{"admin", []string{"event", "list", "--upcoming", "--days=15"}, "Startup Launch Party"},
		{"admin", []string{"event", "unassigned"}, "Innovate Annual Seminar"},
		{"admin", []string{"event", "list", "--unassigned", "--upcoming"}, "Innovate Annual Seminar"},
		{"admin", []string{"event", "mine"}, all},
		{"admin", []string{"event", "search", "LYON"}, "Innovate Annual Seminar"},
		{"lucas", []string{"event", "mine"}, "EventPro Gala Dinner,Startup Launch Party"},
		{"lucas", []string{"event", "list", "--mine", "--upcoming"}, "Startup Launch Party"},
		{"jean", []string{"event", "list", "--mine"}, "Startup Launch Party"},
		{"emma", []string{"event", "mine"}, ""},
	})
	w.fail(exitInvalid, "days: ", "", "event", "upcoming", "--days", "-3")
	contains(t, "event list", w.ok("", "event", "list"), "ATTENDEES", "Lucas Petit", "Kevin Casey")
}

func TestE2E_Events(t *testing.T) {
	w := world(t)
	contract := w.list("event", "search", "startup launch")[0]["contract_id"].(string)
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Minute)
	w.fail(exitInvalid, "end: must be after the start", "", "event", "create", contract, "--name", "Party", "--start", start.Format(time.RFC3339), "--end", start.Format(time.RFC3339), "--location", "Paris", "--attendees", "5")
	w.fail(exitInvalid, "start: must not be in the past", "", "event", "create", contract, "--name", "Party", "--start", "2001-01-01 10:00", "--end", "2001-01-01 12:00", "--location", "Paris", "--attendees", "5")
	e := w.obj("event", "create", contract[:8], "--name", "Summer Party", "--start", start.Format("2006-01-02 15:04"),
		"--end", start.Add(3*time.Hour).Format(time.RFC3339), "--location", "Nice", "--attendees", "40")
	id := e["id"].(string)
	has(t, "created event", e, "start", start.UTC().Format(time.RFC3339), "client_name", "Kevin Casey", "support_contact_id", nil)
	has(t, "assigned event", w.obj("event", "assign", id, "lucas.petit@epicevents.com"), "support_contact_name", "Lucas Petit")
	w.fail(exitInvalid, "support_contact: must be a member of the support department", "", "event", "assign", id, "jean.dupont@epicevents.com")
	w.as("emma")
	w.fail(exitForbidden, "only the events assigned to you", "", "event", "update", id, "--attendees", "41")
	w.as("lucas")
	has(t, "updated event", w.obj("event", "update", id, "--attendees", "80", "--notes", "Bring a DJ"), "attendees", 80.0, "notes", "Bring a DJ")
	w.fail(exitForbidden, "may not assign support", "", "event", "unassign", id)
	w.as("admin")
	has(t, "unassigned event", w.obj("event", "unassign", id), "support_contact_id", nil, "support_contact_name", nil)
	contains(t, "event view", w.ok("", "event", "view", id), "Bring a DJ", "kevin@startup.io", "Summer Party")
	w.ok("", "event", "delete", id)
	w.fail(exitNotFound, "event not found", "", "event", "view", id)
}

func TestE2E_Audit(t *testing.T) {
	w := world(t)
	kevin := w.idOf(w.list("client", "list"), "full_name", "Kevin Casey")
	w.ok("", "client", "update", kevin, "--notes", "Called back")
	sameKeys(t, "audit entry", w.list("audit")[0], []string{"seq", "at", "actor_id", "actor_name", "action", "record", "record_id", "fields"})
	mine := w.list("audit", kevin[:8])
	expect(t, "audit of a client", []string{names(mine, "action"), names(mine, "actor_name"), names(mine, "record_id")},
		[]string{"create,update", "system,Ada Admin", kevin + "," + kevin})
	contains(t, "audit", w.ok("", "audit", kevin), "WHO", "notes", "system")
	w.as("jean")
	w.fail(exitForbidden, "may not read the audit trail", "", "audit")
	w.fail(exitForbidden, "may not rebuild the indexes", "", "reindex")
}

func TestE2E_Maintenance(t *testing.T) {
	w := world(t)
	expect(t, "check", w.ok("", "check"), "ok\n")
	expect(t, "reindex", w.ok("", "reindex"), "Indexes rebuilt.\n")
	backup := filepath.Join(t.TempDir(), "copy", dbFile)
	expect(t, "backup", w.ok("", "backup", backup), "Backup written: "+backup+" (17 records)\n")
	copyHome := &e2e{t: t, home: filepath.Dir(backup)}
	copyHome.ok(testPassword+"\n", "login", "--email", adminEmail, "--password-stdin")
	expect(t, "check of the backup", copyHome.ok("", "check"), "ok\n")
	dir := t.TempDir()
	for kind, rows := range map[string]int{"clients": 4, "contracts": 4, "events": 3} {
		file := filepath.Join(dir, kind+".csv")
		w.ok("", "export", kind, "--csv", file)
		expect(t, "lines of "+kind+".csv", len(readCSV(t, file)), rows+1)
		fi, err := os.Stat(file)
		expect(t, "mode of "+kind+".csv", err == nil && fi.Mode().Perm() == 0o600, true)
	}
	rows := readCSV(t, filepath.Join(dir, "clients.csv"))
	expect(t, "clients.csv", []string{rows[0][0], rows[0][3], rows[1][3]}, []string{"id", "phone", "'+33 6 12 34 56 78"})
	w.fail(exitUsage, "unknown kind", "", "export", "users", "--csv", filepath.Join(dir, "u.csv"))
}

func readCSV(t *testing.T, file string) [][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestE2E_CheckAndReindex(t *testing.T) {
	w := world(t)
	breakIndex(t, filepath.Join(w.home, dbFile))
	out, errOut, code := run(t, w.home, "", "check")
	expect(t, "check of a broken index: exit", code, exitInternal)
	contains(t, "check report", out, "has 1 problem(s)", "idx_clients_by_email")
	contains(t, "check error", errOut, "error: the database check found 1 problem(s)")
	report := w.obj("reindex")
	expect(t, "reindex --json", report["ok"], true)
	expect(t, "check after reindex", w.ok("", "check"), "ok\n")
}
