package replica

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/permissions"
	"github.com/epicevents/crm/replica/access"
)

// changeDoc is the value of a change key: who published the change, and its audit entries.
// The cluster revision at which the key was created orders the entries company-wide.
type changeDoc struct {
	ID     uuid.UUID         `json:"id"`
	Origin uuid.UUID         `json:"origin"`
	At     time.Time         `json:"at"`
	Audit  []core.AuditEntry `json:"audit"`
}

// pushBatch is how many published changes are acknowledged locally in one transaction.
const pushBatch = 64

// maxAttempts bounds how often one change is merged again and retried while colleagues keep
// changing the same records.
const maxAttempts = 10

// base is the cluster version a pending change is based on.
type base struct {
	rev    int64
	record *core.Wire
}

// acked is a change the cluster took, at revision rev.
type acked struct {
	c   core.Change
	rev int64
}

// push publishes the outbox in order and returns how many changes reached the cluster.
func (e *Engine) push(ctx context.Context, cli *clientv3.Client) (int, error) {
	total := 0
	for {
		var pending []core.Change
		if err := e.store.SyncView(func(tx core.SyncTx) error {
			var err error
			pending, err = tx.Pending(0)
			return err
		}); err != nil {
			return total, err
		}
		if len(pending) == 0 {
			return total, nil
		}
		// Bases of the records as this batch publishes them, beyond the stored shadows.
		bases := map[recKey]base{}
		var done []acked
		var err error
		for i, c := range pending {
			if i == pushBatch {
				break
			}
			var rev int64
			var rewritten bool
			c, rev, rewritten, err = e.pushOne(ctx, cli, c, bases, pending[i+1:])
			if err != nil {
				break
			}
			done = append(done, acked{c, rev})
			if rewritten {
				// A merge rewrote later changes too: acknowledge and read the outbox again.
				break
			}
		}
		if aerr := e.acknowledge(done, pending); aerr != nil {
			return total, aerr
		}
		total += len(done)
		if err != nil {
			return total, err
		}
	}
}

type recKey struct {
	t  core.RecordType
	id uuid.UUID
}

// baseOf returns the base of a record: this batch's, else its shadow, else the change's own
// before (a record without a shadow was never in the cluster: base revision 0).
func (e *Engine) baseOf(bases map[recKey]base, rc core.RecordChange) (base, error) {
	if b, ok := bases[recKey{rc.Type, rc.ID}]; ok {
		return b, nil
	}
	var b base
	err := e.store.SyncView(func(tx core.SyncTx) error {
		s, ok, err := tx.Shadow(rc.Type, rc.ID)
		if err != nil || !ok {
			return err
		}
		b = base{rev: int64(s.Rev), record: s.Record}
		return nil
	})
	return b, err
}

// pushOne publishes change c: one etcd transaction guarded by the base revision of every
// record, the unique keys and the parent references; on a stale guard it merges c against
// the cluster (reconcile) and tries again. It returns the change as published and its
// revision. rewritten reports that the merge changed the outbox beyond c.
func (e *Engine) pushOne(ctx context.Context, cli *clientv3.Client, c core.Change, bases map[recKey]base,
	later []core.Change) (core.Change, int64, bool, error) {
	rewritten := false
	for attempt := 0; ; attempt++ {
		cmps, ops, err := e.txnOf(c, bases)
		if err != nil {
			return c, 0, rewritten, err
		}
		ck := changeKey(c.ID)
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(ck), "=", 0))
		doc, err := json.Marshal(changeDoc{ID: c.ID, Origin: e.store.Origin(), At: c.At, Audit: c.Audit})
		if err != nil {
			return c, 0, rewritten, core.InternalError("encode change", err)
		}
		ops = append(ops, clientv3.OpPut(ck, string(doc)))
		rc, cancel := rctx(ctx)
		resp, err := cli.Txn(rc).If(cmps...).Then(ops...).Else(clientv3.OpGet(ck)).Commit()
		cancel()
		if tooBig := errors.Is(err, rpctypes.ErrTooManyOps) || errors.Is(err, rpctypes.ErrRequestTooLarge); (tooBig ||
			errors.Is(err, rpctypes.ErrPermissionDenied)) && len(c.Records) > 0 {
			// This laptop's identity may not write these records (a manager's change made on
			// a commercial's laptop), or the change is larger than one etcd transaction may
			// be (a client with more than ~60 contracts reassigned): the change becomes
			// conflicts — each resolved by itself is small enough — and its audit entries go
			// on. The outbox is never blocked.
			if c, err = e.refused(ctx, cli, c, bases); err != nil {
				return c, 0, rewritten, err
			}
			rewritten = true
			continue
		}
		if err != nil {
			return c, 0, rewritten, clusterError("push", err)
		}
		if resp.Succeeded {
			if err := e.identities(ctx, cli, c, bases); err != nil {
				return c, 0, rewritten, err
			}
			e.advance(bases, c, resp.Header.Revision)
			return c, resp.Header.Revision, rewritten, nil
		}
		if kvs := resp.Responses[0].GetResponseRange().Kvs; len(kvs) > 0 {
			// Published before a crash or a lost answer: pushing twice is pushing once.
			if err := e.identities(ctx, cli, c, bases); err != nil {
				return c, 0, rewritten, err
			}
			e.advance(bases, c, kvs[0].CreateRevision)
			return c, kvs[0].CreateRevision, rewritten, nil
		}
		if attempt >= maxAttempts {
			return c, 0, rewritten, core.NewError(core.Unavailable, core.CodeChangeContended, c.ID)
		}
		var more bool
		c, more, err = e.reconcile(ctx, cli, c, bases, later)
		if err != nil {
			return c, 0, rewritten, err
		}
		rewritten = rewritten || more
	}
}

