package storage

// The migration from schema 1 to schema 2, on a database made by the released v1.0.0 binary
// (testdata/v1, see its README): every record, index entry and audit entry survives, compared
// with what the v1 binary printed and with the v1 file's own bytes; Check is clean; the v1
// session still resumes; login throttling and session epochs survive; a failed migration
// leaves the file as it was.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

const v1Fixture = "testdata/v1"

// v1Copy copies the v1 database and its session file into a new directory.
func v1Copy(t *testing.T) (dbPath, token string) {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(v1Fixture, "epicevents.db"))
	if err != nil {
		t.Fatal(err)
	}
	dbPath = filepath.Join(dir, "epicevents.db")
	if err := os.WriteFile(dbPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := os.ReadFile(filepath.Join(v1Fixture, "session"))
	if err != nil {
		t.Fatal(err)
	}
	return dbPath, strings.TrimSpace(string(tok))
}

// rawBuckets reads every top-level bucket of a file with bbolt alone.
func rawBuckets(t *testing.T, path string) map[string]map[string][]byte {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	out := map[string]map[string][]byte{}
	err = bdb.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			m := map[string][]byte{}
			out[string(name)] = m
			return b.ForEach(func(k, v []byte) error {
				m[string(k)] = bytes.Clone(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// v1JSON reads one of the lists the v1 binary printed.
func v1JSON(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(v1Fixture, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// printed is a record as the v1 binary's --json printed it, for the fields it shares with the
// wire form (times to the second, amounts with two decimals, no contact as null).
func printed(w core.Wire) map[string]any {
	m := map[string]any{"id": w.ID.String()}
	for k, v := range w.Fields {
		switch {
		case k == core.WirePasswordHash || k == core.WirePasswordChangedAt:
			continue
		case k == core.WireActive:
			m[k] = v == "true"
		case k == core.WireAttendees:
			var n float64
			_ = json.Unmarshal([]byte(v), &n)
			m[k] = n
		case (k == core.WireSignedAt || k == core.WireSupportID) && v == "":
			m[k] = nil
		case strings.HasSuffix(k, "_at") || k == core.WireStart || k == core.WireEnd:
			tm, _ := time.Parse(time.RFC3339Nano, v)
			m[k] = tm.UTC().Truncate(time.Second).Format(time.RFC3339)
		default:
			m[k] = v
		}
	}
	return m
}

// openMigrated opens (and so migrates) the database at path, closed at the end of the test, and
// checks it.
func openMigrated(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Check(); err != nil {
		t.Fatalf("check after migration: %v", err)
	}
	return db
}

func TestMigrate_V1Fixture(t *testing.T) {
	path, token := v1Copy(t)
	v1 := rawBuckets(t, path)
	if got := binary.BigEndian.Uint64(v1["meta"]["schema_version"]); got != 1 {
		t.Fatalf("the fixture has schema version %d, want 1", got)
	}
	db := openMigrated(t, path)
	t.Run("OKRecordsAsV1Printed", func(t *testing.T) { testMigratedRecords(t, db) })
	t.Run("OKRecordsAsV1Stored", func(t *testing.T) { testMigratedBytes(t, db, v1) })
	t.Run("OKIndexes", func(t *testing.T) { testMigratedIndexes(t, db, v1) })
	t.Run("OKAudit", func(t *testing.T) { testMigratedAudit(t, db, v1) })
	t.Run("OKLocalState", func(t *testing.T) { testMigratedLocal(t, db, v1) })
	t.Run("OKSessions", func(t *testing.T) { testMigratedSessions(t, db, token) })
	t.Run("OKThrottle", func(t *testing.T) { testMigratedThrottle(t, db, v1) })
	t.Run("OKFilters", func(t *testing.T) { testMigratedFilters(t, db, token) })
}

// testMigratedRecords compares every record with the v1 binary's --json lists.
func testMigratedRecords(t *testing.T, db *DB) {
	n := 0
	for _, c := range []struct {
		file string
		rt   core.RecordType
	}{{"users", core.UserRecord}, {"clients", core.ClientRecord}, {"contracts", core.ContractRecord}, {"events", core.EventRecord}} {
		want := v1JSON(t, c.file)
		mustView(t, db, func(ctx core.Tx) error {
			tx := ctx.(*tx)
			count := 0
			hidden, err := tx.Records(c.rt, func(core.Wire, uint64) error { count++; return nil })
			if err != nil || hidden != 0 || count != len(want) {
				t.Errorf("%s: %d records, %d hidden, %v; v1 printed %d", c.file, count, hidden, err, len(want))
			}
			for _, obj := range want {
				id := uuid.MustParse(obj["id"].(string))
				w, rev, found, err := tx.Record(c.rt, id)
				if err != nil || !found || rev != 0 {
					t.Errorf("%s %s: found %v, rev %d, %v", c.rt, id, found, rev, err)
					continue
				}
				got := printed(w)
				for k, v := range got {
					if pv, ok := obj[k]; !ok || !reflect.DeepEqual(pv, v) {
						t.Errorf("%s %s: %s = %#v, v1 printed %#v", c.rt, id, k, v, pv)
					}
				}
				n++
			}
			return nil
		})
	}
	t.Logf("%d records compared with the v1 binary's lists", n)
}

// testMigratedBytes decodes every v1 record value and compares it, to the nanosecond, with the
// migrated record.
func testMigratedBytes(t *testing.T, db *DB, v1 map[string]map[string][]byte) {
	mustView(t, db, func(tx core.Tx) error {
		for k, v := range v1["users"] {
			want, err := userKind.decode(v)
			want.ID = uuid.UUID([]byte(k))
			if got, gerr := tx.User(want.ID); err != nil || gerr != nil || got != want {
				t.Errorf("user %s: %+v, %v; v1 %+v, %v", want.ID, got, gerr, want, err)
			}
		}
		for k, v := range v1["clients"] {
			want, err := clientKind.decode(v)
			want.ID = uuid.UUID([]byte(k))
			if got, gerr := tx.Client(want.ID); err != nil || gerr != nil || got != want {
				t.Errorf("client %s: %+v, %v; v1 %+v", want.ID, got, gerr, want)
			}
		}
		for k, v := range v1["contracts"] {
			want, err := contractKind.decode(v)
			want.ID = uuid.UUID([]byte(k))
			if got, gerr := tx.Contract(want.ID); err != nil || gerr != nil || !sameContract(got, want) {
				t.Errorf("contract %s: %+v, %v; v1 %+v", want.ID, got, gerr, want)
			}
		}
		for k, v := range v1["events"] {
			want, err := eventKind.decode(v)
			want.ID = uuid.UUID([]byte(k))
			if got, gerr := tx.Event(want.ID); err != nil || gerr != nil || got != want {
				t.Errorf("event %s: %+v, %v; v1 %+v", want.ID, got, gerr, want)
			}
		}
		return nil
	})
}

// testMigratedIndexes checks that every index entry of v1 is there with the same payload, and
// that the new indexes hold what the records give.
func testMigratedIndexes(t *testing.T, db *DB, v1 map[string]map[string][]byte) {
	entries := 0
	if err := db.bolt.View(func(btx *bbolt.Tx) error {
		for _, x := range v1Indexes {
			old := v1[string(x.name)]
			b := btx.Bucket(x.name)
			if n := b.Stats().KeyN; n != len(old) {
				t.Errorf("%s: %d entries, v1 had %d", x.name, n, len(old))
			}
			for k, v := range old {
				p, err := x.seal.open([]byte(k), b.Get([]byte(k)))
				if err != nil || !bytes.Equal(p, v) {
					t.Errorf("%s %x: payload %x, %v; v1 %x", x.name, k, p, err, v)
				}
				entries++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var draft, unpaidN int
	for _, k := range v1JSON(t, "contracts") {
		if k["status"] == "draft" {
			draft++
		}
		if k["amount_due"] != "0.00" && k["status"] != "cancelled" {
			unpaidN++
		}
	}
	mustView(t, db, func(tx core.Tx) error {
		got, hidden, err := tx.Contracts(core.ContractFilter{Unsigned: true})
		if err != nil || hidden != 0 || len(got) != draft {
			t.Errorf("unsigned: %d, %v; want %d", len(got), err, draft)
		}
		got, hidden, err = tx.Contracts(core.ContractFilter{Unpaid: true})
		if err != nil || hidden != 0 || len(got) != unpaidN {
			t.Errorf("unpaid: %d, %v; want %d", len(got), err, unpaidN)
		}
		return nil
	})
	t.Logf("%d index entries of v1 kept; %d unsigned and %d unpaid contracts indexed", entries, draft, unpaidN)
}

// testMigratedAudit compares the trail with the v1 binary's audit --json and with v1's bytes.
func testMigratedAudit(t *testing.T, db *DB, v1 map[string]map[string][]byte) {
	want := v1JSON(t, "audit")
	var got []core.AuditEntry
	mustView(t, db, func(tx core.Tx) error {
		var hidden int
		var err error
		got, hidden, err = tx.Audit(core.AuditFilter{})
		if err != nil || hidden != 0 {
			t.Fatalf("audit: %d hidden, %v", hidden, err)
		}
		return nil
	})
	// The fixture printed the trail before its last logout: one entry more is stored.
	if len(got) != len(v1["audit"]) || len(got) != len(want)+1 || got[len(want)].Action != core.ActionLogout {
		t.Fatalf("%d audit entries, v1 printed %d and stored %d", len(got), len(want), len(v1["audit"]))
	}
	for i, a := range got {
		old, err := decodeAudit(v1["audit"][string(seqKey(a.Seq))])
		old.Seq = a.Seq
		if err != nil || !sameAudit(old, a) || a.Origin != uuid.Nil || a.Rev != 0 {
			t.Errorf("audit entry %d: %+v; v1 stored %+v, %v", a.Seq, a, old, err)
		}
		if i >= len(want) {
			continue
		}
		w := want[i]
		actor := ""
		if a.ActorID != uuid.Nil {
			actor = a.ActorID.String()
		}
		wantActor, _ := w["actor_id"].(string)
		fields := []string{}
		for _, f := range w["fields"].([]any) {
			fields = append(fields, f.(string))
		}
		if float64(a.Seq) != w["seq"] || a.At.Truncate(time.Second).Format(time.RFC3339) != w["at"] ||
			actor != wantActor || a.Action != w["action"] || string(a.Record) != w["record"] ||
			a.RecordID.String() != w["record_id"] || !reflect.DeepEqual(append([]string{}, a.Fields...), fields) {
			t.Errorf("audit entry %d: %+v; v1 printed %v", i, a, w)
		}
	}
	t.Logf("%d audit entries compared", len(got))
}

// testMigratedLocal checks where meta's values went.
func testMigratedLocal(t *testing.T, db *DB, v1 map[string]map[string][]byte) {
	if err := db.bolt.View(func(btx *bbolt.Tx) error {
		if btx.Bucket(bucketV1Throttle) != nil {
			t.Error("the v1 throttle bucket is still there")
		}
		meta := btx.Bucket(bucketMeta)
		if keys := meta.Stats().KeyN; keys != 2 || meta.Get([]byte(metaSchemaSeal)) == nil {
			t.Errorf("meta holds %d keys, want schema_version and its seal", keys)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	mustView(t, db, func(tx core.Tx) error {
		key, err := tx.SigningKey()
		if err != nil || len(key) != 32 || !bytes.Equal(key, v1["meta"]["signing_key"]) {
			t.Errorf("signing key moved: %v", err)
		}
		return nil
	})
	if db.Origin() == uuid.Nil {
		t.Error("no laptop id")
	}
	if db.TeamMode() {
		t.Error("team mode on after migration")
	}
}

// testMigratedSessions resumes the v1 session and checks that the epochs moved: a token in the
// epoch a user had under v1 resumes, one in an older epoch does not.
func testMigratedSessions(t *testing.T, db *DB, token string) {
	iat := tokenIssuedAt(t, token)
	svc := core.NewService(db, core.Options{Clock: func() time.Time { return iat.Add(time.Minute) }})
	a, err := svc.Resume(token)
	if err != nil {
		t.Fatalf("the v1 session does not resume: %v", err)
	}
	if a.Email() != "marc.durand@epicevents.com" {
		t.Fatalf("resumed as %s", a.Email())
	}
	var key []byte
	var ada core.User
	var epoch uint32
	mustView(t, db, func(tx core.Tx) error {
		var err error
		key, _ = tx.SigningKey()
		if ada, err = tx.UserByEmail("ada@epicevents.com"); err != nil {
			return err
		}
		epoch, err = tx.SessionEpoch(ada.ID)
		return err
	})
	if epoch != 2 { // two logouts under v1
		t.Fatalf("Ada's epoch %d, want 2", epoch)
	}
	for _, c := range []struct {
		epoch uint32
		ok    bool
	}{{2, true}, {1, false}} {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "epicevents-crm",
			"aud": "epicevents-crm-session", "sub": ada.ID.String(), "iat": iat.Unix(),
			"exp": iat.Add(time.Hour).Unix(), "epc": c.epoch}).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Resume(tok); (err == nil) != c.ok {
			t.Errorf("token in epoch %d: %v", c.epoch, err)
		}
	}
}

func tokenIssuedAt(t *testing.T, token string) time.Time {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatal("the session file holds no token")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Iat int64 }
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return time.Unix(c.Iat, 0).UTC()
}

// testMigratedThrottle checks that a lock made under v1 still refuses logins and that the
// counter goes on from where it was.
func testMigratedThrottle(t *testing.T, db *DB, v1 map[string]map[string][]byte) {
	old, err := decodeThrottle(v1["throttle"]["claire.bernard@epicevents.com"])
	if err != nil || old.Failures != 5 || old.LockedUntil.IsZero() {
		t.Fatalf("the fixture's throttle: %+v, %v", old, err)
	}
	mustView(t, db, func(tx core.Tx) error {
		for email, want := range map[string]int{"claire.bernard@epicevents.com": 5, "emma.moreau@epicevents.com": 1} {
			th, err := tx.Throttle(email)
			if err != nil || th.Failures != want {
				t.Errorf("throttle %s: %+v, %v; want %d failures", email, th, err, want)
			}
		}
		return nil
	})
	at := old.LockedUntil.Add(-time.Second)
	svc := core.NewService(db, core.Options{Clock: func() time.Time { return at }})
	_, err = svc.Login("claire.bernard@epicevents.com", "Wrong-Pass1!")
	if err == nil || !strings.Contains(err.Error(), "too many failed login attempts") {
		t.Fatalf("login while locked under v1: %v", err)
	}
	at = old.LockedUntil.Add(time.Second)
	if _, err := svc.Login("claire.bernard@epicevents.com", "Wrong-Pass1!"); err == nil {
		t.Fatal("wrong password accepted")
	}
	mustView(t, db, func(tx core.Tx) error {
		th, err := tx.Throttle("claire.bernard@epicevents.com")
		if err != nil || th.Failures != 6 || !th.LockedUntil.Equal(at.Add(time.Minute)) {
			t.Errorf("throttle after one more failure: %+v, %v; want 6 failures, locked for 1 min", th, err)
		}
		return nil
	})
}

// testMigratedFilters runs, as the v1 session's user, the filtered lists v1 printed.
func testMigratedFilters(t *testing.T, db *DB, token string) {
	iat := tokenIssuedAt(t, token)
	svc := core.NewService(db, core.Options{Clock: func() time.Time { return iat.Add(time.Minute) }})
	marc, err := svc.Resume(token)
	if err != nil {
		t.Fatal(err)
	}
	mine, _, err := svc.ListContracts(marc, core.ContractQuery{Mine: true})
	if err != nil {
		t.Fatal(err)
	}
	want := v1JSON(t, "contracts-mine")
	if len(mine) != len(want) {
		t.Fatalf("%d contracts of mine, v1 printed %d", len(mine), len(want))
	}
	for i, k := range mine { // both newest first
		if k.ID.String() != want[i]["id"] {
			t.Errorf("contract %d: %s, v1 printed %v", i, k.ID, want[i]["id"])
		}
	}
	unassigned, _, err := svc.ListEvents(marc, core.EventQuery{Unassigned: true})
	if err != nil || len(unassigned) != len(v1JSON(t, "events-unassigned")) {
		t.Fatalf("%d unassigned events, %v; v1 printed %d", len(unassigned), err, len(v1JSON(t, "events-unassigned")))
	}
}

func TestMigrate_Atomic(t *testing.T) {
	path, _ := v1Copy(t)
	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	errStop := errors.New("stopped")
	for _, step := range []string{"create buckets", "users", "audit", "indexes", "throttle"} {
		migrateFault = func(s string) error {
			if s == step {
				return errStop
			}
			return nil
		}
		_, err := Open(path, Options{})
		migrateFault = nil
		if !errors.Is(err, errStop) {
			t.Fatalf("stopped after %s: %v", step, err)
		}
		if sum() != before {
			t.Fatalf("a migration stopped after %s changed the file", step)
		}
		if v := rawBuckets(t, path)["meta"]["schema_version"]; binary.BigEndian.Uint64(v) != 1 {
			t.Fatalf("schema version %x after a stopped migration", v)
		}
	}
	openMigrated(t, path)
}

func TestMigrate_ReadOnlyV1(t *testing.T) {
	path, _ := v1Copy(t)
	_, err := Open(path, Options{ReadOnly: true})
	if !errors.Is(err, ErrOlderSchema) || !strings.Contains(err.Error(), "must be opened for writing once to be upgraded") {
		t.Fatalf("read-only open of a v1 file: %v", err)
	}
}

// TestMigrate_V1BinaryRefusesV2 runs the released v1 binary (EPICEVENTS_V1_BINARY) on a
// migrated copy: it must refuse the file with a clear message, and leave it alone.
func TestMigrate_V1BinaryRefusesV2(t *testing.T) {
	bin := os.Getenv("EPICEVENTS_V1_BINARY")
	if bin == "" {
		t.Skip("EPICEVENTS_V1_BINARY is not set (the v1.0.0 binary, e.g. /work/v1bin/epicevents-v1.0.0)")
	}
	path, _ := v1Copy(t)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	cmd := exec.Command(bin, "client", "list")
	cmd.Env = append(os.Environ(), "EPICEVENTS_HOME="+filepath.Dir(path))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("v1 on a v2 file: %v\n%s", err, out)
	}
	want := "error: the database " + path + " was written by a newer version of Epic Events CRM"
	if strings.TrimSpace(string(out)) != want {
		t.Fatalf("v1 said %q, want %q", out, want)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("the v1 binary changed the v2 file")
	}
	t.Logf("v1.0.0 on a schema-2 file: %s", out)
}
