package etcdtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/epicevents/crm/replica/etcdtest"
	"github.com/epicevents/crm/replica/pki"
)

// Every test runs against etcd 3.7 (embedded) and Debian's etcd 3.4 (binary): etcdtest.ForEachKind.
var forEachKind = etcdtest.ForEachKind

func ctx(t *testing.T) context.Context { return etcdtest.Context(t, 30*time.Second) }

func mustPut(t *testing.T, cli *clientv3.Client, k, v string) {
	t.Helper()
	if _, err := cli.Put(ctx(t), k, v); err != nil {
		t.Fatalf("put %s: %v", k, err)
	}
}

// putRetry puts k=v, trying again for a while: right after a member dies, etcd answers a put
// with "request timed out, possibly due to previous leader failure" (the put may or may not
// have applied) and the client does not retry writes by itself.
func putRetry(t *testing.T, cli *clientv3.Client, k, v string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := cli.Put(c, k, v)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("put %s: %v", k, err)
		}
		t.Logf("put %s: %v; trying again", k, err)
		time.Sleep(50 * time.Millisecond)
	}
}

// getFrom reads k through member i alone, linearizably.
func getFrom(t *testing.T, c *etcdtest.Cluster, i int, k string) string {
	t.Helper()
	cfg := c.Config(c.Root())
	cfg.Endpoints = []string{c.Endpoint(i)}
	cli, err := clientv3.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(ctx(t), k)
	if err != nil {
		t.Fatalf("get %s from member %d: %v", k, i, err)
	}
	if len(resp.Kvs) == 0 {
		return ""
	}
	return string(resp.Kvs[0].Value)
}

func TestStart(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		t0 := time.Now()
		c := start(t, 3, etcdtest.Options{})
		t.Logf("3 %s members ready in %v", c.Kind(), time.Since(t0).Round(time.Millisecond))
		cli := c.Client(t, etcdtest.Creds{})
		mustPut(t, cli, "/k", "v1")
		for i := 0; i < c.Len(); i++ {
			if got := getFrom(t, c, i, "/k"); got != "v1" {
				t.Fatalf("member %d reads %q", i, got)
			}
		}
		st, err := cli.Status(ctx(t), c.Endpoint(c.Leader()))
		if err != nil {
			t.Fatal(err)
		}
		if st.Leader != st.Header.MemberId {
			t.Fatalf("Leader() names member %x, which follows %x", st.Header.MemberId, st.Leader)
		}
		want := map[string]string{"embedded": "3.7.", "binary": "3.4."}[c.Kind()]
		if st.Version[:4] != want {
			t.Fatalf("%s members run etcd %s, want %sx", c.Kind(), st.Version, want)
		}
	})
}

// TestCluster_StopStart stops the leader, writes through the others, restarts it and reads the
// write through it: data kept, member caught up.
func TestCluster_StopStart(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 3, etcdtest.Options{})
		cli := c.Client(t, etcdtest.Creds{})
		mustPut(t, cli, "/before", "1")
		l := c.Leader()
		c.Stop(l)
		if c.Running(l) {
			t.Fatal("stopped member still running")
		}
		putRetry(t, cli, "/during", "2")
		if nl := c.Leader(); nl == l {
			t.Fatalf("stopped member %d still leads", l)
		}
		c.Start(l)
		for k, v := range map[string]string{"/before": "1", "/during": "2"} {
			if got := getFrom(t, c, l, k); got != v {
				t.Fatalf("restarted member reads %s = %q, want %q", k, got, v)
			}
		}
	})
}

// TestCluster_Kill kills the leader during writes: the others elect a new one and accept writes.
func TestCluster_Kill(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 3, etcdtest.Options{})
		cli := c.Client(t, etcdtest.Creds{})
		l := c.Leader()
		c.Kill(l)
		putRetry(t, cli, "/after-kill", "1")
		c.Start(l)
		if got := getFrom(t, c, l, "/after-kill"); got != "1" {
			t.Fatalf("killed member reads %q after restart", got)
		}
	})
}

