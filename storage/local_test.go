package storage

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"

	"github.com/epicevents/crm/core"
)

const localPassword = "Local-Pa55word!"

func TestTx_SessionEpoch(t *testing.T) {
	db := mustOpen(t)
	id := uuid.New()
	r := core.Rehash{Replaces: "old", Hash: "new"}
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := tx.SetRehash(id, r); err != nil {
			return err
		}
		return tx.SetSessionEpoch(id, 7)
	})
	mustView(t, db, func(tx core.Tx) error {
		e, err := tx.SessionEpoch(id)
		got, err2 := tx.Rehash(id)
		if err != nil || err2 != nil || e != 7 || got != r {
			t.Errorf("epoch %d, re-hash %+v (%v, %v); want 7 and %+v", e, got, err, err2, r)
		}
		if e, err := tx.SessionEpoch(uuid.New()); err != nil || e != 0 {
			t.Errorf("absent: %d, %v", e, err)
		}
		return nil
	})
	t.Run("OKEachKeepsTheOther", func(t *testing.T) {
		mustUpdate(t, db, func(tx core.Tx) error { return tx.SetRehash(id, core.Rehash{}) })
		mustView(t, db, func(tx core.Tx) error {
			if e, err := tx.SessionEpoch(id); err != nil || e != 7 {
				t.Errorf("epoch after clearing the re-hash: %d, %v", e, err)
			}
			return nil
		})
		mustUpdate(t, db, func(tx core.Tx) error { return tx.SetSessionEpoch(id, 0) })
		if err := db.bolt.View(func(btx *bbolt.Tx) error {
			if n := btx.Bucket(bucketLocalSessions).Stats().KeyN; n != 0 {
				t.Errorf("%d sessions kept for nothing", n)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTx_Reminder(t *testing.T) {
	db := mustOpen(t)
	ev := uuid.New()
	mustUpdate(t, db, func(tx core.Tx) error { return tx.SetReminder(ev, core.RemindDayBefore, t0) })
	mustView(t, db, func(tx core.Tx) error {
		got, err := tx.Reminder(ev, core.RemindDayBefore)
		if err != nil || !got.Equal(t0) {
			t.Errorf("day before: %v, %v", got, err)
		}
		if got, err := tx.Reminder(ev, core.RemindHourBefore); err != nil || !got.IsZero() {
			t.Errorf("hour before, never shown: %v, %v", got, err)
		}
		return nil
	})
	mustUpdate(t, db, func(tx core.Tx) error { return tx.SetReminder(ev, core.RemindDayBefore, time.Time{}) })
	mustView(t, db, func(tx core.Tx) error {
		if got, err := tx.Reminder(ev, core.RemindDayBefore); err != nil || !got.IsZero() {
			t.Errorf("forgotten: %v, %v", got, err)
		}
		return nil
	})
}

// weakPHC is an argon2id hash at parameters below the product's floor, as an older version
// might have stored.
func weakPHC(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, 1, 1024, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=1024,t=1,p=1$%s$%s", argon2.Version, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// storedUser returns the bytes of a user as stored, and its revision.
func storedUser(t *testing.T, db *DB, id uuid.UUID) ([]byte, uint64) {
	t.Helper()
	var v []byte
	if err := db.bolt.View(func(btx *bbolt.Tx) error {
		v = bytes.Clone(btx.Bucket(bucketUsers).Get(id[:]))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var rev uint64
	if err := db.SyncView(func(tx core.SyncTx) error {
		_, r, found, err := tx.Record(core.UserRecord, id)
		if !found {
			t.Fatal("user not found")
		}
		rev = r
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v, rev
}

// TestDB_LocalState checks that a logout and a re-hash, laptop-local matters, never rewrite the
// replicated user: its stored bytes and revision stay the same.
func TestDB_LocalState(t *testing.T) {
	db := mustOpen(t)
	svc := core.NewService(db, core.Options{})
	if _, err := svc.Initialize(core.InitInput{AdminName: "Ada Admin", AdminEmail: "ada@example.com", Password: localPassword}); err != nil {
		t.Fatal(err)
	}
	var ada core.User
	mustUpdate(t, db, func(tx core.Tx) error {
		var err error
		if ada, err = tx.UserByEmail("ada@example.com"); err != nil {
			return err
		}
		ada.PasswordHash = weakPHC(localPassword)
		return tx.PutUser(&ada)
	})
	mustUpdate(t, db, func(ctx core.Tx) error { return ctx.(*tx).SetRev(core.UserRecord, ada.ID, 42) })
	bytes0, rev0 := storedUser(t, db, ada.ID)
	t.Run("OKRehashKeepsUser", func(t *testing.T) {
		a, err := svc.Login("ada@example.com", localPassword)
		if err != nil {
			t.Fatal(err)
		}
		mustView(t, db, func(tx core.Tx) error {
			r, err := tx.Rehash(ada.ID)
			if err != nil || r.Replaces != ada.PasswordHash || r.Hash == "" {
				t.Errorf("no local re-hash: %+v, %v", r, err)
			}
			return nil
		})
		if b, rev := storedUser(t, db, ada.ID); !bytes.Equal(b, bytes0) || rev != rev0 {
			t.Fatalf("a re-hash rewrote the user (rev %d → %d)", rev0, rev)
		}
		t.Run("OKLogoutKeepsUser", func(t *testing.T) {
			if err := svc.Logout(a); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Resume(a.Token()); core.KindOf(err) != core.Unauthenticated {
				t.Fatalf("session after logout: %v", err)
			}
			if b, rev := storedUser(t, db, ada.ID); !bytes.Equal(b, bytes0) || rev != rev0 {
				t.Fatalf("a logout rewrote the user (rev %d → %d)", rev0, rev)
			}
		})
	})
}
