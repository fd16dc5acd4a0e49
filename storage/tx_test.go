package storage

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestTx_SigningKey(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		mustView(t, db, func(tx core.Tx) error {
			if v, err := tx.SigningKey(); err != nil || v != nil {
				t.Errorf("before: %v, %v", v, err)
			}
			return nil
		})
		mustUpdate(t, db, func(tx core.Tx) error { return tx.SetSigningKey([]byte{1, 2, 3}) })
		mustView(t, db, func(tx core.Tx) error {
			v, err := tx.SigningKey()
			if err != nil || string(v) != "\x01\x02\x03" {
				t.Errorf("got %v, %v", v, err)
			}
			return nil
		})
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		db := mustOpen(t)
		err := db.Update(func(tx core.Tx) error { return tx.SetSigningKey(nil) })
		wantKind(t, err, core.Internal)
	})
	t.Run("ErrReadOnlyTx", func(t *testing.T) {
		db := mustOpen(t)
		err := db.View(func(tx core.Tx) error { return tx.SetSigningKey([]byte{1}) })
		wantKind(t, err, core.Internal)
	})
}

func TestTx_IDsWithPrefix(t *testing.T) {
	db := mustOpen(t)
	mk := func(s string) uuid.UUID { return uuid.MustParse(s) }
	clientIDs := []uuid.UUID{
		mk("a1b2c3d4-0000-4000-8000-000000000001"),
		mk("a1b2c3d4-0000-4000-8000-000000000002"),
		mk("a1b3c3d4-0000-4000-8000-000000000003"),
		mk("a2000000-0000-4000-8000-000000000004"),
		mk("b0000000-0000-4000-8000-000000000005"),
	}
	mustUpdate(t, db, func(tx core.Tx) error {
		for i, id := range clientIDs {
			c := newClient("Client", strings.Repeat("c", i+1)+"@example.com", uuid.New())
			c.ID = id
			if err := tx.PutClient(c); err != nil {
				return err
			}
		}
		u := newUser("a@example.com", "EE000001", core.Support)
		u.ID = mk("a1b2c3d4-0000-4000-8000-0000000000ff")
		return tx.PutUser(u)
	})
	for _, c := range []struct {
		prefix string
		limit  int
		want   []int
	}{
		{"a", 0, []int{0, 1, 2, 3}},
		{"a1", 0, []int{0, 1, 2}},
		{"a1b", 0, []int{0, 1, 2}},
		{"a1b2", 0, []int{0, 1}},
		{"a1b2c", 0, []int{0, 1}},
		{"A1B2C3D4", 0, []int{0, 1}},
		{"a1b2c3d4000040008000000000000002", 0, []int{1}},
		{"a1b2c3d40000400080000000000000020", 0, nil},
		{"a1b2c3d4000040008000000000000009", 0, nil},
		{"b", 0, []int{4}},
		{"c", 0, nil},
		{"a", 2, []int{0, 1}},
		{"", 0, []int{0, 1, 2, 3, 4}},
		{"zz", 0, nil},
		{"a-", 0, nil},
	} {
		t.Run(fmt.Sprintf("prefix=%s,limit=%d", c.prefix, c.limit), func(t *testing.T) {
			mustView(t, db, func(tx core.Tx) error {
				got, err := tx.IDsWithPrefix(core.ClientRecord, c.prefix, c.limit)
				if err != nil {
					return err
				}
				var want []uuid.UUID
				for _, i := range c.want {
					want = append(want, clientIDs[i])
				}
				if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("got %v, want %v", got, want)
				}
				return nil
			})
		})
	}
	t.Run("ErrUnknownType", func(t *testing.T) {
		err := db.View(func(tx core.Tx) error {
			_, err := tx.IDsWithPrefix("nonsense", "a", 0)
			return err
		})
		wantKind(t, err, core.Internal)
	})
	t.Run("OtherType", func(t *testing.T) {
		mustView(t, db, func(tx core.Tx) error {
			got, err := tx.IDsWithPrefix(core.UserRecord, "a1b2", 0)
			if err != nil || len(got) != 1 {
				t.Errorf("users: %v, %v", got, err)
			}
			return nil
		})
	})
}

