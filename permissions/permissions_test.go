package permissions

import "testing"

// expected is the §3 table written out cell by cell, independently of the literal in
// permissions.go: every (department, resource, action) not listed here must be Deny.
var expected = map[string]Scope{
	"commercial/own_account/read":            Own,
	"commercial/own_account/change_password": Own,
	"commercial/client/read":                 All,
	"commercial/client/list":                 All,
	"commercial/client/create":               Own,
	"commercial/client/update":               Own,
	"commercial/contract/read":               All,
	"commercial/contract/list":               All,
	"commercial/contract/update":             Own,
	"commercial/event/read":                  All,
	"commercial/event/list":                  All,
	"commercial/event/create":                Own,

	"support/own_account/read":            Own,
	"support/own_account/change_password": Own,
	"support/client/read":                 All,
	"support/client/list":                 All,
	"support/contract/read":               All,
	"support/contract/list":               All,
	"support/event/read":                  All,
	"support/event/list":                  All,
	"support/event/update":                Own,

	"management/own_account/read":            Own,
	"management/own_account/change_password": Own,
	"management/user/read":                   All,
	"management/user/list":                   All,
	"management/user/create":                 All,
	"management/user/update":                 All,
	"management/user/delete":                 All,
	"management/user/deactivate":             All,
	"management/user/reset_password":         All,
	"management/client/read":                 All,
	"management/client/list":                 All,
	"management/client/create":               All,
	"management/client/update":               All,
	"management/client/reassign":             All,
	"management/client/delete":               All,
	"management/contract/read":               All,
	"management/contract/list":               All,
	"management/contract/create":             All,
	"management/contract/update":             All,
	"management/contract/sign":               All,
	"management/contract/cancel":             All,
	"management/contract/delete":             All,
	"management/event/read":                  All,
	"management/event/list":                  All,
	"management/event/create":                All,
	"management/event/update":                All,
	"management/event/assign_support":        All,
	"management/event/delete":                All,
	"management/audit/read":                  All,
	"management/audit/list":                  All,
	"management/database/backup":             All,
	"management/database/restore":            All,
	"management/database/check":              All,
	"management/database/reindex":            All,
	"management/database/repair":             All,
	"management/database/generate":           All,

	// §9 team mode.
	"commercial/team/read":             All,
	"commercial/team/sync":             All,
	"commercial/sync_conflict/read":    Own,
	"commercial/sync_conflict/list":    Own,
	"commercial/sync_conflict/resolve": Own,
	"support/team/read":                All,
	"support/team/sync":                All,
	"support/sync_conflict/read":       Own,
	"support/sync_conflict/list":       Own,
	"support/sync_conflict/resolve":    Own,
	"management/team/read":             All,
	"management/team/sync":             All,
	"management/team/create":           All,
	"management/team/leave":            All,
	"management/team/issue":            All,
	"management/sync_conflict/read":    All,
	"management/sync_conflict/list":    All,
	"management/sync_conflict/resolve": All,
}

func TestAllowed_EveryCell(t *testing.T) {
	cells := 0
	for _, d := range Departments {
		for _, r := range Resources {
			for _, a := range Actions {
				key := string(d) + "/" + string(r) + "/" + string(a)
				if got, want := Allowed(d, r, a), expected[key]; got != want {
					t.Errorf("%s = %v, want %v", key, got, want)
				}
				cells++
			}
		}
	}
	if want := len(Departments) * len(Resources) * len(Actions); cells != want || cells != 3*9*22 {
		t.Fatalf("walked %d cells, want %d", cells, want)
	}
	for key := range expected {
		found := false
		for _, d := range Departments {
			for _, r := range Resources {
				for _, a := range Actions {
					found = found || key == string(d)+"/"+string(r)+"/"+string(a)
				}
			}
		}
		if !found {
			t.Errorf("expected cell %s names an unknown department, resource or action", key)
		}
	}
}

func TestAllowed_Unknown(t *testing.T) {
	if got := Allowed("intern", Client, Read); got != Deny {
		t.Fatalf("unknown department: %v", got)
	}
	if got := Allowed(Management, "invoice", Read); got != Deny {
		t.Fatalf("unknown resource: %v", got)
	}
	if got := Allowed(Management, Client, "archive"); got != Deny {
		t.Fatalf("unknown action: %v", got)
	}
}

func TestParseDepartment(t *testing.T) {
	for in, want := range map[string]Department{
		"commercial": Commercial, " Support ": Support, "management": Management,
		"GESTION": Management, "gestion": Management,
	} {
		if got, ok := ParseDepartment(in); !ok || got != want {
			t.Errorf("ParseDepartment(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "admin", "ges tion", "sales"} {
		if _, ok := ParseDepartment(in); ok {
			t.Errorf("ParseDepartment(%q) accepted", in)
		}
	}
}

func TestScope_String(t *testing.T) {
	if Deny.String() != "deny" || Own.String() != "own" || All.String() != "all" {
		t.Fatal("scope names")
	}
}
