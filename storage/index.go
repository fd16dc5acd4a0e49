package storage

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// index describes one index bucket. A unique index maps a value to the key of its record. Any
// other index has keys prefix‖record key, of fixed widths, and an empty payload. Every value
// is sealed (seal.go): stored values are payload‖seal.
type index struct {
	name      []byte
	seal      sealer
	unique    bool
	conflict  core.Code // the code of the Conflict error on a taken unique value
	prefixLen int       // not unique: width of the prefix (owner id, start, record id)
	keyLen    int       // width of the record key
}

func uniqueIndex(name string, conflict core.Code) *index {
	return &index{name: []byte(name), seal: newSealer([]byte(name)), unique: true, conflict: conflict, keyLen: idLen}
}

// ownerIndex is an index keyed owner id‖record id.
func ownerIndex(name string) *index { return prefixIndex(name, idLen, idLen) }

func prefixIndex(name string, prefixLen, keyLen int) *index {
	return &index{name: []byte(name), seal: newSealer([]byte(name)), prefixLen: prefixLen, keyLen: keyLen}
}

// recordKey returns the key of the record an index entry belongs to, from its key and its
// payload (the value without its seal); false when the entry is malformed.
func (x *index) recordKey(k, payload []byte) ([]byte, bool) {
	if x.unique {
		return payload, len(k) > 0 && len(payload) == x.keyLen
	}
	if len(k) != x.prefixLen+x.keyLen || len(payload) != 0 {
		return nil, false
	}
	return k[x.prefixLen:], true
}

// entry is one key of an index bucket, with its payload.
type entry struct {
	idx      *index
	key, val []byte
}

func (e entry) equal(o entry) bool {
	return e.idx == o.idx && bytes.Equal(e.key, o.key) && bytes.Equal(e.val, o.val)
}

func containsEntry(es []entry, e entry) bool {
	for _, o := range es {
		if o.equal(e) {
			return true
		}
	}
	return false
}

// appendUnique adds the entry value → id; an empty value is not indexed.
func appendUnique(es []entry, x *index, value string, id uuid.UUID) []entry {
	if value == "" {
		return es
	}
	return append(es, entry{idx: x, key: []byte(value), val: bytes.Clone(id[:])})
}

// prefixEntry returns the entry prefix‖key of a multi-valued index.
func prefixEntry(x *index, prefix, key []byte) entry {
	k := make([]byte, 0, len(prefix)+len(key))
	return entry{idx: x, key: append(append(k, prefix...), key...), val: []byte{}}
}

func ownerEntry(x *index, owner, id uuid.UUID) entry { return prefixEntry(x, owner[:], id[:]) }

// table is a bucket of records with the indexes that follow it.
type table struct {
	record  string          // what a record is called in messages: "user"
	rt      core.RecordType // "" for the audit trail
	bucket  []byte
	seal    sealer
	keyLen  int
	indexes []*index
	// entries parses a stored payload (the value without its seal) and returns its index
	// entries.
	entries func(key, payload []byte) ([]entry, error)
	// wire turns a stored payload into the record's wire form (records only).
	wire func(key, payload []byte) (core.Wire, error)
	// encode turns a record in wire form into a payload at rev, with its index entries
	// (records only).
	encode func(w core.Wire, rev uint64) (payload []byte, entries []entry, err error)
}

// bucket returns a bucket of the transaction; a missing bucket means a damaged database.
func (t *tx) bucket(name []byte) (*bbolt.Bucket, error) {
	b := t.btx.Bucket(name)
	if b == nil {
		return nil, core.InternalError("storage", corrupt(fmt.Errorf("bucket %s is missing", name)))
	}
	return b, nil
}

// errDamagedValue marks a stored value that fails its seal or does not decode.
var errDamagedValue = errors.New("damaged value")

// damagedRecord returns the error of a damaged record of tb: a Damaged *core.Error naming the
// record for records, an error wrapping errDamagedValue for audit entries.
func damagedRecord(tb *table, key []byte) error {
	if tb.rt == "" {
		return fmt.Errorf("%s %s: %w", tb.record, describeKey(tb, key), errDamagedValue)
	}
	id, _ := keyID(key)
	return core.DamagedError(tb.rt, id)
}

// load returns the payload of a stored record, nil when absent. A value whose seal fails
// gives the error of damagedRecord.
func (t *tx) load(tb *table, key []byte) ([]byte, error) {
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return nil, err
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil
	}
	p, err := tb.seal.open(key, v)
	if err != nil {
		return nil, damagedRecord(tb, key)
	}
	return p, nil
}

