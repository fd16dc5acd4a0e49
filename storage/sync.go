package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// The storage surface of the sync engine (core.SyncStore, core.SyncTx). Its writes come from
// the cluster, or record what the cluster answered: they are never captured in the outbox.

// SyncView runs fn in a read-only transaction.
func (db *DB) SyncView(fn func(core.SyncTx) error) error {
	return db.run(false, false, func(t *tx) error { return fn(t) })
}

// SyncUpdate runs fn in a write transaction, committed durably when fn returns nil, whose
// record writes are not captured in the outbox.
func (db *DB) SyncUpdate(fn func(core.SyncTx) error) error {
	return db.run(true, false, func(t *tx) error { return fn(t) })
}

// TeamMode reports whether local changes are captured in the outbox.
func (db *DB) TeamMode() bool { return db.team.Load() }

// SetTeamMode turns the capture of local changes on or off and keeps the setting in
// local_meta, where Open reads it. The flag changes inside the write transaction, so every
// write transaction after it sees the new setting.
func (db *DB) SetTeamMode(on bool) error {
	v := []byte{0}
	if on {
		v[0] = 1
	}
	was := db.team.Load()
	err := db.boltTx(true, func(btx *bbolt.Tx) error {
		if err := putLocalMeta(btx, localTeamMode, v); err != nil {
			return err
		}
		db.team.Store(on)
		return nil
	})
	if err != nil {
		db.team.Store(was)
		return core.InternalError("set team mode", err)
	}
	return nil
}

// Origin returns this laptop's id.
func (db *DB) Origin() uuid.UUID { return db.origin }

// ---- outbox

// Pending returns up to limit (0: all) changes of the outbox, oldest first.
func (t *tx) Pending(limit int) ([]core.Change, error) {
	b, err := t.bucket(bucketLocalOutbox)
	if err != nil {
		return nil, err
	}
	out := make([]core.Change, 0)
	c := b.Cursor()
	for k, _ := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
		p, err := t.getLocal(bucketLocalOutbox, k)
		if err != nil {
			return nil, err
		}
		ch, err := decodeChange(p)
		if err != nil {
			return nil, core.InternalError("read outbox", err)
		}
		out = append(out, ch)
	}
	return out, nil
}

// PutPending replaces the change at c.Seq. Errors: NotFound.
func (t *tx) PutPending(c core.Change) error {
	p, err := t.getLocal(bucketLocalOutbox, seqKey(c.Seq))
	if err != nil {
		return err
	}
	if p == nil {
		return core.Errorf(core.NotFound, "change %d is not in the outbox", c.Seq)
	}
	return t.putChange(c)
}

// RemovePending removes the change at seq from the outbox; absent is fine.
func (t *tx) RemovePending(seq uint64) error {
	return t.putLocal(bucketLocalOutbox, seqKey(seq), nil)
}

// HasPending reports whether a change of the outbox touches the record.
func (t *tx) HasPending(rt core.RecordType, id uuid.UUID) (bool, error) {
	changes, err := t.Pending(0)
	if err != nil {
		return false, err
	}
	for _, c := range changes {
		for _, rc := range c.Records {
			if rc.Type == rt && rc.ID == id {
				return true, nil
			}
		}
	}
	return false, nil
}

// ---- records

// Record returns a record in wire form with its revision; found is false when absent.
// Errors: Damaged.
func (t *tx) Record(rt core.RecordType, id uuid.UUID) (core.Wire, uint64, bool, error) {
	tb, err := recordTable(rt)
	if err != nil {
		return core.Wire{}, 0, false, err
	}
	p, err := t.load(tb, id[:])
	if err != nil || p == nil {
		return core.Wire{}, 0, false, err
	}
	w, err := tb.wire(id[:], p)
	if err != nil {
		return core.Wire{}, 0, false, core.DamagedError(rt, id)
	}
	return w, payloadRev(p), true, nil
}

// Records calls fn with every record of type rt in wire form with its revision, in id order,
// skipping damaged records and returning how many it skipped.
func (t *tx) Records(rt core.RecordType, fn func(w core.Wire, rev uint64) error) (int, error) {
	tb, err := recordTable(rt)
	if err != nil {
		return 0, err
	}
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return 0, err
	}
	hidden := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		p, err := tb.seal.open(k, v)
		var w core.Wire
		if err == nil {
			w, err = tb.wire(k, p)
		}
		if err != nil {
			hidden++
			continue
		}
		if err := fn(w, payloadRev(p)); err != nil {
			return hidden, err
		}
	}
	return hidden, nil
}

