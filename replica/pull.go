package replica

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/access"
)

// copyPage is how many keys one request of a copy reads, and one local transaction stores.
const copyPage = 2000

// errRecopy says the cursor was compacted away: the dataset must be copied again.
var errRecopy = errors.New("the sync cursor was compacted away")

// pull applies what changed in the cluster since the cursor and returns how many records it
// applied and the revision it reached. A laptop with no cursor, or whose cursor was compacted
// away, or that a repair put records back into from elsewhere (core.MetaRecopy), copies the
// whole dataset again, keeping its outbox.
func (e *Engine) pull(ctx context.Context, cli *clientv3.Client) (int, int64, error) {
	var cur int64
	var recopy []byte
	if err := e.store.SyncView(func(tx core.SyncTx) error {
		var err error
		if cur, err = cursor(tx); err != nil {
			return err
		}
		recopy, err = tx.LocalMeta(core.MetaRecopy)
		return err
	}); err != nil {
		return 0, 0, err
	}
	if cur == 0 {
		return e.copyAll(ctx, cli, true)
	}
	if recopy != nil {
		return e.copyAll(ctx, cli, false)
	}
	// Every change writes its change key, which is never deleted: the highest modification
	// revision under Prefix is the last change of the dataset.
	rc, cancel := rctx(ctx)
	resp, err := cli.Get(rc, access.Prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly(),
		clientv3.WithSort(clientv3.SortByModRevision, clientv3.SortDescend), clientv3.WithLimit(1))
	cancel()
	if err != nil {
		return 0, cur, clusterError("pull", err)
	}
	if len(resp.Kvs) == 0 || resp.Kvs[0].ModRevision <= cur {
		return 0, cur, nil
	}
	last := resp.Kvs[0].ModRevision
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	wch := cli.Watch(clientv3.WithRequireLeader(wctx), access.Prefix, clientv3.WithPrefix(), clientv3.WithRev(cur+1))
	n := 0
	for reached := cur; reached < last; {
		select {
		case <-ctx.Done():
			return n, reached, core.UnavailableError(ctx.Err())
		case wr, ok := <-wch:
			if !ok {
				return n, reached, core.UnavailableError(errors.New("watch closed"))
			}
			if wr.CompactRevision != 0 || errors.Is(wr.Err(), rpctypes.ErrCompacted) {
				return e.copyAll(ctx, cli, false)
			}
			if err := wr.Err(); err != nil {
				return n, reached, clusterError("watch", err)
			}
			k, rev, err := e.apply(wr.Events, wr.Header.Revision)
			n += k
			if err != nil {
				return n, reached, err
			}
			reached = max(reached, rev)
		}
	}
	return n, last, nil
}

// apply stores a watch response's events in one local transaction and moves the cursor to
// the revision of the last one. Records with local changes waiting are left as they are:
// their push merges against the cluster.
func (e *Engine) apply(evs []*clientv3.Event, header int64) (int, int64, error) {
	if len(evs) == 0 {
		return 0, 0, nil
	}
	rev := evs[len(evs)-1].Kv.ModRevision
	n := 0
	origin := e.store.Origin()
	err := e.store.SyncUpdate(func(tx core.SyncTx) error {
		pending, err := pendingSet(tx)
		if err != nil {
			return err
		}
		n = 0
		for _, ev := range evs {
			key := string(ev.Kv.Key)
			if t, id, ok := parseRecordKey(key); ok {
				if pending[recKey{t, id}] {
					continue
				}
				n++
				if ev.Type == mvccpb.DELETE {
					if err := tx.DeleteRecord(t, id); err != nil {
						return err
					}
					continue
				}
				if err := putRemote(tx, ev.Kv.Value, ev.Kv.ModRevision); err != nil {
					return err
				}
				continue
			}
			if strings.HasPrefix(key, access.AuditPrefix) && ev.Type == mvccpb.PUT && ev.Kv.CreateRevision == ev.Kv.ModRevision {
				if _, err := appendChangeAudit(tx, ev.Kv.Value, ev.Kv.CreateRevision, origin, false); err != nil {
					return err
				}
			}
		}
		return setCursor(tx, rev)
	})
	return n, rev, err
}

// pendingSet lists the records that changes of the outbox touch.
func pendingSet(tx core.SyncTx) (map[recKey]bool, error) {
	cs, err := tx.Pending(0)
	if err != nil {
		return nil, err
	}
	out := map[recKey]bool{}
	for _, c := range cs {
		for _, rc := range c.Records {
			out[recKey{rc.Type, rc.ID}] = true
		}
	}
	return out, nil
}

