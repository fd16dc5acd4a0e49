package replica

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/access"
)

// Backoff bounds of Run's retries while the cluster cannot be reached.
const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// Run syncs in the background until ctx ends (the window, while it is open): a full sync,
// then a watch that applies colleagues' changes as they come, and a push whenever Nudge is
// called. notify is called (from Run's goroutine, never while the engine holds the database)
// after anything changed locally or the connection state moved; nil is fine. Run returns
// ctx's error; in solo mode it returns at once with nil.
func (e *Engine) Run(ctx context.Context, notify func()) error {
	if _, ok, err := e.Config(); err != nil || !ok {
		return err
	}
	if notify == nil {
		notify = func() {}
	}
	e.stateMu.Lock()
	e.running = true
	e.stateMu.Unlock()
	defer func() {
		e.stateMu.Lock()
		e.running = false
		e.stateMu.Unlock()
	}()
	backoff := minBackoff
	for ctx.Err() == nil {
		_, err := e.Sync(ctx)
		notify()
		if err == nil {
			backoff = minBackoff
			err = e.watch(ctx, notify)
			notify()
		}
		if ctx.Err() != nil {
			break
		}
		if err != nil && core.KindOf(err) != core.Unavailable && !errors.Is(err, errRecopy) {
			// Forbidden, Internal: retrying at once would not help.
			backoff = maxBackoff
		}
		select {
		case <-ctx.Done():
		case <-e.nudge:
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
	return ctx.Err()
}

// watch applies the cluster's changes from the cursor on as they come, and pushes on Nudge,
// until the watch fails or ctx ends.
func (e *Engine) watch(ctx context.Context, notify func()) error {
	e.mu.Lock()
	cli, err := e.client()
	var cur int64
	if err == nil {
		err = e.store.SyncView(func(tx core.SyncTx) error {
			var err error
			cur, err = cursor(tx)
			return err
		})
	}
	e.mu.Unlock()
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := cli.Watch(wctx, access.Prefix, clientv3.WithPrefix(), clientv3.WithRev(cur+1))
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.nudge:
			e.mu.Lock()
			_, err := e.push(ctx, cli)
			e.mu.Unlock()
			notify()
			if err != nil {
				e.noteErr(err)
				return err
			}
		case wr, ok := <-wch:
			if !ok {
				return core.UnavailableError(errors.New("watch closed"))
			}
			if wr.CompactRevision != 0 || errors.Is(wr.Err(), rpctypes.ErrCompacted) {
				e.mu.Lock()
				_, _, err := e.copyAll(ctx, cli, false)
				e.mu.Unlock()
				notify()
				if err != nil {
					return err
				}
				return errRecopy // start a new watch from the new cursor
			}
			if err := wr.Err(); err != nil {
				e.noteErr(clusterError("watch", err))
				return clusterError("watch", err)
			}
			e.mu.Lock()
			_, _, err := e.apply(wr.Events, wr.Header.Revision)
			e.mu.Unlock()
			if err != nil {
				return err
			}
			e.setConnected(true)
			if len(wr.Events) > 0 {
				notify()
			}
		}
	}
}
