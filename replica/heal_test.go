package replica_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/etcdtest"
)

// flipRecord damages the stored value of one record the way a failing disk does (one bit in
// the middle), with the database closed.
func flipRecord(t *testing.T, path, bucket string, id uuid.UUID) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		v := append([]byte(nil), b.Get(id[:])...)
		if len(v) == 0 {
			t.Fatalf("no %s record %v", bucket, id)
		}
		v[len(v)/2] ^= 0x01
		return b.Put(id[:], v)
	}); err != nil {
		t.Fatal(err)
	}
}

func recopyFlag(t *testing.T, l *laptop) []byte {
	t.Helper()
	var v []byte
	if err := l.db.SyncView(func(tx core.SyncTx) error {
		var err error
		v, err = tx.LocalMeta(core.MetaRecopy)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEngine_RepairFromBackupHeals: management's laptop, away from the cluster, repairs a damaged
// client from a backup older than what it had already pulled. The backup's copy is stale and
// the sync cursor is past the colleague's change, so pulling alone would never bring it back:
// the repair asks for a re-copy, and the next sync takes the cluster's version, keeping the
// laptop's own change still waiting in its outbox.
func TestEngine_RepairFromBackupHeals(t *testing.T) {
	c := etcdtest.StartEmbedded(t, 1, etcdtest.Options{ClientCertAuth: true})
	tm := newTeam(t, c)
	backup := filepath.Join(t.TempDir(), "before.db")
	if _, err := tm.hq.svc.Backup(tm.admin, core.Destination{Path: backup}); err != nil {
		t.Fatal(err)
	}
	must[core.Client](t)(tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Notes: ptr("met after the backup")}))
	tm.road.sync()
	tm.hq.sync()
	if cl := must[core.Client](t)(tm.hq.svc.GetClient(tm.admin, tm.client.ID)); cl.Notes != "met after the backup" {
		t.Fatalf("hq did not pull the colleague's change: %q", cl.Notes)
	}
	tm.hq.close()
	flipRecord(t, tm.hq.path, "clients", tm.client.ID)
	tm.hq.open() // no Refetcher: the cluster is out of reach for this repair
	admin := tm.hq.login("ada@epicevents.com")
	total := dec("2500")
	must[core.Contract](t)(tm.hq.svc.UpdateContractAmounts(admin, tm.contract.ID, &total, nil))

	res, err := tm.hq.svc.Repair(context.Background(), admin, core.RepairOptions{Backup: backup})
	if err != nil || len(res.Restored) != 1 || res.Restored[0].Source != "backup before.db" || !res.Recopy {
		t.Fatalf("repair = %+v, %v", res, err)
	}
	if cl := must[core.Client](t)(tm.hq.svc.GetClient(admin, tm.client.ID)); cl.Notes != "" {
		t.Fatalf("the backup's copy should be the one put back, notes %q", cl.Notes)
	}
	if recopyFlag(t, tm.hq) == nil {
		t.Fatal("the repair left no re-copy request")
	}

	tm.hq.sync()
	if cl := must[core.Client](t)(tm.hq.svc.GetClient(admin, tm.client.ID)); cl.Notes != "met after the backup" {
		t.Fatalf("after the sync hq shows notes %q, want the cluster's", cl.Notes)
	}
	if k := must[core.Contract](t)(tm.hq.svc.GetContract(admin, tm.contract.ID)); !k.Total.Equal(total) {
		t.Fatalf("the change waiting in hq's outbox was lost by the re-copy: total %v", k.Total)
	}
	if recopyFlag(t, tm.hq) != nil {
		t.Fatal("the re-copy request outlived the re-copy")
	}
	if st, _ := tm.hq.eng.Status(ctx(t)); st.Outbox != 0 || st.Conflicts != 0 {
		t.Fatalf("status after the sync = %+v", st)
	}
	tm.road.sync()
	if k := must[core.Contract](t)(tm.road.svc.GetContract(tm.sales, tm.contract.ID)); !k.Total.Equal(total) {
		t.Fatalf("road shows total %v, want hq's %v", k.Total, total)
	}
}

// TestRepair_SoloAsksNoRecopy: a laptop not in a team repairs from its backup and leaves no
// re-copy request (there is no cluster to copy from).
func TestRepair_SoloAsksNoRecopy(t *testing.T) {
	l := newLaptop(t)
	if _, err := l.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	admin := l.login("ada@epicevents.com")
	u := must[core.User](t)(l.svc.CreateUser(admin, core.UserInput{FullName: "Sam Sales", Email: "sam@epicevents.com", Department: core.Commercial}, pw))
	cl := must[core.Client](t)(l.svc.CreateClient(admin, core.ClientInput{FullName: "Kevin Casey", Email: "kevin@startup.io",
		Phone: "+678 123 456 78", CompanyName: "Cool Startup", CommercialID: u.ID}))
	backup := filepath.Join(t.TempDir(), "solo.db")
	if _, err := l.svc.Backup(admin, core.Destination{Path: backup}); err != nil {
		t.Fatal(err)
	}
	l.close()
	flipRecord(t, l.path, "clients", cl.ID)
	l.open()
	admin = l.login("ada@epicevents.com")
	res, err := l.svc.Repair(context.Background(), admin, core.RepairOptions{Backup: backup})
	if err != nil || len(res.Restored) != 1 || res.Recopy {
		t.Fatalf("repair = %+v, %v", res, err)
	}
	if recopyFlag(t, l) != nil {
		t.Fatal("a solo repair left a re-copy request")
	}
}
