package replica_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica"
	"github.com/epicevents/crm/replica/access"
	"github.com/epicevents/crm/replica/etcdtest"
	"github.com/epicevents/crm/storage"
)

const pw = "Sup3r-secret!"

// forEachKind runs f against an embedded etcd 3.7 cluster and Debian's etcd 3.4 binary.
func forEachKind(t *testing.T, n int, f func(t *testing.T, c *etcdtest.Cluster)) {
	etcdtest.ForEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		f(t, start(t, n, etcdtest.Options{ClientCertAuth: true}))
	})
}

// laptop is one data directory: a real bbolt file, the engine and the services over it.
type laptop struct {
	t    testing.TB
	path string
	db   *storage.DB
	eng  *replica.Engine
	svc  *core.Service
}

func newLaptop(t testing.TB) *laptop {
	l := &laptop{t: t, path: t.TempDir() + "/epicevents.db"}
	l.open()
	t.Cleanup(l.close)
	return l
}

func (l *laptop) open() {
	db, err := storage.Open(l.path, storage.Options{})
	if err != nil {
		l.t.Fatal(err)
	}
	l.db, l.eng = db, replica.New(db)
	l.svc = core.NewService(db, core.Options{Replicator: l.eng})
}

func (l *laptop) close() {
	if l.db == nil {
		return
	}
	_ = l.eng.Close()
	if err := l.db.Check(); err != nil {
		l.t.Errorf("check: %v", err)
	}
	_ = l.db.Close()
	l.db = nil
}

func (l *laptop) login(email string) *core.Actor {
	l.t.Helper()
	a, err := l.svc.Login(email, pw)
	if err != nil {
		l.t.Fatalf("login %s: %v", email, err)
	}
	return a
}

func (l *laptop) sync() core.SyncReport {
	l.t.Helper()
	r, err := l.eng.Sync(ctx(l.t))
	if err != nil {
		l.t.Fatalf("sync: %v", err)
	}
	return r
}

// run starts l's background sync (Engine.Run) until the end of the test; the channel gets a
// signal per notification of the engine, dropped when buf signals wait already.
func (l *laptop) run(buf int) <-chan struct{} {
	c, cancel := context.WithCancel(context.Background())
	notified := make(chan struct{}, buf)
	done := make(chan error, 1)
	go func() {
		done <- l.eng.Run(c, func() {
			select {
			case notified <- struct{}{}:
			default:
			}
		})
	}()
	l.t.Cleanup(func() {
		cancel()
		<-done
	})
	return notified
}

func ctx(t testing.TB) context.Context { return etcdtest.Context(t, 60*time.Second) }

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func cfgOf(c *etcdtest.Cluster, cr etcdtest.Creds) core.TeamConfig {
	return core.TeamConfig{Endpoints: c.Endpoints(), CACert: c.CAFile(), Cert: cr.CertFile, Key: cr.KeyFile}
}

// team is a cluster with management's laptop that created the team and a commercial's laptop
// that joined it.
type team struct {
	c            *etcdtest.Cluster
	hq, road     *laptop
	admin, sales *core.Actor // admin on hq, sales on road
	salesOnHQ    *core.Actor
	sup          core.User
	client       core.Client
	contract     core.Contract
}

// hqClient syncs hq and returns the team's client as hq sees it.
func (tm *team) hqClient(t testing.TB) core.Client {
	t.Helper()
	tm.hq.sync()
	return must[core.Client](t)(tm.hq.svc.GetClient(tm.admin, tm.client.ID))
}

// embeddedTeam is newTeam on an embedded cluster of n members that checks client certificates.
func embeddedTeam(tb testing.TB, n int) *team {
	return newTeam(tb, etcdtest.StartEmbedded(tb, n, etcdtest.Options{ClientCertAuth: true}))
}

