package core_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/epicevents/crm/core"
)

// fakeRefetcher stands for the team's cluster: it holds healthy copies of some records.
type fakeRefetcher struct {
	copies map[core.RecordRef]core.Fetched
	err    error
	asked  [][]core.RecordRef
}

func (f *fakeRefetcher) Refetch(_ context.Context, refs []core.RecordRef) ([]core.Fetched, error) {
	f.asked = append(f.asked, refs)
	if f.err != nil {
		return nil, f.err
	}
	var out []core.Fetched
	for _, r := range refs {
		if c, ok := f.copies[r]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// integrityEnv has a backed-up client, changed after the backup, then damaged.
type integrityEnv struct {
	*env
	com  *core.Actor
	bad  core.Client // as it is now (after the backup)
	was  core.Client // as the backup holds it
	ref  core.RecordRef
	file string
}

func mustIntegrityEnv(t *testing.T) integrityEnv {
	t.Helper()
	e := mustEnv(t)
	w := integrityEnv{env: e, com: e.user("Carl Commercial", core.Commercial)}
	w.was = e.client(w.com)
	w.file = filepath.Join(t.TempDir(), "friday.db")
	if _, err := e.svc.Backup(e.admin, core.Destination{Path: w.file}); err != nil {
		t.Fatal(err)
	}
	bad, err := e.svc.UpdateClient(e.admin, w.was.ID, core.ClientPatch{Notes: ptr("called on Monday")})
	if err != nil {
		t.Fatal(err)
	}
	w.bad, w.ref = bad, core.RecordRef{Type: core.ClientRecord, ID: bad.ID}
	e.damage(bad)
	return w
}

func (w integrityEnv) service(r core.Refetcher) *core.Service {
	return core.NewService(w.db, core.Options{Clock: w.clock.Now, Monitor: w.mon, Refetcher: r})
}

func TestService_Inspect(t *testing.T) {
	w := mustIntegrityEnv(t)
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := w.svc.Inspect(w.com)
		wantKind(t, err, core.Forbidden)
		_, err = w.svc.Repair(context.Background(), w.com, core.RepairOptions{})
		wantKind(t, err, core.Forbidden)
		if rep, _ := w.svc.Inspect(w.admin); len(rep.Records) != 1 {
			t.Fatal("a refused repair changed the database")
		}
	})
	t.Run("OKNamesAndMonitorsOnce", func(t *testing.T) {
		for range 2 {
			rep, err := w.svc.Inspect(w.admin)
			if err != nil || !slices.Equal(rep.Records, []core.RecordRef{w.ref}) || rep.Advice() == "" {
				t.Fatalf("report %+v, %v", rep, err)
			}
		}
		n := 0
		w.mon.mu.Lock()
		for _, ev := range w.mon.events {
			if ev.Name == core.EventRecordDamaged && ev.Tags["record_id"] == w.bad.ID.String() && ev.Tags["record_type"] == "client" {
				n++
			}
		}
		w.mon.mu.Unlock()
		if n != 1 {
			t.Fatalf("%d monitoring events for the damaged client, want 1", n)
		}
	})
	t.Run("OKRepairFromGivenBackup", func(t *testing.T) {
		res, err := w.svc.Repair(context.Background(), w.admin, core.RepairOptions{Backup: w.file})
		if err != nil || len(res.Restored) != 1 || len(res.Summary()) == 0 {
			t.Fatalf("result %+v, %v", res, err)
		}
		if rep, err := w.svc.Inspect(w.admin); err != nil || !rep.OK() {
			t.Fatalf("after repair: %v, %v", rep.Lines(), err)
		}
	})
}

// TestService_Repair_RefetcherFirst: the cluster's copy is taken before the backup's.
func TestService_Repair_RefetcherFirst(t *testing.T) {
	w := mustIntegrityEnv(t)
	r := &fakeRefetcher{copies: map[core.RecordRef]core.Fetched{w.ref: {Record: w.bad.Wire(), Rev: 3}}}
	res, err := w.service(r).Repair(context.Background(), w.admin, core.RepairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.asked) != 1 || !slices.Equal(r.asked[0], []core.RecordRef{w.ref}) {
		t.Fatalf("the refetcher was asked %v", r.asked)
	}
	if len(res.Restored) != 1 || res.Restored[0].Source != "cluster" || !res.After.OK() {
		t.Fatalf("result %+v", res)
	}
	c, err := w.svc.GetClient(w.admin, w.bad.ID)
	if err != nil || c.Notes != "called on Monday" {
		t.Fatalf("after repair: %q, %v", c.Notes, err)
	}
	wantRepairEntry(t, w, "cluster", nil)
}

// TestService_Repair_BackupWhenClusterFails: a refetcher that fails leaves the backup as the
// source; the audit entry names it and the note changed since, lost.
func TestService_Repair_BackupWhenClusterFails(t *testing.T) {
	w := mustIntegrityEnv(t)
	r := &fakeRefetcher{err: errors.New("cluster out of reach")}
	res, err := w.service(r).Repair(context.Background(), w.admin, core.RepairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Restored) != 1 || res.Restored[0].Source != "backup friday.db" || res.Backup != w.file {
		t.Fatalf("result %+v", res)
	}
	c, err := w.svc.GetClient(w.admin, w.bad.ID)
	if err != nil || c.Notes != w.was.Notes {
		t.Fatalf("after repair: %q, %v; want the backup's %q", c.Notes, err, w.was.Notes)
	}
	wantRepairEntry(t, w, "backup friday.db", []string{"notes"})
}

func wantRepairEntry(t *testing.T, w integrityEnv, source string, lost []string) {
	t.Helper()
	es, _, err := w.svc.Audit(w.admin, core.AuditQuery{RecordID: w.bad.ID})
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Action != core.ActionRepairRestore || last.Source != source || !slices.Equal(last.Fields, lost) ||
		last.ActorID != w.admin.ID() {
		t.Fatalf("last audit entry of the client: %+v", last)
	}
}