// putRemote stores a record from the cluster. A unique value still held locally by a record
// whose own change waits in the outbox is left to that change's merge.
func putRemote(tx core.SyncTx, value []byte, rev int64) error {
	var w core.Wire
	if err := json.Unmarshal(value, &w); err != nil {
		return core.InternalError("decode record from the cluster", err)
	}
	err := tx.PutRecord(w, uint64(rev))
	if core.KindOf(err) == core.Conflict {
		return nil
	}
	return err
}

// appendChangeAudit adds the audit entries of a published change to the trail, at the change's
// revision, and returns how many. Unless all is set, this laptop's own entries are left out
// (they are in the trail already).
func appendChangeAudit(tx core.SyncTx, value []byte, rev int64, origin [16]byte, all bool) (int, error) {
	var doc changeDoc
	if err := json.Unmarshal(value, &doc); err != nil {
		return 0, core.InternalError("decode change from the cluster", err)
	}
	if doc.Origin == origin && !all {
		return 0, nil
	}
	for _, a := range doc.Audit {
		a.Origin, a.Rev, a.Seq = doc.Origin, uint64(rev), 0
		if err := tx.AppendRemoteAudit(&a); err != nil {
			return 0, err
		}
	}
	return len(doc.Audit), nil
}

// copyAll copies the whole dataset at one revision: the records of each type, then the audit
// trail. fresh says the local dataset is empty (a join); otherwise it is cleared first, and
// the local changes still waiting in the outbox are laid over the copy again, so that nothing
// acknowledged is lost: their push merges them as usual.
func (e *Engine) copyAll(ctx context.Context, cli *clientv3.Client, fresh bool) (int, int64, error) {
	rc, cancel := rctx(ctx)
	resp, err := cli.Get(rc, metaKeyFormat)
	cancel()
	if err != nil {
		return 0, 0, clusterError("copy", err)
	}
	if len(resp.Kvs) == 0 {
		return 0, 0, core.NewError(core.Conflict, core.CodeClusterNoDataset)
	}
	at := resp.Header.Revision
	if err := e.store.SyncUpdate(func(tx core.SyncTx) error {
		if err := setCursor(tx, 0); err != nil {
			return err
		}
		if fresh {
			return nil
		}
		return tx.ClearDataset()
	}); err != nil {
		return 0, 0, err
	}
	n := 0
	prefixes := []string{access.UsersPrefix, access.ClientsPrefix, access.ContractsPrefix, access.EventsPrefix, access.AuditPrefix}
	for _, p := range prefixes {
		key, end := p, clientv3.GetPrefixRangeEnd(p)
		// A change key holds the audit entries of one change, or up to auditPerKey of a
		// published database: the page of audit keys adapts so that one request and one
		// local transaction hold about copyPage entries.
		limit := int64(copyPage)
		if p == access.AuditPrefix {
			limit = 4
		}
		for {
			rc, cancel := rctx(ctx)
			resp, err := cli.Get(rc, key, clientv3.WithRange(end), clientv3.WithRev(at), clientv3.WithLimit(limit))
			cancel()
			if err != nil {
				if errors.Is(err, rpctypes.ErrCompacted) {
					return e.copyAll(ctx, cli, false)
				}
				return n, 0, clusterError("copy", err)
			}
			entries := 0
			if err := e.store.SyncUpdate(func(tx core.SyncTx) error {
				for _, kv := range resp.Kvs {
					if p == access.AuditPrefix {
						k, err := appendChangeAudit(tx, kv.Value, kv.CreateRevision, e.store.Origin(), true)
						if err != nil {
							return err
						}
						entries += k
						continue
					}
					if err := putRemote(tx, kv.Value, kv.ModRevision); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return n, 0, err
			}
			if p != access.AuditPrefix {
				n += len(resp.Kvs)
			} else {
				per := max(entries/max(len(resp.Kvs), 1), 1)
				limit = int64(min(max(copyPage/per, 1), copyPage))
			}
			if !resp.More || len(resp.Kvs) == 0 {
				break
			}
			key = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		}
	}
	err = e.store.SyncUpdate(func(tx core.SyncTx) error {
		if !fresh {
			if err := relayPending(tx); err != nil {
				return err
			}
		}
		if err := tx.SetLocalMeta(core.MetaRecopy, nil); err != nil {
			return err
		}
		return setCursor(tx, at)
	})
	return n, at, err
}

// relayPending lays the outbox's changes over a fresh copy, oldest first, so the local
// database shows them again.
func relayPending(tx core.SyncTx) error {
	cs, err := tx.Pending(0)
	if err != nil {
		return err
	}
	for _, c := range cs {
		for _, rc := range c.Records {
			var err error
			if rc.After == nil {
				err = tx.DeleteRecord(rc.Type, rc.ID)
			} else {
				err = tx.PutRecord(*rc.After, 0)
			}
			if err != nil && core.KindOf(err) != core.Conflict {
				return err
			}
		}
	}
	return nil
}