func newTeam(t testing.TB, c *etcdtest.Cluster) *team {
	tm := &team{c: c, hq: newLaptop(t), road: newLaptop(t)}
	hq := tm.hq
	if _, err := hq.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	tm.admin = hq.login("ada@epicevents.com")
	sales := must[core.User](t)(hq.svc.CreateUser(tm.admin, core.UserInput{FullName: "Sam Sales", Email: "sam@epicevents.com", Department: core.Commercial}, pw))
	tm.sup = must[core.User](t)(hq.svc.CreateUser(tm.admin, core.UserInput{FullName: "Sue Support", Email: "sue@epicevents.com", Department: core.Support}, pw))
	tm.client = must[core.Client](t)(hq.svc.CreateClient(tm.admin, core.ClientInput{FullName: "Kevin Casey", Email: "kevin@startup.io",
		Phone: "+678 123 456 78", CompanyName: "Cool Startup", CommercialID: sales.ID}))
	tm.contract = must[core.Contract](t)(hq.svc.CreateContract(tm.admin, core.ContractInput{ClientID: tm.client.ID, Total: dec("1000")}))
	if err := hq.svc.TeamCreate(ctx(t), tm.admin, cfgOf(c, c.ClientCert(t, etcdtest.RootUser))); err != nil {
		t.Fatalf("team create: %v", err)
	}
	if err := tm.road.svc.TeamJoin(ctx(t), cfgOf(c, c.ClientCert(t, core.EtcdUser(sales.ID)))); err != nil {
		t.Fatalf("team join: %v", err)
	}
	tm.sales = tm.road.login("sam@epicevents.com")
	tm.salesOnHQ = hq.login("sam@epicevents.com")
	// Logins are audited: publish them so that each test starts with empty outboxes.
	tm.road.sync()
	tm.hq.sync()
	tm.road.sync()
	return tm
}

// TestEngine_CreateJoinPropagate: a team created from management's database, joined by a
// commercial's empty laptop; changes travel both ways, the audit trail is company-wide.
func TestEngine_CreateJoinPropagate(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		got, err := tm.road.svc.GetClient(tm.sales, tm.client.ID)
		if err != nil || got.Email != "kevin@startup.io" {
			t.Fatalf("joined laptop: client = %+v, %v", got, err)
		}
		st := must[core.SyncStatus](t)(tm.road.svc.SyncStatus(ctx(t), tm.sales))
		if st.Mode != core.ModeTeam || !st.Connected || st.Revision == 0 || st.Outbox != 0 || st.LastSync == nil {
			t.Fatalf("status = %+v", st)
		}
		// road → hq
		c2 := must[core.Client](t)(tm.road.svc.CreateClient(tm.sales, core.ClientInput{FullName: "Zoe Zed", Email: "zoe@zed.io",
			Phone: "0102030405", CompanyName: "Zed"}))
		if st, _ := tm.road.eng.Status(ctx(t)); st.Outbox != 1 {
			t.Fatalf("outbox = %d, want 1", st.Outbox)
		}
		if r := tm.road.sync(); r.Pushed != 1 {
			t.Fatalf("road sync = %+v", r)
		}
		if r := tm.hq.sync(); r.Pulled < 1 {
			t.Fatalf("hq sync = %+v", r)
		}
		if got, err := tm.hq.svc.GetClient(tm.admin, c2.ID); err != nil || got.FullName != "Zoe Zed" {
			t.Fatalf("hq: %+v, %v", got, err)
		}
		// hq → road
		if _, err := tm.hq.svc.SignContract(tm.admin, tm.contract.ID); err != nil {
			t.Fatal(err)
		}
		tm.hq.sync()
		tm.road.sync()
		k := must[core.Contract](t)(tm.road.svc.GetContract(tm.sales, tm.contract.ID))
		if k.Status != core.Signed {
			t.Fatalf("road: contract %s", k.Status)
		}
		// Company-wide audit trail: the client created on road is in hq's trail.
		entries, _, err := tm.hq.svc.Audit(tm.admin, core.AuditQuery{RecordID: c2.ID})
		if err != nil || len(entries) != 1 || entries[0].ActorID != tm.sales.ID() || entries[0].Rev == 0 {
			t.Fatalf("hq audit of road's client = %+v, %v", entries, err)
		}
	})
}

