// Command teamdemo starts a 3-member etcd cluster on loopback (Debian's etcd, TLS with a demo
// CA, client certificates) and two laptops' data directories in team mode — management's (hq)
// and a commercial's (road) — so that a newcomer can watch two windows or two terminals sync
// (make team-demo). It runs until Ctrl-C, then stops the members; the directory stays.
//
//	go run ./tests/teamdemo -bin bin/epicevents [-dir /tmp/epicevents-team-demo] [-etcd /usr/bin/etcd]
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/pki"
)

func main() {
	bin := flag.String("bin", "bin/epicevents", "the epicevents binary")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "epicevents-team-demo"), "where the demo lives (emptied first)")
	etcd := flag.String("etcd", "/usr/bin/etcd", "the etcd binary (3.4 or newer)")
	flag.Parse()
	if err := run(*bin, *dir, *etcd); err != nil {
		fmt.Fprintln(os.Stderr, "team-demo:", err)
		os.Exit(1)
	}
}

func run(bin, dir, etcd string) error {
	bin, _ = filepath.Abs(bin)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	certs := filepath.Join(dir, "certs")
	if err := os.MkdirAll(certs, 0o700); err != nil {
		return err
	}
	ca, err := pki.NewCA("Epic Events demo CA")
	if err != nil {
		return err
	}
	caFile, caKey := filepath.Join(certs, "team-ca.crt"), filepath.Join(certs, "team-ca.key")
	if err := ca.Save(caFile, caKey); err != nil {
		return err
	}
	server, err := ca.IssueServer("member", []string{"127.0.0.1", "localhost"})
	if err != nil {
		return err
	}
	srvCert, srvKey := filepath.Join(certs, "member.crt"), filepath.Join(certs, "member.key")
	if err := server.Save(srvCert, srvKey); err != nil {
		return err
	}
	root, err := ca.IssueClient("root")
	if err != nil {
		return err
	}
	rootCert, rootKey := filepath.Join(certs, "root.crt"), filepath.Join(certs, "root.key")
	if err := root.Save(rootCert, rootKey); err != nil {
		return err
	}

	ports, err := freePorts(6)
	if err != nil {
		return err
	}
	var initial, endpoints []string
	for i := range 3 {
		initial = append(initial, fmt.Sprintf("m%d=http://127.0.0.1:%d", i+1, ports[2*i+1]))
		endpoints = append(endpoints, fmt.Sprintf("https://127.0.0.1:%d", ports[2*i]))
	}
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
			_ = p.Wait()
		}
	}()
	for i := range 3 {
		name := fmt.Sprintf("m%d", i+1)
		log, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			return err
		}
		cmd := exec.Command(etcd, "--name", name, "--data-dir", filepath.Join(dir, name),
			"--listen-client-urls", endpoints[i], "--advertise-client-urls", endpoints[i],
			"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]),
			"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]),
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-state", "new",
			"--initial-cluster-token", "epicevents-demo",
			"--cert-file", srvCert, "--key-file", srvKey, "--client-cert-auth", "--trusted-ca-file", caFile)
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", etcd, err)
		}
		procs = append(procs, cmd)
	}
	if err := waitHealthy(endpoints, ca, root); err != nil {
		return err
	}
	fmt.Printf("etcd: 3 members at %s\n", strings.Join(endpoints, ","))

	hq, road := filepath.Join(dir, "hq"), filepath.Join(dir, "road")
	adminPW, err := core.RandomPassword()
	if err != nil {
		return err
	}
	out, err := epic(bin, hq, adminPW+"\n", "init", "--admin-email", "admin@epicevents.com", "--admin-name", "Ada Admin",
		"--password-stdin", "--demo", "--json")
	if err != nil {
		return err
	}
	var res struct {
		DemoAccounts []struct{ Email, Password string } `json:"demo_accounts"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return fmt.Errorf("init output: %w", err)
	}
	jeanPW := ""
	for _, a := range res.DemoAccounts {
		if a.Email == "jean.dupont@epicevents.com" {
			jeanPW = a.Password
		}
	}
	conn := func(cert string) []string {
		return []string{"--endpoints", strings.Join(endpoints, ","), "--cacert", caFile,
			"--cert", filepath.Join(certs, cert+".crt"), "--key", filepath.Join(certs, cert+".key")}
	}
	steps := []struct {
		home, stdin string
		args        []string
	}{
		{hq, adminPW + "\n", []string{"login", "--email", "admin@epicevents.com", "--password-stdin"}},
		{hq, "", append([]string{"team", "create"}, conn("root")...)},
		{hq, "", []string{"team", "identity", "jean.dupont@epicevents.com", "--ca-cert", caFile, "--ca-key", caKey,
			"--out-cert", filepath.Join(certs, "jean.crt"), "--out-key", filepath.Join(certs, "jean.key")}},
		{road, "", append([]string{"team", "join"}, conn("jean")...)},
		{road, jeanPW + "\n", []string{"login", "--email", "jean.dupont@epicevents.com", "--password-stdin"}},
	}
	for _, s := range steps {
		if _, err := epic(bin, s.home, s.stdin, s.args...); err != nil {
			return err
		}
	}
	fmt.Printf(`
Two laptops in one team, in %s:
  management (hq):   EPICEVENTS_HOME=%s %s        admin@epicevents.com / %s
  commercial (road): EPICEVENTS_HOME=%s %s      jean.dupont@epicevents.com / %s
Open both windows side by side, or in two terminals try:
  EPICEVENTS_HOME=%s %s client update <id> --notes hello && EPICEVENTS_HOME=%s %s sync
  EPICEVENTS_HOME=%s %s sync && EPICEVENTS_HOME=%s %s client list
Press Ctrl-C to stop the cluster (the directories stay).
`, dir, hq, bin, adminPW, road, bin, jeanPW, road, bin, road, bin, hq, bin, hq, bin)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

// epic runs the epicevents binary with EPICEVENTS_HOME=home.
func epic(bin, home, stdin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "EPICEVENTS_HOME="+home)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("epicevents %s: %v: %s", args[0], err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

func freePorts(n int) ([]int, error) {
	var out []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

func waitHealthy(endpoints []string, ca *pki.CA, root *pki.Cert) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
		TLS: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{root.TLS()}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		return err
	}
	defer cli.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := cli.Put(ctx, "/epicevents-demo-health", "ok")
		cancel()
		if err == nil {
			_, _ = cli.Delete(context.Background(), "/epicevents-demo-health")
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the cluster did not become healthy: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
