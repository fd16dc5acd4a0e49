package replica

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/access"
)

// publishOps bounds the operations of one transaction of Create (etcd allows 128).
const publishOps = 120

// auditPerKey bounds the audit entries Create publishes under one key (a request is at most
// 1.5 MiB).
const auditPerKey = 500

// Create publishes this database to an empty cluster (PRODUCT.md §9 "Joining"): it sets up
// the department roles and turns authentication on (cfg must be etcd's root, or the cluster
// must have authentication off), writes every record with its unique and reference keys and
// the audit trail, gives every active collaborator their etcd user, marks the dataset, then
// keeps cfg and turns team mode on. The mark is written last: a create cut short can be run
// again.
func (e *Engine) Create(ctx context.Context, cfg core.TeamConfig) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok, err := e.Config(); err != nil || ok {
		if ok {
			return core.NewError(core.Conflict, core.CodeAlreadyInTeam)
		}
		return err
	}
	cli, err := dial(cfg)
	if err != nil {
		return err
	}
	defer cli.Close()
	rc, cancel := rctx(ctx)
	resp, err := cli.Get(rc, metaKeyFormat)
	cancel()
	if err != nil {
		return clusterError("team create", err)
	}
	if len(resp.Kvs) > 0 {
		return core.NewError(core.Conflict, core.CodeClusterHasDataset)
	}
	sctx, scancel := context.WithTimeout(ctx, 4*RequestTimeout)
	err = access.Setup(sctx, cli)
	scancel()
	if err != nil {
		return clusterError("set up roles", err)
	}
	// Authentication is on now: a new connection authenticates.
	_ = cli.Close()
	if cli, err = dial(cfg); err != nil {
		return err
	}
	defer cli.Close()
	if err := e.publish(ctx, cli); err != nil {
		return err
	}
	rc, cancel = rctx(ctx)
	put, err := cli.Put(rc, metaKeyFormat, datasetFormat)
	cancel()
	if err != nil {
		return clusterError("team create", err)
	}
	stored := cfg
	if cfg.Password != "" {
		e.password = cfg.Password
	}
	stored.Password = ""
	if err := e.saveConfig(stored, put.Header.Revision); err != nil {
		return err
	}
	return e.markSynced(time.Now())
}