// TestEngine_MergeAndConflict: offline edits of different fields merge; the same field edited
// on both laptops gives one conflict with both values, resolved one way then the other.
func TestEngine_MergeAndConflict(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		id := tm.client.ID
		// Different fields.
		must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, id, core.ClientPatch{Phone: ptr("01 11 11 11 11")}))
		must[core.Client](t)(tm.hq.svc.UpdateClient(tm.admin, id, core.ClientPatch{CompanyName: ptr("Cool Startup SA")}))
		tm.hq.sync()
		if r := tm.road.sync(); r.Conflicts != 0 || r.Pushed != 1 {
			t.Fatalf("road sync = %+v", r)
		}
		tm.hq.sync()
		for _, l := range []*laptop{tm.hq, tm.road} {
			got := must[core.Client](t)(l.svc.GetClient(tm.admin, id))
			if got.Phone != "01 11 11 11 11" || got.CompanyName != "Cool Startup SA" {
				t.Fatalf("merged client = %q %q", got.Phone, got.CompanyName)
			}
		}
		// Same field, twice: resolved "theirs", then "mine".
		for round, how := range []core.Resolution{core.KeepTheirs, core.KeepMine} {
			mine, theirs := "Mine "+string(how), "Theirs "+string(how)
			must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, id, core.ClientPatch{Notes: &mine}))
			must[core.Client](t)(tm.hq.svc.UpdateClient(tm.admin, id, core.ClientPatch{Notes: &theirs}))
			tm.hq.sync()
			if r := tm.road.sync(); r.Conflicts != 1 {
				t.Fatalf("round %d: road sync = %+v, want one conflict", round, r)
			}
			cs := must[[]core.SyncConflict](t)(tm.road.svc.Conflicts(tm.sales))
			if len(cs) != 1 || cs[0].Kind != core.ConflictField || cs[0].Mine[core.WireNotes] != mine || cs[0].Theirs[core.WireNotes] != theirs {
				t.Fatalf("conflicts = %+v", cs)
			}
			// The cluster's version is in force on road meanwhile.
			if got := must[core.Client](t)(tm.road.svc.GetClient(tm.sales, id)); got.Notes != theirs {
				t.Fatalf("road notes = %q while in conflict", got.Notes)
			}
			if err := tm.road.svc.ResolveConflict(tm.sales, cs[0].ID, how, nil); err != nil {
				t.Fatal(err)
			}
			tm.road.sync()
			tm.hq.sync()
			want := theirs
			if how == core.KeepMine {
				want = mine
			}
			for _, l := range []*laptop{tm.hq, tm.road} {
				if got := must[core.Client](t)(l.svc.GetClient(tm.admin, id)); got.Notes != want {
					t.Fatalf("%s: notes = %q, want %q", how, got.Notes, want)
				}
			}
			if st, _ := tm.road.eng.Status(ctx(t)); st.Conflicts != 0 || st.Outbox != 0 {
				t.Fatalf("status after resolve = %+v", st)
			}
		}
	})
}