// PutRecord stores a record from the cluster at revision rev, keeping every index in step,
// without capturing it. Errors: Invalid (malformed wire form), Conflict (a unique value taken
// by another record), Damaged (the stored version is damaged).
func (t *tx) PutRecord(w core.Wire, rev uint64) error {
	tb, err := recordTable(w.Type)
	if err != nil {
		return err
	}
	p, entries, err := tb.encode(w, rev)
	if err != nil {
		return err
	}
	return t.put(tb, bytesOf(w.ID), p, entries)
}

// DeleteRecord removes a record the cluster deleted, without capturing it; absent is fine.
// Errors: Damaged.
func (t *tx) DeleteRecord(rt core.RecordType, id uuid.UUID) error {
	tb, err := recordTable(rt)
	if err != nil {
		return err
	}
	_, err = t.remove(tb, id[:])
	return err
}

// SetRev sets the revision of a stored record. Errors: NotFound, Damaged.
func (t *tx) SetRev(rt core.RecordType, id uuid.UUID, rev uint64) error {
	tb, err := recordTable(rt)
	if err != nil {
		return err
	}
	p, err := t.load(tb, id[:])
	if err != nil {
		return err
	}
	if p == nil {
		return core.Errorf(core.NotFound, "%s not found", rt)
	}
	next, err := withRev(p, rev)
	if err != nil {
		return core.DamagedError(rt, id)
	}
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return err
	}
	return core.InternalError("set revision", b.Put(bytesOf(id), tb.seal.seal(id[:], next)))
}

// ---- shadows

// Shadow returns the cluster's version of a record with pending changes.
func (t *tx) Shadow(rt core.RecordType, id uuid.UUID) (core.Shadow, bool, error) {
	k := keyOf(rt, id)
	p, err := t.getLocal(bucketLocalShadow, k[:])
	if err != nil || p == nil {
		return core.Shadow{}, false, err
	}
	var s core.Shadow
	if err := json.Unmarshal(p, &s); err != nil {
		return core.Shadow{}, false, core.InternalError("read shadow", corrupt(err))
	}
	return s, true, nil
}

// PutShadow stores the cluster's version of a record.
func (t *tx) PutShadow(s core.Shadow) error {
	if _, ok := typeBytes[s.Type]; !ok || s.ID == uuid.Nil {
		return core.InternalError("put shadow", fmt.Errorf("bad record %q %s", s.Type, s.ID))
	}
	p, err := json.Marshal(s)
	if err != nil {
		return core.InternalError("put shadow", err)
	}
	k := keyOf(s.Type, s.ID)
	return t.putLocal(bucketLocalShadow, k[:], p)
}

// DropShadow removes the shadow of a record; absent is fine.
func (t *tx) DropShadow(rt core.RecordType, id uuid.UUID) error {
	k := keyOf(rt, id)
	return t.putLocal(bucketLocalShadow, k[:], nil)
}

// ---- audit

// AppendRemoteAudit appends an entry made on another laptop (Origin and Rev set), setting
// e.Seq. It is not captured.
func (t *tx) AppendRemoteAudit(e *core.AuditEntry) error {
	if e.Rev == 0 {
		return core.InternalError("append remote audit entry", errors.New("entry without revision"))
	}
	return t.appendAudit(e)
}

// SetAuditRev records that this laptop's entry seq is in the cluster at revision rev, moving
// it to its place in the company-wide order. Errors: NotFound.
func (t *tx) SetAuditRev(seq, rev uint64) error {
	old, ok, err := t.auditAt(seq)
	if err != nil {
		return err
	}
	if !ok {
		return core.Errorf(core.NotFound, "audit entry %d not found", seq)
	}
	next := old
	next.Rev = rev
	return t.putAudit(&old, &next)
}

// ---- conflicts

// PutConflict stores a conflict, replacing one with the same id.
func (t *tx) PutConflict(c core.SyncConflict) error {
	if c.ID == uuid.Nil {
		return core.InternalError("put conflict", errNilID)
	}
	p, err := json.Marshal(c)
	if err != nil {
		return core.InternalError("put conflict", err)
	}
	return t.putLocal(bucketLocalConflicts, c.ID[:], p)
}

