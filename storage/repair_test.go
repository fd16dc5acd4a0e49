package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage/storagetest"
)

// flipStored flips one bit in the middle of a stored value, as a failing disk would.
func flipStored(t *testing.T, db *DB, bucket, key []byte) {
	t.Helper()
	breakDB(t, db, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucket)
		v := bytes.Clone(b.Get(key))
		if v == nil {
			t.Fatalf("%s has no key %x", bucket, key)
		}
		v[len(v)/2] ^= 0x01
		return b.Put(key, v)
	})
}

// repairWorld is a fixture backed up, then changed: kevin's phone changed after the backup and
// a client, late, created after it; both are then damaged, with an index entry of kevin's.
type repairWorld struct {
	fixture
	late   *core.Client
	backup string
}

func newRepairWorld(t *testing.T, db *DB) repairWorld {
	t.Helper()
	w := repairWorld{fixture: mustFixture(t, db), backup: filepath.Join(t.TempDir(), "monday.db")}
	if _, err := db.Backup(core.Destination{Path: w.backup}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.LastBackup(); err != nil || got != w.backup {
		t.Fatalf("last backup %q, %v; want %q", got, err, w.backup)
	}
	w.late = newClient("Late Comer", "late@example.com", w.anne.ID)
	mustUpdate(t, db, func(tx core.Tx) error {
		k := *w.kevin
		k.Phone = "+33 7 00 00 00 00"
		if err := tx.PutClient(&k); err != nil {
			return err
		}
		if err := tx.AppendAudit(&core.AuditEntry{At: t0, Action: core.ActionUpdate, Record: core.ClientRecord, RecordID: k.ID, Fields: []string{"phone"}}); err != nil {
			return err
		}
		if err := tx.PutClient(w.late); err != nil {
			return err
		}
		return tx.AppendAudit(&core.AuditEntry{At: t0, Action: core.ActionCreate, Record: core.ClientRecord, RecordID: w.late.ID})
	})
	flipStored(t, db, bucketClients, w.kevin.ID[:])
	flipStored(t, db, bucketClients, w.late.ID[:])
	flipStored(t, db, idxContractsByClient.name, append(bytes.Clone(w.kevin.ID[:]), w.k.ID[:]...))
	return w
}

func TestDB_Inspect(t *testing.T) {
	db := mustOpenUnchecked(t)
	w := newRepairWorld(t, db)
	rep, err := db.Inspect()
	if err != nil {
		t.Fatal(err)
	}
	want := []core.RecordRef{{Type: core.ClientRecord, ID: w.kevin.ID}, {Type: core.ClientRecord, ID: w.late.ID}}
	if len(rep.Records) != 2 || !slices.Contains(rep.Records, want[0]) || !slices.Contains(rep.Records, want[1]) {
		t.Fatalf("damaged records %v, want %v", rep.Records, want)
	}
	found := false
	for _, x := range rep.Indexes {
		if x.Index == "idx_contracts_by_client" && x.Record == (core.RecordRef{Type: core.ContractRecord, ID: w.k.ID}) {
			found = true
		}
	}
	if !found || len(rep.Other) != 0 {
		t.Fatalf("index problems %+v, other %v", rep.Indexes, rep.Other)
	}
	lines := strings.Join(rep.Lines(), "\n")
	for _, s := range []string{"damaged client " + w.kevin.ID.String(), "damaged client " + w.late.ID.String(),
		"idx_contracts_by_client: contract " + w.k.ID.String()} {
		if !strings.Contains(lines, s) {
			t.Errorf("report lines %q lack %q", lines, s)
		}
	}
	if !strings.Contains(rep.Advice(), "epicevents repair") {
		t.Errorf("advice %q", rep.Advice())
	}
}

// TestDB_Repair: kevin comes back from the last backup with the audit trail naming the phone
// change lost, late (not in the backup) is removed and said lost, the indexes are rebuilt,
// the damaged file is kept, and the database checks clean (mustOpen's cleanup).
func TestDB_Repair(t *testing.T) {
	db := mustOpen(t)
	w := newRepairWorld(t, db)
	res, err := db.Repair(core.RepairOptions{At: t0, ActorID: w.anne.ID})
	if err != nil {
		t.Fatal(err)
	}
	kevin := core.RecordRef{Type: core.ClientRecord, ID: w.kevin.ID}
	late := core.RecordRef{Type: core.ClientRecord, ID: w.late.ID}
	if len(res.Restored) != 1 || res.Restored[0].Record != kevin || res.Restored[0].Source != "backup monday.db" ||
		!slices.Equal(res.Restored[0].Lost, []string{"phone"}) {
		t.Fatalf("restored %+v", res.Restored)
	}
	if !slices.Equal(res.Lost, []core.RecordRef{late}) || res.Backup != w.backup || !res.After.OK() {
		t.Fatalf("lost %v, backup %q, after %v", res.Lost, res.Backup, res.After.Lines())
	}
	if _, err := os.Stat(res.Kept); err != nil || !strings.HasSuffix(res.Kept, ".damaged") {
		t.Fatalf("kept copy %q: %v", res.Kept, err)
	}
	mustView(t, db, func(tx core.Tx) error {
		c, err := tx.Client(w.kevin.ID)
		if err != nil || c.Phone != w.kevin.Phone {
			t.Errorf("kevin after repair: %+v, %v (want the backup's phone %q)", c, err, w.kevin.Phone)
		}
		if _, err := tx.Client(w.late.ID); core.KindOf(err) != core.NotFound {
			t.Errorf("late after repair: %v, want not found", err)
		}
		ks, hidden, err := tx.Contracts(core.ContractFilter{ClientID: w.kevin.ID})
		if err != nil || hidden != 0 || len(ks) != 1 {
			t.Errorf("kevin's contracts through the rebuilt index: %d, %d hidden, %v", len(ks), hidden, err)
		}
		es, _, err := tx.Audit(core.AuditFilter{})
		if err != nil {
			return err
		}
		var got []string
		for _, e := range es {
			if strings.HasPrefix(e.Action, "repair") {
				got = append(got, e.Action+" "+e.RecordID.String()+" "+e.Source+" "+strings.Join(e.Fields, ","))
				if e.ActorID != w.anne.ID {
					t.Errorf("repair entry by %v", e.ActorID)
				}
			}
		}
		want := []string{"repair_restore " + w.kevin.ID.String() + " backup monday.db phone",
			"repair_lost " + w.late.ID.String() + "  "}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("repair audit entries %q, want %q", got, want)
		}
		return nil
	})
}

