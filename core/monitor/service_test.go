package monitor_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/monitor"
	"github.com/epicevents/crm/storage"
)

// Test accounts. The passwords, e-mails and names must never reach Sentry.
const (
	adminName  = "Ada Lovelace"
	adminEmail = "ada.lovelace@example.com"
	adminPW    = "Adm1n!Secret-pw"
	comName    = "Chris Commercial"
	comEmail   = "chris.commercial@example.com"
	comPW      = "C0mmercial!pw"
	supName    = "Sam Support"
	supEmail   = "sam.support@example.com"
	supPW      = "Supp0rt!pw-42"
	newName    = "Christine Commercial"
	newEmail   = "christine.commercial@example.com"
	wrongPW    = "Wr0ng!password"
	clientMail = "kim.client@client.example"
	clientTel  = "+33 6 12 34 56 78"
)

// openService returns a real core.Service over the real storage in dir, reporting to mon.
func openService(t *testing.T, dir string, mon core.Monitor) (*core.Service, *storage.DB) {
	t.Helper()
	db, err := storage.Open(filepath.Join(dir, "crm.db"), storage.Options{})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return core.NewService(db, core.Options{Monitor: mon}), db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// initAdmin initialises the database and logs the first management account in.
func initAdmin(t *testing.T, svc *core.Service) *core.Actor {
	t.Helper()
	_, err := svc.Initialize(core.InitInput{AdminName: adminName, AdminEmail: adminEmail, Password: adminPW})
	must(t, err)
	admin, err := svc.Login(adminEmail, adminPW)
	must(t, err)
	return admin
}

// expected is one event the scenario must produce exactly once.
type expected struct {
	name, message, level, dept string
	user                       uuid.UUID
	tags                       map[string]string
	fields                     []string
}

func TestSentry_Event(t *testing.T) {
	in, dir, mon := monitored(t)
	svc, _ := openService(t, dir, mon)

	_, err := svc.Initialize(core.InitInput{AdminName: adminName, AdminEmail: adminEmail, Password: adminPW})
	must(t, err)
	admin, err := svc.Login(adminEmail, adminPW)
	must(t, err)
	if _, err := svc.Login(adminEmail, wrongPW); core.KindOf(err) != core.Unauthenticated {
		t.Fatalf("login with a wrong password: %v", err)
	}
	com, err := svc.CreateUser(admin, core.UserInput{FullName: comName, Email: comEmail, Department: core.Commercial}, comPW)
	must(t, err)
	name, email := newName, newEmail
	_, err = svc.UpdateUser(admin, com.ID, core.UserPatch{FullName: &name, Email: &email})
	must(t, err)
	sup, err := svc.CreateUser(admin, core.UserInput{FullName: supName, Email: supEmail, Department: core.Support}, supPW)
	must(t, err)
	_, err = svc.DeactivateUser(admin, sup.ID)
	must(t, err)
	if _, err := svc.Login(supEmail, supPW); core.KindOf(err) != core.Unauthenticated {
		t.Fatalf("login of a deactivated account: %v", err)
	}
	must(t, svc.DeleteUser(admin, sup.ID))
	client, err := svc.CreateClient(admin, core.ClientInput{FullName: "Kim Client", Email: clientMail,
		Phone: clientTel, CompanyName: "Kim SA", CommercialID: com.ID})
	must(t, err)
	k, err := svc.CreateContract(admin, core.ContractInput{ClientID: client.ID, Total: decimal.NewFromInt(1200)})
	must(t, err)
	_, err = svc.SignContract(admin, k.ID)
	must(t, err)

	mgmt := string(core.Management)
	want := []expected{
		{core.EventLoginSuccess, "login succeeded", "info", mgmt, admin.ID(), nil, nil},
		{core.EventLoginFailure, "login failed: invalid email or password", "info", mgmt, admin.ID(), map[string]string{"reason": "credentials"}, nil},
		{core.EventUserCreate, "collaborator created", "info", mgmt, admin.ID(), map[string]string{"record_id": com.ID.String(), "target_department": "commercial"}, nil},
		{core.EventUserCreate, "collaborator created", "info", mgmt, admin.ID(), map[string]string{"record_id": sup.ID.String(), "target_department": "support"}, nil},
		{core.EventUserUpdate, "collaborator updated", "info", mgmt, admin.ID(), map[string]string{"record_id": com.ID.String()}, []string{"email", "full_name"}},
		{core.EventUserDeactivate, "collaborator deactivated", "info", mgmt, admin.ID(), map[string]string{"record_id": sup.ID.String()}, nil},
		{core.EventLoginFailure, "login refused: account deactivated", "info", "support", sup.ID, map[string]string{"reason": "deactivated"}, nil},
		{core.EventUserDelete, "collaborator deleted", "info", mgmt, admin.ID(), map[string]string{"record_id": sup.ID.String()}, nil},
		{core.EventContractSign, "contract signed", "info", mgmt, admin.ID(), map[string]string{"record_id": k.ID.String()}, nil},
	}
	events := in.settled(t, mon, dir)
	if len(events) != len(want) {
		t.Errorf("got %d events, want %d: %v", len(events), len(want), messages(events))
	}
	for _, w := range want {
		t.Run(w.name+"/"+w.message, func(t *testing.T) { checkEvent(t, events, w) })
	}
	_, _, bodies := in.snapshot()
	assertClean(t, bodies, dir, adminPW, comPW, supPW, wrongPW, adminName, comName, supName, newName,
		adminEmail, comEmail, supEmail, newEmail, clientMail, clientTel, admin.Token())
	if testing.Verbose() {
		logExample(t, events)
	}
}

// checkEvent finds the one event with w's name, message and record id, and compares it with w.
func checkEvent(t *testing.T, events []map[string]any, w expected) {
	t.Helper()
	var found []map[string]any
	for _, e := range events {
		if str(e, "tags", "event") == w.name && str(e, "message") == w.message &&
			str(e, "tags", "record_id") == w.tags["record_id"] {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d events %q %q, want 1", len(found), w.name, w.message)
	}
	e := found[0]
	if got := str(e, "level"); got != w.level {
		t.Errorf("level = %q, want %q", got, w.level)
	}
	if got := str(e, "user", "id"); got != w.user.String() {
		t.Errorf("user.id = %q, want %q", got, w.user)
	}
	if got := str(e, "user", "data", "department"); got != w.dept {
		t.Errorf("user department = %q, want %q", got, w.dept)
	}
	if got := str(e, "tags", "department"); got != w.dept {
		t.Errorf("tag department = %q, want %q", got, w.dept)
	}
	user, _ := e["user"].(map[string]any)
	for k := range user {
		if k != "id" && k != "data" {
			t.Errorf("user has field %q", k)
		}
	}
	for k, v := range w.tags {
		if got := str(e, "tags", k); got != v {
			t.Errorf("tag %s = %q, want %q", k, got, v)
		}
	}
	var fields []string
	if c, ok := e["contexts"].(map[string]any)["changes"].(map[string]any); ok {
		for _, f := range c["fields"].([]any) {
			fields = append(fields, f.(string))
		}
	}
	slices.Sort(fields)
	if !slices.Equal(fields, w.fields) {
		t.Errorf("changed fields = %v, want %v", fields, w.fields)
	}
	if got := str(e, "server_name"); got != monitor.ServerName {
		t.Errorf("server_name = %q, want %q", got, monitor.ServerName)
	}
	if str(e, "release") != "epicevents@test" || str(e, "environment") != "test" {
		t.Errorf("release %q environment %q", str(e, "release"), str(e, "environment"))
	}
}

// logExample prints the user.update event as the server received it, for docs/MONITORING.md.
func logExample(t *testing.T, events []map[string]any) {
	for _, e := range events {
		if str(e, "tags", "event") == core.EventUserUpdate {
			b, _ := json.MarshalIndent(e, "", "  ")
			t.Logf("example event:\n%s", b)
		}
	}
}

func TestSentry_Error(t *testing.T) {
	t.Run("OK internal error from the service", func(t *testing.T) {
		in, dir, mon := monitored(t)
		svc, db := openService(t, dir, mon)
		admin := initAdmin(t, svc)
		db.Close() // every transaction now fails: an unexpected error
		_, _, err := svc.ListUsers(admin, core.UserQuery{})
		if core.KindOf(err) != core.Internal {
			t.Fatalf("ListUsers on a closed database: %v, want an internal error", err)
		}
		events := in.settled(t, mon, dir)
		if len(events) != 2 { // + login.success
			t.Fatalf("delivered %v, want 2 events", messages(events))
		}
		e := only(t, events, func(e map[string]any) bool { return str(e, "level") == "error" })
		if got := str(e, "tags", "kind"); got != "internal" {
			t.Errorf("kind tag = %q, want internal", got)
		}
		if str(e, "user", "id") != admin.ID().String() || str(e, "user", "data", "department") != "management" {
			t.Errorf("user = %v", e["user"])
		}
		frames := topFrames(t, e)
		if !slices.ContainsFunc(frames, func(f string) bool { return strings.Contains(f, "(*Service).ListUsers") }) {
			t.Errorf("stack trace %v does not show Service.ListUsers", frames)
		}
		if slices.ContainsFunc(frames, func(f string) bool { return strings.HasPrefix(f, "github.com/epicevents/crm/core/monitor.") }) {
			t.Errorf("stack trace %v shows the monitor's own frames", frames)
		}
		_, _, bodies := in.snapshot()
		assertClean(t, bodies, dir, adminPW, adminName, adminEmail, admin.Token())
	})
}

// only returns the one event that ok accepts.
func only(t *testing.T, events []map[string]any, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, e := range events {
		if ok(e) {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d matching events, want 1: %v", len(found), messages(events))
	}
	return found[0]
}

// topFrames returns "module.function" of the outermost exception's frames, innermost first.
func topFrames(t *testing.T, e map[string]any) []string {
	t.Helper()
	exc, _ := e["exception"].([]any)
	if len(exc) == 0 {
		t.Fatalf("event has no exception: %v", e)
	}
	top := exc[len(exc)-1].(map[string]any)
	st, _ := top["stacktrace"].(map[string]any)
	raw, _ := st["frames"].([]any)
	if len(raw) == 0 {
		t.Fatalf("exception has no stack trace: %v", top)
	}
	var out []string
	for i := len(raw) - 1; i >= 0; i-- {
		f := raw[i].(map[string]any)
		out = append(out, str(f, "module")+"."+str(f, "function"))
	}
	return out
}
