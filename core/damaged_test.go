package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// damage changes one byte of a stored client behind the store's back, as a failing disk would.
func (e *env) damage(c core.Client) {
	e.t.Helper()
	e.damageIn("clients", c.ID)
}

// damageIn changes one byte of a stored record of a bucket ("clients", "contracts", "events")
// behind the store's back. The database is closed without its check from then on (it is
// damaged on purpose), at the latest when the test ends.
func (e *env) damageIn(bucket string, id uuid.UUID) {
	e.t.Helper()
	e.closeUnchecked()
	e.t.Cleanup(e.closeUnchecked)
	db, err := bbolt.Open(e.path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		v := append([]byte(nil), b.Get(id[:])...)
		v[len(v)/2] ^= 0x01
		return b.Put(id[:], v)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

func (e *env) closeUnchecked() {
	if e.db != nil {
		_ = e.db.Close()
		e.db = nil
	}
}

func TestService_DamagedRecord(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	good, bad := e.client(com), e.client(com)
	e.damage(bad)
	t.Cleanup(func() { // the database is damaged on purpose: closed without the check
		_ = e.db.Close()
		e.db = nil
	})
	t.Run("ErrDamagedGet", func(t *testing.T) {
		_, err := e.svc.GetClient(e.admin, bad.ID)
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Kind != core.Damaged || ce.Code != core.CodeRecordDamaged ||
			ce.Record != core.ClientRecord || ce.ID != bad.ID {
			t.Fatalf("get a damaged client: %#v", err)
		}
		if _, err := e.svc.GetClient(e.admin, good.ID); err != nil {
			t.Fatalf("the other client: %v", err)
		}
	})
	t.Run("OKListHides", func(t *testing.T) {
		list, hidden, err := e.svc.ListClients(com, core.ClientQuery{Mine: true})
		if err != nil || hidden != 1 || len(list) != 1 || list[0].ID != good.ID {
			t.Fatalf("list: %d clients, %d hidden, %v", len(list), hidden, err)
		}
		if msg := core.HiddenMessage(hidden); msg != "1 damaged record hidden — run Check" {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("ErrDamagedChange", func(t *testing.T) {
		// Deleting the commercial must not ignore the damaged client that names them.
		if err := e.svc.DeleteClient(e.admin, good.ID); err != nil {
			t.Fatal(err)
		}
		err := e.svc.DeleteUser(e.admin, com.ID())
		wantKind(t, err, core.Damaged)
		_, err = e.svc.UpdateClient(e.admin, bad.ID, core.ClientPatch{Notes: ptr("x")})
		wantKind(t, err, core.Damaged)
	})
	t.Run("OKMonitoredOnce", func(t *testing.T) {
		for range 3 {
			_, _ = e.svc.GetClient(e.admin, bad.ID)
		}
		n := 0
		e.mon.mu.Lock()
		for _, ev := range e.mon.events {
			if ev.Name != core.EventRecordDamaged {
				continue
			}
			if ev.Tags["record_type"] != "client" || len(ev.Tags) > 2 || ev.Message != "a stored record failed its checksum" {
				t.Errorf("event %+v", ev)
			}
			if ev.Tags["record_id"] == bad.ID.String() {
				n++
			}
		}
		errs := len(e.mon.errors)
		e.mon.mu.Unlock()
		if n != 1 || errs != 0 {
			t.Fatalf("%d damage events for the client, %d errors reported; want 1 event, no error", n, errs)
		}
	})
}
