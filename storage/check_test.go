package storage

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// fixture fills a database with a few records of every kind.
type fixture struct {
	anne, bob *core.User
	kevin     *core.Client
	k         *core.Contract
	e         *core.Event
}

func mustFixture(t *testing.T, db *DB) fixture {
	t.Helper()
	f := fixture{
		anne: newUser("anne@example.com", "EE000001", core.Commercial),
		bob:  newUser("bob@example.com", "EE000002", core.Support),
	}
	f.kevin = newClient("Kevin Casey", "kevin@startup.io", f.anne.ID)
	f.k = newContract(f.kevin, "100", "10", core.Signed)
	f.e = newEvent(f.k, "Gala", t0, f.bob.ID)
	mustUpdate(t, db, func(tx core.Tx) error {
		for _, put := range []func() error{
			func() error { return tx.PutUser(f.anne) },
			func() error { return tx.PutUser(f.bob) },
			func() error { return tx.PutClient(f.kevin) },
			func() error { return tx.PutContract(f.k) },
			func() error { return tx.PutEvent(f.e) },
			func() error { return tx.AppendAudit(&core.AuditEntry{At: t0, Action: "create", RecordID: f.e.ID}) },
		} {
			if err := put(); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

// putSealed stores payload under key with a good seal, as the storage would: breaking the
// database's logic without damaging its bytes.
func putSealed(tx *bbolt.Tx, bucket, key, payload []byte) error {
	return tx.Bucket(bucket).Put(key, seal(bucket, key, payload))
}

// breakDB changes buckets behind the storage's back.
func breakDB(t *testing.T, db *DB, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	if err := db.bolt.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestDB_Check(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t)
		mustFixture(t, db)
		if err := db.Check(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrBrokenIndexes", testCheckBrokenIndexes)

	t.Run("ErrMissingBucketAndBadRecord", func(t *testing.T) {
		db := mustOpen(t)
		f := mustFixture(t, db)
		breakDB(t, db, func(tx *bbolt.Tx) error {
			if err := tx.DeleteBucket(idxEventsByStart.name); err != nil {
				return err
			}
			return tx.Bucket(bucketLocalThrottle).Put([]byte("x@example.com"), []byte{9})
		})
		err := db.Check()
		for _, want := range []string{"bucket idx_events_by_start is missing", "local_throttle entry 1"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("check %v does not say %q", err, want)
			}
		}
		breakDB(t, db, func(tx *bbolt.Tx) error { return tx.Bucket(bucketLocalThrottle).Delete([]byte("x@example.com")) })
		if err := db.Reindex(); err != nil {
			t.Fatal(err)
		}
		mustView(t, db, func(tx core.Tx) error {
			got, _, err := tx.Events(core.EventFilter{StartFrom: t0})
			if err != nil || len(got) != 1 || got[0].ID != f.e.ID {
				t.Errorf("after reindex: %v, %v", got, err)
			}
			return nil
		})
	})
}

func TestDB_Reindex(t *testing.T) {
	t.Run("ErrDuplicate", func(t *testing.T) {
		db := mustOpen(t)
		f := mustFixture(t, db)
		twin := *f.bob
		twin.ID, twin.Email, twin.EmployeeNumber = uuid.New(), "ANNE@example.com", "EE000009"
		breakDB(t, db, func(tx *bbolt.Tx) error {
			return putSealed(tx, bucketUsers, twin.ID[:], encodeUser(&twin, 0))
		})
		err := db.Reindex()
		var ce *CheckError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "shares its value in idx_users_by_email") {
			t.Fatalf("reindex: %v, want a duplicate", err)
		}
		// Nothing changed: the twin still lacks its entries.
		if err := db.Check(); err == nil {
			t.Fatal("check passed with a duplicate")
		}
		breakDB(t, db, func(tx *bbolt.Tx) error { return tx.Bucket(bucketUsers).Delete(twin.ID[:]) })
	})

	t.Run("ErrUndecodable", func(t *testing.T) {
		db := mustOpen(t)
		id := uuid.New()
		// A payload with a good seal that does not decode (a faulty writer).
		breakDB(t, db, func(tx *bbolt.Tx) error { return putSealed(tx, bucketClients, id[:], []byte{formatV2, 0, 1}) })
		err := db.Reindex()
		if err == nil || !strings.Contains(err.Error(), "damaged client "+id.String()) {
			t.Fatalf("reindex: %v", err)
		}
		mustView(t, db, func(tx core.Tx) error {
			_, err := tx.Client(id)
			wantKind(t, err, core.Damaged)
			return nil
		})
		breakDB(t, db, func(tx *bbolt.Tx) error { return tx.Bucket(bucketClients).Delete(id[:]) })
	})
}

// testCheckBrokenIndexes breaks indexes in four ways: Check lists each, Reindex repairs them.
func testCheckBrokenIndexes(t *testing.T) {
	db := mustOpen(t)
	f := mustFixture(t, db)
	stray := uuid.New()
	breakIndexes(t, db, f, stray)
	err := db.Check()
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("check: %v, want a *CheckError", err)
	}
	t.Logf("%v", err)
	for _, want := range []string{
		"event " + f.e.ID.String() + ": its entry",                                    // the deleted entry
		"idx_contracts_by_client: entry",                                              // the stray one
		"points at a missing contract " + stray.String(),                              //
		"user " + f.anne.ID.String() + ": its value in idx_users_by_email is held by", // wrong id, seen from anne
		"idx_users_by_email: entry of " + f.bob.ID.String() + " does not match user",  // and from the index
		"idx_clients_by_commercial: entry",                                            // the mismatched one
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("check does not say %q", want)
		}
	}
	if len(ce.Problems) != 5 {
		t.Errorf("%d problems, want 5", len(ce.Problems))
	}
	if strings.Contains(err.Error(), "anne@example.com") {
		t.Error("check shows an email")
	}

	if err := db.Reindex(); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); err != nil {
		t.Fatalf("after reindex: %v", err)
	}
	mustView(t, db, func(tx core.Tx) error {
		u, err := tx.UserByEmail("anne@example.com")
		if err != nil || u.ID != f.anne.ID {
			t.Errorf("after reindex: %v, %v", u.ID, err)
		}
		return nil
	})
}

// breakIndexes deletes an entry, adds a stray one, points a unique key at the wrong user and
// files a client under the wrong commercial.
func breakIndexes(t *testing.T, db *DB, f fixture, stray uuid.UUID) {
	t.Helper()
	breakDB(t, db, func(tx *bbolt.Tx) error {
		// An entry deleted.
		if err := tx.Bucket(idxEventsBySupport.name).Delete(append(f.bob.ID[:], f.e.ID[:]...)); err != nil {
			return err
		}
		// A stray entry, for a contract that does not exist.
		if err := putSealed(tx, idxContractsByClient.name, append(f.kevin.ID[:], stray[:]...), []byte{}); err != nil {
			return err
		}
		// A unique key pointing at the wrong user.
		if err := putSealed(tx, idxUsersByEmail.name, []byte("anne@example.com"), f.bob.ID[:]); err != nil {
			return err
		}
		// A multi-valued entry that does not match its record's field.
		return putSealed(tx, idxClientsByCommercial.name, append(f.bob.ID[:], f.kevin.ID[:]...), []byte{})
	})
}
