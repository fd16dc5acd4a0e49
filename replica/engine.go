// Package replica is the sync engine of team mode (PRODUCT.md §9): it makes this laptop's
// bbolt database a replica of the company's dataset kept in an etcd cluster. It pushes the
// outbox in order, one etcd transaction per change, guarded by the base revision of every
// record the change touches and by the index keys of unique values; it pulls on start and then
// through a watch; it merges per field against each change's base and keeps what it cannot
// merge as conflicts for a person to resolve. The cluster layout and roles are those of
// package access.
//
// Engine implements core.Replicator. Its storage is core.SyncStore (storage.DB).
package replica

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/epicevents/crm/core"
)

// The keys of this laptop's team settings in local meta. They never replicate.
const (
	metaConfig   = "team_config"    // JSON core.TeamConfig, without the password
	metaCursor   = "team_cursor"    // the cluster revision pulled up to, decimal
	metaLastSync = "team_last_sync" // RFC 3339 time of the last sync that reached the cluster
)

// RequestTimeout bounds each request to the cluster; an unanswered one is Unavailable.
const RequestTimeout = core.SyncTimeout

// Engine is the sync engine of one database. It is safe for concurrent use: pushes, pulls
// and their local bookkeeping run one at a time.
type Engine struct {
	store Store

	mu  sync.Mutex // serialises push, pull and re-copy
	cli *clientv3.Client
	cfg core.TeamConfig
	// password is the etcd password of cfg.User given to Create or Join, kept in memory only.
	password string

	nudge chan struct{}

	stateMu   sync.Mutex
	connected bool
	running   bool // Run is syncing in the background: Status uses its view of the cluster
	cliMu     sync.Mutex
}

// Store is what the engine needs of the database: the sync surface, and the store the
// services use (to read the audit trail it publishes). storage.DB is one.
type Store interface {
	core.SyncStore
	core.Store
}

// New returns the engine of store. It does not touch the network until asked.
func New(store Store) *Engine {
	return &Engine{store: store, nudge: make(chan struct{}, 1)}
}

// Close closes the connection to the cluster, if any.
func (e *Engine) Close() error {
	e.cliMu.Lock()
	defer e.cliMu.Unlock()
	if e.cli != nil {
		err := e.cli.Close()
		e.cli = nil
		return err
	}
	return nil
}

// Nudge asks Run to push now (a local change was just made). It never blocks.
func (e *Engine) Nudge() {
	select {
	case e.nudge <- struct{}{}:
	default:
	}
}

// Config returns the team settings kept in the database; ok false in solo mode.
func (e *Engine) Config() (core.TeamConfig, bool, error) {
	var cfg core.TeamConfig
	var raw []byte
	err := e.store.SyncView(func(tx core.SyncTx) error {
		var err error
		raw, err = tx.LocalMeta(metaConfig)
		return err
	})
	if err != nil || raw == nil {
		return cfg, false, err
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, false, core.InternalError("read team settings", err)
	}
	return cfg, true, nil
}

// SetPassword gives the etcd password of the configured user for this process (it is never
// stored).
func (e *Engine) SetPassword(p string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.password = p
}

// client returns the connection to the cluster, dialling it from the stored settings.
func (e *Engine) client() (*clientv3.Client, error) {
	e.cliMu.Lock()
	defer e.cliMu.Unlock()
	if e.cli != nil {
		return e.cli, nil
	}
	cfg, ok, err := e.Config()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, core.NewError(core.Conflict, core.CodeSoloMode)
	}
	cfg.Password = e.password
	cli, err := dial(cfg)
	if err != nil {
		return nil, err
	}
	e.cli, e.cfg = cli, cfg
	return cli, nil
}

// dial makes a client of cfg. It does not wait for the cluster.
func dial(cfg core.TeamConfig) (*clientv3.Client, error) {
	cc := clientv3.Config{Endpoints: cfg.Endpoints, DialTimeout: RequestTimeout,
		Username: cfg.User, Password: cfg.Password, RejectOldCluster: false,
		DialKeepAliveTime: 10 * time.Second, DialKeepAliveTimeout: 3 * time.Second, Logger: zap.NewNop()}
	if cfg.CACert != "" || cfg.Cert != "" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.CACert != "" {
			pem, err := os.ReadFile(cfg.CACert)
			if err != nil {
				return nil, core.FieldError("cacert", core.CodeCACertUnreadable, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, core.FieldError("cacert", core.CodeCACertNoPEM)
			}
			tc.RootCAs = pool
		}
		if cfg.Cert != "" {
			pair, err := tls.LoadX509KeyPair(cfg.Cert, cfg.Key)
			if err != nil {
				return nil, core.FieldError("cert", core.CodeCertUnloadable, err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
		cc.TLS = tc
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, clusterError("connect", err)
	}
	return cli, nil
}

// clusterError turns an etcd client error into a core error: Unavailable when the cluster
// did not answer, Forbidden when it refused the identity, Internal otherwise.
func clusterError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, rpctypes.ErrPermissionDenied), errors.Is(err, rpctypes.ErrAuthFailed),
		errors.Is(err, rpctypes.ErrUserNotFound) && op != "revoke", errors.Is(err, rpctypes.ErrInvalidAuthToken):
		return core.NewError(core.Forbidden, core.CodeClusterRefused, op, err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, rpctypes.ErrNoLeader), errors.Is(err, rpctypes.ErrTimeout),
		errors.Is(err, rpctypes.ErrTimeoutDueToLeaderFail), errors.Is(err, rpctypes.ErrTimeoutDueToConnectionLost):
		return core.UnavailableError(fmt.Errorf("%s: %w", op, err))
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
			return core.UnavailableError(fmt.Errorf("%s: %w", op, err))
		case codes.PermissionDenied, codes.Unauthenticated:
			return core.NewError(core.Forbidden, core.CodeClusterRefused, op, err)
		}
	}
	return core.InternalError(op, err)
}