// put stores a record (payload, sealed here) and moves its index entries from those of the
// stored version (if any) to entries. It returns a Conflict error, before changing anything,
// when a unique value is taken by another record, and a Damaged error when the stored version
// is damaged (its index entries are unknown). In team mode it records the change (outbox.go).
func (t *tx) put(tb *table, key, payload []byte, entries []entry) error {
	op := "put " + tb.record
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return err
	}
	oldPayload, err := t.load(tb, key)
	if err != nil {
		return err
	}
	var old []entry
	if oldPayload != nil {
		if old, err = tb.entries(key, oldPayload); err != nil {
			return damagedRecord(tb, key)
		}
	}
	if err := t.checkUnique(key, entries); err != nil {
		return err
	}
	if err := t.captureWrite(tb, key, oldPayload, payload); err != nil {
		return core.InternalError(op, err)
	}
	if err := t.moveEntries(old, entries); err != nil {
		return core.InternalError(op, err)
	}
	return core.InternalError(op, b.Put(key, tb.seal.seal(key, payload)))
}

// moveEntries deletes the entries of old that are not in next and puts those of next that are
// not in old.
func (t *tx) moveEntries(old, next []entry) error {
	for _, e := range old {
		if !containsEntry(next, e) {
			if err := t.deleteEntry(e); err != nil {
				return err
			}
		}
	}
	for _, e := range next {
		if !containsEntry(old, e) {
			if err := t.putEntry(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tx) checkUnique(key []byte, entries []entry) error {
	for _, e := range entries {
		if !e.idx.unique {
			continue
		}
		b, err := t.bucket(e.idx.name)
		if err != nil {
			return err
		}
		v := b.Get(e.key)
		if v == nil {
			continue
		}
		holder, err := e.idx.seal.open(e.key, v)
		if err != nil {
			return core.DamagedError(tableOfIndex(e.idx).rt, uuid.Nil)
		}
		if !bytes.Equal(holder, key) {
			return core.NewError(core.Conflict, e.idx.conflict)
		}
	}
	return nil
}

func (t *tx) putEntry(e entry) error {
	b, err := t.bucket(e.idx.name)
	if err != nil {
		return err
	}
	return b.Put(e.key, e.idx.seal.seal(e.key, e.val))
}

func (t *tx) deleteEntry(e entry) error {
	b, err := t.bucket(e.idx.name)
	if err != nil {
		return err
	}
	if e.idx.unique {
		// Never remove a unique key that another record holds (a damaged one is left to
		// Check and Reindex).
		if v := b.Get(e.key); v != nil {
			if holder, err := e.idx.seal.open(e.key, v); err != nil || !bytes.Equal(holder, e.val) {
				return nil
			}
		}
	}
	return b.Delete(e.key)
}

// remove deletes a record and its index entries; false when there was no such record. In team
// mode it records the change (outbox.go). Errors: Damaged when the stored record is damaged.
func (t *tx) remove(tb *table, key []byte) (bool, error) {
	op := "delete " + tb.record
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return false, err
	}
	p, err := t.load(tb, key)
	if err != nil || p == nil {
		return false, err
	}
	entries, err := tb.entries(key, p)
	if err != nil {
		return false, damagedRecord(tb, key)
	}
	if err := t.captureWrite(tb, key, p, nil); err != nil {
		return false, core.InternalError(op, err)
	}
	for _, e := range entries {
		if err := t.deleteEntry(e); err != nil {
			return false, core.InternalError(op, err)
		}
	}
	return true, core.InternalError(op, b.Delete(key))
}

// lookupUnique returns the record id a unique index maps value to, false when none.
// Errors: Damaged when the entry is damaged.
func (t *tx) lookupUnique(x *index, value string) (uuid.UUID, bool, error) {
	if value == "" {
		return uuid.Nil, false, nil
	}
	b, err := t.bucket(x.name)
	if err != nil {
		return uuid.Nil, false, err
	}
	v := b.Get([]byte(value))
	if v == nil {
		return uuid.Nil, false, nil
	}
	p, err := x.seal.open([]byte(value), v)
	if err != nil || len(p) != idLen {
		return uuid.Nil, false, core.DamagedError(tableOfIndex(x).rt, uuid.Nil)
	}
	return uuid.UUID(p), true, nil
}

// tableOfIndex returns the table an index follows.
func tableOfIndex(x *index) *table {
	for _, tb := range tables {
		for _, y := range tb.indexes {
			if y == x {
				return tb
			}
		}
	}
	return nil
}

// keyID reads a 16-byte record key.
func keyID(k []byte) (uuid.UUID, error) {
	if len(k) != idLen {
		return uuid.Nil, corrupt(fmt.Errorf("record key has %d bytes, want %d", len(k), idLen))
	}
	return uuid.UUID(k), nil
}

// indexOutOfStep is the error of an index entry, with a good seal, whose record is gone.
func indexOutOfStep(x *index, tb *table) error {
	return core.InternalError("storage", corrupt(fmt.Errorf("index %s is out of step with the %s records; run a database check", x.name, tb.record)))
}
