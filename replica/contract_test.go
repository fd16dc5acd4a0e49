package replica_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/etcdtest"
)

// TestContract_SoloAndReplica: one script of changes — records, unique values, refusals — run
// on a solo laptop and, in team mode, on management's laptop; then the same questions (every
// filter, searches, look-ups by unique value) asked of the solo laptop and of a replica that
// only ever received the data through the sync engine. The answers must be the same, so team
// mode cannot drift from solo behaviour.
func TestContract_SoloAndReplica(t *testing.T) {
	solo := newLaptop(t)
	if _, err := solo.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	soloAnswers := contractScript(t, solo, solo, func() {})
	for _, a := range soloAnswers {
		t.Log(a)
	}

	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		hq, replica := newLaptop(t), newLaptop(t)
		if _, err := hq.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: pw}); err != nil {
			t.Fatal(err)
		}
		admin := hq.login("ada@epicevents.com")
		if err := hq.svc.TeamCreate(ctx(t), admin, cfgOf(c, c.ClientCert(t, etcdtest.RootUser))); err != nil {
			t.Fatal(err)
		}
		if err := replica.svc.TeamJoin(ctx(t), cfgOf(c, c.ClientCert(t, etcdtest.RootUser))); err != nil {
			t.Fatal(err)
		}
		got := contractScript(t, hq, replica, func() {
			hq.sync()
			replica.sync()
		})
		if len(got) != len(soloAnswers) {
			t.Fatalf("%d answers in team mode, %d solo", len(got), len(soloAnswers))
		}
		for i := range got {
			if got[i] != soloAnswers[i] {
				t.Errorf("answer %d:\n solo    %s\n replica %s", i, soloAnswers[i], got[i])
			}
		}
	})
}