// advance records that c is in the cluster at rev: the next change of its records is based
// on what c wrote.
func (e *Engine) advance(bases map[recKey]base, c core.Change, rev int64) {
	for _, rc := range c.Records {
		bases[recKey{rc.Type, rc.ID}] = base{rev: rev, record: rc.After}
	}
}

// txnOf builds the guards and writes of change c.
func (e *Engine) txnOf(c core.Change, bases map[recKey]base) ([]clientv3.Cmp, []clientv3.Op, error) {
	var cmps []clientv3.Cmp
	var ops []clientv3.Op
	for _, rc := range c.Records {
		b, err := e.baseOf(bases, rc)
		if err != nil {
			return nil, nil, err
		}
		key := recordKey(rc.Type, rc.ID)
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(key), "=", b.rev))
		if rc.After != nil {
			w := rc.After.Clone()
			w.Change = c.ID
			v, err := json.Marshal(w)
			if err != nil {
				return nil, nil, core.InternalError("encode record", err)
			}
			ops = append(ops, clientv3.OpPut(key, string(v)))
		} else {
			ops = append(ops, clientv3.OpDelete(key))
			if p := childrenOf(rc.Type, rc.ID); p != "" {
				cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(p), "=", 0).WithPrefix())
			}
		}
		// Unique values: a new one must be free, a kept or released one still ours.
		had, has := uniqueKeys(b.record), uniqueKeys(rc.After)
		for _, k := range has {
			if slices.Contains(had, k) {
				cmps = append(cmps, clientv3.Compare(clientv3.Value(k), "=", rc.ID.String()))
				continue
			}
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(k), "=", 0))
			ops = append(ops, clientv3.OpPut(k, rc.ID.String()))
		}
		for _, k := range had {
			if !slices.Contains(has, k) {
				cmps = append(cmps, clientv3.Compare(clientv3.Value(k), "=", rc.ID.String()))
				ops = append(ops, clientv3.OpDelete(k))
			}
		}
		// References: a new child needs its parent; a deleted child releases its reference.
		oldRef, _ := parent(b.record)
		newRef, parentKey := parent(rc.After)
		if newRef != oldRef {
			if newRef != "" {
				cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(parentKey), ">", 0))
				ops = append(ops, clientv3.OpPut(newRef, ""))
			}
			if oldRef != "" {
				ops = append(ops, clientv3.OpDelete(oldRef))
			}
		}
	}
	return cmps, ops, nil
}

