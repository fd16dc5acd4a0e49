package storage

import (
	"bytes"
	"fmt"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// index describes one index bucket. A unique index maps a value to the key of its record. Any
// other index has keys prefix‖record key, of fixed widths, and empty values.
type index struct {
	name      []byte
	unique    bool
	conflict  string // the message of the Conflict error on a taken unique value
	prefixLen int    // not unique: width of the prefix (owner id, start, record id)
	keyLen    int    // width of the record key
}

func uniqueIndex(name, conflict string) *index {
	return &index{name: []byte(name), unique: true, conflict: conflict, keyLen: idLen}
}

// ownerIndex is an index keyed owner id‖record id.
func ownerIndex(name string) *index { return prefixIndex(name, idLen, idLen) }

func prefixIndex(name string, prefixLen, keyLen int) *index {
	return &index{name: []byte(name), prefixLen: prefixLen, keyLen: keyLen}
}

// recordKey returns the key of the record an index entry belongs to; false when the entry is
// malformed.
func (x *index) recordKey(k, v []byte) ([]byte, bool) {
	if x.unique {
		return v, len(k) > 0 && len(v) == x.keyLen
	}
	if len(k) != x.prefixLen+x.keyLen || len(v) != 0 {
		return nil, false
	}
	return k[x.prefixLen:], true
}

// entry is one key of an index bucket, with its value.
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
	record  string // what a record is called in messages: "user"
	bucket  []byte
	keyLen  int
	indexes []*index
	// entries decodes a stored record and returns its index entries.
	entries func(key, val []byte) ([]entry, error)
}

// bucket returns a bucket of the transaction; a missing bucket means a damaged database.
func (t *tx) bucket(name []byte) (*bbolt.Bucket, error) {
	b := t.btx.Bucket(name)
	if b == nil {
		return nil, core.InternalError("storage", corrupt(fmt.Errorf("bucket %s is missing", name)))
	}
	return b, nil
}

// get returns the stored value of a record, nil when absent.
func (t *tx) get(tb *table, key []byte) ([]byte, error) {
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return nil, err
	}
	return b.Get(key), nil
}

// put stores a record and moves its index entries from those of the stored version (if any)
// to entries. It returns a Conflict error, before changing anything, when a unique value is
// taken by another record.
func (t *tx) put(tb *table, key, val []byte, entries []entry) error {
	op := "put " + tb.record
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return err
	}
	var old []entry
	if v := b.Get(key); v != nil {
		if old, err = tb.entries(key, v); err != nil {
			return core.InternalError(op, err)
		}
	}
	if err := t.checkUnique(key, entries); err != nil {
		return err
	}
	for _, e := range old {
		if !containsEntry(entries, e) {
			if err := t.deleteEntry(e); err != nil {
				return core.InternalError(op, err)
			}
		}
	}
	for _, e := range entries {
		if !containsEntry(old, e) {
			if err := t.putEntry(e); err != nil {
				return core.InternalError(op, err)
			}
		}
	}
	return core.InternalError(op, b.Put(key, val))
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
		if v := b.Get(e.key); v != nil && !bytes.Equal(v, key) {
			return &core.Error{Kind: core.Conflict, Message: e.idx.conflict}
		}
	}
	return nil
}

func (t *tx) putEntry(e entry) error {
	b, err := t.bucket(e.idx.name)
	if err != nil {
		return err
	}
	return b.Put(e.key, e.val)
}

func (t *tx) deleteEntry(e entry) error {
	b, err := t.bucket(e.idx.name)
	if err != nil {
		return err
	}
	if e.idx.unique {
		// Never remove a unique key that another record holds.
		if v := b.Get(e.key); v != nil && !bytes.Equal(v, e.val) {
			return nil
		}
	}
	return b.Delete(e.key)
}

// remove deletes a record and its index entries; false when there was no such record.
func (t *tx) remove(tb *table, key []byte) (bool, error) {
	op := "delete " + tb.record
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return false, err
	}
	v := b.Get(key)
	if v == nil {
		return false, nil
	}
	entries, err := tb.entries(key, v)
	if err != nil {
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
	id, err := keyID(v)
	if err != nil {
		return uuid.Nil, false, core.InternalError(string(x.name), err)
	}
	return id, true, nil
}

// keyID reads a 16-byte record key.
func keyID(k []byte) (uuid.UUID, error) {
	if len(k) != idLen {
		return uuid.Nil, corrupt(fmt.Errorf("record key has %d bytes, want %d", len(k), idLen))
	}
	return uuid.UUID(k), nil
}

// hasKey reports whether b holds key (with any value, including an empty one).
func hasKey(b *bbolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return k != nil && bytes.Equal(k, key)
}

// indexOutOfStep is the error of an index entry that is malformed or whose record is gone.
func indexOutOfStep(x *index, tb *table) error {
	return core.InternalError("storage", corrupt(fmt.Errorf("index %s is out of step with the %s records; run a database check", x.name, tb.record)))
}
