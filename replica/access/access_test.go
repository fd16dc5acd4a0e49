package access_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/permissions"
	"github.com/epicevents/crm/replica/access"
	"github.com/epicevents/crm/replica/etcdtest"
)

// Every test runs against etcd 3.7 (embedded) and Debian's etcd 3.4 (binary): etcdtest.ForEachKind.
var forEachKind = etcdtest.ForEachKind

func ctx(t *testing.T) context.Context { return etcdtest.Context(t, 30*time.Second) }

// team is a cluster with --client-cert-auth, set up by access.Setup through root's certificate.
type team struct {
	c    *etcdtest.Cluster
	root *clientv3.Client
}

func newTeam(t *testing.T, start etcdtest.Starter, n int) *team {
	t.Helper()
	c := start(t, n, etcdtest.Options{ClientCertAuth: true})
	root := c.Client(t, c.Root())
	if err := access.Setup(ctx(t), root); err != nil {
		t.Fatal(err)
	}
	return &team{c: c, root: root}
}

// as returns a client identified by a certificate whose Common Name is user.
func (tm *team) as(t *testing.T, user string) *clientv3.Client {
	t.Helper()
	return tm.c.Client(t, tm.c.ClientCert(t, user))
}

// grantAs grants user department d and returns a client acting as user.
func (tm *team) grantAs(t *testing.T, user string, d permissions.Department) *clientv3.Client {
	t.Helper()
	if err := access.Grant(ctx(t), tm.root, user, d); err != nil {
		t.Fatal(err)
	}
	return tm.as(t, user)
}

func denied(err error) bool { return errors.Is(err, rpctypes.ErrPermissionDenied) }

// mayPut puts key as cli and reports whether the cluster accepted it; any error other than
// permission denied fails the test.
func mayPut(t *testing.T, cli *clientv3.Client, key string) bool {
	t.Helper()
	_, err := cli.Put(ctx(t), key, "v")
	if err != nil && !denied(err) {
		t.Fatalf("put %s: %v", key, err)
	}
	return err == nil
}

// writes is what each department may write, written from PRODUCT.md §9 "Rules" and the key
// layout independently of the package's own table (S: support, C: commercial, M: management).
var writes = []struct {
	key     string
	s, c, m bool
}{
	{access.UserKey("u1"), false, false, true},
	{access.ClientKey("c1"), false, true, true},
	{access.ContractKey("k1"), false, true, true},
	{access.EventKey("e1"), true, true, true},
	{access.UserEmailKey("ann@example.com"), false, false, true},
	{access.EmployeeNumberKey("E-1"), false, false, true},
	{access.ClientEmailKey("bob@example.com"), false, true, true},
	{access.ClientContractKey("c1", "k1"), false, false, true},
	{access.ContractEventKey("k1", "e1"), false, true, true},
	{access.AuditPrefix + "0001", true, true, true},
	{access.MetaPrefix + "format", false, false, true},
	{"/epicevents/clientsX", false, false, true}, // outside clients/: the trailing slash counts
	{"/other/key", false, false, true},           // outside the dataset: management holds root
}

