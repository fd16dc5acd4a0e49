package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// fakeReplicator is a core.Replicator over the real database's sync surface, without a
// cluster: it keeps conflicts where the engine keeps them and answers the rest from fields.
type fakeReplicator struct {
	db      *storage.DB
	status  core.SyncStatus
	syncErr error
	granted []uuid.UUID
	calls   []string
}

func (f *fakeReplicator) Create(ctx context.Context, cfg core.TeamConfig) error {
	f.calls = append(f.calls, "create")
	return nil
}
func (f *fakeReplicator) Join(ctx context.Context, cfg core.TeamConfig) error {
	f.calls = append(f.calls, "join")
	return nil
}
func (f *fakeReplicator) Leave() error { f.calls = append(f.calls, "leave"); return nil }
func (f *fakeReplicator) Sync(ctx context.Context) (core.SyncReport, error) {
	f.calls = append(f.calls, "sync")
	return core.SyncReport{Pushed: 1}, f.syncErr
}
func (f *fakeReplicator) Status(ctx context.Context) (core.SyncStatus, error) {
	return f.status, nil
}
func (f *fakeReplicator) Grant(ctx context.Context, u core.User) error {
	f.granted = append(f.granted, u.ID)
	return nil
}
func (f *fakeReplicator) Conflicts() ([]core.SyncConflict, error) {
	var out []core.SyncConflict
	err := f.db.SyncView(func(tx core.SyncTx) error {
		var err error
		out, err = tx.Conflicts()
		return err
	})
	return out, err
}
func (f *fakeReplicator) DropConflict(id uuid.UUID) error {
	return f.db.SyncUpdate(func(tx core.SyncTx) error { return tx.DeleteConflict(id) })
}

// teamEnv is an env whose service has a fake replicator.
func teamEnv(t *testing.T) (*env, *fakeReplicator) {
	e := mustEnv(t)
	f := &fakeReplicator{db: e.db, status: core.SyncStatus{Mode: core.ModeTeam, Endpoints: []string{"https://a:2379"}}}
	e.svc = core.NewService(e.db, core.Options{Clock: e.clock.Now, Monitor: e.mon, Replicator: f})
	e.admin = e.login("ada@epicevents.com")
	return e, f
}

var goodCfg = core.TeamConfig{Endpoints: []string{"https://127.0.0.1:2379"}}

func TestTeam_WhoMayDoWhat(t *testing.T) {
	e, f := teamEnv(t)
	ctx := context.Background()
	sales := e.user("Sam Sales", core.Commercial)
	sup := e.user("Sue Support", core.Support)
	for _, a := range []*core.Actor{sales, sup} {
		wantKind(t, e.svc.TeamCreate(ctx, a, goodCfg), core.Forbidden)
		wantKind(t, e.svc.TeamLeave(ctx, a), core.Forbidden)
		_, err := e.svc.TeamIdentity(ctx, a, a.ID(), nil)
		wantKind(t, err, core.Forbidden)
		_, err = e.svc.Sync(ctx, a)
		wantKind(t, err, "")
		_, err = e.svc.SyncStatus(ctx, a)
		wantKind(t, err, "")
	}
	wantKind(t, e.svc.TeamCreate(ctx, nil, goodCfg), core.Unauthenticated)
	_, err := e.svc.Sync(ctx, nil)
	wantKind(t, err, core.Unauthenticated)
	wantKind(t, e.svc.TeamCreate(ctx, e.admin, goodCfg), "")
	if len(f.calls) != 3 || f.calls[2] != "create" {
		t.Fatalf("replicator calls = %v, want two syncs then create", f.calls)
	}
}

func TestTeam_ConfigChecked(t *testing.T) {
	e, f := teamEnv(t)
	ctx := context.Background()
	for field, c := range map[string]struct {
		cfg  core.TeamConfig
		code core.Code
	}{
		"endpoints": {core.TeamConfig{}, core.CodeEndpointsRequired},
		"cert":      {core.TeamConfig{Endpoints: []string{"https://h:2379"}, Cert: "c.pem"}, core.CodeCertNeedsKey},
		"etcd-user": {core.TeamConfig{Endpoints: []string{"https://h:2379"}, Password: "x"}, core.CodeUserWithPassword},
	} {
		err := e.svc.TeamCreate(ctx, e.admin, c.cfg)
		wantKind(t, err, core.Invalid)
		wantCode(t, err, c.code)
		if core.FieldOf(err) != field {
			t.Errorf("field = %q, want %q", core.FieldOf(err), field)
		}
	}
	for _, bad := range []string{"127.0.0.1:2379", "ftp://h:1", "https://", "https://u:p@h:1", "https://h:1/x"} {
		err := e.svc.TeamCreate(ctx, e.admin, core.TeamConfig{Endpoints: []string{bad}})
		wantKind(t, err, core.Invalid)
		wantCode(t, err, core.CodeEndpointInvalid)
	}
	if len(f.calls) != 0 {
		t.Fatalf("an invalid config reached the replicator: %v", f.calls)
	}
}

