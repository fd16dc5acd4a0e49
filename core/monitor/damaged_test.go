package monitor_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// TestSentry_DamagedRecords: each damaged record reaches Sentry as one event — its type and
// id, never its content — however often lists, reads and checks meet it.
func TestSentry_DamagedRecords(t *testing.T) {
	in := newIngest(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "crm.db")
	db, err := storage.Open(path, storage.Options{})
	must(t, err)
	svc := core.NewService(db, core.Options{})
	admin := initAdmin(t, svc)
	com, err := svc.CreateUser(admin, core.UserInput{FullName: comName, Email: comEmail, Department: core.Commercial}, comPW)
	must(t, err)
	var clients []core.Client
	for _, who := range []struct{ name, email string }{{"Kim Client", clientMail}, {"Lou Damaged", "lou.damaged@client.example"},
		{"Max Damaged", "max.damaged@client.example"}} {
		c, err := svc.CreateClient(admin, core.ClientInput{FullName: who.name, Email: who.email, Phone: clientTel,
			CompanyName: "Secret Company SA", Notes: "private note", CommercialID: com.ID})
		must(t, err)
		clients = append(clients, c)
	}
	must(t, db.Close())
	bad := clients[1:]
	flip(t, path, bad[0], bad[1])

	mon := newMonitor(t, in.dsn(), dir)
	db, err = storage.Open(path, storage.Options{})
	must(t, err)
	t.Cleanup(func() { db.Close() })
	svc = core.NewService(db, core.Options{Monitor: mon})
	admin, err = svc.Login(adminEmail, adminPW)
	must(t, err)
	for range 2 {
		if _, hidden, err := svc.ListClients(admin, core.ClientQuery{}); err != nil || hidden != 2 {
			t.Fatalf("list: %d hidden, %v", hidden, err)
		}
		if _, err := svc.GetClient(admin, bad[0].ID); core.KindOf(err) != core.Damaged {
			t.Fatalf("get a damaged client: %v", err)
		}
		rep, err := svc.Inspect(admin)
		if err != nil || len(rep.Records) != 2 {
			t.Fatalf("inspect: %v, %v", rep.Lines(), err)
		}
	}

	events := in.settled(t, mon, dir)
	var got []string
	for _, e := range events {
		if str(e, "tags", "event") != core.EventRecordDamaged {
			continue
		}
		if str(e, "tags", "record_type") != "client" || str(e, "level") != "warning" ||
			str(e, "message") != "a stored record failed its checksum" {
			t.Errorf("event %v", e)
		}
		got = append(got, str(e, "tags", "record_id"))
	}
	want := []string{bad[0].ID.String(), bad[1].ID.String()}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("damage events for %v, want one for each of %v", got, want)
	}
	_, _, bodies := in.snapshot()
	assertClean(t, bodies, dir, adminPW, comPW, comName, comEmail, clientMail, clientTel, "Lou Damaged",
		"lou.damaged@client.example", "Max Damaged", "max.damaged@client.example", "Secret Company", "private note")
}

// flip changes one bit in the middle of each client's stored bytes, as a failing disk would.
func flip(t *testing.T, path string, cs ...core.Client) {
	t.Helper()
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	must(t, err)
	err = b.Update(func(tx *bbolt.Tx) error {
		bk := tx.Bucket([]byte("clients"))
		for _, c := range cs {
			v := append([]byte(nil), bk.Get(c.ID[:])...)
			v[len(v)/2] ^= 0x01
			if err := bk.Put(c.ID[:], v); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err)
	must(t, b.Close())
}