// TestEngine_UniqueEmail: two offline creates with one email — the first pushed wins, the
// second becomes a conflict keeping the whole client, and both laptops end with one client.
func TestEngine_UniqueEmail(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		in := core.ClientInput{FullName: "Dup One", Email: "dup@x.io", Phone: "0102030405", CompanyName: "X"}
		one := must[core.Client](t)(tm.hq.svc.CreateClient(tm.salesOnHQ, in))
		in.FullName = "Dup Two"
		two := must[core.Client](t)(tm.road.svc.CreateClient(tm.sales, in))
		tm.hq.sync()
		if r := tm.road.sync(); r.Conflicts != 1 {
			t.Fatalf("road sync = %+v", r)
		}
		cs := must[[]core.SyncConflict](t)(tm.road.svc.Conflicts(tm.sales))
		if len(cs) != 1 || cs[0].Kind != core.ConflictUnique || cs[0].RecordID != two.ID || cs[0].Mine[core.WireFullName] != "Dup Two" {
			t.Fatalf("conflicts = %+v", cs)
		}
		got := must[core.Client](t)(tm.road.svc.GetClient(tm.sales, one.ID))
		if got.FullName != "Dup One" {
			t.Fatalf("road holds %q", got.FullName)
		}
		if _, err := tm.road.svc.GetClient(tm.sales, two.ID); core.KindOf(err) != core.NotFound {
			t.Fatalf("the losing client is still shown: %v", err)
		}
		// Kept under another email: it reaches the cluster.
		if err := tm.road.svc.ResolveConflict(tm.sales, cs[0].ID, core.KeepEdited, map[string]string{core.WireEmail: "dup2@x.io"}); err == nil {
			t.Fatal("an edit of a gone record without its other fields was accepted")
		}
		edit := map[string]string{}
		for k, v := range cs[0].Mine {
			edit[k] = v
		}
		edit[core.WireEmail] = "dup2@x.io"
		if err := tm.road.svc.ResolveConflict(tm.sales, cs[0].ID, core.KeepEdited, edit); err != nil {
			t.Fatal(err)
		}
		tm.road.sync()
		tm.hq.sync()
		if got, err := tm.hq.svc.GetClient(tm.admin, two.ID); err != nil || got.Email != "dup2@x.io" {
			t.Fatalf("hq: %+v %v", got, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestEngine_RawWriteRefused: the cluster itself refuses a support identity's write to a
// client key, and a commercial's write to a collaborator.
func TestEngine_RawWriteRefused(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		if err := tm.hq.svc.TeamCreate(ctx(t), tm.admin, cfgOf(c, c.Root())); core.KindOf(err) != core.Conflict {
			t.Fatalf("second team create: %v", err)
		}
		sup := c.Client(t, c.ClientCert(t, core.EtcdUser(tm.sup.ID)))
		_, err := sup.Put(ctx(t), access.ClientKey(tm.client.ID.String()), `{"type":"client"}`)
		if !errors.Is(err, rpctypes.ErrPermissionDenied) {
			t.Fatalf("support's raw write of a client: %v", err)
		}
		if _, err := sup.Get(ctx(t), access.ClientKey(tm.client.ID.String())); err != nil {
			t.Fatalf("support cannot read: %v", err)
		}
		sales := c.Client(t, c.ClientCert(t, core.EtcdUser(tm.sales.ID())))
		_, err = sales.Put(ctx(t), access.UserKey(tm.sup.ID.String()), `{}`)
		if !errors.Is(err, rpctypes.ErrPermissionDenied) {
			t.Fatalf("commercial's raw write of a user: %v", err)
		}
		// An unknown certificate reaches nothing.
		stranger := c.Client(t, c.ClientCert(t, uuid.NewString()))
		if _, err := stranger.Get(ctx(t), access.ClientKey(tm.client.ID.String())); err == nil {
			t.Fatal("a certificate without etcd user could read")
		}
	})
}

// TestEngine_Deactivation: a deactivation replicates, and the collaborator's etcd identity is
// gone: their laptop can no longer sync.
func TestEngine_Deactivation(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		sup := newLaptop(t)
		if err := sup.svc.TeamJoin(ctx(t), cfgOf(c, c.ClientCert(t, core.EtcdUser(tm.sup.ID)))); err != nil {
			t.Fatal(err)
		}
		supA := sup.login("sue@epicevents.com")
		if _, err := tm.hq.svc.DeactivateUser(tm.admin, tm.sup.ID); err != nil {
			t.Fatal(err)
		}
		tm.hq.sync()
		tm.road.sync()
		if u := must[core.User](t)(tm.road.svc.GetUser(tm.admin, tm.sup.ID)); u.Active {
			t.Fatal("deactivation did not replicate")
		}
		_, err := sup.svc.Sync(ctx(t), supA)
		if core.KindOf(err) != core.Forbidden {
			t.Fatalf("a deactivated collaborator's sync: %v", err)
		}
		root := c.Client(t, c.Root())
		if _, err := root.UserGet(ctx(t), core.EtcdUser(tm.sup.ID)); !errors.Is(err, rpctypes.ErrUserNotFound) {
			t.Fatalf("etcd user after deactivation: %v", err)
		}
		// Reactivated: the identity comes back with its role.
		if _, err := tm.hq.svc.ReactivateUser(tm.admin, tm.sup.ID); err != nil {
			t.Fatal(err)
		}
		tm.hq.sync()
		if r, err := root.UserGet(ctx(t), core.EtcdUser(tm.sup.ID)); err != nil || len(r.Roles) != 1 || r.Roles[0] != access.RoleSupport {
			t.Fatalf("etcd user after reactivation: %+v %v", r, err)
		}
	})
}

