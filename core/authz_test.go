package core_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/permissions"
)

// The predicates the window asks agree with what the Service does, actor by actor and record
// by record: a predicate that said yes where the Service refuses (or no where it accepts) would
// offer a form that fails or hide one that works.
func TestPredicates_AgreeWithService(t *testing.T) {
	e := mustEnv(t)
	carl, cleo := e.user("Carl Commercial", core.Commercial), e.user("Cleo Commercial", core.Commercial)
	sam := e.user("Sam Support", core.Support)
	actors := []*core.Actor{e.admin, carl, cleo, sam}
	client := e.client(carl)
	draft := e.contract(client, "1000", false)
	signed := e.contract(client, "2000", true)
	cancelled := e.contract(client, "3000", false)
	cancelled, err := e.svc.CancelContract(e.admin, cancelled.ID)
	noErr(t, err)
	for _, a := range actors {
		name := a.FullName()
		// a client's details: a no-op patch succeeds exactly when CanUpdateClient says so
		_, err := e.svc.UpdateClient(a, client.ID, core.ClientPatch{Phone: &client.Phone})
		if got := core.CanUpdateClient(a, client); got != (err == nil) {
			t.Errorf("%s: CanUpdateClient %v, UpdateClient %v", name, got, err)
		}
		for _, k := range []core.Contract{draft, signed, cancelled} {
			_, err := e.svc.UpdateContractAmounts(a, k.ID, &k.Total, nil)
			if got := core.CanUpdateContract(a, k); got != (err == nil) {
				t.Errorf("%s, %s contract: CanUpdateContract %v, UpdateContractAmounts %v", name, k.Status, got, err)
			}
			start := time.Date(2026, 7, 1, 18, 0, 0, 0, time.UTC)
			ev, err := e.svc.CreateEvent(a, core.EventInput{ContractID: k.ID, Name: "Gala", Start: start,
				End: start.Add(2 * time.Hour), Location: "Lyon"})
			if got := core.CanCreateEventFor(a, k); got != (err == nil) {
				t.Errorf("%s, %s contract: CanCreateEventFor %v, CreateEvent %v", name, k.Status, got, err)
			}
			if err == nil {
				noErr(t, e.svc.DeleteEvent(e.admin, ev.ID))
			}
		}
		if core.CanSignContract(a, draft) != (a == e.admin) || core.CanSignContract(a, signed) ||
			core.CanCancelContract(a, cancelled) || core.CanCancelContract(a, signed) != (a == e.admin) {
			t.Errorf("%s: sign/cancel predicates", name)
		}
		if got, want := core.CanChooseCommercial(a, false), a == e.admin; got != want {
			t.Errorf("%s: CanChooseCommercial(create) %v", name, got)
		}
		_, err = e.svc.ReassignClient(a, client.ID, cleo.ID())
		if got := core.CanChooseCommercial(a, true); got != (err == nil) {
			t.Errorf("%s: CanChooseCommercial(edit) %v, ReassignClient %v", name, got, err)
		}
		if err == nil {
			_, err = e.svc.ReassignClient(a, client.ID, carl.ID())
			noErr(t, err)
		}
		for _, act := range []permissions.Action{permissions.Backup, permissions.Check, permissions.Reindex,
			permissions.Generate, permissions.Restore, permissions.Repair} {
			if (core.AuthorizeAdmin(a, act) == nil) != core.CanAdminister(a, act) || core.CanAdminister(a, act) != (a == e.admin) {
				t.Errorf("%s: %s is management's", name, act)
			}
		}
		if err := e.svc.Reindex(a); (err == nil) != (a == e.admin) {
			t.Errorf("%s: Reindex %v", name, err)
		}
	}
	if q := core.EventContractsQuery(carl); !q.Mine {
		t.Error("a commercial creates events under their own clients' contracts only")
	}
	if q := core.EventContractsQuery(e.admin); q.Mine {
		t.Error("management creates events under any contract")
	}
}

// TestFaces_NoPermissionDecisions fails when the window or the command line reads the
// permission table or compares departments itself: those decisions are core's predicates
// (authz.go) and the Service's checks.
func TestFaces_NoPermissionDecisions(t *testing.T) {
	decision := regexp.MustCompile(`\.Can\(|permissions\.(All|Own|Deny|Allowed|Commercial|Support|Management)\b|` +
		`core\.(Commercial|Support|Management)\b|Department\(\)\s*[!=]=`)
	// What a call to core carries, not a decision: the department of the collaborator generate
	// makes, and the department names the command line parses for core.
	allowed := map[string]string{
		"cli/generate.go": "Department: core.Commercial}, password)",
	}
	scanned := 0
	for _, dir := range []string{"../ui", "../cli"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			scanned++
			rel := strings.TrimPrefix(filepath.ToSlash(path), "../")
			for i, line := range strings.Split(string(b), "\n") {
				code, _, _ := strings.Cut(line, "//")
				if decision.MatchString(code) && (allowed[rel] == "" || !strings.Contains(line, allowed[rel])) {
					t.Errorf("%s:%d: %s", rel, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if scanned < 20 {
		t.Fatalf("only %d files scanned", scanned)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
