package etcdtest

import (
	"fmt"
	"net/url"
	"sync"
	"testing"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
)

// StartEmbedded starts n members of the embedded etcd server (go.etcd.io/etcd/server/v3, 3.7)
// inside the test process, on free loopback ports, and waits until they serve and agree on a
// leader. The cluster stops when tb ends.
func StartEmbedded(tb testing.TB, n int, opts Options) *Cluster {
	tb.Helper()
	return newCluster(tb, "embedded", n, opts, func() runner { return &embedded{} })
}

// embedded runs one member with embed.StartEtcd.
type embedded struct {
	mu   sync.Mutex
	e    *embed.Etcd
	done chan struct{}
}

func (r *embedded) start(c *Cluster, m *member) error {
	cfg, err := embedConfig(c, m)
	if err != nil {
		return err
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("start embedded %s: %w", m.name, err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-e.Server.StopNotify():
		case <-e.Err():
		}
		close(done)
	}()
	r.mu.Lock()
	r.e, r.done = e, done
	r.mu.Unlock()
	return nil
}

// embedConfig is member m's configuration; with data in m.dir, etcd ignores the initial-cluster
// fields and restarts the member it was.
func embedConfig(c *Cluster, m *member) (*embed.Config, error) {
	cfg := embed.NewConfig()
	cfg.Name = m.name
	cfg.Dir = m.dir
	cfg.TickMs, cfg.ElectionMs = heartbeatMs, electionMs
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{m.logFile}
	urls := map[string]*[]url.URL{
		m.clientURL: &cfg.ListenClientUrls,
		m.peerURL:   &cfg.ListenPeerUrls,
	}
	for raw, dst := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("start embedded %s: %w", m.name, err)
		}
		*dst = []url.URL{*u}
	}
	cfg.AdvertiseClientUrls = cfg.ListenClientUrls
	cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
	cfg.InitialCluster = c.initialCluster()
	cfg.InitialClusterToken = c.token()
	cfg.ClusterState = embed.ClusterStateFlagNew
	if c.opts.TLS {
		cfg.ClientTLSInfo = transport.TLSInfo{CertFile: m.certFile, KeyFile: m.keyFile}
	}
	if c.opts.ClientCertAuth {
		// A trusted CA file alone already makes the embedded server require client
		// certificates (the 3.4 binary only with --client-cert-auth): set both together.
		cfg.ClientTLSInfo.TrustedCAFile = c.caFile
		cfg.ClientTLSInfo.ClientCertAuth = true
	}
	return cfg, nil
}

// stop closes the member: leadership moves to another member first, requests finish.
func (r *embedded) stop() error {
	e := r.take()
	if e != nil {
		e.Close()
	}
	return nil
}

// kill stops the raft loop at once (no leadership transfer), then closes the listeners: the
// closest an in-process member comes to SIGKILL. Its data files are closed properly, which a
// real SIGKILL would not do.
func (r *embedded) kill() error {
	e := r.take()
	if e != nil {
		e.Server.HardStop()
		e.Close()
	}
	return nil
}

func (r *embedded) take() *embed.Etcd {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.e
	r.e = nil
	return e
}

// status reads the member's state in the process: no request, so no authentication, whose
// password hashing alone can outlast a network probe under the race detector.
func (r *embedded) status(_ *Cluster, _ *member) *memberStatus {
	r.mu.Lock()
	e := r.e
	r.mu.Unlock()
	if e == nil {
		return nil
	}
	select {
	case <-e.Server.ReadyNotify():
		return &memberStatus{id: uint64(e.Server.MemberID()), leader: e.Server.Lead()}
	default:
		return nil
	}
}

func (r *embedded) exited() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

func (r *embedded) running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.e != nil
}