// Conflicts returns the stored conflicts, oldest first.
func (t *tx) Conflicts() ([]core.SyncConflict, error) {
	b, err := t.bucket(bucketLocalConflicts)
	if err != nil {
		return nil, err
	}
	out := make([]core.SyncConflict, 0)
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		p, err := t.getLocal(bucketLocalConflicts, k)
		if err != nil {
			return nil, err
		}
		var sc core.SyncConflict
		if err := json.Unmarshal(p, &sc); err != nil {
			return nil, core.InternalError("read conflict", corrupt(err))
		}
		out = append(out, sc)
	}
	slices.SortFunc(out, func(a, b core.SyncConflict) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}

// DeleteConflict removes a conflict. Errors: NotFound.
func (t *tx) DeleteConflict(id uuid.UUID) error {
	p, err := t.getLocal(bucketLocalConflicts, id[:])
	if err != nil {
		return err
	}
	if p == nil {
		return core.Errorf(core.NotFound, "conflict not found")
	}
	return t.putLocal(bucketLocalConflicts, id[:], nil)
}

// ---- local meta

// ownedMeta lists the local_meta keys that only the storage writes.
var ownedMeta = map[string]bool{localSigningKey: true, localOrigin: true, localTeamMode: true}

// LocalMeta returns a value of local_meta, nil when absent.
func (t *tx) LocalMeta(key string) ([]byte, error) {
	return t.getLocal(bucketLocalMeta, []byte(key))
}

// SetLocalMeta stores a value of local_meta; nil removes it. The storage's own keys are
// refused.
func (t *tx) SetLocalMeta(key string, value []byte) error {
	if ownedMeta[key] || key == "" {
		return core.InternalError("set local meta", fmt.Errorf("key %q is reserved", key))
	}
	if value == nil {
		return t.putLocal(bucketLocalMeta, []byte(key), nil)
	}
	return t.putLocal(bucketLocalMeta, []byte(key), bytes.Clone(value))
}

// ---- re-copy

// ClearDataset removes every record with its index entries, and the audit entries that are in
// the cluster, keeping this laptop's unpublished entries and every local bucket.
func (t *tx) ClearDataset() error {
	for _, tb := range []*table{usersTable, clientsTable, contractsTable, eventsTable} {
		if err := t.clearTable(tb); err != nil {
			return err
		}
	}
	return t.clearPublishedAudit()
}

// clearTable empties a record bucket and its indexes.
func (t *tx) clearTable(tb *table) error {
	for _, name := range append([][]byte{tb.bucket}, indexNames(tb)...) {
		if err := t.btx.DeleteBucket(name); err != nil {
			return core.InternalError("clear "+string(name), err)
		}
		if _, err := t.btx.CreateBucket(name); err != nil {
			return core.InternalError("clear "+string(name), err)
		}
	}
	return nil
}

func indexNames(tb *table) [][]byte {
	names := make([][]byte, len(tb.indexes))
	for i, x := range tb.indexes {
		names[i] = x.name
	}
	return names
}

// clearPublishedAudit deletes the audit entries with a revision: those listed before the
// pending ones (MaxUint64‖seq) in idx_audit_by_order.
func (t *tx) clearPublishedAudit() error {
	idx, err := t.bucket(idxAuditByOrder.name)
	if err != nil {
		return err
	}
	var seqs []uint64
	c := idx.Cursor()
	pending := orderKey(0)
	for k, _ := c.First(); k != nil && !bytes.HasPrefix(k, pending); k, _ = c.Next() {
		if len(k) == 2*seqLen {
			seqs = append(seqs, binary.BigEndian.Uint64(k[seqLen:]))
		}
	}
	for _, seq := range seqs {
		if err := t.deleteAudit(seq); err != nil {
			return err
		}
	}
	return nil
}

// deleteAudit removes the audit entry at seq with its index entries.
func (t *tx) deleteAudit(seq uint64) error {
	a, ok, err := t.auditAt(seq)
	if err != nil || !ok {
		return err
	}
	key := seqKey(seq)
	for _, e := range auditEntries(key, &a) {
		if err := t.deleteEntry(e); err != nil {
			return core.InternalError("clear audit", err)
		}
	}
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return err
	}
	return core.InternalError("clear audit", b.Delete(key))
}
