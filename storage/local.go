package storage

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// This laptop's own state (core.LocalTx): never replicated. Values are sealed like every other;
// a value whose seal fails makes the database damaged (errCorrupt), as a missing bucket does.

// getLocal returns the payload of key in a local bucket, nil when absent.
func (t *tx) getLocal(bucket []byte, key []byte) ([]byte, error) {
	b, err := t.bucket(bucket)
	if err != nil {
		return nil, err
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil
	}
	p, err := open(bucket, key, v)
	if err != nil {
		return nil, core.InternalError("read "+string(bucket), corrupt(fmt.Errorf("%s %x: %w", bucket, key, err)))
	}
	return bytes.Clone(p), nil
}

// putLocal stores payload sealed under key in a local bucket; nil deletes the key.
func (t *tx) putLocal(bucket []byte, key, payload []byte) error {
	b, err := t.bucket(bucket)
	if err != nil {
		return err
	}
	if payload == nil {
		return core.InternalError("write "+string(bucket), b.Delete(key))
	}
	return core.InternalError("write "+string(bucket), b.Put(bytes.Clone(key), seal(bucket, key, payload)))
}

// putLocalMeta stores a sealed value of local_meta outside a core transaction (at creation and
// in the migration).
func putLocalMeta(btx *bbolt.Tx, key string, value []byte) error {
	b := btx.Bucket(bucketLocalMeta)
	if b == nil {
		return fmt.Errorf("bucket %s is missing", bucketLocalMeta)
	}
	return b.Put([]byte(key), seal(bucketLocalMeta, []byte(key), value))
}

// getLocalMeta reads a value of local_meta outside a core transaction, nil when absent.
func getLocalMeta(btx *bbolt.Tx, key string) ([]byte, error) {
	b := btx.Bucket(bucketLocalMeta)
	if b == nil {
		return nil, corrupt(fmt.Errorf("bucket %s is missing", bucketLocalMeta))
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	p, err := open(bucketLocalMeta, []byte(key), v)
	if err != nil {
		return nil, corrupt(fmt.Errorf("%s %s: %w", bucketLocalMeta, key, err))
	}
	return bytes.Clone(p), nil
}

// SigningKey returns the session signing key, nil before initialisation.
func (t *tx) SigningKey() ([]byte, error) {
	return t.getLocal(bucketLocalMeta, []byte(localSigningKey))
}

// SetSigningKey stores the session signing key.
func (t *tx) SetSigningKey(key []byte) error {
	if len(key) == 0 {
		return core.InternalError("set signing key", errors.New("empty key"))
	}
	return t.putLocal(bucketLocalMeta, []byte(localSigningKey), key)
}

// session is a user's entry of local_sessions.
type session struct {
	epoch  uint32
	rehash core.Rehash
}

func encodeSession(s session) []byte {
	e := newEncoder(len(s.rehash.Replaces) + len(s.rehash.Hash))
	e.uvarint(uint64(s.epoch))
	e.str(s.rehash.Replaces)
	e.str(s.rehash.Hash)
	return e.b
}

func decodeSession(p []byte) (session, error) {
	d := decoder{b: p}
	d.version()
	s := session{epoch: d.uint32(), rehash: core.Rehash{Replaces: d.str(), Hash: d.str()}}
	if err := d.finish(); err != nil {
		return session{}, fmt.Errorf("decode session: %w", err)
	}
	return s, nil
}

func (t *tx) session(user uuid.UUID) (session, error) {
	p, err := t.getLocal(bucketLocalSessions, user[:])
	if err != nil || p == nil {
		return session{}, err
	}
	s, err := decodeSession(p)
	return s, core.InternalError("read session", corrupt(err))
}

func (t *tx) putSession(user uuid.UUID, s session) error {
	if s == (session{}) {
		return t.putLocal(bucketLocalSessions, user[:], nil)
	}
	return t.putLocal(bucketLocalSessions, user[:], encodeSession(s))
}

// SessionEpoch returns the session epoch of a user on this laptop, 0 when none.
func (t *tx) SessionEpoch(user uuid.UUID) (uint32, error) {
	s, err := t.session(user)
	return s.epoch, err
}

// SetSessionEpoch stores the session epoch of a user, keeping its re-hash.
func (t *tx) SetSessionEpoch(user uuid.UUID, epoch uint32) error {
	s, err := t.session(user)
	if err != nil {
		return err
	}
	s.epoch = epoch
	return t.putSession(user, s)
}

// Rehash returns the local re-hash of a user's password, the zero value when none.
func (t *tx) Rehash(user uuid.UUID) (core.Rehash, error) {
	s, err := t.session(user)
	return s.rehash, err
}

// SetRehash stores the local re-hash of a user's password, keeping its epoch; the zero value
// removes it.
func (t *tx) SetRehash(user uuid.UUID, r core.Rehash) error {
	s, err := t.session(user)
	if err != nil {
		return err
	}
	s.rehash = r
	return t.putSession(user, s)
}

// Throttle returns the login-failure state of an email (trimmed and lower-cased), the zero
// value when none.
func (t *tx) Throttle(email string) (core.Throttle, error) {
	key := normEmail(email)
	if key == "" {
		return core.Throttle{}, nil
	}
	p, err := t.getLocal(bucketLocalThrottle, []byte(key))
	if err != nil || p == nil {
		return core.Throttle{}, err
	}
	th, err := decodeThrottle(p)
	return th, core.InternalError("read throttle", corrupt(err))
}

// PutThrottle stores the login-failure state of an email; the zero value removes it.
func (t *tx) PutThrottle(email string, th core.Throttle) error {
	key := normEmail(email)
	if key == "" {
		return nil
	}
	if th.Failures == 0 && th.LockedUntil.IsZero() {
		return t.putLocal(bucketLocalThrottle, []byte(key), nil)
	}
	return t.putLocal(bucketLocalThrottle, []byte(key), encodeThrottle(th))
}

// reminderKey is event id‖moment.
func reminderKey(event uuid.UUID, m core.ReminderMoment) []byte {
	return append(bytesOf(event), byte(m))
}

// Reminder returns when the reminder of an event at a moment was shown on this laptop, the
// zero time when never.
func (t *tx) Reminder(event uuid.UUID, m core.ReminderMoment) (time.Time, error) {
	p, err := t.getLocal(bucketLocalReminders, reminderKey(event, m))
	if err != nil || p == nil {
		return time.Time{}, err
	}
	d := decoder{b: p}
	d.version()
	at := d.time()
	return at, core.InternalError("read reminder", d.finish())
}

// SetReminder records when the reminder of an event at a moment was shown; the zero time
// forgets it.
func (t *tx) SetReminder(event uuid.UUID, m core.ReminderMoment, shown time.Time) error {
	if shown.IsZero() {
		return t.putLocal(bucketLocalReminders, reminderKey(event, m), nil)
	}
	e := newEncoder(16)
	e.time(shown)
	return t.putLocal(bucketLocalReminders, reminderKey(event, m), e.b)
}