// TestEngine_ReplayExactlyOnce: a change that reached the cluster but whose acknowledgement
// was lost (a crash) is recognised when pushed again: applied once, one audit entry.
func TestEngine_ReplayExactlyOnce(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Notes: ptr("once")}))
		// Publish the change behind the engine's back, as a crashed sync would have.
		var pending []core.Change
		if err := tm.road.db.SyncView(func(tx core.SyncTx) error {
			var err error
			pending, err = tx.Pending(0)
			return err
		}); err != nil || len(pending) != 1 {
			t.Fatalf("pending = %d, %v", len(pending), err)
		}
		replica.PublishForTest(t, tm.road.eng, pending[0])
		if r := tm.road.sync(); r.Pushed != 1 || r.Conflicts != 0 {
			t.Fatalf("replayed sync = %+v", r)
		}
		tm.hq.sync()
		entries, _, err := tm.hq.svc.Audit(tm.admin, core.AuditQuery{RecordID: tm.client.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Action == core.ActionUpdate && e.ActorID == tm.sales.ID() {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d audit entries of the update, want 1", n)
		}
		if got := must[core.Client](t)(tm.hq.svc.GetClient(tm.admin, tm.client.ID)); got.Notes != "once" {
			t.Fatalf("notes = %q", got.Notes)
		}
	})
}

// TestEngine_CompactedCursor: a laptop whose cursor was compacted away copies the dataset
// again and keeps its outbox.
func TestEngine_CompactedCursor(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Notes: ptr("offline note")}))
		var last core.Client
		for i := range 5 {
			last = must[core.Client](t)(tm.hq.svc.CreateClient(tm.admin, core.ClientInput{FullName: "Many Clients",
				Email: uuid.NewString()[:8] + "@x.io", Phone: "0102030405", CompanyName: "X", CommercialID: tm.sales.ID()}))
			_ = i
		}
		tm.hq.sync()
		root := c.Client(t, c.Root())
		resp, err := root.Get(ctx(t), "/", clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := root.Compact(ctx(t), resp.Header.Revision); err != nil {
			t.Fatal(err)
		}
		tm.road.sync()
		if _, err := tm.road.svc.GetClient(tm.sales, last.ID); err != nil {
			t.Fatalf("after re-copy: %v", err)
		}
		if got := tm.hqClient(t); got.Notes != "offline note" {
			t.Fatalf("the offline change was lost in the re-copy: %q", got.Notes)
		}
	})
}

// TestEngine_Unavailable: a cluster that does not answer gives Unavailable within the bound,
// and the change stays in the outbox.
func TestEngine_Unavailable(t *testing.T) {
	tm := embeddedTeam(t, 1)
	c := tm.c
	must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Notes: ptr("kept")}))
	c.Stop(0)
	start := time.Now()
	_, err := tm.road.svc.Sync(context.Background(), tm.sales)
	if core.KindOf(err) != core.Unavailable {
		t.Fatalf("sync with the cluster down: %v", err)
	}
	t.Logf("unavailable after %v", time.Since(start).Round(time.Millisecond))
	st := must[core.SyncStatus](t)(tm.road.svc.SyncStatus(context.Background(), tm.sales))
	if st.Connected || st.Outbox != 1 {
		t.Fatalf("status = %+v", st)
	}
	c.Start(0)
	tm.road.sync()
	if got := tm.hqClient(t); got.Notes != "kept" {
		t.Fatalf("notes = %q", got.Notes)
	}
}

