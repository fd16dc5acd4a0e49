package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// damageClientOfContract changes one byte of the stored client of a contract behind the
// store's back, as a failing disk would, and returns the client's id.
func damageClientOfContract(t *testing.T, path string) uuid.UUID {
	t.Helper()
	id := seedID(t, path, "a contract", func(tx core.Tx) (id uuid.UUID, err error) {
		ks, _, err := tx.Contracts(core.ContractFilter{})
		if len(ks) > 0 {
			id = ks[0].ClientID
		}
		return id, err
	})
	flipValueByte(t, path, "clients", id[:])
	return id
}

// seedID opens the database at path, finds an id in it and closes it; the test fails when
// find finds none.
func seedID(t *testing.T, path, what string, find func(tx core.Tx) (uuid.UUID, error)) uuid.UUID {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	mustNoErr(t, err)
	var id uuid.UUID
	err = db.View(func(tx core.Tx) (err error) {
		id, err = find(tx)
		return err
	})
	mustNoErr(t, err)
	mustNoErr(t, db.Close())
	if id == uuid.Nil {
		t.Fatalf("the seed database has no %s", what)
	}
	return id
}

// flipValueByte flips one bit in the middle of the value of key in bucket.
func flipValueByte(t *testing.T, path, bucket string, key []byte) {
	t.Helper()
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	mustNoErr(t, err)
	err = b.Update(func(tx *bbolt.Tx) error {
		bk := tx.Bucket([]byte(bucket))
		v := append([]byte(nil), bk.Get(key)...)
		v[len(v)/2] ^= 0x01
		return bk.Put(key, v)
	})
	mustNoErr(t, err)
	mustNoErr(t, b.Close())
}

// TestDamaged_ListsSayHidden: a list leaves a damaged record out and its status line says so;
// opening a contract whose client is damaged shows a dialog naming the client, and the rest of
// the window keeps working.
func TestDamaged_ListsSayHidden(t *testing.T) {
	var bad uuid.UUID
	e := newEnvWith(t, true, func(path string) { bad = damageClientOfContract(t, path) })
	g := e.startAs(adminEmail)
	m := g.main
	status := m.clients.status.Text
	if !strings.Contains(status, "1 damaged record hidden — run Check") {
		t.Fatalf("clients status line: %q", status)
	}
	for _, r := range m.clients.table.rows {
		if r.ID == bad {
			t.Fatal("the damaged client is listed")
		}
	}
	if s := m.contracts.status.Text; strings.Contains(s, "damaged") {
		t.Errorf("contracts status line: %q (no contract is damaged)", s)
	}

	row := -1
	for i, r := range m.contracts.table.rows {
		if r.ClientID == bad {
			row = i
		}
	}
	if row < 0 {
		t.Fatal("the contract of the damaged client is not listed")
	}
	openRow(g, m.contracts, row)
	got := dialogTexts(g)
	want := "he stored client " + bad.String() + " is damaged and is not shown; run a database check"
	if !strings.Contains(got, want) {
		t.Fatalf("the dialog says %q, want %q", got, want)
	}
	// The rest of the window works: dismiss, reload the clients, open another one.
	g.win.Canvas().Overlays().Top().Hide()
	g.win.Canvas().Overlays().Remove(g.win.Canvas().Overlays().Top())
	m.clients.refresh()
	g.settle()
	if len(m.clients.table.rows) == 0 || !strings.Contains(m.clients.status.Text, "1 damaged record hidden") {
		t.Fatalf("after the dialog: %d clients, status %q", len(m.clients.table.rows), m.clients.status.Text)
	}
	openRow(g, m.clients, 0)
	if _, ok := m.form.(*clientForm); !ok {
		t.Fatalf("a healthy client does not open: %T", m.form)
	}
}

