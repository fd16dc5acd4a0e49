package storage

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// svcWorld is a database with core.Service on a fixed clock and a manager logged in.
type svcWorld struct {
	db    *DB
	svc   *core.Service
	now   time.Time
	admin *core.Actor
}

func newSvcWorld(t *testing.T) *svcWorld {
	t.Helper()
	w := &svcWorld{db: mustOpen(t), now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	w.svc = core.NewService(w.db, core.Options{Clock: func() time.Time { return w.now }})
	if _, err := w.svc.Initialize(core.InitInput{AdminName: "Ada Admin", AdminEmail: "ada@example.com", Password: localPassword}); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.admin, err = w.svc.Login("ada@example.com", localPassword); err != nil {
		t.Fatal(err)
	}
	return w
}

// wireSnapshot is every record in wire form, by type and id, and the length of the audit trail.
type wireSnapshot struct {
	records map[string]core.Wire
	audit   []core.AuditEntry
}

func takeWire(t *testing.T, db *DB) wireSnapshot {
	t.Helper()
	s := wireSnapshot{records: map[string]core.Wire{}}
	err := db.SyncView(func(tx core.SyncTx) error {
		for _, rt := range core.RecordTypes {
			if _, err := tx.Records(rt, func(w core.Wire, _ uint64) error {
				s.records[string(rt)+w.ID.String()] = w
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = db.View(func(tx core.Tx) error {
			s.audit, _, err = tx.Audit(core.AuditFilter{})
			return err
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pending returns the outbox.
func pending(t *testing.T, db *DB) []core.Change {
	t.Helper()
	var out []core.Change
	if err := db.SyncView(func(tx core.SyncTx) error {
		var err error
		out, err = tx.Pending(0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantChange checks that the last outbox entry is exactly the difference between two
// snapshots: every record changed with its versions before and after, every audit entry made.
func wantChange(t *testing.T, c core.Change, before, after wireSnapshot) {
	t.Helper()
	want := map[string]core.RecordChange{}
	for k, w := range after.records {
		if b, ok := before.records[k]; !ok || !b.Equal(w) {
			rc := core.RecordChange{Type: w.Type, ID: w.ID, After: &w}
			if ok {
				rc.Before = &b
			}
			want[k] = rc
		}
	}
	for k, b := range before.records {
		if _, ok := after.records[k]; !ok {
			want[k] = core.RecordChange{Type: b.Type, ID: b.ID, Before: &b}
		}
	}
	if len(c.Records) != len(want) {
		t.Fatalf("change %d holds %d records, the database changed %d", c.Seq, len(c.Records), len(want))
	}
	for _, rc := range c.Records {
		w, ok := want[string(rc.Type)+rc.ID.String()]
		if !ok || !sameWire(rc.Before, w.Before) || !sameWire(rc.After, w.After) {
			t.Fatalf("change %d, %s %s: %+v, want %+v", c.Seq, rc.Type, rc.ID, rc, w)
		}
	}
	made := after.audit[len(before.audit):]
	if len(made) != len(c.Audit) {
		t.Fatalf("change %d holds %d audit entries, the trail grew by %d", c.Seq, len(c.Audit), len(made))
	}
	for i := range made {
		if !sameAudit(made[i], c.Audit[i]) {
			t.Fatalf("change %d audit %d: %+v, trail %+v", c.Seq, i, c.Audit[i], made[i])
		}
	}
	if len(c.Audit) > 0 && !c.At.Equal(c.Audit[len(c.Audit)-1].At) {
		t.Errorf("change %d at %v, its audit at %v", c.Seq, c.At, c.Audit[len(c.Audit)-1].At)
	}
}

func sameWire(a, b *core.Wire) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// serviceWrites are the writes of every core service, in an order where each can run.
func serviceWrites(t *testing.T, w *svcWorld) []struct {
	name string
	fn   func() error
} {
	var com, sup, other core.User
	var cl core.Client
	var k, k2 core.Contract
	var ev core.Event
	var supActor *core.Actor
	dec := decimal.RequireFromString
	ok := func(err error) error { return err }
	return []struct {
		name string
		fn   func() error
	}{
		{"CreateUser", func() (err error) {
			com, err = w.svc.CreateUser(w.admin, core.UserInput{FullName: "Carl Commercial", Email: "carl@example.com", Department: core.Commercial}, localPassword)
			return err
		}},
		{"CreateUser2", func() (err error) {
			sup, err = w.svc.CreateUser(w.admin, core.UserInput{FullName: "Sam Support", Email: "sam@example.com", Department: core.Support}, localPassword)
			return err
		}},
		{"CreateUser3", func() (err error) {
			other, err = w.svc.CreateUser(w.admin, core.UserInput{FullName: "Olga Other", Email: "olga@example.com", Department: core.Commercial}, localPassword)
			return err
		}},
		{"UpdateUser", func() error {
			_, err := w.svc.UpdateUser(w.admin, other.ID, core.UserPatch{FullName: ptrTo("Olga Autre")})
			return err
		}},
		{"DeactivateUser", func() error { _, err := w.svc.DeactivateUser(w.admin, other.ID); return err }},
		{"ReactivateUser", func() error { _, err := w.svc.ReactivateUser(w.admin, other.ID); return err }},
		{"ResetPassword", func() error { return w.svc.ResetPassword(w.admin, other.ID, "Nouveau-Pa55!") }},
		{"CreateClient", func() (err error) {
			cl, err = w.svc.CreateClient(w.admin, core.ClientInput{FullName: "Kevin Casey", Email: "kevin@startup.io",
				Phone: "0123456789", CompanyName: "Startup", CommercialID: com.ID})
			return err
		}},
		{"UpdateClient", func() error {
			_, err := w.svc.UpdateClient(w.admin, cl.ID, core.ClientPatch{Notes: ptrTo("rappeler")})
			return err
		}},
		{"CreateContract", func() (err error) {
			k, err = w.svc.CreateContract(w.admin, core.ContractInput{ClientID: cl.ID, Total: dec("1000")})
			return err
		}},
		{"CreateContract2", func() (err error) {
			k2, err = w.svc.CreateContract(w.admin, core.ContractInput{ClientID: cl.ID, Total: dec("50")})
			return err
		}},
		{"UpdateContractAmounts", func() error {
			due := dec("400")
			_, err := w.svc.UpdateContractAmounts(w.admin, k.ID, nil, &due)
			return err
		}},
		{"SignContract", func() error { _, err := w.svc.SignContract(w.admin, k.ID); return err }},
		{"ReassignClient", func() error { _, err := w.svc.ReassignClient(w.admin, cl.ID, other.ID); return err }},
		{"CreateEvent", func() (err error) {
			ev, err = w.svc.CreateEvent(w.admin, core.EventInput{ContractID: k.ID, Name: "Gala", Start: w.now.Add(48 * time.Hour),
				End: w.now.Add(50 * time.Hour), Location: "Lyon", Attendees: 10})
			return err
		}},
		{"AssignSupport", func() error { _, err := w.svc.AssignSupport(w.admin, ev.ID, sup.ID); return err }},
		// A login changes laptop state only, and makes an audit entry: a change of no record.
		{"Login", func() (err error) { supActor, err = w.svc.Login("sam@example.com", localPassword); return ok(err) }},
		{"UpdateEvent", func() error {
			_, err := w.svc.UpdateEvent(supActor, ev.ID, core.EventPatch{Attendees: ptrTo(12)})
			return err
		}},
		{"ChangePassword", func() (err error) {
			supActor, err = w.svc.ChangePassword(supActor, localPassword, "Autre-Pa55word!")
			return err
		}},
		{"Logout", func() error { return w.svc.Logout(supActor) }},
		{"UnassignSupport", func() error { _, err := w.svc.AssignSupport(w.admin, ev.ID, uuid.Nil); return err }},
		{"DeleteEvent", func() error { return w.svc.DeleteEvent(w.admin, ev.ID) }},
		{"CancelContract", func() error { _, err := w.svc.CancelContract(w.admin, k2.ID); return err }},
		{"DeleteContract", func() error { return w.svc.DeleteContract(w.admin, k2.ID) }},
		{"DeleteContract2", func() error { return w.svc.DeleteContract(w.admin, k.ID) }},
		{"DeleteClient", func() error { return w.svc.DeleteClient(w.admin, cl.ID) }},
		{"DeleteUser", func() error { return w.svc.DeleteUser(w.admin, com.ID) }},
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestDB_Outbox(t *testing.T) {
	t.Run("OKOnePerChangeInTeamMode", func(t *testing.T) {
		w := newSvcWorld(t)
		if err := w.db.SetTeamMode(true); err != nil {
			t.Fatal(err)
		}
		for _, step := range serviceWrites(t, w) {
			before, n := takeWire(t, w.db), len(pending(t, w.db))
			if err := step.fn(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			after, out := takeWire(t, w.db), pending(t, w.db)
			w.now = w.now.Add(time.Minute)
			if len(out) != n+1 {
				t.Fatalf("%s: %d outbox entries, want %d", step.name, len(out), n+1)
			}
			wantChange(t, out[n], before, after)
		}
		out := pending(t, w.db)
		ids := map[uuid.UUID]bool{}
		for i, c := range out {
			if ids[c.ID] || (i > 0 && c.Seq <= out[i-1].Seq) {
				t.Fatalf("change %d: id repeated or out of order", c.Seq)
			}
			ids[c.ID] = true
		}
		t.Logf("%d service writes, %d outbox entries", len(serviceWrites(t, w)), len(out))
	})
	t.Run("OKNoneInSoloMode", func(t *testing.T) {
		w := newSvcWorld(t)
		for _, step := range serviceWrites(t, w) {
			if err := step.fn(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		}
		wantNothingPending(t, w.db, "in solo mode")
	})
	t.Run("ErrRefusedChangeLeavesNothing", func(t *testing.T) {
		w := newSvcWorld(t)
		if err := w.db.SetTeamMode(true); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.CreateUser(w.admin, core.UserInput{FullName: "Ada Twin", Email: "ada@example.com", Department: core.Support}, localPassword)
		wantKind(t, err, core.Conflict)
		wantNothingPending(t, w.db, "after a refused change")
	})
	t.Run("OKTeamModeKeptAcrossReopen", func(t *testing.T) {
		path := tempDBPath(t)
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetTeamMode(true); err != nil {
			t.Fatal(err)
		}
		origin := db.Origin()
		_ = db.Close()
		if db, err = Open(path, Options{ReadOnly: true}); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if !db.TeamMode() || db.Origin() != origin || origin == uuid.Nil {
			t.Fatalf("after reopen: team %v, origin %s (was %s)", db.TeamMode(), db.Origin(), origin)
		}
	})
}

func tempDBPath(t *testing.T) string { return t.TempDir() + "/epicevents.db" }

// wantNothingPending fails when db has outbox entries or shadows; when says at what point.
func wantNothingPending(t *testing.T, db *DB, when string) {
	t.Helper()
	if out := pending(t, db); len(out) != 0 {
		t.Fatalf("%d outbox entries %s", len(out), when)
	}
	if n := countShadows(t, db); n != 0 {
		t.Fatalf("%d shadows %s", n, when)
	}
}

func countShadows(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	if err := db.View(func(ctx core.Tx) error {
		b, err := ctx.(*tx).bucket(bucketLocalShadow)
		n = b.Stats().KeyN
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDB_Shadows checks the shadow a change writes: the record's revision and version before
// the first pending change, kept through later changes.
func TestDB_Shadows(t *testing.T) {
	w := newSvcWorld(t)
	com, err := w.svc.CreateUser(w.admin, core.UserInput{FullName: "Carl Commercial", Email: "carl@example.com", Department: core.Commercial}, localPassword)
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.svc.CreateClient(w.admin, core.ClientInput{FullName: "Kevin Casey", Email: "kevin@startup.io",
		Phone: "0123456789", CompanyName: "Startup", CommercialID: com.ID})
	if err != nil {
		t.Fatal(err)
	}
	// As if synced at revision 17.
	if err := w.db.SyncUpdate(func(tx core.SyncTx) error { return tx.SetRev(core.ClientRecord, c.ID, 17) }); err != nil {
		t.Fatal(err)
	}
	base := c.Wire()
	if err := w.db.SetTeamMode(true); err != nil {
		t.Fatal(err)
	}
	for i, notes := range []string{"un", "deux"} {
		if _, err := w.svc.UpdateClient(w.admin, c.ID, core.ClientPatch{Notes: &notes}); err != nil {
			t.Fatal(err)
		}
		if err := w.db.SyncView(func(tx core.SyncTx) error {
			s, found, err := tx.Shadow(core.ClientRecord, c.ID)
			if err != nil || !found || s.Rev != 17 || s.Record == nil || !s.Record.Equal(base) {
				t.Errorf("after change %d: shadow %+v, %v, %v; want rev 17 and the base version", i+1, s, found, err)
			}
			_, rev, _, err := tx.Record(core.ClientRecord, c.ID)
			if err != nil || rev != 0 {
				t.Errorf("after change %d: record at rev %d, %v; want 0 (not published)", i+1, rev, err)
			}
			has, err := tx.HasPending(core.ClientRecord, c.ID)
			if !has || err != nil {
				t.Errorf("after change %d: pending %v, %v", i+1, has, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("OKCreatedRecordHasEmptyShadow", func(t *testing.T) {
		k, err := w.svc.CreateContract(w.admin, core.ContractInput{ClientID: c.ID, Total: decimal.NewFromInt(10)})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.db.SyncView(func(tx core.SyncTx) error {
			s, found, err := tx.Shadow(core.ContractRecord, k.ID)
			if err != nil || !found || s.Rev != 0 || s.Record != nil {
				t.Errorf("shadow of a created record: %+v, %v, %v", s, found, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDB_GenerateOutbox checks that in team mode each generated record is one change.
func TestDB_GenerateOutbox(t *testing.T) {
	w := newSvcWorld(t)
	if err := w.db.SetTeamMode(true); err != nil {
		t.Fatal(err)
	}
	res, err := w.db.Generate(GenerateOptions{Clients: 30, Contracts: 40, Events: 25, PasswordHash: weakPHC("x"), Now: w.now, Seed: 7, Batch: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := pending(t, w.db)
	total := res.Users + res.Clients + res.Contracts + res.Events
	if len(out) != total || res.AuditEntries != total {
		t.Fatalf("%d outbox entries and %d audit entries for %d generated records", len(out), res.AuditEntries, total)
	}
	byType := map[core.RecordType]int{}
	for _, c := range out {
		if len(c.Records) != 1 || len(c.Audit) != 1 || c.Records[0].Before != nil || c.Records[0].After == nil ||
			c.Audit[0].RecordID != c.Records[0].ID {
			t.Fatalf("change %d: %d records, %d audit entries", c.Seq, len(c.Records), len(c.Audit))
		}
		byType[c.Records[0].Type]++
	}
	want := map[core.RecordType]int{core.UserRecord: res.Users, core.ClientRecord: res.Clients,
		core.ContractRecord: res.Contracts, core.EventRecord: res.Events}
	if !reflect.DeepEqual(byType, want) {
		t.Fatalf("changes by type %v, want %v", byType, want)
	}
	keys := make([]string, 0, len(byType))
	for k, n := range byType {
		keys = append(keys, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(keys)
	t.Logf("generate in team mode: %d changes (%v)", len(out), keys)
	t.Run("OKNoneInSoloMode", func(t *testing.T) {
		solo := newSvcWorld(t)
		if _, err := solo.db.Generate(GenerateOptions{Clients: 10, Contracts: 10, Events: 10, PasswordHash: weakPHC("x"), Now: solo.now, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		if out := pending(t, solo.db); len(out) != 0 {
			t.Fatalf("%d outbox entries in solo mode", len(out))
		}
	})
}

// TestTx_CaptureMerges checks a transaction that writes a record twice, and one that creates
// and deletes a record: one record change each, from the first version to the last.
func TestTx_CaptureMerges(t *testing.T) {
	db := mustOpen(t)
	anne := newUser("anne@example.com", "EE000001", core.Commercial)
	c := newClient("Kevin", "kevin@example.com", anne.ID)
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := tx.PutUser(anne); err != nil {
			return err
		}
		return tx.PutClient(c)
	})
	base := c.Wire()
	if err := db.SetTeamMode(true); err != nil {
		t.Fatal(err)
	}
	temp := newClient("Temp", "temp@example.com", anne.ID)
	mustUpdate(t, db, func(tx core.Tx) error {
		for _, name := range []string{"Kevin B", "Kevin C"} {
			c.FullName = name
			if err := tx.PutClient(c); err != nil {
				return err
			}
		}
		if err := tx.PutClient(temp); err != nil {
			return err
		}
		return tx.DeleteClient(temp.ID)
	})
	out := pending(t, db)
	if len(out) != 1 || len(out[0].Records) != 1 {
		t.Fatalf("outbox %+v, want one change of one record", out)
	}
	rc := out[0].Records[0]
	if rc.ID != c.ID || rc.Before == nil || !rc.Before.Equal(base) || rc.After == nil || rc.After.Fields[core.WireFullName] != "Kevin C" {
		t.Fatalf("merged change %+v", rc)
	}
	if n := countShadows(t, db); n != 1 {
		t.Fatalf("%d shadows, want only Kevin's (the temporary client's is dropped)", n)
	}
}
