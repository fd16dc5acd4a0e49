package etcdtest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the etcd server that StartBinary runs: Debian's etcd-server package (3.4.23 on
// Debian 12), which `make test` installs.
const Binary = "/usr/bin/etcd"

// StartBinary starts n members of the etcd binary (Binary) as child processes on free loopback
// ports and waits until they serve and agree on a leader. The test fails at once, saying how to
// install it, when the binary is missing. The processes stop when tb ends, and die with the test
// process if it is killed.
func StartBinary(tb testing.TB, n int, opts Options) *Cluster {
	tb.Helper()
	if _, err := os.Stat(binaryPath); err != nil {
		tb.Fatalf("etcdtest: %s is missing (%v): install Debian's etcd-server package "+
			"(`make test` does, or `sudo apt-get install etcd-server etcd-client`)", binaryPath, err)
	}
	return newCluster(tb, "binary", n, opts, func() runner { return &process{} })
}

// binaryPath is Binary, but a test can point it elsewhere.
var binaryPath = Binary

// process runs one member as a child process.
type process struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *process) start(c *Cluster, m *member) error {
	log, err := os.OpenFile(m.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("start %s: %w", m.name, err)
	}
	cmd := exec.Command(binaryPath, binaryArgs(c, m)...)
	cmd.Env = etcdFreeEnv()
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return fmt.Errorf("start %s: %w", m.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = log.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	return waitPeer(m, done)
}

// waitPeer waits until member m serves its peer URL, so that the next member to start finds
// it serving (see Cluster.tryStartAll), or until it exits.
func waitPeer(m *member, done <-chan struct{}) error {
	hc := &http.Client{Timeout: probeTimeout}
	deadline := time.Now().Add(ReadyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("start %s: exited", m.name)
		default:
		}
		if resp, err := hc.Get(m.peerURL + "/members"); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("start %s: peer URL not served after %v", m.name, ReadyTimeout)
}

// binaryArgs are member m's flags; with data in m.dir, etcd ignores the initial-cluster flags
// and restarts the member it was.
func binaryArgs(c *Cluster, m *member) []string {
	args := []string{
		"--name", m.name,
		"--data-dir", m.dir,
		"--listen-client-urls", m.clientURL,
		"--advertise-client-urls", m.clientURL,
		"--listen-peer-urls", m.peerURL,
		"--initial-advertise-peer-urls", m.peerURL,
		"--initial-cluster", c.initialCluster(),
		"--initial-cluster-token", c.token(),
		"--initial-cluster-state", "new",
		"--heartbeat-interval", strconv.Itoa(heartbeatMs),
		"--election-timeout", strconv.Itoa(electionMs),
		"--logger", "zap",
		"--log-outputs", "stderr",
		"--log-level", "error",
	}
	if c.opts.TLS {
		args = append(args, "--cert-file", m.certFile, "--key-file", m.keyFile)
	}
	if c.opts.ClientCertAuth {
		args = append(args, "--client-cert-auth", "--trusted-ca-file", c.caFile)
	}
	return args
}

// etcdFreeEnv is the test's environment without ETCD_* variables, which etcd would read as flags.
func etcdFreeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCD_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop sends SIGTERM and waits; a member still running after stopTimeout is killed.
func (p *process) stop() error {
	return p.signal(syscall.SIGTERM, stopTimeout)
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill() error {
	return p.signal(syscall.SIGKILL, stopTimeout)
}

func (p *process) signal(sig syscall.Signal, wait time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-done:
		return nil
	case <-time.After(wait):
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("pid %d ignored %v for %v and was killed", cmd.Process.Pid, sig, wait)
}

// status asks the process over the network (etcd 3.4 answers Status without authentication).
func (p *process) status(c *Cluster, m *member) *memberStatus {
	return c.remoteStatus(m)
}

func (p *process) exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *process) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}
