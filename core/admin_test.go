package core_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/permissions"
	"github.com/epicevents/crm/storage"
)

// lastAudit returns the last entry of the trail.
func (e *env) lastAudit() core.AuditEntry {
	e.t.Helper()
	trail, _, err := e.svc.Audit(e.admin, core.AuditQuery{})
	if err != nil || len(trail) == 0 {
		e.t.Fatalf("audit: %d entries, %v", len(trail), err)
	}
	return trail[len(trail)-1]
}

// trailLen is the number of entries of the trail.
func (e *env) trailLen() int {
	e.t.Helper()
	trail, _, err := e.svc.Audit(e.admin, core.AuditQuery{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(trail)
}

// nonManagers are a commercial and a support user of e.
func (e *env) nonManagers() []*core.Actor {
	return []*core.Actor{e.user("Carl Commercial", core.Commercial), e.user("Sam Support", core.Support)}
}

func TestService_Backup(t *testing.T) {
	e := mustEnv(t)
	e.client(e.user("Carl Commercial", core.Commercial))
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "b.db")
		n, err := e.svc.Backup(e.admin, core.Destination{Path: path})
		if err != nil || n != 3 {
			t.Fatalf("backup: %d records, %v", n, err)
		}
		last := e.lastAudit()
		if last.Action != core.ActionBackup || last.Record != core.DatabaseRecord || last.Count != 3 ||
			last.ActorID != e.admin.ID() || len(last.Fields) != 0 {
			t.Fatalf("audit entry %+v", last)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, signingKey(t, e)) {
			t.Fatal("the backup holds the signing key")
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		before := e.trailLen()
		for _, a := range e.nonManagers() {
			path := filepath.Join(t.TempDir(), "b.db")
			_, err := e.svc.Backup(a, core.Destination{Path: path})
			wantKind(t, err, core.Forbidden)
			if _, err := os.Stat(path); err == nil {
				t.Fatalf("%s wrote a backup", a.Department())
			}
		}
		if got := e.trailLen(); got != before+4 { // the two users' creations and logins
			t.Fatalf("trail grew by %d entries", got-before)
		}
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		_, err := e.svc.Backup(nil, core.Destination{Path: filepath.Join(t.TempDir(), "b.db")})
		wantKind(t, err, core.Unauthenticated)
	})
	t.Run("ErrOwnFile", func(t *testing.T) {
		before := e.trailLen()
		_, err := e.svc.Backup(e.admin, core.Destination{Path: e.path})
		wantKind(t, err, core.Invalid)
		if e.trailLen() != before {
			t.Fatal("a refused backup was recorded")
		}
	})
}

func TestService_Export(t *testing.T) {
	e := mustEnv(t)
	sam := e.user("Sam Support", core.Support)
	data := []byte("id,name\n1,Kevin\n")
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "secret-name.csv")
		if err := e.svc.Export(sam, core.ClientRecord, 1, data, core.Destination{Path: path}); err != nil {
			t.Fatal(err)
		}
		last := e.lastAudit()
		if last.Action != core.ActionExport || last.Record != core.ClientRecord || last.Count != 1 || last.ActorID != sam.ID() {
			t.Fatalf("audit entry %+v", last)
		}
		if strings.Contains(strings.Join(last.Fields, " "), "secret-name") {
			t.Fatal("the audit entry names the file")
		}
		var out bytes.Buffer
		if err := e.svc.Export(sam, core.EventRecord, 1, data, core.Destination{Writer: &out}); err != nil || out.String() != string(data) {
			t.Fatalf("export to a stream: %q, %v", out.String(), err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		err := e.svc.Export(sam, core.UserRecord, 1, data, core.Destination{Path: filepath.Join(t.TempDir(), "u.csv")})
		wantKind(t, err, core.Forbidden)
		err = e.svc.Export(sam, core.AuditRecord, 1, data, core.Destination{Path: filepath.Join(t.TempDir(), "a.csv")})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrOwnFile", func(t *testing.T) {
		before, err := os.ReadFile(e.path)
		if err != nil {
			t.Fatal(err)
		}
		n := e.trailLen()
		err = e.svc.Export(sam, core.EventRecord, 1, data, core.Destination{Path: e.path})
		wantKind(t, err, core.Invalid)
		if after, _ := os.ReadFile(e.path); !bytes.Equal(after, before) {
			t.Fatal("the database file changed")
		}
		if e.trailLen() != n {
			t.Fatal("a refused export was recorded")
		}
	})
}

