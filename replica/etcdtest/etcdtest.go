// Package etcdtest starts real etcd clusters on loopback for tests: members of the embedded
// etcd server (go.etcd.io/etcd/server/v3/embed, 3.7) inside the test process, or members of
// Debian's etcd binary (/usr/bin/etcd, 3.4) as child processes. Both kinds give the same
// *Cluster, so one test can run against both and show that the product works with 3.4 and 3.7.
//
// Members talk to each other over plain http on 127.0.0.1; the client URLs use https when
// Options.TLS or Options.ClientCertAuth is set. Every cluster has its own test CA (package pki)
// that signs its server certificates and the client certificates that tests ask for.
//
// Only tests and tools import this package: it brings the etcd server into the binary.
package etcdtest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/epicevents/crm/replica/pki"
)

// RootUser is etcd's administrator: the user that Options.Auth creates with the root role.
const RootUser = "root"

// Timeouts of the harness. They bound waits; no test asserts on them.
const (
	// ReadyTimeout bounds the wait for members to serve and agree on a leader.
	ReadyTimeout = 60 * time.Second
	// DialTimeout is the dial timeout of the clients that Client returns. A password login
	// runs bcrypt in the member; an embedded member under -race on a loaded machine took more
	// than 5 s for it, so the bound is generous.
	DialTimeout = 30 * time.Second
	// stopTimeout bounds a graceful stop before the member is killed.
	stopTimeout = 15 * time.Second
	// probeTimeout bounds one status request to one member: a member that listens but does
	// not serve yet never answers, and the probe tries again.
	probeTimeout = 200 * time.Millisecond
)

// Raft timing of every member: a heartbeat every 50 ms and elections after 500 ms (etcd's
// defaults are 100 ms and 1 s). A new cluster elects its first leader after one election
// timeout, so this halves start-up and fail-over while staying well above loopback latency.
const (
	heartbeatMs = 50
	electionMs  = 500
)

// Options choose how a cluster is secured. The zero value is a plain http cluster without auth.
type Options struct {
	// TLS serves the client URLs over https with server certificates of the cluster's CA.
	TLS bool
	// ClientCertAuth starts members with --client-cert-auth and the cluster's CA as trusted CA:
	// every client must present a certificate of that CA, and when auth is on its Common Name
	// is the etcd user. It implies TLS.
	ClientCertAuth bool
	// Auth enables etcd authentication before the cluster is returned: a user root with the
	// root role, whose credentials Root returns.
	Auth bool
}

// Creds is how a client identifies itself to the cluster. The zero value is anonymous.
type Creds struct {
	// User and Password authenticate with an etcd password (empty User: none).
	User, Password string
	// Cert is a client certificate of the cluster's CA (nil: none).
	Cert *pki.Cert
	// CertFile and KeyFile are where ClientCert wrote Cert, for programs that read files.
	CertFile, KeyFile string
}

// Cluster is a running etcd cluster of n members on loopback. Stop, Start, Kill and Leader
// fail the test that started the cluster when the cluster misbehaves: call them from that
// test's goroutine. Called from a subtest, a failure is still reported (the harness's message
// on the parent, "subtest may have called FailNow on a parent test" on the subtest).
type Cluster struct {
	tb      testing.TB
	kind    string
	opts    Options
	dir     string
	ca      *pki.CA
	caFile  string
	root    Creds
	members []*member

	mu    sync.Mutex
	admin *clientv3.Client
}

// member is one etcd member: where it listens and the runner that starts and stops it.
type member struct {
	index     int
	name      string
	dir       string
	logFile   string
	clientURL string
	peerURL   string
	certFile  string
	keyFile   string
	run       runner
	id        uint64
}

// runner starts and stops one member's server, embedded or as a process.
type runner interface {
	start(c *Cluster, m *member) error
	stop() error
	kill() error
	// exited is closed when the member stops by itself (nil while none is running).
	exited() <-chan struct{}
	running() bool
	// status says who the member is and whom it follows; nil while it does not serve.
	status(c *Cluster, m *member) *memberStatus
}

// newCluster prepares the CA, certificates and member directories of an n-member cluster.
func newCluster(tb testing.TB, kind string, n int, opts Options, newRunner func() runner) *Cluster {
	tb.Helper()
	if n < 1 {
		tb.Fatalf("etcdtest: %d members", n)
	}
	if opts.ClientCertAuth {
		opts.TLS = true
	}
	c := &Cluster{tb: tb, kind: kind, opts: opts, dir: tb.TempDir()}
	ca, err := pki.NewCA("etcdtest CA")
	if err != nil {
		tb.Fatalf("etcdtest: %v", err)
	}
	c.ca = ca
	c.caFile = filepath.Join(c.dir, "ca.crt")
	if err := ca.SaveCert(c.caFile); err != nil {
		tb.Fatalf("etcdtest: %v", err)
	}
	c.root = Creds{User: RootUser, Password: randomSecret()}
	if opts.ClientCertAuth {
		c.root = c.ClientCert(tb, RootUser)
	}
	for i := 0; i < n; i++ {
		c.members = append(c.members, c.newMember(i, newRunner()))
	}
	tb.Cleanup(c.Close)
	c.startAll()
	if opts.Auth {
		c.enableAuth()
	}
	return c
}