// TestCluster_QuorumLoss stops two members of three: writes fail; one back, writes succeed.
func TestCluster_QuorumLoss(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 3, etcdtest.Options{})
		cli := c.Client(t, etcdtest.Creds{})
		c.Stop(1)
		c.Stop(2)
		short, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := cli.Put(short, "/lost", "x")
		cancel()
		if err == nil {
			t.Fatal("a put succeeded without quorum")
		}
		c.Start(2)
		putRetry(t, cli, "/back", "y")
		if got := getFrom(t, c, 2, "/back"); got != "y" {
			t.Fatalf("got %q", got)
		}
	})
}

// TestCluster_AllRestart stops every member and starts them one by one.
func TestCluster_AllRestart(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 3, etcdtest.Options{})
		mustPut(t, c.Client(t, etcdtest.Creds{}), "/k", "v")
		for i := 0; i < 3; i++ {
			c.Stop(i)
		}
		for i := 0; i < 3; i++ {
			c.Start(i)
		}
		if got := getFrom(t, c, 0, "/k"); got != "v" {
			t.Fatalf("got %q after a full restart", got)
		}
	})
}

// TestOptions_ClientCertAuth: with auth on, a certificate's CN is the etcd user; certificates of
// another CA and clients without one are refused.
func TestOptions_ClientCertAuth(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 1, etcdtest.Options{ClientCertAuth: true, Auth: true})
		t.Run("OK", func(t *testing.T) {
			mustPut(t, c.Client(t, c.Root()), "/k", "v")
		})
		t.Run("ErrUnknownUser", func(t *testing.T) {
			_, err := c.Client(t, c.ClientCert(t, "nobody")).Put(ctx(t), "/k", "v")
			if err == nil {
				t.Fatal("a certificate naming no etcd user could write")
			}
		})
		t.Run("ErrNoCertificate", func(t *testing.T) {
			expectUnreachable(t, c, etcdtest.Creds{})
		})
		t.Run("ErrOtherCA", func(t *testing.T) {
			other, err := pki.NewCA("other CA")
			if err != nil {
				t.Fatal(err)
			}
			cert, err := other.IssueClient(etcdtest.RootUser)
			if err != nil {
				t.Fatal(err)
			}
			expectUnreachable(t, c, etcdtest.Creds{Cert: cert})
		})
	})
}

// expectUnreachable checks that a client with creds cannot even complete a request.
func expectUnreachable(t *testing.T, c *etcdtest.Cluster, creds etcdtest.Creds) {
	t.Helper()
	cfg := c.Config(creds)
	cli, err := clientv3.New(cfg)
	if err != nil {
		return // refused while dialling
	}
	defer cli.Close()
	short, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := cli.Get(short, "/k"); err == nil {
		t.Fatal("request served without an accepted client certificate")
	}
}

// TestOptions_Auth: over TLS without client certificates, root's password works and an
// anonymous client is refused.
func TestOptions_Auth(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 1, etcdtest.Options{TLS: true, Auth: true})
		t.Run("OK", func(t *testing.T) {
			root := c.Root()
			if root.User != etcdtest.RootUser || root.Password == "" || root.Cert != nil {
				t.Fatalf("root creds %+v", root)
			}
			mustPut(t, c.Client(t, root), "/k", "v")
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			_, err := c.Client(t, etcdtest.Creds{}).Put(ctx(t), "/k", "v")
			if !errors.Is(err, rpctypes.ErrUserEmpty) && status.Code(err) != codes.InvalidArgument {
				t.Fatalf("anonymous put: %v, want user name is empty", err)
			}
		})
		t.Run("RestartWithAuth", func(t *testing.T) {
			// The harness probes members anonymously once auth is on.
			c.Stop(0)
			c.Start(0)
			if c.Leader() != 0 {
				t.Fatal("the only member does not lead")
			}
		})
		t.Run("ErrWrongPassword", func(t *testing.T) {
			cfg := c.Config(etcdtest.Creds{User: etcdtest.RootUser, Password: "wrong"})
			cli, err := clientv3.New(cfg)
			if err == nil {
				defer cli.Close()
				_, err = cli.Put(ctx(t), "/k", "v")
			}
			if err == nil {
				t.Fatal("wrong password accepted")
			}
		})
	})
}

func BenchmarkStart3(b *testing.B) {
	for _, k := range etcdtest.Kinds {
		b.Run(k.Name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c := k.Start(b, 3, etcdtest.Options{})
				b.StopTimer()
				c.Close()
				b.StartTimer()
			}
		})
	}
}