// publish writes every local record and audit entry to the cluster, a batch per transaction,
// and records their revisions locally.
func (e *Engine) publish(ctx context.Context, cli *clientv3.Client) error {
	for _, t := range core.RecordTypes {
		var batch []core.Wire
		var ops []clientv3.Op
		flush := func() error {
			if len(ops) == 0 {
				return nil
			}
			rc, cancel := rctx(ctx)
			resp, err := cli.Txn(rc).Then(ops...).Commit()
			cancel()
			if err != nil {
				return clusterError("publish", err)
			}
			rev := uint64(resp.Header.Revision)
			ids := batch
			batch, ops = nil, nil
			return e.store.SyncUpdate(func(tx core.SyncTx) error {
				for _, w := range ids {
					if err := tx.SetRev(w.Type, w.ID, rev); err != nil {
						return err
					}
				}
				return nil
			})
		}
		var users []core.Wire
		var all []core.Wire
		if err := e.store.SyncView(func(tx core.SyncTx) error {
			_, err := tx.Records(t, func(w core.Wire, _ uint64) error {
				all = append(all, w)
				return nil
			})
			return err
		}); err != nil {
			return err
		}
		for _, w := range all {
			v, err := json.Marshal(w)
			if err != nil {
				return core.InternalError("encode record", err)
			}
			rec := []clientv3.Op{clientv3.OpPut(recordKey(w.Type, w.ID), string(v))}
			for _, uk := range uniqueKeys(&w) {
				rec = append(rec, clientv3.OpPut(uk, w.ID.String()))
			}
			if ref, _ := parent(&w); ref != "" {
				rec = append(rec, clientv3.OpPut(ref, ""))
			}
			if len(ops)+len(rec) > publishOps {
				if err := flush(); err != nil {
					return err
				}
			}
			ops = append(ops, rec...)
			batch = append(batch, w)
			if t == core.UserRecord && w.Fields[core.WireActive] == "true" {
				users = append(users, w)
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for _, u := range users {
			rc, cancel := rctx(ctx)
			err := access.Grant(rc, cli, core.EtcdUser(u.ID), core.Department(u.Fields[core.WireDepartment]))
			cancel()
			if err != nil {
				return clusterError("grant", err)
			}
		}
	}
	return e.publishAudit(ctx, cli)
}

// publishAudit writes this laptop's audit trail as change keys of auditPerKey entries.
func (e *Engine) publishAudit(ctx context.Context, cli *clientv3.Client) error {
	var entries []core.AuditEntry
	if err := e.store.View(func(tx core.Tx) error {
		all, _, err := tx.Audit(core.AuditFilter{})
		for _, a := range all {
			if a.Rev == 0 {
				entries = append(entries, a)
			}
		}
		return err
	}); err != nil {
		return err
	}
	for len(entries) > 0 {
		n := min(len(entries), auditPerKey)
		part := entries[:n]
		entries = entries[n:]
		id := uuid.New()
		v, err := json.Marshal(changeDoc{ID: id, Origin: e.store.Origin(), At: time.Now().UTC(), Audit: part})
		if err != nil {
			return core.InternalError("encode audit", err)
		}
		rc, cancel := rctx(ctx)
		resp, err := cli.Put(rc, changeKey(id), string(v))
		cancel()
		if err != nil {
			return clusterError("publish audit", err)
		}
		if err := e.store.SyncUpdate(func(tx core.SyncTx) error {
			for _, a := range part {
				if err := tx.SetAuditRev(a.Seq, uint64(resp.Header.Revision)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// Join copies the cluster's dataset into this empty database and turns team mode on. The
// settings are kept first with no cursor: a join cut short finishes at the next sync.
func (e *Engine) Join(ctx context.Context, cfg core.TeamConfig) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cli, err := dial(cfg)
	if err != nil {
		return err
	}
	rc, cancel := rctx(ctx)
	resp, err := cli.Get(rc, metaKeyFormat)
	cancel()
	if err != nil {
		cli.Close()
		return clusterError("team join", err)
	}
	if len(resp.Kvs) == 0 {
		cli.Close()
		return core.NewError(core.Conflict, core.CodeClusterNoDataset)
	}
	stored := cfg
	e.password = cfg.Password
	stored.Password = ""
	if err := e.saveConfig(stored, 0); err != nil {
		cli.Close()
		return err
	}
	e.cliMu.Lock()
	if e.cli != nil {
		_ = e.cli.Close()
	}
	e.cli, e.cfg = cli, cfg
	e.cliMu.Unlock()
	if _, _, err := e.copyAll(ctx, cli, true); err != nil {
		return err
	}
	return e.markSynced(time.Now())
}

// Grant creates or updates collaborator u's etcd user with the role of u's department.
func (e *Engine) Grant(ctx context.Context, u core.User) error {
	cli, err := e.client()
	if err != nil {
		return err
	}
	rc, cancel := rctx(ctx)
	defer cancel()
	return clusterError("grant", access.Grant(rc, cli, core.EtcdUser(u.ID), u.Department))
}

// Refetch gets the cluster's copies of damaged records (core.Refetcher, for Repair): records
// of every type; audit entries are left out (they are kept per change, not per entry). A
// record the cluster does not hold is left out.
func (e *Engine) Refetch(ctx context.Context, refs []core.RecordRef) ([]core.Fetched, error) {
	cli, err := e.client()
	if err != nil {
		return nil, err
	}
	var out []core.Fetched
	for _, r := range refs {
		if recordPrefix(r.Type) == "" {
			continue
		}
		th, err := getRecord(ctx, cli, r.Type, r.ID)
		if err != nil {
			return out, err
		}
		if th.record != nil {
			w := th.record.Clone()
			w.Change = uuid.Nil
			out = append(out, core.Fetched{Record: w, Rev: uint64(th.rev)})
		}
	}
	return out, nil
}
