package replica

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/google/uuid"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
)

// theirs is a record as the cluster holds it now.
type theirs struct {
	rev    int64
	record *core.Wire
}

// getRecord reads a record from the cluster (nil when absent).
func getRecord(ctx context.Context, cli *clientv3.Client, t core.RecordType, id uuid.UUID) (theirs, error) {
	rc, cancel := rctx(ctx)
	defer cancel()
	resp, err := cli.Get(rc, recordKey(t, id))
	if err != nil {
		return theirs{}, clusterError("read record", err)
	}
	if len(resp.Kvs) == 0 {
		return theirs{}, nil
	}
	var w core.Wire
	if err := json.Unmarshal(resp.Kvs[0].Value, &w); err != nil {
		return theirs{}, core.InternalError("decode record "+string(resp.Kvs[0].Key), err)
	}
	return theirs{rev: resp.Kvs[0].ModRevision, record: &w}, nil
}

// holder returns the id that holds a unique key in the cluster ("" when free).
func holder(ctx context.Context, cli *clientv3.Client, key string) (string, error) {
	rc, cancel := rctx(ctx)
	defer cancel()
	resp, err := cli.Get(rc, key)
	if err != nil {
		return "", clusterError("read unique value", err)
	}
	if len(resp.Kvs) == 0 {
		return "", nil
	}
	return string(resp.Kvs[0].Value), nil
}

func exists(ctx context.Context, cli *clientv3.Client, key string, prefix bool) (bool, error) {
	rc, cancel := rctx(ctx)
	defer cancel()
	opts := []clientv3.OpOption{clientv3.WithCountOnly()}
	if prefix {
		opts = append(opts, clientv3.WithPrefix())
	}
	resp, err := cli.Get(rc, key, opts...)
	if err != nil {
		return false, clusterError("read", err)
	}
	return resp.Count > 0, nil
}

// localFix is what a merge does to the local database beside rewriting the outbox.
type localFix struct {
	put     []theirs            // cluster versions to store (no pending change keeps them out)
	del     []recKey            // records to remove locally
	rebase  map[recKey]rebaser  // later pending changes and the local record to bring in step
	confl   []core.SyncConflict // conflicts to keep
	refetch []recKey            // records of the cluster to copy in after the fix
}

// rebaser brings a later version of a record in step with a merge: fields it holds at the
// base value take the merged value; conflicting fields it holds at the local value take the
// cluster's.
type rebaser struct {
	base, mine, target map[string]string
	conflicts          []string
}

func (r rebaser) apply(w *core.Wire) {
	if w == nil {
		return
	}
	for f, tv := range r.target {
		v, ok := w.Fields[f]
		if !ok || v == r.base[f] || (slices.Contains(r.conflicts, f) && v == r.mine[f]) {
			w.Fields[f] = tv
		}
	}
}

