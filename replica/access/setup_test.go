package access_test

import (
	"testing"

	"go.etcd.io/etcd/api/v3/authpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/replica/access"
	"github.com/epicevents/crm/replica/etcdtest"
)

// rolePerms is what each role must hold, written out from PRODUCT.md §9: "key range end type".
var rolePerms = map[string][]string{
	access.RoleSupport: {
		"/epicevents/ /epicevents0 READ",
		"/epicevents/events/ /epicevents/events0 READWRITE",
		"/epicevents/audit/ /epicevents/audit0 READWRITE",
	},
	access.RoleCommercial: {
		"/epicevents/ /epicevents0 READ",
		"/epicevents/clients/ /epicevents/clients0 READWRITE",
		"/epicevents/contracts/ /epicevents/contracts0 READWRITE",
		"/epicevents/events/ /epicevents/events0 READWRITE",
		"/epicevents/unique/client_email/ /epicevents/unique/client_email0 READWRITE",
		"/epicevents/refs/contract_events/ /epicevents/refs/contract_events0 READWRITE",
		"/epicevents/audit/ /epicevents/audit0 READWRITE",
	},
	access.RoleManagement: {
		"/epicevents/ /epicevents0 READWRITE",
	},
}

func permStrings(ps []*authpb.Permission) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p.Key)+" "+string(p.RangeEnd)+" "+p.PermType.String())
	}
	return out
}

// checkRoles fails unless every role holds exactly rolePerms.
func checkRoles(t *testing.T, root *clientv3.Client) {
	t.Helper()
	for role, want := range rolePerms {
		resp, err := root.RoleGet(ctx(t), role)
		if err != nil {
			t.Fatalf("role %s: %v", role, err)
		}
		if got := permStrings(resp.Perm); !sameSet(got, want) {
			t.Fatalf("role %s holds %q, want %q", role, got, want)
		}
	}
}

func TestSetup(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		tm := newTeam(t, start, 1)
		t.Run("OK", func(t *testing.T) {
			checkRoles(t, tm.root)
			// Auth is on: a certificate naming no etcd user is refused, root still writes.
			if _, err := tm.as(t, "nobody").Put(ctx(t), access.EventKey("e1"), "v"); err == nil {
				t.Fatal("auth is off after Setup")
			}
			if _, err := tm.root.Put(ctx(t), access.EventKey("e1"), "v"); err != nil {
				t.Fatalf("root cannot write after Setup: %v", err)
			}
		})
		t.Run("Idempotent", func(t *testing.T) {
			if err := access.Setup(ctx(t), tm.root); err != nil {
				t.Fatal(err)
			}
			checkRoles(t, tm.root)
		})
		t.Run("Repairs", func(t *testing.T) {
			if _, err := tm.root.RoleGrantPermission(ctx(t), access.RoleSupport, access.UsersPrefix,
				clientv3.GetPrefixRangeEnd(access.UsersPrefix), clientv3.PermissionType(clientv3.PermReadWrite)); err != nil {
				t.Fatal(err)
			}
			if _, err := tm.root.RoleRevokePermission(ctx(t), access.RoleCommercial, access.ClientsPrefix,
				clientv3.GetPrefixRangeEnd(access.ClientsPrefix)); err != nil {
				t.Fatal(err)
			}
			if _, err := tm.root.RoleGrantPermission(ctx(t), access.RoleManagement, access.Prefix,
				clientv3.GetPrefixRangeEnd(access.Prefix), clientv3.PermissionType(clientv3.PermRead)); err != nil {
				t.Fatal(err)
			}
			if err := access.Setup(ctx(t), tm.root); err != nil {
				t.Fatal(err)
			}
			checkRoles(t, tm.root)
		})
	})
}

// TestSetup_AuthAlreadyOn: a cluster whose operator enabled auth with a root password.
func TestSetup_AuthAlreadyOn(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 1, etcdtest.Options{TLS: true, Auth: true})
		root := c.Client(t, c.Root())
		if err := access.Setup(ctx(t), root); err != nil {
			t.Fatal(err)
		}
		checkRoles(t, root)
	})
}

// TestSetup_RootPassword: on a cluster without auth, Setup through a client that names root
// with a password creates root with that password, so the same client goes on working.
func TestSetup_RootPassword(t *testing.T) {
	forEachKind(t, func(t *testing.T, start etcdtest.Starter) {
		c := start(t, 1, etcdtest.Options{TLS: true})
		creds := c.Root() // root with a password: the harness watches members as root
		root := c.Client(t, creds)
		if err := access.Setup(ctx(t), root); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Client(t, creds).Put(ctx(t), access.MetaPrefix+"format", "1"); err != nil {
			t.Fatalf("root with its password after Setup: %v", err)
		}
		_, err := c.Client(t, etcdtest.Creds{}).Put(ctx(t), access.MetaPrefix+"format", "1")
		if err == nil {
			t.Fatal("anonymous write after Setup")
		}
		if _, err := root.Authenticate(ctx(t), access.RootUser, "wrong"); !errorsIsAuthFailed(err) {
			t.Fatalf("wrong root password: %v", err)
		}
	})
}

func errorsIsAuthFailed(err error) bool {
	return err != nil && err.Error() == rpctypes.ErrAuthFailed.Error()
}
