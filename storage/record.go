package storage

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// fieldsOf is the parsed form of a stored record of type R (encoding.go): its parse method
// reads a payload into it without copying, record copies it out as an R with its id.
type fieldsOf[R any] interface {
	record(id uuid.UUID) R
}

// recordKind ties a record type R (users, clients, contracts, events) to its table, its parsed
// form F and its encoding, and gives the reads and writes that are the same for every record
// type: decoding with the key, lookup by id or by a unique index, put and delete keeping the
// indexes in step, and the table's functions for checks, repairs and sync.
//
// Records and parsed forms go by value (parse returns F, F.record has a value receiver, the
// functions take R): a pointer handed to a function value or to a type parameter's method
// would move the record to the heap, one more allocation per record decoded or checked.
type recordKind[R any, F fieldsOf[R]] struct {
	tb       *table
	parse    func(p []byte) (F, error)
	id       func(r R) uuid.UUID
	encode   func(r R, rev uint64) []byte
	entries  func(id uuid.UUID, r R) []entry
	toWire   func(r R) core.Wire
	fromWire func(w core.Wire) (R, error)
}

// idTable returns the table of a record type: records keyed by their id in bucket, with the
// given indexes; newRecordKind completes it.
func idTable(record string, rt core.RecordType, bucket []byte, indexes ...*index) *table {
	return &table{record: record, rt: rt, bucket: bucket, seal: newSealer(bucket), keyLen: idLen, indexes: indexes}
}

// newRecordKind completes k.tb with the functions every record table has and returns k.
func newRecordKind[R any, F fieldsOf[R]](k recordKind[R, F]) *recordKind[R, F] {
	k.tb.entries = func(key, p []byte) ([]entry, error) {
		r, err := k.of(key, p)
		if err != nil {
			return nil, err
		}
		return k.entries(k.id(r), r), nil
	}
	k.tb.wire = func(key, p []byte) (core.Wire, error) {
		r, err := k.of(key, p)
		if err != nil {
			return core.Wire{}, err
		}
		return k.toWire(r), nil
	}
	k.tb.encode = func(w core.Wire, rev uint64) ([]byte, []entry, error) {
		r, err := k.fromWire(w)
		if err != nil {
			return nil, nil, err
		}
		return k.encode(r, rev), k.entries(k.id(r), r), nil
	}
	return &k
}

// decode decodes a stored payload into a record without id.
func (k *recordKind[R, F]) decode(p []byte) (R, error) {
	return k.decodeAs(uuid.Nil, p)
}

func (k *recordKind[R, F]) decodeAs(id uuid.UUID, p []byte) (R, error) {
	f, err := k.parse(p)
	if err != nil {
		var zero R
		return zero, fmt.Errorf("decode %s: %w", k.tb.record, err)
	}
	return f.record(id), nil
}

// of decodes a stored payload with its key.
func (k *recordKind[R, F]) of(key, p []byte) (R, error) {
	id, err := keyID(key)
	if err != nil {
		var zero R
		return zero, err
	}
	return k.decodeAs(id, p)
}

// reencode decodes a payload and encodes it again in the current format, at revision 0.
func (k *recordKind[R, F]) reencode(p []byte) ([]byte, error) {
	r, err := k.decode(p)
	if err != nil {
		return nil, err
	}
	return k.encode(r, 0), nil
}

// get returns the record with that id. Errors: NotFound, Damaged.
func (k *recordKind[R, F]) get(t *tx, id uuid.UUID) (R, error) {
	var zero R
	p, err := t.load(k.tb, id[:])
	if err != nil {
		return zero, err
	}
	if p == nil {
		return zero, k.notFound()
	}
	f, err := k.parse(p)
	if err != nil {
		return zero, core.DamagedError(k.tb.rt, id)
	}
	return f.record(id), nil
}

// by returns the record whose value in the unique index x is value. Errors: NotFound, Damaged,
// Internal when the entry's record is gone.
func (k *recordKind[R, F]) by(t *tx, x *index, value string) (R, error) {
	var zero R
	id, ok, err := t.lookupUnique(x, value)
	if err != nil {
		return zero, err
	}
	if !ok {
		return zero, k.notFound()
	}
	r, err := k.get(t, id)
	if core.KindOf(err) == core.NotFound {
		return zero, indexOutOfStep(x, k.tb)
	}
	return r, err
}

// put inserts or replaces r with its index entries. Errors: Conflict when a unique value of r
// belongs to another record; Damaged when the stored version is damaged.
func (k *recordKind[R, F]) put(t *tx, r *R) error {
	id := k.id(*r)
	if id == uuid.Nil {
		return core.InternalError("put "+k.tb.record, errNilID)
	}
	return t.put(k.tb, bytesOf(id), k.encode(*r, 0), k.entries(id, *r))
}

// notFound is the error of a missing record: "client not found".
func (k *recordKind[R, F]) notFound() error {
	return core.Errorf(core.NotFound, "%s not found", k.tb.record)
}

// delete removes the record id and its index entries. Errors: NotFound, Damaged.
func (k *recordKind[R, F]) delete(t *tx, id uuid.UUID) error {
	ok, err := t.remove(k.tb, id[:])
	if err == nil && !ok {
		return k.notFound()
	}
	return err
}

// parseRecord loads the record id of tb and parses its payload with parse; false when there is
// none. Errors: Damaged when the record fails its seal or does not decode.
func (t *tx) parseRecord(tb *table, id uuid.UUID, parse func([]byte) error) (bool, error) {
	p, err := t.load(tb, id[:])
	if err != nil || p == nil {
		return false, err
	}
	if err := parse(p); err != nil {
		return false, core.DamagedError(tb.rt, id)
	}
	return true, nil
}

// parser is a parsed form of a stored record.
type parser interface{ parse(payload []byte) error }

// parseKeyed reads the id of a record's key and parses its payload into f, for scans.
// Errors: a damaged value.
func parseKeyed(k, v []byte, f parser) (uuid.UUID, error) {
	id, err := keyID(k)
	if err == nil {
		err = f.parse(v)
	}
	if err != nil {
		return uuid.Nil, damagedValue(err)
	}
	return id, nil
}