func TestGrant_Writes(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 3)
		ids := map[permissions.Department]*clientv3.Client{
			permissions.Support:    tm.grantAs(t, "sup", permissions.Support),
			permissions.Commercial: tm.grantAs(t, "com", permissions.Commercial),
			permissions.Management: tm.grantAs(t, "mgr", permissions.Management),
		}
		for _, w := range writes {
			want := map[permissions.Department]bool{permissions.Support: w.s, permissions.Commercial: w.c, permissions.Management: w.m}
			for d, cli := range ids {
				if got := mayPut(t, cli, w.key); got != want[d] {
					t.Errorf("%s put %s: accepted=%v, want %v", d, w.key, got, want[d])
				}
				if strings.HasPrefix(w.key, access.Prefix) && access.MayWrite(d, w.key) != want[d] {
					t.Errorf("MayWrite(%s, %s) = %v, cluster says %v", d, w.key, !want[d], want[d])
				}
			}
		}
		t.Run("ReadAll", func(t *testing.T) {
			for d, cli := range ids {
				resp, err := cli.Get(ctx(t), access.Prefix, clientv3.WithPrefix())
				if err != nil {
					t.Fatalf("%s reads the dataset: %v", d, err)
				}
				if len(resp.Kvs) < 10 {
					t.Fatalf("%s reads %d keys", d, len(resp.Kvs))
				}
			}
			for _, d := range []permissions.Department{permissions.Support, permissions.Commercial} {
				if _, err := ids[d].Get(ctx(t), "/other/key"); !denied(err) {
					t.Errorf("%s reads outside the dataset: %v", d, err)
				}
			}
		})
		t.Run("ErrDeleteOutside", func(t *testing.T) {
			if _, err := ids[permissions.Support].Delete(ctx(t), access.Prefix, clientv3.WithPrefix()); !denied(err) {
				t.Fatalf("support deleted the whole dataset: %v", err)
			}
			if _, err := ids[permissions.Support].Delete(ctx(t), access.EventKey("e1")); err != nil {
				t.Fatalf("support deletes an event: %v", err)
			}
		})
	})
}

func TestGrant_Idempotent(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 1)
		for _, d := range permissions.Departments {
			for range 2 {
				if err := access.Grant(ctx(t), tm.root, "u-"+string(d), d); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := tm.root.UserGet(ctx(t), "u-"+string(d))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := access.Roles(d)
			if !sameSet(resp.Roles, want) {
				t.Fatalf("%s holds %v, want %v", d, resp.Roles, want)
			}
		}
	})
}

// TestGrant_DepartmentChange grants again with another department: what the identity may write
// follows, and a demoted manager loses root.
func TestGrant_DepartmentChange(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 1)
		t.Run("CommercialToSupport", func(t *testing.T) {
			cli := tm.grantAs(t, "ann", permissions.Commercial)
			if !mayPut(t, cli, access.ClientKey("c1")) {
				t.Fatal("commercial refused under clients/")
			}
			if err := access.Grant(ctx(t), tm.root, "ann", permissions.Support); err != nil {
				t.Fatal(err)
			}
			if mayPut(t, cli, access.ClientKey("c1")) {
				t.Fatal("ann still writes clients after moving to support")
			}
			if !mayPut(t, cli, access.EventKey("e1")) {
				t.Fatal("ann cannot write events as support")
			}
		})
		t.Run("ManagementToCommercial", func(t *testing.T) {
			cli := tm.grantAs(t, "bob", permissions.Management)
			if err := access.Grant(ctx(t), cli, "carl", permissions.Support); err != nil {
				t.Fatalf("management cannot grant: %v", err)
			}
			if err := access.Grant(ctx(t), tm.root, "bob", permissions.Commercial); err != nil {
				t.Fatal(err)
			}
			if mayPut(t, cli, access.UserKey("u1")) {
				t.Fatal("bob still writes users after moving to commercial")
			}
			if err := access.Grant(ctx(t), cli, "dora", permissions.Support); !denied(err) {
				t.Fatalf("bob still administers identities: %v", err)
			}
		})
	})
}