// reconcile merges change c against the cluster after its guards failed (PRODUCT.md §9
// "Conflicts"): per record, fields changed on one side only merge; a field changed on both
// sides, an edit of a record deleted meanwhile (or the reverse) and a unique value taken
// meanwhile become conflicts — the cluster's version stays in force locally and the local
// values are kept in the conflict. It stores the outcome locally in one transaction and
// returns the change to publish now, and whether later changes were rewritten too.
func (e *Engine) reconcile(ctx context.Context, cli *clientv3.Client, c core.Change, bases map[recKey]base,
	later []core.Change) (core.Change, bool, error) {
	fix := localFix{rebase: map[recKey]rebaser{}}
	out := c
	out.Records = nil
	for _, rc := range c.Records {
		k := recKey{rc.Type, rc.ID}
		b, err := e.baseOf(bases, rc)
		if err != nil {
			return c, false, err
		}
		th, err := getRecord(ctx, cli, rc.Type, rc.ID)
		if err != nil {
			return c, false, err
		}
		mine := rc.After
		conflict := func(kind core.ConflictKind, fields []string, m, t, bs map[string]string) {
			fix.confl = append(fix.confl, core.SyncConflict{ID: uuid.New(), ChangeID: c.ID, Record: rc.Type,
				RecordID: rc.ID, Kind: kind, Fields: fields, Mine: m, Theirs: t, Base: bs, At: c.At,
				ActorID: actorOf(c)})
		}
		keep := true
		if th.rev != b.rev {
			bases[k] = base{rev: th.rev, record: th.record}
			switch {
			case th.record == nil && mine == nil:
				keep = false // deleted on both sides
			case th.record == nil:
				conflict(core.ConflictDeleted, fieldNames(mine), mine.Fields, nil, fieldsOf(b.record))
				fix.del = append(fix.del, k)
				keep = false
			case mine == nil:
				if b.record != nil && b.record.Equal(*th.record) {
					break // unchanged but for its revision: delete it
				}
				conflict(core.ConflictDeleted, fieldNames(th.record), nil, th.record.Fields, fieldsOf(b.record))
				fix.put = append(fix.put, th)
				keep = false
			default:
				merged, fields := merge(b.record, mine, th.record)
				if validMerged(merged) != nil {
					// Each side valid, together not (an end moved before a start moved
					// later): the cluster's version stays, the local values wait.
					fields = changedSince(b.record, mine)
					conflict(core.ConflictInvalid, fields, pick(mine, fields), pick(th.record, fields), pick(b.record, fields))
					merged = th.record.Clone()
				} else if len(fields) > 0 {
					conflict(core.ConflictField, fields, pick(mine, fields), pick(th.record, fields), pick(b.record, fields))
				}
				fix.rebase[k] = rebaser{base: fieldsOf(b.record), mine: mine.Fields, target: merged.Fields, conflicts: fields}
				if merged.Equal(*th.record) {
					fix.put = append(fix.put, th)
					keep = false
				} else {
					rc.After = &merged
				}
			}
		}
		if keep && rc.After != nil {
			// Unique values taken meanwhile by another record.
			for _, uk := range uniqueKeys(rc.After) {
				h, err := holder(ctx, cli, uk)
				if err != nil {
					return c, false, err
				}
				if h == "" || h == rc.ID.String() {
					continue
				}
				f := uniqueField(uk)
				if hid, perr := uuid.Parse(h); perr == nil {
					fix.refetch = append(fix.refetch, recKey{rc.Type, hid})
				}
				cur := b.record // the cluster's version now
				if th.rev != b.rev {
					cur = th.record
				}
				if cur == nil { // a create: the whole record waits in the conflict
					conflict(core.ConflictUnique, []string{f}, rc.After.Fields, nil, nil)
					fix.del = append(fix.del, k)
					keep = false
					break
				}
				conflict(core.ConflictUnique, []string{f}, pick(rc.After, []string{f}), pick(cur, []string{f}), pick(b.record, []string{f}))
				fixed := rc.After.Clone()
				fixed.Fields[f] = cur.Fields[f]
				fix.rebase[k] = rebaser{base: fieldsOf(cur), mine: rc.After.Fields, target: fixed.Fields, conflicts: []string{f}}
				rc.After = &fixed
			}
		}
		if keep && rc.After != nil && th.record == nil && b.record == nil {
			// A new child whose parent is gone.
			if _, pk := parent(rc.After); pk != "" {
				ok, err := exists(ctx, cli, pk, false)
				if err != nil {
					return c, false, err
				}
				if !ok {
					conflict(core.ConflictDeleted, fieldNames(rc.After), rc.After.Fields, nil, nil)
					fix.del = append(fix.del, k)
					keep = false
				}
			}
		}
		if keep && rc.After == nil {
			// A delete refused while colleagues added children.
			if p := childrenOf(rc.Type, rc.ID); p != "" {
				busy, err := exists(ctx, cli, p, true)
				if err != nil {
					return c, false, err
				}
				if busy {
					th2, err := getRecord(ctx, cli, rc.Type, rc.ID)
					if err != nil {
						return c, false, err
					}
					if th2.record != nil {
						conflict(core.ConflictDeleted, fieldNames(th2.record), nil, th2.record.Fields, fieldsOf(b.record))
						fix.put = append(fix.put, th2)
						bases[k] = base{rev: th2.rev, record: th2.record}
					}
					keep = false
				}
			}
		}
		if keep {
			out.Records = append(out.Records, rc)
		}
	}
	var fetched []theirs
	for _, k := range fix.refetch {
		th, err := getRecord(ctx, cli, k.t, k.id)
		if err != nil {
			return c, false, err
		}
		if th.record != nil {
			fetched = append(fetched, th)
		}
	}
	rewritten := false
	err := e.store.SyncUpdate(func(tx core.SyncTx) error {
		for _, sc := range fix.confl {
			if err := tx.PutConflict(sc); err != nil {
				return err
			}
		}
		if err := tx.PutPending(out); err != nil {
			return err
		}
		dropped := map[recKey]bool{}
		for _, k := range fix.del {
			dropped[k] = true
		}
		// Later changes: a dropped record leaves them; a merged one is rebased.
		for _, lc := range later {
			changed := false
			recs := lc.Records[:0:0]
			for _, rc := range lc.Records {
				k := recKey{rc.Type, rc.ID}
				if dropped[k] {
					changed = true
					continue
				}
				if r, ok := fix.rebase[k]; ok && rc.After != nil {
					a := rc.After.Clone()
					r.apply(&a)
					rc.After = &a
					changed = true
				}
				recs = append(recs, rc)
			}
			if changed {
				lc.Records = recs
				rewritten = true
				if err := tx.PutPending(lc); err != nil && core.KindOf(err) != core.NotFound {
					return err
				}
			}
		}
		for _, k := range fix.del {
			if err := tx.DeleteRecord(k.t, k.id); err != nil {
				return err
			}
			if err := tx.DropShadow(k.t, k.id); err != nil {
				return err
			}
		}
		for _, th := range fix.put {
			if err := tx.PutRecord(*th.record, uint64(th.rev)); err != nil {
				return err
			}
		}
		for k, r := range fix.rebase {
			w, _, ok, err := tx.Record(k.t, k.id)
			if err != nil || !ok {
				continue
			}
			r.apply(&w)
			if err := tx.PutRecord(w, 0); err != nil && core.KindOf(err) != core.Conflict {
				return err
			}
		}
		for _, th := range fetched {
			pending, err := tx.HasPending(th.record.Type, th.record.ID)
			if err != nil {
				return err
			}
			if !pending {
				if err := tx.PutRecord(*th.record, uint64(th.rev)); err != nil && core.KindOf(err) != core.Conflict {
					return err
				}
			}
		}
		for k, b := range bases {
			if _, ok, _ := tx.Shadow(k.t, k.id); ok {
				if err := tx.PutShadow(core.Shadow{Type: k.t, ID: k.id, Rev: uint64(b.rev), Record: b.record}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, rewritten, err
}

// merge is the three-way merge of one record per field: a field changed on one side only
// takes that side's value; changed on both sides to different values it is a conflict and
// keeps the cluster's value. updated_at takes the later of the two.
func merge(b, mine, th *core.Wire) (core.Wire, []string) {
	out := th.Clone()
	bf := fieldsOf(b)
	var conflicts []string
	for f, m := range mine.Fields {
		t, bv := th.Fields[f], bf[f]
		switch {
		case f == core.WireUpdatedAt:
			out.Fields[f] = max(m, t)
		case m == t || m == bv:
		case t == bv:
			out.Fields[f] = m
		default:
			conflicts = append(conflicts, f)
		}
	}
	slices.Sort(conflicts)
	return out, conflicts
}

func fieldsOf(w *core.Wire) map[string]string {
	if w == nil {
		return map[string]string{}
	}
	return w.Fields
}

func fieldNames(w *core.Wire) []string {
	var out []string
	for f := range fieldsOf(w) {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

func pick(w *core.Wire, fields []string) map[string]string {
	if w == nil {
		return nil
	}
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		out[f] = w.Fields[f]
	}
	return out
}

// actorOf is the author of a change: the actor of its first audit entry.
func actorOf(c core.Change) uuid.UUID {
	for _, a := range c.Audit {
		if a.ActorID != uuid.Nil {
			return a.ActorID
		}
	}
	return uuid.Nil
}

// changedSince names the fields of w that differ from base, updated_at aside.
func changedSince(base, w *core.Wire) []string {
	bf := fieldsOf(base)
	var out []string
	for f, v := range fieldsOf(w) {
		if f != core.WireUpdatedAt && bf[f] != v {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// validMerged checks a merged record by the rules of PRODUCT.md §2 that span fields.
func validMerged(w core.Wire) error {
	switch w.Type {
	case core.ClientRecord:
		c, err := w.Client()
		if err == nil {
			_, err = core.ValidateClient(c)
		}
		return err
	case core.ContractRecord:
		k, err := w.Contract()
		if err == nil {
			err = core.ValidateAmounts(k.Total, k.Due)
		}
		return err
	case core.EventRecord:
		e, err := w.Event()
		if err == nil {
			_, err = core.ValidateEvent(e)
		}
		return err
	case core.UserRecord:
		_, err := w.User()
		return err
	}
	return nil
}
