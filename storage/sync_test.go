package storage

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

func mustSync(tb testing.TB, db *DB, fn func(tx core.SyncTx) error) {
	tb.Helper()
	must(tb, db.SyncUpdate(fn))
}

func mustSyncView(tb testing.TB, db *DB, fn func(tx core.SyncTx) error) {
	tb.Helper()
	must(tb, db.SyncView(fn))
}

func TestTx_PutRecord(t *testing.T) {
	db := mustOpen(t)
	if err := db.SetTeamMode(true); err != nil {
		t.Fatal(err)
	}
	anne := newUser("anne@example.com", "EE000001", core.Commercial)
	c := newClient("Kevin", "kevin@example.com", anne.ID)
	t.Run("OK", func(t *testing.T) {
		mustSync(t, db, func(tx core.SyncTx) error {
			if err := tx.PutRecord(anne.Wire(), 10); err != nil {
				return err
			}
			return tx.PutRecord(c.Wire(), 11)
		})
		mustView(t, db, func(tx core.Tx) error {
			got, err := tx.ClientByEmail("KEVIN@example.com")
			if err != nil || got != *c {
				t.Errorf("by email: %+v, %v", got, err)
			}
			mine, _, err := tx.Clients(core.ClientFilter{CommercialID: anne.ID})
			if err != nil || len(mine) != 1 {
				t.Errorf("by commercial: %d, %v", len(mine), err)
			}
			return nil
		})
		mustSyncView(t, db, func(tx core.SyncTx) error {
			w, rev, found, err := tx.Record(core.ClientRecord, c.ID)
			if err != nil || !found || rev != 11 || !w.Equal(c.Wire()) {
				t.Errorf("record: %v rev %d, %v, %v", w, rev, found, err)
			}
			return nil
		})
		if out := pending(t, db); len(out) != 0 {
			t.Fatalf("a record from the cluster was captured: %d changes", len(out))
		}
	})
	t.Run("ErrConflictUnique", func(t *testing.T) {
		twin := newClient("Twin", "kevin@example.com", anne.ID)
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.PutRecord(twin.Wire(), 12) })
		wantKind(t, err, core.Conflict)
		mustSyncView(t, db, func(tx core.SyncTx) error {
			if _, _, found, _ := tx.Record(core.ClientRecord, twin.ID); found {
				t.Error("the refused record was stored")
			}
			return nil
		})
	})
	t.Run("ErrInvalidWire", func(t *testing.T) {
		w := c.Wire()
		w.Fields[core.WireCreatedAt] = "hier"
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.PutRecord(w, 13) })
		wantKind(t, err, core.Invalid)
	})
	t.Run("OKReplaceMovesIndexes", func(t *testing.T) {
		c2 := *c
		c2.Email, c2.CommercialID = "k2@example.com", uuid.New()
		mustSync(t, db, func(tx core.SyncTx) error { return tx.PutRecord(c2.Wire(), 14) })
		mustView(t, db, func(tx core.Tx) error {
			if _, err := tx.ClientByEmail("kevin@example.com"); core.KindOf(err) != core.NotFound {
				t.Errorf("old email still indexed: %v", err)
			}
			mine, _, _ := tx.Clients(core.ClientFilter{CommercialID: anne.ID})
			if len(mine) != 0 {
				t.Errorf("old commercial still has %d clients", len(mine))
			}
			return nil
		})
	})
}

func TestTx_DeleteRecord(t *testing.T) {
	db := mustOpen(t)
	f := mustFixture(t, db)
	mustSync(t, db, func(tx core.SyncTx) error {
		if err := tx.DeleteRecord(core.EventRecord, f.e.ID); err != nil {
			return err
		}
		return tx.DeleteRecord(core.EventRecord, f.e.ID) // absent: fine
	})
	mustView(t, db, func(tx core.Tx) error {
		if _, err := tx.Event(f.e.ID); core.KindOf(err) != core.NotFound {
			t.Errorf("event after delete: %v", err)
		}
		if got, _, _ := tx.Events(core.EventFilter{SupportID: f.bob.ID}); len(got) != 0 {
			t.Errorf("%d events still indexed", len(got))
		}
		return nil
	})
}