// contractScript makes the changes on w, calls synced after each, then asks r the questions
// and returns the answers (names and emails, never ids, which differ between runs).
func contractScript(t *testing.T, w, r *laptop, synced func()) []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	kind := func(err error) string { return string(core.KindOf(err)) }
	admin := w.login("ada@epicevents.com")
	user := func(name, email string, d core.Department) core.User {
		u := must[core.User](t)(w.svc.CreateUser(admin, core.UserInput{FullName: name, Email: email, Department: d}, pw))
		synced()
		return u
	}
	sam := user("Sam Sales", "sam@epicevents.com", core.Commercial)
	claire := user("Claire Sales", "claire@epicevents.com", core.Commercial)
	sue := user("Sue Support", "sue@epicevents.com", core.Support)
	_, err := w.svc.CreateUser(admin, core.UserInput{FullName: "Sam Again", Email: " SAM@epicevents.com", Department: core.Support}, pw)
	say("duplicate user email: %s", kind(err))
	client := func(name, email string, owner core.User) core.Client {
		cl := must[core.Client](t)(w.svc.CreateClient(admin, core.ClientInput{FullName: name, Email: email, Phone: "01 02 03 04 05",
			CompanyName: name + " Startup", CommercialID: owner.ID}))
		synced()
		return cl
	}
	a := client("Alice Alpha", "alice@alpha.io", sam)
	b := client("Bob Beta", "bob@beta.io", sam)
	client("Carol Gamma", "carol@gamma.io", claire)
	_, err = w.svc.CreateClient(admin, core.ClientInput{FullName: "Alice Copy", Email: "ALICE@alpha.io", Phone: "0102030405",
		CompanyName: "X", CommercialID: sam.ID})
	say("duplicate client email: %s", kind(err))
	_, err = w.svc.UpdateClient(admin, b.ID, core.ClientPatch{Email: ptr("alice@alpha.io")})
	say("client email taken by an update: %s", kind(err))
	must[core.Client](t)(w.svc.UpdateClient(admin, b.ID, core.ClientPatch{Email: ptr("bob@beta.com")}))
	synced()
	k1 := must[core.Contract](t)(w.svc.CreateContract(admin, core.ContractInput{ClientID: a.ID, Total: dec("1000"), Due: ptr(dec("250"))}))
	must[core.Contract](t)(w.svc.SignContract(admin, k1.ID))
	must[core.Contract](t)(w.svc.CreateContract(admin, core.ContractInput{ClientID: a.ID, Total: dec("500")}))
	k3 := must[core.Contract](t)(w.svc.CreateContract(admin, core.ContractInput{ClientID: b.ID, Total: dec("700"), Due: ptr(dec("0"))}))
	must[core.Contract](t)(w.svc.SignContract(admin, k3.ID))
	synced()
	start := time.Now().Add(5 * 24 * time.Hour).UTC().Truncate(time.Minute)
	e1 := must[core.Event](t)(w.svc.CreateEvent(admin, core.EventInput{ContractID: k1.ID, Name: "Launch Party", Start: start,
		End: start.Add(3 * time.Hour), Location: "Lyon", Attendees: 80}))
	must[core.Event](t)(w.svc.AssignSupport(admin, e1.ID, sue.ID))
	must[core.Event](t)(w.svc.CreateEvent(admin, core.EventInput{ContractID: k3.ID, Name: "Board Dinner", Start: start.Add(60 * 24 * time.Hour),
		End: start.Add(60*24*time.Hour + 2*time.Hour), Location: "Paris", Attendees: 12}))
	synced()
	err = w.svc.DeleteClient(admin, a.ID)
	say("delete a client with contracts: %s", kind(err))
	if _, err := w.svc.DeactivateUser(admin, claire.ID); err != nil {
		t.Fatal(err)
	}
	synced()

	// The questions, asked of r.
	rAdmin, rSam, rSue := r.login("ada@epicevents.com"), r.login("sam@epicevents.com"), r.login("sue@epicevents.com")
	if _, err := r.svc.Login("claire@epicevents.com", pw); err != nil {
		say("deactivated login: %s", kind(err))
	}
	names := func(xs []string) string { slices.Sort(xs); return strings.Join(xs, ", ") }
	clients := func(a *core.Actor, q core.ClientQuery) string {
		cs, hidden, err := r.svc.ListClients(a, q)
		var n []string
		for _, c := range cs {
			n = append(n, c.FullName+" <"+c.Email+">")
		}
		return fmt.Sprintf("%s (hidden %d, %s)", names(n), hidden, kind(err))
	}
	contracts := func(a *core.Actor, q core.ContractQuery) string {
		ks, hidden, err := r.svc.ListContracts(a, q)
		var n []string
		for _, k := range ks {
			n = append(n, fmt.Sprintf("%s %s due %s", k.Status, k.Total.StringFixed(2), k.Due.StringFixed(2)))
		}
		return fmt.Sprintf("%s (hidden %d, %s)", names(n), hidden, kind(err))
	}
	events := func(a *core.Actor, q core.EventQuery) string {
		es, hidden, err := r.svc.ListEvents(a, q)
		var n []string
		for _, e := range es {
			n = append(n, e.Name)
		}
		return fmt.Sprintf("%s (hidden %d, %s)", names(n), hidden, kind(err))
	}
	say("clients: %s", clients(rAdmin, core.ClientQuery{}))
	say("sam's clients: %s", clients(rSam, core.ClientQuery{Mine: true}))
	say("search startup: %s", clients(rSue, core.ClientQuery{Search: "gamma"}))
	say("contracts: %s", contracts(rAdmin, core.ContractQuery{}))
	say("unsigned: %s", contracts(rSam, core.ContractQuery{Unsigned: true}))
	say("unpaid: %s", contracts(rSam, core.ContractQuery{Unpaid: true}))
	say("sam's contracts: %s", contracts(rSam, core.ContractQuery{Mine: true}))
	say("events: %s", events(rAdmin, core.EventQuery{}))
	say("sue's events: %s", events(rSue, core.EventQuery{Mine: true}))
	say("unassigned: %s", events(rAdmin, core.EventQuery{Unassigned: true}))
	say("upcoming 30 days: %s", events(rAdmin, core.EventQuery{Upcoming: true}))
	say("search lyon: %s", events(rSam, core.EventQuery{Search: "lyon"}))
	us, _, err := r.svc.ListUsers(rAdmin, core.UserQuery{Search: "sales"})
	var un []string
	for _, u := range us {
		un = append(un, fmt.Sprintf("%s %s active=%v", u.FullName, u.Department, u.Active))
	}
	say("users 'sales': %s (%s)", names(un), kind(err))
	_, err = r.svc.UpdateClient(rSam, b.ID, core.ClientPatch{Email: ptr("alice@alpha.io")})
	say("replica: client email taken: %s", kind(err))
	_, err = r.svc.CreateClient(rSam, core.ClientInput{FullName: "Bob Copy", Email: "bob@beta.com", Phone: "0102030405", CompanyName: "X"})
	say("replica: duplicate client email: %s", kind(err))
	if err := r.db.Check(); err != nil {
		say("check: %v", err)
	}
	return out
}