// rctx is the context of one request.
func rctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, RequestTimeout)
}

func (e *Engine) setConnected(ok bool) {
	e.stateMu.Lock()
	e.connected = ok
	e.stateMu.Unlock()
}

// Status returns the state of team mode on this laptop, probing the cluster within ctx.
func (e *Engine) Status(ctx context.Context) (core.SyncStatus, error) {
	st := core.SyncStatus{Mode: core.ModeSolo, Endpoints: []string{}}
	cfg, ok, err := e.Config()
	if err != nil || !ok {
		return st, err
	}
	st.Mode, st.Endpoints = core.ModeTeam, cfg.Endpoints
	err = e.store.SyncView(func(tx core.SyncTx) error {
		p, err := tx.Pending(0)
		if err != nil {
			return err
		}
		cs, err := tx.Conflicts()
		if err != nil {
			return err
		}
		st.Outbox, st.Conflicts = len(p), len(cs)
		if st.Revision, err = cursor(tx); err != nil {
			return err
		}
		raw, err := tx.LocalMeta(metaLastSync)
		if err == nil && raw != nil {
			if t, perr := time.Parse(time.RFC3339Nano, string(raw)); perr == nil {
				st.LastSync = &t
			}
		}
		return err
	})
	if err != nil {
		return st, err
	}
	e.stateMu.Lock()
	running, connected := e.running, e.connected
	e.stateMu.Unlock()
	if running {
		// The background sync knows: no request, and no wait behind a sync in progress.
		st.Connected = connected
		return st, nil
	}
	cli, err := e.client()
	if err != nil {
		return st, err
	}
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = cli.Get(c, metaKeyFormat, clientv3.WithCountOnly())
	st.Connected = err == nil
	e.setConnected(st.Connected)
	return st, nil
}

// cursor reads the pulled revision.
func cursor(tx core.SyncTx) (int64, error) {
	raw, err := tx.LocalMeta(metaCursor)
	if err != nil || raw == nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, core.InternalError("read sync cursor", err)
	}
	return n, nil
}

func setCursor(tx core.SyncTx, rev int64) error {
	return tx.SetLocalMeta(metaCursor, []byte(strconv.FormatInt(rev, 10)))
}

func (e *Engine) markSynced(now time.Time) error {
	e.setConnected(true)
	return e.store.SyncUpdate(func(tx core.SyncTx) error {
		return tx.SetLocalMeta(metaLastSync, []byte(now.UTC().Format(time.RFC3339Nano)))
	})
}

// Conflicts returns this laptop's conflicts, oldest first.
func (e *Engine) Conflicts() ([]core.SyncConflict, error) {
	var out []core.SyncConflict
	err := e.store.SyncView(func(tx core.SyncTx) error {
		var err error
		out, err = tx.Conflicts()
		return err
	})
	return out, err
}

// DropConflict forgets a resolved conflict. Errors: NotFound.
func (e *Engine) DropConflict(id uuid.UUID) error {
	return e.store.SyncUpdate(func(tx core.SyncTx) error { return tx.DeleteConflict(id) })
}

// Sync pushes the outbox, then pulls what colleagues changed since the cursor.
func (e *Engine) Sync(ctx context.Context) (core.SyncReport, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var r core.SyncReport
	cli, err := e.client()
	if err != nil {
		return r, err
	}
	before, err := e.conflictCount()
	if err != nil {
		return r, err
	}
	if r.Pushed, err = e.push(ctx, cli); err != nil {
		e.noteErr(err)
		return r, err
	}
	if r.Pulled, r.Revision, err = e.pull(ctx, cli); err != nil {
		e.noteErr(err)
		return r, err
	}
	after, err := e.conflictCount()
	if err != nil {
		return r, err
	}
	r.Conflicts = max(after-before, 0)
	return r, e.markSynced(time.Now())
}

func (e *Engine) noteErr(err error) {
	if core.KindOf(err) == core.Unavailable {
		e.setConnected(false)
	}
}

func (e *Engine) conflictCount() (int, error) {
	cs, err := e.Conflicts()
	return len(cs), err
}

// Leave turns team mode off, keeping the local copy, and forgets the settings and cursor.
func (e *Engine) Leave() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.Close(); err != nil {
		return core.InternalError("close the connection", err)
	}
	if err := e.store.SetTeamMode(false); err != nil {
		return err
	}
	return e.store.SyncUpdate(func(tx core.SyncTx) error {
		for _, k := range []string{metaConfig, metaCursor, metaLastSync, core.MetaRecopy} {
			if err := tx.SetLocalMeta(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// saveConfig keeps cfg (without its password) and turns team mode on.
func (e *Engine) saveConfig(cfg core.TeamConfig, rev int64) error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return core.InternalError("save team settings", err)
	}
	if err := e.store.SyncUpdate(func(tx core.SyncTx) error {
		if err := tx.SetLocalMeta(metaConfig, raw); err != nil {
			return err
		}
		return setCursor(tx, rev)
	}); err != nil {
		return err
	}
	return e.store.SetTeamMode(true)
}