func TestDamaged_French(t *testing.T) {
	inFrench(t)
	e := newEnvWith(t, true, func(path string) { damageClientOfContract(t, path) })
	g := e.startAs(adminEmail)
	if s := g.main.clients.status.Text; !strings.Contains(s, "1 enregistrement endommagé masqué — lancez la vérification") {
		t.Fatalf("status line: %q", s)
	}
	if got := hiddenText(3); got != "3 enregistrements endommagés masqués — lancez la vérification" {
		t.Errorf("hiddenText(3) = %q", got)
	}
}

// TestDamaged_EnglishIsCore: the window's English sentences are core's.
func TestDamaged_EnglishIsCore(t *testing.T) {
	for _, n := range []int{0, 1, 2, 1234} {
		want := core.HiddenMessage(n)
		if n == 1234 {
			want = "1,234 damaged records hidden — run Check"
		}
		if got := hiddenText(n); got != want {
			t.Errorf("hiddenText(%d) = %q, want %q", n, got, want)
		}
	}
	id := uuid.New()
	e := core.DamagedError(core.ClientRecord, id)
	if got := errText(e); got != e.Message {
		t.Errorf("errText = %q, core says %q", got, e.Message)
	}
}

// backupThenDamage writes a backup of the file (as the administrator, so that it is this
// laptop's last backup) and then damages the client of a contract; it returns the client's id.
func backupThenDamage(t *testing.T, path, backup string) uuid.UUID {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	mustNoErr(t, err)
	svc := core.NewService(db, core.Options{Clock: func() time.Time { return fixedNow }})
	a, err := svc.Login(adminEmail, adminPass)
	mustNoErr(t, err)
	_, err = svc.Backup(a, core.Destination{Path: backup})
	mustNoErr(t, err)
	mustNoErr(t, db.Close())
	return damageClientOfContract(t, path)
}

// TestCheckDatabase_Menu: File → Check database… is management's; it lists the damaged client
// by type and id, and its Repair button puts the backup's copy back and reloads the lists.
func TestCheckDatabase_Menu(t *testing.T) {
	backup := filepath.Join(t.TempDir(), "friday.db")
	var bad uuid.UUID
	e := newEnvWith(t, true, func(path string) { bad = backupThenDamage(t, path, backup) })
	g := e.startAs(lucas)
	for _, m := range g.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "Check database…" {
				t.Fatal("support is offered File → Check database…")
			}
		}
	}
	if _, err := e.svc.Inspect(g.actor); core.KindOf(err) != core.Forbidden {
		t.Fatalf("core lets support check: %v", err)
	}
	g.endSession(true)
	e.login(g, adminEmail)
	m := g.main
	menuItem(t, g, "Check database…").Action()
	g.settle()
	if m.check == nil {
		t.Fatal("no check dialog")
	}
	report := m.check.report.Text
	for _, want := range []string{"Damaged records (1):", "client " + bad.String(), "Repair puts back each damaged record"} {
		if !strings.Contains(report, want) {
			t.Errorf("report %q lacks %q", report, want)
		}
	}
	if m.check.repair == nil {
		t.Fatal("no Repair button")
	}
	test.Tap(m.check.repair)
	g.settle()
	report = m.check.report.Text
	for _, want := range []string{"Restored client " + bad.String() + " from the backup friday.db.",
		"Indexes rebuilt.", "The database is sound"} {
		if !strings.Contains(report, want) {
			t.Errorf("repair report %q lacks %q", report, want)
		}
	}
	if err := e.db.Check(); err != nil {
		t.Fatalf("check after the repair: %v", err)
	}
	if s := m.clients.status.Text; strings.Contains(s, "damaged") {
		t.Errorf("clients status after the repair: %q", s)
	}
	found := false
	for _, r := range m.clients.table.rows {
		found = found || r.ID == bad
	}
	if !found {
		t.Error("the repaired client is not listed")
	}
	// A sound database: the report says so and offers no repair.
	menuItem(t, g, "Check database…").Action()
	g.settle()
	if !strings.Contains(m.check.report.Text, "The database is sound") || m.check.repair != nil {
		t.Errorf("check of a sound database: %q, repair button %v", m.check.report.Text, m.check.repair != nil)
	}
}
