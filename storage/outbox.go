package storage

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// The outbox (team mode). Every record write goes through tx.put or tx.remove; when the
// database is in team mode, a write transaction of core collects there the records it changes
// (their wire form before and after) and, in AppendAudit, the audit entries it makes. When the
// transaction's function returns nil, run appends them to local_outbox as one core.Change, in
// the same bbolt transaction: the change and its outbox entry commit together or not at all.
//
// The first change to a record that has no shadow yet also writes the record's shadow: its
// revision and wire form before the change, the cluster version the change is based on.

// changeSet is what one change has written so far.
type changeSet struct {
	records []core.RecordChange
	pos     map[shadowKey]int // index in records
	audit   []core.AuditEntry
	// shadowed holds the shadows this change created.
	shadowed map[shadowKey]bool
}

func newChangeSet() *changeSet {
	return &changeSet{pos: make(map[shadowKey]int), shadowed: make(map[shadowKey]bool)}
}

// shadowKey is the key of a record in local_shadow: its type byte then its id.
type shadowKey [1 + idLen]byte

// typeBytes numbers the record types in shadow keys.
var typeBytes = map[core.RecordType]byte{
	core.UserRecord: 1, core.ClientRecord: 2, core.ContractRecord: 3, core.EventRecord: 4,
}

func keyOf(rt core.RecordType, id uuid.UUID) shadowKey {
	var k shadowKey
	k[0] = typeBytes[rt]
	copy(k[1:], id[:])
	return k
}

// captureWrite records the write of a record of tb (old and next payloads, nil for none) in
// the transaction's change, in team mode.
func (t *tx) captureWrite(tb *table, key, old, next []byte) error {
	if !t.capture || tb.wire == nil {
		return nil
	}
	id := uuid.UUID(key)
	before, err := wireOf(tb, key, old)
	if err != nil {
		return err
	}
	after, err := wireOf(tb, key, next)
	if err != nil {
		return err
	}
	k := keyOf(tb.rt, id)
	if err := t.ensureShadow(k, tb.rt, id, payloadRev(old), before); err != nil {
		return err
	}
	cs := t.change
	i, seen := cs.pos[k]
	if !seen {
		cs.pos[k] = len(cs.records)
		cs.records = append(cs.records, core.RecordChange{Type: tb.rt, ID: id, Before: before, After: after})
		return nil
	}
	cs.records[i].After = after
	return nil
}

// wireOf returns the wire form of a payload, nil for none.
func wireOf(tb *table, key, p []byte) (*core.Wire, error) {
	if p == nil {
		return nil, nil
	}
	w, err := tb.wire(key, p)
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// ensureShadow writes the shadow of a record about to change when it has none.
func (t *tx) ensureShadow(k shadowKey, rt core.RecordType, id uuid.UUID, rev uint64, before *core.Wire) error {
	b, err := t.bucket(bucketLocalShadow)
	if err != nil {
		return err
	}
	if b.Get(k[:]) != nil {
		return nil
	}
	t.change.shadowed[k] = true
	return t.PutShadow(core.Shadow{Type: rt, ID: id, Rev: rev, Record: before})
}

// captureAudit adds an audit entry to the transaction's change, in team mode.
func (t *tx) captureAudit(e core.AuditEntry) {
	if t.capture {
		t.change.audit = append(t.change.audit, e)
	}
}

// flushChange appends what the transaction has changed since the last flush to the outbox as
// one change. Records created and deleted within the change are left out, with the shadow the
// change made for them.
func (t *tx) flushChange() error {
	cs := t.change
	if cs == nil {
		return nil
	}
	t.change = newChangeSet()
	records := make([]core.RecordChange, 0, len(cs.records))
	for _, rc := range cs.records {
		if rc.Before != nil || rc.After != nil {
			records = append(records, rc)
			continue
		}
		if k := keyOf(rc.Type, rc.ID); cs.shadowed[k] {
			if err := t.DropShadow(rc.Type, rc.ID); err != nil {
				return err
			}
		}
	}
	if len(records) == 0 && len(cs.audit) == 0 {
		return nil
	}
	b, err := t.bucket(bucketLocalOutbox)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return core.InternalError("append to outbox", err)
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return core.InternalError("append to outbox", err)
	}
	c := core.Change{Seq: seq, ID: id, At: changeTime(cs.audit), Records: records, Audit: cs.audit}
	return t.putChange(c)
}

// changeTime is the time of a change: that of its last audit entry, else now.
func changeTime(audit []core.AuditEntry) time.Time {
	if n := len(audit); n > 0 {
		return audit[n-1].At.UTC()
	}
	return time.Now().UTC()
}

// putChange stores c at c.Seq in the outbox.
func (t *tx) putChange(c core.Change) error {
	p, err := json.Marshal(c)
	if err != nil {
		return core.InternalError("encode change", err)
	}
	b, err := t.bucket(bucketLocalOutbox)
	if err != nil {
		return err
	}
	b.FillPercent = 0.95 // keys only grow
	return t.putLocal(bucketLocalOutbox, seqKey(c.Seq), p)
}

// decodeChange decodes a stored change.
func decodeChange(p []byte) (core.Change, error) {
	var c core.Change
	if err := json.Unmarshal(p, &c); err != nil {
		return core.Change{}, corrupt(fmt.Errorf("decode change: %w", err))
	}
	return c, nil
}