func TestTx_Throttle(t *testing.T) {
	db := mustOpen(t)
	want := core.Throttle{Failures: 6, LockedUntil: t0.Add(30 * time.Second)}
	mustUpdate(t, db, func(tx core.Tx) error { return tx.PutThrottle("Anne@Example.com ", want) })
	mustView(t, db, func(tx core.Tx) error {
		got, err := tx.Throttle("anne@example.com")
		if err != nil || got != want {
			t.Errorf("got %+v, %v; want %+v", got, err, want)
		}
		got, err = tx.Throttle("other@example.com")
		if err != nil || got != (core.Throttle{}) {
			t.Errorf("absent: %+v, %v", got, err)
		}
		return nil
	})
	mustUpdate(t, db, func(tx core.Tx) error { return tx.PutThrottle("anne@example.com", core.Throttle{}) })
	mustView(t, db, func(ctx core.Tx) error {
		b, err := ctx.(*tx).bucket(bucketLocalThrottle)
		if err != nil {
			return err
		}
		if n := b.Stats().KeyN; n != 0 {
			t.Errorf("zero throttle kept: %d keys", n)
		}
		return nil
	})
}

func TestTx_Audit(t *testing.T) {
	db := mustOpen(t)
	rec1, rec2, actor := uuid.New(), uuid.New(), uuid.New()
	entries := []core.AuditEntry{
		{At: t0, ActorID: uuid.Nil, Action: core.ActionCreate, Record: core.UserRecord, RecordID: actor},
		{At: t0.Add(1), ActorID: actor, Action: core.ActionCreate, Record: core.ClientRecord, RecordID: rec1, Fields: []string{"full_name", "email"}},
		{At: t0.Add(2), ActorID: actor, Action: core.ActionUpdate, Record: core.ClientRecord, RecordID: rec1, Fields: []string{"phone"}},
		{At: t0.Add(3), ActorID: actor, Action: core.ActionCreate, Record: core.ContractRecord, RecordID: rec2},
		{At: t0.Add(4), ActorID: actor, Action: core.ActionDelete, Record: core.ClientRecord, RecordID: rec1},
	}
	t.Run("AppendAudit", func(t *testing.T) {
		for i := range entries {
			mustUpdate(t, db, func(tx core.Tx) error { return tx.AppendAudit(&entries[i]) })
			if entries[i].Seq != uint64(i+1) {
				t.Fatalf("entry %d: seq %d", i, entries[i].Seq)
			}
		}
	})
	t.Run("AppendAuditRolledBack", func(t *testing.T) {
		e := core.AuditEntry{At: t0, Action: core.ActionLogout, Record: core.UserRecord, RecordID: actor}
		err := db.Update(func(tx core.Tx) error {
			if err := tx.AppendAudit(&e); err != nil {
				return err
			}
			return errAbort
		})
		if err != errAbort {
			t.Fatal(err)
		}
	})
	for _, c := range []struct {
		name string
		f    core.AuditFilter
		want []int
	}{
		{"All", core.AuditFilter{}, []int{0, 1, 2, 3, 4}},
		{"Record", core.AuditFilter{RecordID: rec1}, []int{1, 2, 4}},
		{"RecordAfter", core.AuditFilter{RecordID: rec1, AfterSeq: 2}, []int{2, 4}},
		{"RecordLimit", core.AuditFilter{RecordID: rec1, Limit: 2}, []int{1, 2}},
		{"After", core.AuditFilter{AfterSeq: 3}, []int{3, 4}},
		{"AfterAll", core.AuditFilter{AfterSeq: 5}, nil},
		{"AfterMax", core.AuditFilter{AfterSeq: ^uint64(0)}, nil},
		{"Limit", core.AuditFilter{Limit: 1}, []int{0}},
		{"UnknownRecord", core.AuditFilter{RecordID: uuid.New()}, nil},
	} {
		t.Run("Audit/"+c.name, func(t *testing.T) {
			mustView(t, db, func(tx core.Tx) error {
				got, _, err := tx.Audit(c.f)
				if err != nil {
					return err
				}
				if len(got) != len(c.want) {
					t.Fatalf("got %d entries, want %d", len(got), len(c.want))
				}
				for i, w := range c.want {
					if !sameAudit(got[i], entries[w]) {
						t.Errorf("entry %d: got %+v, want %+v", i, got[i], entries[w])
					}
				}
				return nil
			})
		})
	}
}