func (c *Cluster) newMember(i int, r runner) *member {
	name := fmt.Sprintf("m%d", i)
	m := &member{index: i, name: name, run: r, dir: filepath.Join(c.dir, name, "data"), logFile: filepath.Join(c.dir, name+".log")}
	if c.opts.TLS {
		cert, err := c.ca.IssueServer("etcdtest "+name, []string{"127.0.0.1", "localhost"})
		if err != nil {
			c.tb.Fatalf("etcdtest: %v", err)
		}
		m.certFile, m.keyFile = filepath.Join(c.dir, name+".crt"), filepath.Join(c.dir, name+".key")
		if err := cert.Save(m.certFile, m.keyFile); err != nil {
			c.tb.Fatalf("etcdtest: %v", err)
		}
	}
	return m
}

// startAll starts every member on fresh ports, retrying when a port was taken meanwhile.
func (c *Cluster) startAll() {
	c.tb.Helper()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = c.tryStartAll(); err == nil {
			return
		}
		c.stopAll(true)
		for _, m := range c.members {
			_ = os.RemoveAll(m.dir)
		}
	}
	c.tb.Fatalf("etcdtest: start %d %s members: %v%s", len(c.members), c.kind, err, c.logTails())
}

func (c *Cluster) tryStartAll() error {
	ports, err := freePorts(2 * len(c.members))
	if err != nil {
		return err
	}
	scheme := "http"
	if c.opts.TLS {
		scheme = "https"
	}
	for i, m := range c.members {
		m.clientURL = fmt.Sprintf("%s://127.0.0.1:%d", scheme, ports[2*i])
		m.peerURL = fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1])
	}
	// One after the other: a new member asks its peers whether it already belongs to the
	// cluster, and a peer that listens but does not serve yet makes it wait a second; a peer
	// that does not listen yet answers at once.
	for _, m := range c.members {
		if err := m.run.start(c, m); err != nil {
			return err
		}
	}
	return c.waitReady(c.members)
}

// initialCluster is the --initial-cluster value naming every member's peer URL.
func (c *Cluster) initialCluster() string {
	parts := make([]string, len(c.members))
	for i, m := range c.members {
		parts[i] = m.name + "=" + m.peerURL
	}
	return strings.Join(parts, ",")
}

// token is the --initial-cluster-token: unique to this cluster's directory.
func (c *Cluster) token() string {
	return "etcdtest-" + filepath.Base(c.dir)
}

// Kind is "embedded" or "binary": how the members run.
func (c *Cluster) Kind() string { return c.kind }

// Len is the number of members.
func (c *Cluster) Len() int { return len(c.members) }

// Endpoints returns every member's client URL, running or not.
func (c *Cluster) Endpoints() []string {
	eps := make([]string, len(c.members))
	for i, m := range c.members {
		eps[i] = m.clientURL
	}
	return eps
}

// Endpoint returns member i's client URL.
func (c *Cluster) Endpoint(i int) string { return c.member(i).clientURL }

// CA returns the cluster's certificate authority, which the members trust for client
// certificates when Options.ClientCertAuth is set.
func (c *Cluster) CA() *pki.CA { return c.ca }

// CAFile is the path of the CA certificate in PEM, for programs that read a --cacert file.
func (c *Cluster) CAFile() string { return c.caFile }

// Root returns root's credentials: root's client certificate with Options.ClientCertAuth,
// otherwise user root with a password that Options.Auth gives root. A test that turns auth on
// by itself over passwords must give root this password: the harness watches members as root.
func (c *Cluster) Root() Creds { return c.root }

// ClientCert issues a client certificate whose Common Name is user and writes it under the
// test's temporary directory (CertFile, KeyFile).
func (c *Cluster) ClientCert(tb testing.TB, user string) Creds {
	tb.Helper()
	cert, err := c.ca.IssueClient(user)
	if err != nil {
		tb.Fatalf("etcdtest: %v", err)
	}
	dir := tb.TempDir()
	cr := Creds{Cert: cert, CertFile: filepath.Join(dir, "client.crt"), KeyFile: filepath.Join(dir, "client.key")}
	if err := cert.Save(cr.CertFile, cr.KeyFile); err != nil {
		tb.Fatalf("etcdtest: %v", err)
	}
	return cr
}

