package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

// The audit trail is append-only: entries are never changed or deleted, even when their
// record is.
var auditTable = &table{
	record:  "audit entry",
	bucket:  bucketAudit,
	keyLen:  seqLen,
	indexes: []*index{idxAuditByRecord},
	entries: func(key, val []byte) ([]entry, error) {
		if len(key) != seqLen {
			return nil, fmt.Errorf("audit key has %d bytes, want %d", len(key), seqLen)
		}
		a, err := decodeAudit(val)
		if err != nil {
			return nil, err
		}
		return []entry{prefixEntry(idxAuditByRecord, a.RecordID[:], key)}, nil
	},
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, seqLen), seq) }

// AppendAudit appends e to the trail and sets e.Seq to its position, from 1 up.
func (t *tx) AppendAudit(e *core.AuditEntry) error {
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
	if err := b.Put(key, encodeAudit(e)); err != nil {
		return core.InternalError("append audit entry", err)
	}
	if err := t.putEntry(prefixEntry(idxAuditByRecord, e.RecordID[:], key)); err != nil {
		return core.InternalError("append audit entry", err)
	}
	e.Seq = seq
	return nil
}

// Audit returns the entries that pass f, oldest first. RecordID reads idx_audit_by_record.
func (t *tx) Audit(f core.AuditFilter) ([]core.AuditEntry, error) {
	if f.AfterSeq == math.MaxUint64 {
		return []core.AuditEntry{}, nil
	}
	from := seqKey(f.AfterSeq + 1)
	var src source
	if f.RecordID != uuid.Nil {
		src = t.scanAuditOf(f.RecordID, from)
	} else {
		src = func(visit visitor) error {
			b, err := t.bucket(bucketAudit)
			if err != nil {
				return err
			}
			return scanFrom(b, from, visit)
		}
	}
	return collect(src, f.Limit, func(k, v []byte) (core.AuditEntry, bool, error) {
		if len(k) != seqLen {
			return core.AuditEntry{}, false, core.InternalError("read audit trail", corrupt(fmt.Errorf("key %x has %d bytes", k, len(k))))
		}
		a, err := decodeAudit(v)
		if err != nil {
			return core.AuditEntry{}, false, core.InternalError("read audit trail", fmt.Errorf("entry %x: %w", k, err))
		}
		a.Seq = binary.BigEndian.Uint64(k)
		return a, true, nil
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
		for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, id[:]); k, _ = c.Next() {
			more, err := t.visitIndexed(recs, auditTable, idxAuditByRecord, k, visit)
			if err != nil || !more {
				return err
			}
		}
		return nil
	}
}

// scanFrom visits the keys of b from key from on.
func scanFrom(b *bbolt.Bucket, from []byte, visit visitor) error {
	c := b.Cursor()
	for k, v := c.Seek(from); k != nil; k, v = c.Next() {
		if more, err := visit(k, v); err != nil || !more {
			return err
		}
	}
	return nil
}
