package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// The audit trail is append-only: entries are never deleted, even when their record is; only
// the revision of an own entry is set once it is published to the team's cluster.
var auditTable = &table{
	record:  "audit entry",
	bucket:  bucketAudit,
	seal:    newSealer(bucketAudit),
	keyLen:  seqLen,
	indexes: []*index{idxAuditByRecord, idxAuditByOrder},
	entries: func(key, p []byte) ([]entry, error) {
		if len(key) != seqLen {
			return nil, fmt.Errorf("audit key has %d bytes, want %d", len(key), seqLen)
		}
		a, err := decodeAudit(p)
		if err != nil {
			return nil, err
		}
		return auditEntries(key, &a), nil
	},
}

// auditEntries lists the index entries of the audit entry at key: by record, and in the
// company-wide order (rev‖seq; entries not yet in the cluster come last, in local order).
func auditEntries(key []byte, a *core.AuditEntry) []entry {
	return []entry{
		prefixEntry(idxAuditByRecord, a.RecordID[:], key),
		prefixEntry(idxAuditByOrder, orderKey(a.Rev), key),
	}
}

// orderKey is the prefix of an entry in idx_audit_by_order: its revision, big-endian, or
// MaxUint64 while it is not in the cluster.
func orderKey(rev uint64) []byte {
	if rev == 0 {
		rev = math.MaxUint64
	}
	return seqKey(rev)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, seqLen), seq) }

// AppendAudit appends e to the trail and sets e.Seq to its position, from 1 up, and e.Origin to
// this laptop. In team mode the entry joins the transaction's change.
func (t *tx) AppendAudit(e *core.AuditEntry) error {
	e.Origin, e.Rev = t.db.origin, 0
	if err := t.appendAudit(e); err != nil {
		return err
	}
	t.captureAudit(*e)
	return nil
}

// appendAudit stores e at the next sequence with its index entries.
func (t *tx) appendAudit(e *core.AuditEntry) error {
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return core.InternalError("append audit entry", err)
	}
	// Keys only grow: pages may be filled up.
	b.FillPercent = 0.95
	key := seqKey(seq)
	if err := b.Put(key, auditTable.seal.seal(key, encodeAudit(e))); err != nil {
		return core.InternalError("append audit entry", err)
	}
	for _, x := range auditEntries(key, e) {
		if err := t.putEntry(x); err != nil {
			return core.InternalError("append audit entry", err)
		}
	}
	e.Seq = seq
	return nil
}

// Audit returns the entries that pass f, in trail order, and the number of damaged entries
// skipped. RecordID reads idx_audit_by_record (the entries of one record, in local order);
// the whole trail is read in idx_audit_by_order, the company-wide order.
func (t *tx) Audit(f core.AuditFilter) ([]core.AuditEntry, int, error) {
	if f.AfterSeq == math.MaxUint64 {
		return []core.AuditEntry{}, 0, nil
	}
	var src source
	if f.RecordID != uuid.Nil {
		src = t.scanAuditOf(f.RecordID, seqKey(f.AfterSeq+1))
	} else {
		src = t.scanRange(auditTable, idxAuditByOrder, nil, nil)
	}
	return collect(auditTable, src, f.Limit, func(k, v []byte) (core.AuditEntry, bool, error) {
		if len(k) != seqLen {
			return core.AuditEntry{}, false, core.InternalError("read audit trail", corrupt(fmt.Errorf("key %x has %d bytes", k, len(k))))
		}
		a, err := decodeAudit(v)
		if err != nil {
			return core.AuditEntry{}, false, damagedValue(err)
		}
		a.Seq = binary.BigEndian.Uint64(k)
		return a, a.Seq > f.AfterSeq, nil
	})
}

// scanAuditOf visits the entries of one record from sequence key from on.
func (t *tx) scanAuditOf(id uuid.UUID, from []byte) source {
	return func(visit visitor) error {
		recs, idx, err := t.bucketPair(auditTable, idxAuditByRecord)
		if err != nil {
			return err
		}
		c := idx.Cursor()
		start := append(bytesOf(id), from...)
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, id[:]); k, v = c.Next() {
			more, err := t.visitIndexed(recs, auditTable, idxAuditByRecord, k, v, visit)
			if err != nil || !more {
				return err
			}
		}
		return nil
	}
}

// auditAt returns the audit entry at seq; false when there is none. Errors: a damaged entry.
func (t *tx) auditAt(seq uint64) (core.AuditEntry, bool, error) {
	key := seqKey(seq)
	p, err := t.load(auditTable, key)
	if err != nil || p == nil {
		return core.AuditEntry{}, false, err
	}
	a, err := decodeAudit(p)
	if err != nil {
		return core.AuditEntry{}, false, core.InternalError("read audit entry", damagedValue(err))
	}
	a.Seq = seq
	return a, true, nil
}

// putAudit rewrites the audit entry at its Seq, moving its index entries.
func (t *tx) putAudit(old, next *core.AuditEntry) error {
	b, err := t.bucket(bucketAudit)
	if err != nil {
		return err
	}
	key := seqKey(next.Seq)
	if err := t.moveEntries(auditEntries(key, old), auditEntries(key, next)); err != nil {
		return core.InternalError("put audit entry", err)
	}
	return core.InternalError("put audit entry", b.Put(key, auditTable.seal.seal(key, encodeAudit(next))))
}