// TestDB_RepairFetchedFirst: a copy from the cluster wins over the backup's.
func TestDB_RepairFetchedFirst(t *testing.T) {
	db := mustOpen(t)
	w := newRepairWorld(t, db)
	fresh := *w.kevin
	fresh.Phone = "+33 7 00 00 00 00"
	res, err := db.Repair(core.RepairOptions{At: t0, Fetched: []core.Fetched{{Record: fresh.Wire(), Rev: 7}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Restored) != 1 || res.Restored[0].Source != "cluster" || len(res.Lost) != 1 {
		t.Fatalf("restored %+v, lost %v", res.Restored, res.Lost)
	}
	mustView(t, db, func(tx core.Tx) error {
		c, err := tx.Client(w.kevin.ID)
		if err != nil || c.Phone != fresh.Phone {
			t.Errorf("kevin after repair: %+v, %v", c, err)
		}
		return nil
	})
}

// TestDB_RepairWithoutBackup: with no backup, damaged records are removed and said lost;
// a backup that is not a database is refused and nothing changes.
func TestDB_RepairWithoutBackup(t *testing.T) {
	db := mustOpen(t)
	w := newRepairWorld(t, db)
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Repair(core.RepairOptions{At: t0, Backup: junk}); core.KindOf(err) != core.Invalid {
		t.Fatalf("repair from junk: %v", err)
	}
	if rep, _ := db.Inspect(); len(rep.Records) != 2 {
		t.Fatalf("a refused repair changed the database: %v", rep.Lines())
	}
	if err := os.Remove(w.backup); err != nil {
		t.Fatal(err)
	}
	res, err := db.Repair(core.RepairOptions{At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Restored) != 0 || len(res.Lost) != 2 || res.Backup != "" {
		t.Fatalf("restored %+v, lost %v, backup %q", res.Restored, res.Lost, res.Backup)
	}
}

// TestDB_RepairDiskFull: with no room for the copy of the damaged file, repair says the disk is
// full and changes nothing; once room is made it repairs.
func TestDB_RepairDiskFull(t *testing.T) {
	dir := storagetest.MountTmpfs(t, 8<<20)
	db, err := Open(filepath.Join(dir, "epicevents.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	newRepairWorld(t, db)
	free := storagetest.FillDisk(t, dir)
	_, err = db.Repair(core.RepairOptions{At: t0})
	if core.CodeOf(err) != core.CodeDiskFull || core.MessageOf(err) != core.Text(core.CodeDiskFull) {
		t.Fatalf("repair on a full disk: %v", err)
	}
	if rep, _ := db.Inspect(); len(rep.Records) != 2 {
		t.Fatalf("the refused repair changed the database: %v", rep.Lines())
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "*.damaged")); len(kept) != 0 {
		t.Fatalf("the refused repair left %v", kept)
	}
	free()
	res, err := db.Repair(core.RepairOptions{At: t0})
	if err != nil || !res.After.OK() {
		t.Fatalf("repair once room is made: %+v, %v", res, err)
	}
}
