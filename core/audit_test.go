package core_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestService_Audit(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	if _, err := e.svc.UpdateClient(com, c.ID, core.ClientPatch{Phone: ptr("0102030405"), Notes: ptr("x")}); err != nil {
		t.Fatal(err)
	}
	k := e.contract(c, "100", true)
	// A refused change writes nothing.
	_, _ = e.svc.UpdateClient(com, c.ID, core.ClientPatch{Email: ptr("bad")})

	t.Run("OKPerRecord", func(t *testing.T) {
		entries, _, err := e.svc.Audit(e.admin, core.AuditQuery{RecordID: c.ID})
		if err != nil || len(entries) != 2 {
			t.Fatalf("%d entries, %v", len(entries), err)
		}
		upd := entries[1]
		if upd.Action != core.ActionUpdate || upd.ActorID != com.ID() || upd.Record != core.ClientRecord ||
			strings.Join(upd.Fields, ",") != "phone,notes" || upd.At.IsZero() {
			t.Fatalf("%+v", upd)
		}
		kEntries, _, _ := e.svc.Audit(e.admin, core.AuditQuery{RecordID: k.ID})
		if len(kEntries) != 2 || kEntries[0].Action != core.ActionCreate || kEntries[1].Action != core.ActionSign {
			t.Fatalf("contract trail %+v", kEntries)
		}
	})
	t.Run("OKWholeTrailOrdered", func(t *testing.T) {
		all, _, err := e.svc.Audit(e.admin, core.AuditQuery{})
		if err != nil || len(all) < 6 {
			t.Fatalf("%d entries, %v", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Fatalf("trail out of order at %d", i)
			}
		}
		tail, _, _ := e.svc.Audit(e.admin, core.AuditQuery{AfterSeq: all[len(all)-2].Seq})
		if len(tail) != 1 || tail[0].Seq != all[len(all)-1].Seq {
			t.Fatalf("after seq: %+v", tail)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, _, err := e.svc.Audit(com, core.AuditQuery{})
		wantKind(t, err, core.Forbidden)
	})
}

func TestService_ResolveID(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	hex := strings.ReplaceAll(c.ID.String(), "-", "")
	for _, ref := range []string{c.ID.String(), hex[:8], strings.ToUpper(hex[:10]), c.ID.String()[:13]} {
		id, err := e.svc.ResolveID(com, core.ClientRecord, ref)
		if err != nil || id != c.ID {
			t.Errorf("ResolveID(%q) = %v, %v", ref, id, err)
		}
	}
	_, err := e.svc.ResolveID(com, core.ClientRecord, hex[:7])
	wantKind(t, err, core.Invalid)
	_, err = e.svc.ResolveID(com, core.ClientRecord, "zzzzzzzz")
	wantKind(t, err, core.Invalid)
	_, err = e.svc.ResolveID(com, core.ContractRecord, hex[:8])
	wantKind(t, err, core.NotFound)
	if id, err := e.svc.ResolveUser(com, " ADA@epicevents.com"); err != nil || id != e.admin.ID() {
		t.Fatalf("by email: %v %v", id, err)
	}
	_, err = e.svc.ResolveUser(com, "nobody@epicevents.com")
	wantKind(t, err, core.NotFound)
	// An ambiguous prefix: insert two clients whose ids share 8 characters.
	a, b := uuid.MustParse("abcdef01-0000-4000-8000-000000000001"), uuid.MustParse("abcdef01-0000-4000-8000-000000000002")
	err = e.db.Update(func(tx core.Tx) error {
		for i, id := range []uuid.UUID{a, b} {
			x := c
			x.ID, x.Email = id, []string{"a@x.fr", "b@x.fr"}[i]
			if err := tx.PutClient(&x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ResolveID(com, core.ClientRecord, "abcdef01")
	wantKind(t, err, core.Conflict)
	if id, err := e.svc.ResolveID(com, core.ClientRecord, "abcdef01-0000-4000-8000-000000000002"); err != nil || id != b {
		t.Fatal(err)
	}
}