func TestTx_SetRev(t *testing.T) {
	db := mustOpen(t)
	f := mustFixture(t, db)
	mustSync(t, db, func(tx core.SyncTx) error { return tx.SetRev(core.ContractRecord, f.k.ID, math.MaxUint64) })
	mustSyncView(t, db, func(tx core.SyncTx) error {
		w, rev, _, err := tx.Record(core.ContractRecord, f.k.ID)
		if err != nil || rev != math.MaxUint64 || !w.Equal(f.k.Wire()) {
			t.Errorf("after SetRev: rev %d, %v", rev, err)
		}
		return nil
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.SetRev(core.ContractRecord, uuid.New(), 1) })
		wantKind(t, err, core.NotFound)
	})
}

func TestTx_Records(t *testing.T) {
	db := mustOpen(t)
	f := mustFixture(t, db)
	breakDB(t, db, func(tx *bbolt.Tx) error { return tx.Bucket(bucketUsers).Put(f.bob.ID[:], []byte{formatV2, 7}) })
	var got []core.Wire
	var hidden int
	mustSyncView(t, db, func(tx core.SyncTx) error {
		var err error
		hidden, err = tx.Records(core.UserRecord, func(w core.Wire, rev uint64) error {
			got = append(got, w)
			return nil
		})
		return err
	})
	if hidden != 1 || len(got) != 1 || !got[0].Equal(f.anne.Wire()) {
		t.Fatalf("records %v, %d hidden; want anne, 1 hidden", got, hidden)
	}
	breakDB(t, db, func(tx *bbolt.Tx) error { return putSealed(tx, bucketUsers, f.bob.ID[:], encodeUser(f.bob, 0)) })
}

func TestTx_Pending(t *testing.T) {
	db := mustOpen(t)
	if err := db.SetTeamMode(true); err != nil {
		t.Fatal(err)
	}
	users := []*core.User{newUser("a@example.com", "EE000001", core.Support), newUser("b@example.com", "EE000002", core.Support),
		newUser("c@example.com", "EE000003", core.Support)}
	for _, u := range users {
		mustUpdate(t, db, func(tx core.Tx) error { return tx.PutUser(u) })
	}
	out := pending(t, db)
	if len(out) != 3 {
		t.Fatalf("%d changes", len(out))
	}
	mustSyncView(t, db, func(tx core.SyncTx) error {
		two, err := tx.Pending(2)
		if err != nil || len(two) != 2 || two[1].Seq != out[1].Seq {
			t.Errorf("limit 2: %v, %v", two, err)
		}
		has, err := tx.HasPending(core.UserRecord, users[2].ID)
		if err != nil || !has {
			t.Errorf("has pending: %v, %v", has, err)
		}
		return nil
	})
	t.Run("OKRemoveAndReplace", func(t *testing.T) {
		merged := out[2]
		merged.Records[0].After.Fields[core.WireFullName] = "Merged"
		mustSync(t, db, func(tx core.SyncTx) error {
			if err := tx.RemovePending(out[0].Seq); err != nil {
				return err
			}
			return tx.PutPending(merged)
		})
		left := pending(t, db)
		if len(left) != 2 || left[0].Seq != out[1].Seq || left[1].Records[0].After.Fields[core.WireFullName] != "Merged" {
			t.Fatalf("after remove and replace: %+v", left)
		}
		mustSyncView(t, db, func(tx core.SyncTx) error {
			if has, _ := tx.HasPending(core.UserRecord, users[0].ID); has {
				t.Error("a removed change is still pending")
			}
			return nil
		})
	})
	t.Run("ErrReplaceAbsent", func(t *testing.T) {
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.PutPending(core.Change{Seq: 99}) })
		wantKind(t, err, core.NotFound)
	})
}

func TestTx_Shadow(t *testing.T) {
	db := mustOpen(t)
	c := newClient("Kevin", "kevin@example.com", uuid.New())
	w := c.Wire()
	s := core.Shadow{Type: core.ClientRecord, ID: c.ID, Rev: 5, Record: &w}
	gone := core.Shadow{Type: core.EventRecord, ID: uuid.New(), Rev: 6}
	mustSync(t, db, func(tx core.SyncTx) error {
		if err := tx.PutShadow(s); err != nil {
			return err
		}
		return tx.PutShadow(gone)
	})
	mustSyncView(t, db, func(tx core.SyncTx) error {
		got, found, err := tx.Shadow(core.ClientRecord, c.ID)
		if err != nil || !found || got.Rev != 5 || got.Record == nil || !got.Record.Equal(w) {
			t.Errorf("shadow: %+v, %v, %v", got, found, err)
		}
		got, found, err = tx.Shadow(core.EventRecord, gone.ID)
		if err != nil || !found || got.Record != nil {
			t.Errorf("shadow of a deleted record: %+v, %v, %v", got, found, err)
		}
		if _, found, _ := tx.Shadow(core.UserRecord, c.ID); found {
			t.Error("a shadow found under another type")
		}
		return nil
	})
	mustSync(t, db, func(tx core.SyncTx) error { return tx.DropShadow(core.ClientRecord, c.ID) })
	mustSyncView(t, db, func(tx core.SyncTx) error {
		if _, found, _ := tx.Shadow(core.ClientRecord, c.ID); found {
			t.Error("dropped shadow still there")
		}
		return nil
	})
	t.Run("ErrBadRecord", func(t *testing.T) {
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.PutShadow(core.Shadow{Type: "thing", ID: uuid.New()}) })
		wantKind(t, err, core.Internal)
	})
}