func TestTeam_SoloMode(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	st, err := e.svc.SyncStatus(ctx, e.admin)
	if err != nil || st.Mode != core.ModeSolo || st.Endpoints == nil {
		t.Fatalf("status = %+v, %v", st, err)
	}
	_, err = e.svc.Sync(ctx, e.admin)
	wantKind(t, err, core.Conflict)
	wantCode(t, err, core.CodeSoloMode)
	cs, err := e.svc.Conflicts(e.admin)
	if err != nil || len(cs) != 0 {
		t.Fatalf("conflicts = %v, %v", cs, err)
	}
}

func TestTeam_JoinNeedsEmptyDatabase(t *testing.T) {
	e, f := teamEnv(t)
	err := e.svc.TeamJoin(context.Background(), goodCfg)
	wantKind(t, err, core.Conflict)
	wantCode(t, err, core.CodeHasDatabase)
	empty, err := storage.Open(t.TempDir()+"/x.db", storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	svc := core.NewService(empty, core.Options{Replicator: f})
	wantKind(t, svc.TeamJoin(context.Background(), goodCfg), "")
	if f.calls[len(f.calls)-1] != "join" {
		t.Fatalf("calls = %v", f.calls)
	}
}

func TestTeam_LeaveRefusedWithPendingWork(t *testing.T) {
	e, f := teamEnv(t)
	ctx := context.Background()
	f.status.Outbox = 2
	err := e.svc.TeamLeave(ctx, e.admin)
	wantKind(t, err, core.Conflict)
	wantCode(t, err, core.CodeOutboxPending)
	f.status.Outbox, f.status.Conflicts = 0, 1
	err = e.svc.TeamLeave(ctx, e.admin)
	wantKind(t, err, core.Conflict)
	wantCode(t, err, core.CodeConflictsPending)
	f.status.Conflicts = 0
	wantKind(t, e.svc.TeamLeave(ctx, e.admin), "")
}

func TestTeam_UnavailablePassesThrough(t *testing.T) {
	e, f := teamEnv(t)
	f.syncErr = core.UnavailableError(errors.New("dial tcp: refused"))
	_, err := e.svc.Sync(context.Background(), e.admin)
	wantKind(t, err, core.Unavailable)
	if len(e.mon.errors) != 0 {
		t.Fatalf("an unreachable cluster was reported as an internal error: %v", e.mon.errors)
	}
}

type fakeIssuer struct{ names []string }

func (i *fakeIssuer) IssueClient(user string) ([]byte, []byte, error) {
	i.names = append(i.names, user)
	return []byte("cert"), []byte("key"), nil
}

func TestTeam_Identity(t *testing.T) {
	e, f := teamEnv(t)
	ctx := context.Background()
	sup := e.user("Sue Support", core.Support)
	iss := &fakeIssuer{}
	id, err := e.svc.TeamIdentity(ctx, e.admin, sup.ID(), iss)
	if err != nil {
		t.Fatal(err)
	}
	if id.User != sup.ID().String() || id.Department != core.Support || len(f.granted) != 1 || iss.names[0] != id.User {
		t.Fatalf("identity = %+v, granted %v, issued %v", id, f.granted, iss.names)
	}
	if _, err := e.svc.DeactivateUser(e.admin, sup.ID()); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.TeamIdentity(ctx, e.admin, sup.ID(), iss)
	wantKind(t, err, core.Conflict)
}

// putConflict stores a conflict as the engine would.
func putConflict(t *testing.T, e *env, c core.SyncConflict) {
	t.Helper()
	if err := e.db.SyncUpdate(func(tx core.SyncTx) error { return tx.PutConflict(c) }); err != nil {
		t.Fatal(err)
	}
}

func TestTeam_ResolveConflict(t *testing.T) {
	e, _ := teamEnv(t)
	sales := e.user("Sam Sales", core.Commercial)
	other := e.user("Olga Other", core.Commercial)
	c := e.client(sales)
	mk := func(actor *core.Actor, mine string) core.SyncConflict {
		sc := core.SyncConflict{ID: uuid.New(), ChangeID: uuid.New(), Record: core.ClientRecord, RecordID: c.ID,
			Kind: core.ConflictField, Fields: []string{core.WirePhone},
			Mine: map[string]string{core.WirePhone: mine}, Theirs: map[string]string{core.WirePhone: c.Phone},
			At: e.clock.Now(), ActorID: actor.ID()}
		putConflict(t, e, sc)
		return sc
	}
	// Others' conflicts are not seen nor resolved by a commercial; management sees all.
	sc := mk(sales, "01 23 45 67 89")
	if cs, _ := e.svc.Conflicts(other); len(cs) != 0 {
		t.Fatalf("another commercial sees %d conflicts", len(cs))
	}
	wantKind(t, e.svc.ResolveConflict(other, sc.ID, core.KeepMine, nil), core.NotFound)
	if cs, _ := e.svc.Conflicts(e.admin); len(cs) != 1 {
		t.Fatalf("management sees %d conflicts", len(cs))
	}
	// Mine writes the local value as a new change.
	wantKind(t, e.svc.ResolveConflict(sales, sc.ID, core.KeepMine, nil), "")
	got, _ := e.svc.GetClient(sales, c.ID)
	if got.Phone != "01 23 45 67 89" {
		t.Fatalf("phone = %q after keep mine", got.Phone)
	}
	if cs, _ := e.svc.Conflicts(sales); len(cs) != 0 {
		t.Fatalf("%d conflicts left", len(cs))
	}
	// Theirs leaves the record as it is.
	sc = mk(sales, "+33 1 00 00 00 00")
	wantKind(t, e.svc.ResolveConflict(sales, sc.ID, core.KeepTheirs, nil), "")
	if got, _ := e.svc.GetClient(sales, c.ID); got.Phone != "01 23 45 67 89" {
		t.Fatalf("phone = %q after keep theirs", got.Phone)
	}
	// Edit is checked by §2: a bad phone is refused and the conflict stays.
	sc = mk(sales, "+33 1 00 00 00 00")
	err := e.svc.ResolveConflict(sales, sc.ID, core.KeepEdited, map[string]string{core.WirePhone: "call me"})
	wantKind(t, err, core.Invalid)
	if core.FieldOf(err) != "phone" {
		t.Fatalf("field = %q", core.FieldOf(err))
	}
	err = e.svc.ResolveConflict(sales, sc.ID, core.KeepEdited, map[string]string{"colour": "red"})
	wantKind(t, err, core.Invalid)
	wantCode(t, err, core.CodeNotAField)
	err = e.svc.ResolveConflict(sales, sc.ID, core.KeepEdited, nil)
	wantCode(t, err, core.CodeEditEmpty)
	err = e.svc.ResolveConflict(sales, sc.ID, "both", nil)
	wantCode(t, err, core.CodeResolutionInvalid)
	if core.FieldOf(err) != "resolution" || err.Error() != `resolution: is "both": use mine, theirs or edit` {
		t.Fatalf("bad resolution: %v", err)
	}
	wantKind(t, e.svc.ResolveConflict(sales, sc.ID, core.KeepEdited, map[string]string{core.WirePhone: "04 72 00 00 00"}), "")
	if got, _ := e.svc.GetClient(sales, c.ID); got.Phone != "04 72 00 00 00" {
		t.Fatalf("phone = %q after edit", got.Phone)
	}
	wantKind(t, e.svc.ResolveConflict(sales, sc.ID, core.KeepTheirs, nil), core.NotFound)
	wantKind(t, e.svc.ResolveConflict(sales, uuid.New(), "both", nil), core.NotFound)
}

func TestTeam_ResolveDeletedRecreates(t *testing.T) {
	e, _ := teamEnv(t)
	sales := e.user("Sam Sales", core.Commercial)
	c := e.client(sales)
	mine := c.Wire()
	if err := e.svc.DeleteClient(e.admin, c.ID); err != nil {
		t.Fatal(err)
	}
	sc := core.SyncConflict{ID: uuid.New(), Record: core.ClientRecord, RecordID: c.ID, Kind: core.ConflictDeleted,
		Mine: mine.Fields, At: e.clock.Now().Add(time.Second), ActorID: sales.ID()}
	putConflict(t, e, sc)
	wantKind(t, e.svc.ResolveConflict(sales, sc.ID, core.KeepMine, nil), "")
	if got, err := e.svc.GetClient(sales, c.ID); err != nil || got.Email != c.Email {
		t.Fatalf("client after keep mine = %+v, %v", got, err)
	}
	// A support user may not re-create a client.
	sup := e.user("Sue Support", core.Support)
	if err := e.svc.DeleteClient(e.admin, c.ID); err != nil {
		t.Fatal(err)
	}
	sc.ID, sc.ActorID = uuid.New(), sup.ID()
	putConflict(t, e, sc)
	wantKind(t, e.svc.ResolveConflict(sup, sc.ID, core.KeepMine, nil), core.Forbidden)
}