// Config returns a client configuration for creds over every endpoint.
func (c *Cluster) Config(creds Creds) clientv3.Config {
	cfg := clientv3.Config{
		Endpoints:   c.Endpoints(),
		DialTimeout: DialTimeout,
		Username:    creds.User,
		Password:    creds.Password,
		Logger:      zap.NewNop(),
	}
	if c.opts.TLS {
		cfg.TLS = &tls.Config{RootCAs: c.ca.Pool(), MinVersion: tls.VersionTLS12}
		if creds.Cert != nil {
			cfg.TLS.Certificates = []tls.Certificate{creds.Cert.TLS()}
		}
	}
	return cfg
}

// Client returns a client of the cluster identified by creds, closed when tb ends.
func (c *Cluster) Client(tb testing.TB, creds Creds) *clientv3.Client {
	tb.Helper()
	cli, err := clientv3.New(c.Config(creds))
	if err != nil {
		tb.Fatalf("etcdtest: client: %v", err)
	}
	tb.Cleanup(func() { _ = cli.Close() })
	return cli
}

// Running reports whether member i is started.
func (c *Cluster) Running(i int) bool { return c.member(i).run.running() }

// Stop stops member i gracefully (SIGTERM for a process); its data stays for Start. Stopping
// members one by one is how a test cuts a member off or takes the quorum away.
func (c *Cluster) Stop(i int) {
	c.tb.Helper()
	if err := c.member(i).run.stop(); err != nil {
		c.tb.Fatalf("etcdtest: stop %s: %v", c.member(i).name, err)
	}
}

// Kill stops member i at once: SIGKILL for a process; for an embedded member, its raft loop
// stops without transferring leadership or finishing requests, then its listeners close.
func (c *Cluster) Kill(i int) {
	c.tb.Helper()
	if err := c.member(i).run.kill(); err != nil {
		c.tb.Fatalf("etcdtest: kill %s: %v", c.member(i).name, err)
	}
}

// Start restarts member i with its data and ports. When the running members then form a
// quorum, Start waits until all of them serve; otherwise it returns once the member is launched.
func (c *Cluster) Start(i int) {
	c.tb.Helper()
	m := c.member(i)
	if m.run.running() {
		c.tb.Fatalf("etcdtest: start %s: already running", m.name)
	}
	if err := m.run.start(c, m); err != nil {
		c.tb.Fatalf("etcdtest: start %s: %v%s", m.name, err, c.logTails())
	}
	up := c.runningMembers()
	if len(up) <= len(c.members)/2 {
		return
	}
	if err := c.waitReady(up); err != nil {
		c.tb.Fatalf("etcdtest: start %s: %v%s", m.name, err, c.logTails())
	}
}

// Close kills every member (a graceful stop of all members at once waits for leadership
// transfers that cannot happen). It runs by itself when the test ends.
func (c *Cluster) Close() {
	c.stopAll(true)
	c.mu.Lock()
	if c.admin != nil {
		_ = c.admin.Close()
		c.admin = nil
	}
	c.mu.Unlock()
	if c.tb.Failed() {
		c.tb.Logf("etcdtest: %s cluster logs:%s", c.kind, c.logTails())
	}
}

// stopAll stops the running members in parallel, killing them when kill is set.
func (c *Cluster) stopAll(kill bool) {
	var wg sync.WaitGroup
	for _, m := range c.members {
		if !m.run.running() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if kill {
				err = m.run.kill()
			} else {
				err = m.run.stop()
			}
			if err != nil {
				c.tb.Logf("etcdtest: stop %s: %v", m.name, err)
			}
		}()
	}
	wg.Wait()
}

func (c *Cluster) member(i int) *member {
	if i < 0 || i >= len(c.members) {
		c.tb.Fatalf("etcdtest: no member %d in a cluster of %d", i, len(c.members))
	}
	return c.members[i]
}

func (c *Cluster) runningMembers() []*member {
	var up []*member
	for _, m := range c.members {
		if m.run.running() {
			up = append(up, m)
		}
	}
	return up
}

// enableAuth creates root with the root role and turns authentication on.
func (c *Cluster) enableAuth() {
	c.tb.Helper()
	cli := c.Client(c.tb, Creds{Cert: c.root.Cert})
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	pass := c.root.Password
	if pass == "" {
		pass = randomSecret() // certificate identity: nobody keeps this password
	}
	steps := []func() error{
		func() error { _, err := cli.RoleAdd(ctx, RootUser); return err },
		func() error { _, err := cli.UserAdd(ctx, RootUser, pass); return err },
		func() error { _, err := cli.UserGrantRole(ctx, RootUser, RootUser); return err },
		func() error { _, err := cli.AuthEnable(ctx); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			c.tb.Fatalf("etcdtest: enable auth: %v", err)
		}
	}
}

// logTails returns the end of every member's log, for failure messages.
func (c *Cluster) logTails() string {
	var b strings.Builder
	for _, m := range c.members {
		data, err := os.ReadFile(m.logFile)
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		fmt.Fprintf(&b, "\n--- %s (%s) log tail:\n%s", m.name, m.logFile, strings.Join(lines, "\n"))
	}
	return b.String()
}

// randomSecret returns 32 random bytes in hex.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