func TestService_Maintenance(t *testing.T) {
	e := mustEnv(t)
	t.Run("OK", func(t *testing.T) {
		if err := e.svc.Check(e.admin); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Reindex(e.admin); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Generate(e.admin, core.GenerateOptions{Clients: 3, PasswordHash: core.HashForTest("x", core.MinHashParams), Seed: 1})
		if err != nil || res.Clients != 3 {
			t.Fatalf("generate: %+v, %v", res, err)
		}
		if err := e.svc.AuthorizeRestore(e.admin); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, a := range append(e.nonManagers(), nil) {
			want := core.Forbidden
			if a == nil {
				want = core.Unauthenticated
			}
			wantKind(t, e.svc.Check(a), want)
			wantKind(t, e.svc.Reindex(a), want)
			_, err := e.svc.Generate(a, core.GenerateOptions{Clients: 1, PasswordHash: "x"})
			wantKind(t, err, want)
			wantKind(t, e.svc.AuthorizeRestore(a), want)
			if core.CanAdminister(a, permissions.Backup) {
				t.Error("CanAdminister says yes")
			}
		}
	})
}

func TestService_PrepareRestored(t *testing.T) {
	e := mustEnv(t)
	sam := e.user("Sam Support", core.Support)
	backup := filepath.Join(t.TempDir(), "b.db")
	if _, err := e.svc.Backup(e.admin, core.Destination{Path: backup}); err != nil {
		t.Fatal(err)
	}
	key := signingKey(t, e)
	db, err := storage.Open(backup, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	restored := core.NewService(db, core.Options{Clock: e.clock.Now})
	if ok, err := restored.Initialized(); err != nil || !ok {
		t.Fatalf("a backup is an initialised database: %v, %v", ok, err)
	}
	if err := restored.PrepareRestored(e.admin); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*core.Actor{e.admin, sam} {
		_, err := restored.Resume(a.Token())
		wantKind(t, err, core.Unauthenticated)
	}
	a, err := restored.Login("ada@epicevents.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := restored.Resume(a.Token()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Resume(a.Token()); err == nil {
		t.Fatal("a session of the restored database is valid in the old one: same key")
	}
	trail, _, err := restored.Audit(a, core.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	r := trail[len(trail)-2]
	if r.Action != core.ActionRestore || r.ActorID != e.admin.ID() || r.Record != core.DatabaseRecord || r.Count != 2 {
		t.Fatalf("restore entry %+v", r)
	}
	var next []byte
	_ = db.View(func(tx core.Tx) error { next, _ = tx.SigningKey(); return nil })
	if len(next) != 32 || bytes.Equal(next, key) {
		t.Fatalf("new key %x, old %x", next, key)
	}
}

func TestService_LoginAudit(t *testing.T) {
	e := mustEnv(t)
	t.Run("OK", func(t *testing.T) {
		a := e.login("ada@epicevents.com")
		if last := e.lastAudit(); last.Action != core.ActionLogin || last.RecordID != a.ID() || last.ActorID != a.ID() {
			t.Fatalf("audit entry %+v", last)
		}
		if err := e.svc.Logout(a); err != nil {
			t.Fatal(err)
		}
		e.admin = e.login("ada@epicevents.com")
		trail, _, _ := e.svc.Audit(e.admin, core.AuditQuery{})
		if got := trail[len(trail)-2]; got.Action != core.ActionLogout || got.RecordID != a.ID() {
			t.Fatalf("audit entry %+v", got)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		_, err := e.svc.Login("ada@epicevents.com", "Wrong-pass1!")
		wantKind(t, err, core.Unauthenticated)
		if last := e.lastAudit(); last.Action != core.ActionLoginFailed || last.RecordID != e.admin.ID() {
			t.Fatalf("audit entry %+v", last)
		}
	})
	t.Run("ErrUnknownEmail", func(t *testing.T) {
		_, err := e.svc.Login("nobody@epicevents.com", testPassword)
		wantKind(t, err, core.Unauthenticated)
		last := e.lastAudit()
		if last.Action != core.ActionLoginFailed || last.RecordID != uuid.Nil || last.ActorID != uuid.Nil ||
			len(last.Fields) != 0 || last.Count != 0 {
			t.Fatalf("audit entry %+v, want a failure naming nobody", last)
		}
	})
	t.Run("ErrDeactivated", func(t *testing.T) {
		s, _ := e.deactivatedLogin(t)
		if last := e.lastAudit(); last.Action != core.ActionLoginFailed || last.RecordID != s.ID() {
			t.Fatalf("audit entry %+v", last)
		}
	})
}