// TestTx_AppendRemoteAudit checks the company-wide order: entries published at a revision come
// in revision order, before this laptop's unpublished ones, which keep their local order.
func TestTx_AppendRemoteAudit(t *testing.T) {
	db := mustOpen(t)
	rec := uuid.New()
	mine := []*core.AuditEntry{{At: t0, Action: "create", Record: core.ClientRecord, RecordID: rec},
		{At: t0, Action: "update", Record: core.ClientRecord, RecordID: rec}}
	for _, e := range mine {
		mustUpdate(t, db, func(tx core.Tx) error { return tx.AppendAudit(e) })
		if e.Origin != db.Origin() || e.Rev != 0 {
			t.Fatalf("own entry: origin %s rev %d", e.Origin, e.Rev)
		}
	}
	other := uuid.New()
	remote := []*core.AuditEntry{{At: t0, Action: "delete", Record: core.EventRecord, RecordID: uuid.New(), Origin: other, Rev: 30},
		{At: t0, Action: "create", Record: core.EventRecord, RecordID: uuid.New(), Origin: other, Rev: 20}}
	mustSync(t, db, func(tx core.SyncTx) error {
		for _, e := range remote {
			if err := tx.AppendRemoteAudit(e); err != nil {
				return err
			}
		}
		return nil
	})
	order := func() []uint64 {
		var seqs []uint64
		mustView(t, db, func(tx core.Tx) error {
			all, hidden, err := tx.Audit(core.AuditFilter{})
			if err != nil || hidden != 0 {
				t.Fatalf("audit: %d hidden, %v", hidden, err)
			}
			for _, a := range all {
				seqs = append(seqs, a.Seq)
			}
			return nil
		})
		return seqs
	}
	want := []uint64{remote[1].Seq, remote[0].Seq, mine[0].Seq, mine[1].Seq}
	if got := order(); !equalSeqs(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	t.Run("OKSetAuditRev", func(t *testing.T) {
		mustSync(t, db, func(tx core.SyncTx) error { return tx.SetAuditRev(mine[1].Seq, 25) })
		want := []uint64{remote[1].Seq, mine[1].Seq, remote[0].Seq, mine[0].Seq}
		if got := order(); !equalSeqs(got, want) {
			t.Fatalf("order %v, want %v", got, want)
		}
		mustView(t, db, func(tx core.Tx) error {
			got, _, err := tx.Audit(core.AuditFilter{RecordID: rec})
			if err != nil || len(got) != 2 || got[1].Rev != 25 || got[1].Origin != db.Origin() {
				t.Errorf("entries of the record: %+v, %v", got, err)
			}
			return nil
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.SetAuditRev(999, 1) })
		wantKind(t, err, core.NotFound)
	})
	t.Run("ErrNoRev", func(t *testing.T) {
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.AppendRemoteAudit(&core.AuditEntry{At: t0, Origin: other}) })
		wantKind(t, err, core.Internal)
	})
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTx_Conflicts(t *testing.T) {
	db := mustOpen(t)
	a := core.SyncConflict{ID: uuid.New(), ChangeID: uuid.New(), Record: core.ClientRecord, RecordID: uuid.New(),
		Kind: core.ConflictField, Fields: []string{"phone"}, Mine: map[string]string{"phone": "01"},
		Theirs: map[string]string{"phone": "02"}, Base: map[string]string{"phone": "00"}, At: t0.Add(time.Hour), ActorID: uuid.New()}
	b := core.SyncConflict{ID: uuid.New(), Record: core.EventRecord, RecordID: uuid.New(), Kind: core.ConflictDeleted, At: t0}
	mustSync(t, db, func(tx core.SyncTx) error {
		if err := tx.PutConflict(a); err != nil {
			return err
		}
		return tx.PutConflict(b)
	})
	mustSyncView(t, db, func(tx core.SyncTx) error {
		got, err := tx.Conflicts()
		if err != nil || len(got) != 2 || got[0].ID != b.ID || got[1].ID != a.ID ||
			got[1].Theirs["phone"] != "02" || got[1].Base["phone"] != "00" || !got[1].At.Equal(a.At) {
			t.Errorf("conflicts %+v, %v", got, err)
		}
		return nil
	})
	mustSync(t, db, func(tx core.SyncTx) error { return tx.DeleteConflict(a.ID) })
	t.Run("ErrNotFound", func(t *testing.T) {
		err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.DeleteConflict(a.ID) })
		wantKind(t, err, core.NotFound)
	})
}