// TestEngine_Run: the background sync pulls colleagues' changes through the watch and pushes
// local ones on Nudge.
func TestEngine_Run(t *testing.T) {
	tm := embeddedTeam(t, 1)
	notified := tm.road.run(100)
	must[core.Client](t)(tm.hq.svc.UpdateClient(tm.admin, tm.client.ID, core.ClientPatch{Notes: ptr("live")}))
	tm.hq.sync()
	waitFor(t, func() bool {
		got, err := tm.road.svc.GetClient(tm.sales, tm.client.ID)
		return err == nil && got.Notes == "live"
	})
	// The service nudges the engine after each change: no explicit Nudge.
	must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Phone: ptr("09 99 99 99 99")}))
	if st, err := tm.road.svc.SyncStatus(context.Background(), tm.sales); err != nil || st.Mode != core.ModeTeam {
		t.Fatalf("status while running: %+v, %v", st, err)
	}
	waitFor(t, func() bool {
		st, _ := tm.road.eng.Status(context.Background())
		return st.Outbox == 0
	})
	if got := tm.hqClient(t); got.Phone != "09 99 99 99 99" {
		t.Fatalf("phone = %q", got.Phone)
	}
	if len(notified) == 0 {
		t.Fatal("notify never called")
	}
}

// waitFor polls cond until it holds; the test's own deadline bounds it.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestEngine_Refetch: the engine is the core.Refetcher of Repair — it returns the cluster's
// copy of a record and leaves out what the cluster does not hold.
func TestEngine_Refetch(t *testing.T) {
	tm := embeddedTeam(t, 1)
	var _ core.Refetcher = tm.road.eng
	got, err := tm.road.eng.Refetch(ctx(t), []core.RecordRef{
		{Type: core.ClientRecord, ID: tm.client.ID}, {Type: core.ClientRecord, ID: uuid.New()},
		{Type: core.AuditRecord, Seq: 1},
	})
	if err != nil || len(got) != 1 || got[0].Record.ID != tm.client.ID || got[0].Rev == 0 {
		t.Fatalf("refetch = %+v, %v", got, err)
	}
	if cl, err := got[0].Record.Client(); err != nil || cl.Email != tm.client.Email {
		t.Fatalf("refetched client = %+v, %v", cl, err)
	}
}

// TestEngine_RefusedChange: a manager's change made on a commercial's laptop is refused by
// the cluster (the laptop's identity may not write collaborators): it becomes a conflict, the
// outbox does not stay blocked, and the laptop's later changes go through.
func TestEngine_RefusedChange(t *testing.T) {
	forEachKind(t, 1, func(t *testing.T, c *etcdtest.Cluster) {
		tm := newTeam(t, c)
		boss := tm.road.login("ada@epicevents.com")
		u := must[core.User](t)(tm.road.svc.CreateUser(boss, core.UserInput{FullName: "New Hire", Email: "new@epicevents.com",
			Department: core.Support}, pw))
		must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Notes: ptr("after the refusal")}))
		r := tm.road.sync()
		if r.Conflicts != 1 {
			t.Fatalf("sync = %+v, want one conflict", r)
		}
		cs := must[[]core.SyncConflict](t)(tm.road.svc.Conflicts(boss))
		if len(cs) != 1 || cs[0].Kind != core.ConflictInvalid || cs[0].RecordID != u.ID || cs[0].Mine[core.WireEmail] != "new@epicevents.com" {
			t.Fatalf("conflicts = %+v", cs)
		}
		if _, err := tm.road.svc.GetUser(boss, u.ID); core.KindOf(err) != core.NotFound {
			t.Fatalf("the refused user is still shown: %v", err)
		}
		if st, _ := tm.road.eng.Status(ctx(t)); st.Outbox != 0 {
			t.Fatalf("outbox = %d", st.Outbox)
		}
		if got := tm.hqClient(t); got.Notes != "after the refusal" {
			t.Fatalf("later change: notes = %q", got.Notes)
		}
	})
}