func TestGrant_Err(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 1)
		t.Run("ErrUserName", func(t *testing.T) {
			for _, u := range []string{"", " ", access.RootUser} {
				if err := access.Grant(ctx(t), tm.root, u, permissions.Support); !errors.Is(err, access.ErrUserName) {
					t.Fatalf("Grant(%q) = %v, want ErrUserName", u, err)
				}
			}
			resp, err := tm.root.UserGet(ctx(t), access.RootUser)
			if err != nil || !slices.Contains(resp.Roles, access.RoleRoot) {
				t.Fatalf("root lost its role: %v %v", resp, err)
			}
		})
		t.Run("ErrDepartment", func(t *testing.T) {
			if err := access.Grant(ctx(t), tm.root, "eve", "sales"); !errors.Is(err, access.ErrDepartment) {
				t.Fatalf("err = %v, want ErrDepartment", err)
			}
			if _, err := tm.root.UserGet(ctx(t), "eve"); !errors.Is(err, rpctypes.ErrUserNotFound) {
				t.Fatalf("a user was created for an unknown department: %v", err)
			}
		})
		t.Run("ErrNotRoot", func(t *testing.T) {
			cli := tm.grantAs(t, "com", permissions.Commercial)
			if err := access.Grant(ctx(t), cli, "frank", permissions.Management); !denied(err) {
				t.Fatalf("a commercial granted management: %v", err)
			}
		})
	})
}

// TestGrant_NoPassword: an identity made by Grant cannot log in with a password, empty or not.
func TestGrant_NoPassword(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 1)
		tm.grantAs(t, "gina", permissions.Support)
		for _, pw := range []string{"", "gina", "password"} {
			if _, err := tm.root.Authenticate(ctx(t), "gina", pw); err == nil {
				t.Fatalf("gina logged in with password %q", pw)
			} else {
				t.Logf("password %q: %v", pw, err)
			}
		}
	})
}

func TestRevoke(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 1)
		t.Run("OK", func(t *testing.T) {
			cli := tm.grantAs(t, "sup", permissions.Support)
			if !mayPut(t, cli, access.EventKey("e1")) {
				t.Fatal("support refused under events/ before revoke")
			}
			if err := access.Revoke(ctx(t), tm.root, "sup"); err != nil {
				t.Fatal(err)
			}
			_, err := cli.Put(ctx(t), access.EventKey("e1"), "v")
			if err == nil {
				t.Fatal("a revoked identity wrote")
			}
			t.Logf("write after revoke: %v", err)
			if _, err := cli.Get(ctx(t), access.EventKey("e1")); err == nil {
				t.Fatal("a revoked identity read")
			}
		})
		t.Run("Idempotent", func(t *testing.T) {
			if err := access.Revoke(ctx(t), tm.root, "sup"); err != nil {
				t.Fatal(err)
			}
			if err := access.Revoke(ctx(t), tm.root, "never-existed"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("RegrantWorks", func(t *testing.T) {
			cli := tm.grantAs(t, "sup", permissions.Support)
			if !mayPut(t, cli, access.EventKey("e1")) {
				t.Fatal("support refused after a new grant")
			}
		})
		t.Run("ErrUserName", func(t *testing.T) {
			if err := access.Revoke(ctx(t), tm.root, access.RootUser); !errors.Is(err, access.ErrUserName) {
				t.Fatalf("err = %v, want ErrUserName", err)
			}
		})
		t.Run("ErrNotRoot", func(t *testing.T) {
			cli := tm.grantAs(t, "com", permissions.Commercial)
			tm.grantAs(t, "sup2", permissions.Support)
			if err := access.Revoke(ctx(t), cli, "sup2"); !denied(err) {
				t.Fatalf("a commercial revoked an identity: %v", err)
			}
		})
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func mustPut(t *testing.T, cli *clientv3.Client, k, v string) {
	t.Helper()
	if _, err := cli.Put(ctx(t), k, v); err != nil {
		t.Fatalf("put %s: %v", k, err)
	}
}

// watchCtx is the context of a watch: bounded, and requiring a leader.
func watchCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(clientv3.WithRequireLeader(context.Background()), 30*time.Second)
}

// waitEvent waits for an event on key from wc.
func waitEvent(t *testing.T, wc clientv3.WatchChan, key string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case resp := <-wc:
			if err := resp.Err(); err != nil {
				t.Fatalf("watch: %v", err)
			}
			for _, ev := range resp.Events {
				if string(ev.Kv.Key) == key {
					return
				}
			}
		case <-timeout:
			t.Fatalf("no event on %s", key)
		}
	}
}