func TestTx_LocalMeta(t *testing.T) {
	db := mustOpen(t)
	mustSync(t, db, func(tx core.SyncTx) error { return tx.SetLocalMeta("cursor", []byte{0, 0, 0, 0, 0, 0, 1, 0}) })
	mustSyncView(t, db, func(tx core.SyncTx) error {
		v, err := tx.LocalMeta("cursor")
		if err != nil || !bytes.Equal(v, []byte{0, 0, 0, 0, 0, 0, 1, 0}) {
			t.Errorf("cursor: %v, %v", v, err)
		}
		if v, err := tx.LocalMeta("absent"); err != nil || v != nil {
			t.Errorf("absent: %v, %v", v, err)
		}
		return nil
	})
	mustSync(t, db, func(tx core.SyncTx) error { return tx.SetLocalMeta("cursor", nil) })
	t.Run("ErrReserved", func(t *testing.T) {
		for _, k := range []string{"signing_key", "origin", "team_mode", ""} {
			err := db.SyncUpdate(func(tx core.SyncTx) error { return tx.SetLocalMeta(k, []byte{1}) })
			wantKind(t, err, core.Internal)
		}
	})
}

// TestTx_ClearDataset checks the first step of a re-copy: the replicated records go, with
// their indexes and the published audit entries; this laptop's state stays.
func TestTx_ClearDataset(t *testing.T) {
	db := mustOpen(t)
	f := mustFixture(t, db)
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := tx.SetSigningKey([]byte("key")); err != nil {
			return err
		}
		return tx.PutThrottle("x@example.com", core.Throttle{Failures: 2})
	})
	published := &core.AuditEntry{At: t0, Action: "create", RecordID: f.anne.ID, Origin: uuid.New(), Rev: 3}
	mustSync(t, db, func(tx core.SyncTx) error {
		if err := tx.PutShadow(core.Shadow{Type: core.ClientRecord, ID: f.kevin.ID, Rev: 2}); err != nil {
			return err
		}
		if err := tx.AppendRemoteAudit(published); err != nil {
			return err
		}
		return tx.ClearDataset()
	})
	if err := db.Check(); err != nil {
		t.Fatalf("check after clear: %v", err)
	}
	mustView(t, db, func(tx core.Tx) error {
		for _, n := range []int{count(tx.Users(core.UserFilter{})), count(tx.Clients(core.ClientFilter{})),
			count(tx.Contracts(core.ContractFilter{})), count(tx.Events(core.EventFilter{}))} {
			if n != 0 {
				t.Errorf("%d records left", n)
			}
		}
		if _, err := tx.UserByEmail("anne@example.com"); core.KindOf(err) != core.NotFound {
			t.Errorf("email index left: %v", err)
		}
		all, _, err := tx.Audit(core.AuditFilter{})
		if err != nil || len(all) != 1 || all[0].Rev != 0 {
			t.Errorf("audit left: %+v, %v; want only the unpublished entry", all, err)
		}
		key, _ := tx.SigningKey()
		th, _ := tx.Throttle("x@example.com")
		if string(key) != "key" || th.Failures != 2 {
			t.Errorf("local state lost: key %q, throttle %+v", key, th)
		}
		return nil
	})
	mustSyncView(t, db, func(tx core.SyncTx) error {
		if _, found, _ := tx.Shadow(core.ClientRecord, f.kevin.ID); !found {
			t.Error("shadow lost")
		}
		return nil
	})
}

func count[R any](rs []R, _ int, _ error) int { return len(rs) }