// TestEngine_InvalidMerge: two edits valid on their own whose merge breaks a rule of §2 — the
// event's end moved earlier on the venue's laptop, its start moved later by management — give
// one conflict of kind invalid; the cluster's version stays.
func TestEngine_InvalidMerge(t *testing.T) {
	tm := embeddedTeam(t, 1)
	c := tm.c
	k := must[core.Contract](t)(tm.hq.svc.SignContract(tm.admin, tm.contract.ID))
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	ev := must[core.Event](t)(tm.hq.svc.CreateEvent(tm.admin, core.EventInput{ContractID: k.ID, Name: "Gala",
		Start: start, End: start.Add(4 * time.Hour), Location: "Lyon", Attendees: 50}))
	must[core.Event](t)(tm.hq.svc.AssignSupport(tm.admin, ev.ID, tm.sup.ID))
	tm.hq.sync()
	venue := newLaptop(t)
	if err := venue.svc.TeamJoin(ctx(t), cfgOf(c, c.ClientCert(t, core.EtcdUser(tm.sup.ID)))); err != nil {
		t.Fatal(err)
	}
	sue := venue.login("sue@epicevents.com")
	venue.sync()
	must[core.Event](t)(venue.svc.UpdateEvent(sue, ev.ID, core.EventPatch{End: ptr(start.Add(time.Hour))}))
	must[core.Event](t)(tm.hq.svc.UpdateEvent(tm.admin, ev.ID, core.EventPatch{Start: ptr(start.Add(2 * time.Hour))}))
	tm.hq.sync()
	if r := venue.sync(); r.Conflicts != 1 {
		t.Fatalf("venue sync = %+v", r)
	}
	cs := must[[]core.SyncConflict](t)(venue.svc.Conflicts(sue))
	if len(cs) != 1 || cs[0].Kind != core.ConflictInvalid || !slices.Equal(cs[0].Fields, []string{core.WireEnd}) {
		t.Fatalf("conflicts = %+v", cs)
	}
	for _, l := range []*laptop{venue, tm.hq} {
		l.sync()
		got := must[core.Event](t)(l.svc.GetEvent(tm.admin, ev.ID))
		if !got.Start.Equal(start.Add(2*time.Hour)) || !got.End.Equal(start.Add(4*time.Hour)) {
			t.Fatalf("event = %v – %v, want the cluster's version", got.Start, got.End)
		}
	}
}

// TestEngine_ChangeTooLarge: a change larger than one etcd transaction may be (a client with
// 130 contracts reassigned: 131 records) becomes conflicts instead of blocking the outbox, and
// each resolved with "mine" reaches the cluster.
func TestEngine_ChangeTooLarge(t *testing.T) {
	tm := embeddedTeam(t, 1)
	for range 129 {
		must[core.Contract](t)(tm.hq.svc.CreateContract(tm.admin, core.ContractInput{ClientID: tm.client.ID, Total: dec("10")}))
	}
	other := must[core.User](t)(tm.hq.svc.CreateUser(tm.admin, core.UserInput{FullName: "Olga Other", Email: "olga@epicevents.com",
		Department: core.Commercial}, pw))
	tm.hq.sync()
	must[core.Client](t)(tm.hq.svc.ReassignClient(tm.admin, tm.client.ID, other.ID))
	r := tm.hq.sync()
	if r.Conflicts != 131 {
		t.Fatalf("sync = %+v, want 131 conflicts", r)
	}
	if st, _ := tm.hq.eng.Status(ctx(t)); st.Outbox != 0 {
		t.Fatalf("outbox = %d", st.Outbox)
	}
	cs := must[[]core.SyncConflict](t)(tm.hq.svc.Conflicts(tm.admin))
	// The client first (its contracts follow it), then the contracts.
	slices.SortFunc(cs, func(a, b core.SyncConflict) int {
		if a.Record == b.Record {
			return 0
		}
		if a.Record == core.ClientRecord {
			return -1
		}
		return 1
	})
	for _, sc := range cs {
		if sc.Kind != core.ConflictInvalid {
			t.Fatalf("conflict kind %s", sc.Kind)
		}
		if err := tm.hq.svc.ResolveConflict(tm.admin, sc.ID, core.KeepMine, nil); err != nil {
			t.Fatalf("resolve %s: %v", sc.Record, err)
		}
	}
	tm.hq.sync()
	tm.road.sync()
	got := must[core.Client](t)(tm.road.svc.GetClient(tm.sales, tm.client.ID))
	ks, _, err := tm.road.svc.ListContracts(tm.sales, core.ContractQuery{})
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, k := range ks {
		if k.ClientID == tm.client.ID && k.CommercialID == other.ID {
			moved++
		}
	}
	if got.CommercialID != other.ID || moved != 130 {
		t.Fatalf("road: client's commercial %v, %d of 130 contracts moved", got.CommercialID == other.ID, moved)
	}
}
