package core_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// testPassword meets the rules of §4; tests use it for every account they create.
const testPassword = "Sup3r-secret!"

// clock is an injectable, advanceable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a service over a real bbolt file with a manager logged in.
type env struct {
	t     testing.TB
	path  string
	db    *storage.DB
	svc   *core.Service
	clock *clock
	mon   *recorder
	admin *core.Actor
}

// recorder is a core.Monitor that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	events []core.MonitorEvent
	errors []error
}

func (r *recorder) Event(e core.MonitorEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) Error(err error, _ *core.Actor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, err)
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n []string
	for _, e := range r.events {
		n = append(n, e.Name)
	}
	return n
}

// mustEnv opens a new database, initialises it and logs the first manager in.
func mustEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{t: tb, path: tb.TempDir() + "/epicevents.db",
		clock: &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}, mon: &recorder{}}
	e.open()
	tb.Cleanup(func() { e.close() })
	if _, err := e.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: testPassword}); err != nil {
		tb.Fatalf("initialize: %v", err)
	}
	e.admin = e.login("ada@epicevents.com")
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := storage.Open(e.path, storage.Options{})
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	e.db = db
	e.svc = core.NewService(db, core.Options{Clock: e.clock.Now, Monitor: e.mon})
}

func (e *env) close() {
	if e.db == nil {
		return
	}
	if err := e.db.Check(); err != nil {
		e.t.Errorf("check: %v", err)
	}
	if err := e.db.Close(); err != nil {
		e.t.Errorf("close: %v", err)
	}
	e.db = nil
}

// reopen closes the database and opens it again with a new service.
func (e *env) reopen() {
	e.t.Helper()
	e.close()
	e.open()
}

func (e *env) login(email string) *core.Actor {
	e.t.Helper()
	a, err := e.svc.Login(email, testPassword)
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	return a
}

// user creates a collaborator of department d and returns them logged in.
func (e *env) user(name string, d core.Department) *core.Actor {
	e.t.Helper()
	email := uuid.NewString()[:8] + "@epicevents.com"
	if _, err := e.svc.CreateUser(e.admin, core.UserInput{FullName: name, Email: email, Department: d}, testPassword); err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return e.login(email)
}

func (e *env) client(owner *core.Actor) core.Client {
	e.t.Helper()
	in := core.ClientInput{FullName: "Kevin Casey", Email: uuid.NewString()[:8] + "@startup.io",
		Phone: "+678 123 456 78", CompanyName: "Cool Startup LLC", CommercialID: owner.ID()}
	c, err := e.svc.CreateClient(e.admin, in)
	if err != nil {
		e.t.Fatalf("create client: %v", err)
	}
	return c
}

func (e *env) contract(c core.Client, total string, sign bool) core.Contract {
	e.t.Helper()
	k, err := e.svc.CreateContract(e.admin, core.ContractInput{ClientID: c.ID, Total: dec(total)})
	if err != nil {
		e.t.Fatalf("create contract: %v", err)
	}
	if sign {
		if k, err = e.svc.SignContract(e.admin, k.ID); err != nil {
			e.t.Fatalf("sign: %v", err)
		}
	}
	return k
}

func (e *env) event(k core.Contract, support *core.Actor) core.Event {
	e.t.Helper()
	start := e.clock.Now().Add(72 * time.Hour)
	ev, err := e.svc.CreateEvent(e.admin, core.EventInput{ContractID: k.ID, Name: "Launch party",
		Start: start, End: start.Add(4 * time.Hour), Location: "Lyon", Attendees: 75})
	if err != nil {
		e.t.Fatalf("create event: %v", err)
	}
	if support != nil {
		if ev, err = e.svc.AssignSupport(e.admin, ev.ID, support.ID()); err != nil {
			e.t.Fatalf("assign: %v", err)
		}
	}
	return ev
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ptr[T any](v T) *T { return &v }

// wantKind fails unless err has kind k (k "" means no error).
func wantKind(tb testing.TB, err error, k core.Kind) {
	tb.Helper()
	if got := core.KindOf(err); got != k {
		tb.Fatalf("error kind = %q (%v), want %q", got, err, k)
	}
}

// deactivatedLogin deactivates a new support user, then logs in as them with the right
// password: refused, Unauthenticated.
func (e *env) deactivatedLogin(t *testing.T) (*core.Actor, error) {
	t.Helper()
	s := e.user("Sam Support", core.Support)
	if _, err := e.svc.DeactivateUser(e.admin, s.ID()); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Login(s.Email(), testPassword)
	wantKind(t, err, core.Unauthenticated)
	return s, err
}

// wantCode fails unless err carries code c (and so a text in every language).
func wantCode(tb testing.TB, err error, c core.Code) {
	tb.Helper()
	if got := core.CodeOf(err); got != c {
		tb.Fatalf("error code = %q (%v), want %q", got, err, c)
	}
}

// eventAt creates an event of k starting at start, lasting two hours.
func (e *env) eventAt(k core.Contract, start time.Time) core.Event {
	e.t.Helper()
	ev, err := e.svc.CreateEvent(e.admin, core.EventInput{ContractID: k.ID, Name: "Gala " + start.Format("Jan 2 15:04"),
		Start: start, End: start.Add(2 * time.Hour), Location: "Paris", Attendees: 10})
	if err != nil {
		e.t.Fatalf("create event: %v", err)
	}
	return ev
}