// identities keeps the cluster's identities in step with a published change of collaborators:
// a new or reactivated collaborator, or one moved to another department, gets the role of the
// department; a deactivated or deleted one loses their identity. Only management changes
// collaborators, and management identities hold etcd's root role that this needs.
func (e *Engine) identities(ctx context.Context, cli *clientv3.Client, c core.Change, bases map[recKey]base) error {
	for _, rc := range c.Records {
		if rc.Type != core.UserRecord {
			continue
		}
		b := bases[recKey{rc.Type, rc.ID}].record
		if b == nil {
			b = rc.Before
		}
		name := core.EtcdUser(rc.ID)
		rq, cancel := rctx(ctx)
		var err error
		switch {
		case rc.After == nil || rc.After.Fields[core.WireActive] != "true":
			if b != nil && b.Fields[core.WireActive] == "true" || rc.After == nil {
				err = clusterError("revoke", access.Revoke(rq, cli, name))
			}
		case b == nil || b.Fields[core.WireActive] != "true" ||
			b.Fields[core.WireDepartment] != rc.After.Fields[core.WireDepartment]:
			err = clusterError("grant", access.Grant(rq, cli, name, permissions.Department(rc.After.Fields[core.WireDepartment])))
		}
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// acknowledge records locally, in one transaction, that the changes done are in the cluster:
// each leaves the outbox, its audit entries get their revision, its records their revision,
// and a record with no change left loses its shadow (the next one is based on what was
// published).
func (e *Engine) acknowledge(done []acked, pending []core.Change) error {
	if len(done) == 0 {
		return nil
	}
	return e.store.SyncUpdate(func(tx core.SyncTx) error {
		left, err := tx.Pending(0)
		if err != nil {
			return err
		}
		gone := map[uint64]bool{}
		for _, d := range done {
			gone[d.c.Seq] = true
		}
		still := map[recKey]bool{}
		for _, c := range left {
			if gone[c.Seq] {
				continue
			}
			for _, rc := range c.Records {
				still[recKey{rc.Type, rc.ID}] = true
			}
		}
		for _, d := range done {
			if err := tx.RemovePending(d.c.Seq); err != nil {
				return err
			}
			for _, a := range d.c.Audit {
				if err := tx.SetAuditRev(a.Seq, uint64(d.rev)); err != nil && core.KindOf(err) != core.NotFound {
					return err
				}
			}
			for _, rc := range d.c.Records {
				k := recKey{rc.Type, rc.ID}
				if still[k] {
					if err := tx.PutShadow(core.Shadow{Type: rc.Type, ID: rc.ID, Rev: uint64(d.rev), Record: rc.After}); err != nil {
						return err
					}
					continue
				}
				if err := tx.DropShadow(rc.Type, rc.ID); err != nil {
					return err
				}
				if rc.After != nil {
					if err := tx.SetRev(rc.Type, rc.ID, uint64(d.rev)); err != nil && core.KindOf(err) != core.NotFound {
						return err
					}
				}
			}
		}
		return nil
	})
}

// refused turns a change that the cluster refused for this laptop's identity into conflicts
// (kind invalid): the cluster's versions come back locally, the local values wait in the
// conflicts, and the change keeps only its audit entries.
func (e *Engine) refused(ctx context.Context, cli *clientv3.Client, c core.Change, bases map[recKey]base) (core.Change, error) {
	type back struct {
		k  recKey
		th theirs
	}
	var backs []back
	var confl []core.SyncConflict
	for _, rc := range c.Records {
		th, err := getRecord(ctx, cli, rc.Type, rc.ID)
		if err != nil {
			return c, err
		}
		k := recKey{rc.Type, rc.ID}
		bases[k] = base{rev: th.rev, record: th.record}
		backs = append(backs, back{k, th})
		var mine, their map[string]string
		if rc.After != nil {
			mine = rc.After.Fields
		}
		if th.record != nil {
			their = th.record.Fields
		}
		confl = append(confl, core.SyncConflict{ID: uuid.New(), ChangeID: c.ID, Record: rc.Type, RecordID: rc.ID,
			Kind: core.ConflictInvalid, Fields: fieldNames(rc.After), Mine: mine, Theirs: their, At: c.At, ActorID: actorOf(c)})
	}
	out := c
	out.Records = nil
	err := e.store.SyncUpdate(func(tx core.SyncTx) error {
		for _, sc := range confl {
			if err := tx.PutConflict(sc); err != nil {
				return err
			}
		}
		for _, b := range backs {
			var err error
			if b.th.record == nil {
				err = tx.DeleteRecord(b.k.t, b.k.id)
			} else {
				err = tx.PutRecord(*b.th.record, uint64(b.th.rev))
			}
			if err != nil && core.KindOf(err) != core.Conflict {
				return err
			}
			if err := tx.DropShadow(b.k.t, b.k.id); err != nil {
				return err
			}
		}
		return tx.PutPending(out)
	})
	return out, err
}
