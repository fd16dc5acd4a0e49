package access

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.etcd.io/etcd/api/v3/authpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/permissions"
)

var (
	// ErrDepartment is returned for a department that is not one of permissions.Departments.
	ErrDepartment = errors.New("unknown department")
	// ErrUserName is returned for an empty etcd user name, or root, which Grant and Revoke
	// never touch.
	ErrUserName = errors.New("invalid etcd user name")
)

// perm is one permission of a role: a key range and what the role may do in it.
type perm struct {
	key, end string
	typ      clientv3.PermissionType
}

// rolePerms is the permission set of department d's role: read the whole Prefix, read and
// write each Writable prefix.
func rolePerms(d permissions.Department) []perm {
	read := perm{Prefix, clientv3.GetPrefixRangeEnd(Prefix), clientv3.PermissionType(clientv3.PermRead)}
	var ps []perm
	for _, p := range writable[d] {
		rw := perm{p, clientv3.GetPrefixRangeEnd(p), clientv3.PermissionType(clientv3.PermReadWrite)}
		if p == Prefix {
			read = rw
			continue
		}
		ps = append(ps, rw)
	}
	return append([]perm{read}, ps...)
}

// Setup prepares a cluster for the team through cli, a client with etcd's root identity (or
// any client while auth is still off): it creates the department roles with exactly the
// permissions of rolePerms, repairing roles that differ, then turns authentication on if it is
// off, creating the root user first when there is none.
//
// A root user created here gets cli's password when cli authenticates as root with one (so
// the same client works once auth is on); otherwise it has no password and root is whoever
// presents a certificate of the team's CA with Common Name "root". Setup is idempotent.
func Setup(ctx context.Context, cli *clientv3.Client) error {
	for _, d := range permissions.Departments {
		if err := ensureRole(ctx, cli, roleOf[d], rolePerms(d)); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	if err := ensureRoot(ctx, cli); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if _, err := cli.AuthEnable(ctx); err != nil {
		return fmt.Errorf("setup: enable auth: %w", err)
	}
	return nil
}

// ensureRole creates role name if needed and makes its permissions exactly want.
func ensureRole(ctx context.Context, cli *clientv3.Client, name string, want []perm) error {
	if _, err := cli.RoleAdd(ctx, name); err != nil && !errors.Is(err, rpctypes.ErrRoleAlreadyExist) {
		return fmt.Errorf("role %s: %w", name, err)
	}
	resp, err := cli.RoleGet(ctx, name)
	if err != nil {
		return fmt.Errorf("role %s: %w", name, err)
	}
	for _, p := range resp.Perm {
		if !slices.ContainsFunc(want, func(w perm) bool { return w.matches(p) }) {
			if _, err := cli.RoleRevokePermission(ctx, name, string(p.Key), string(p.RangeEnd)); err != nil {
				return fmt.Errorf("role %s: revoke %q: %w", name, p.Key, err)
			}
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(resp.Perm, func(p *authpb.Permission) bool { return w.matches(p) }) {
			if _, err := cli.RoleGrantPermission(ctx, name, w.key, w.end, w.typ); err != nil {
				return fmt.Errorf("role %s: grant %q: %w", name, w.key, err)
			}
		}
	}
	return nil
}

// matches reports whether etcd's permission p is w.
func (w perm) matches(p *authpb.Permission) bool {
	return bytes.Equal(p.Key, []byte(w.key)) && bytes.Equal(p.RangeEnd, []byte(w.end)) &&
		clientv3.PermissionType(p.PermType) == w.typ
}

// ensureRoot creates the root user with the root role when it does not exist.
func ensureRoot(ctx context.Context, cli *clientv3.Client) error {
	_, err := cli.UserGet(ctx, RootUser)
	if err == nil {
		return nil
	}
	if !errors.Is(err, rpctypes.ErrUserNotFound) {
		return fmt.Errorf("user %s: %w", RootUser, err)
	}
	if cli.Username == RootUser && cli.Password != "" {
		_, err = cli.UserAdd(ctx, RootUser, cli.Password)
	} else {
		err = addCertUser(ctx, cli, RootUser)
	}
	if err != nil && !errors.Is(err, rpctypes.ErrUserAlreadyExist) {
		return fmt.Errorf("user %s: %w", RootUser, err)
	}
	if _, err := cli.UserGrantRole(ctx, RootUser, RoleRoot); err != nil {
		return fmt.Errorf("user %s: %w", RootUser, err)
	}
	return nil
}

// addCertUser creates an etcd user whose identity is a client certificate: no password
// (etcdctl user add --no-password). etcd 3.4.23 and 3.5+ honour NoPassword and ignore the
// password; an older 3.4 that ignores the option would hash the password instead, so it is 32
// random bytes that nobody keeps, never an empty one that anybody could log in with.
func addCertUser(ctx context.Context, cli *clientv3.Client, name string) error {
	_, err := cli.UserAddWithOptions(ctx, name, unkeptPassword(), &clientv3.UserAddOptions{NoPassword: true})
	return err
}

// unkeptPassword is a random password that nobody keeps.
func unkeptPassword() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// Grant makes user the etcd identity of a collaborator of department d: it creates the user
// when needed (certificate identity, no password) and leaves it holding exactly Roles(d),
// revoking any other role first — so Grant again with another department moves the identity,
// and a manager demoted loses root. cli must have etcd's root role. Grant is idempotent.
// It returns ErrUserName for an empty name or root, and ErrDepartment for an unknown d.
func Grant(ctx context.Context, cli *clientv3.Client, user string, d permissions.Department) error {
	if err := checkUser(user); err != nil {
		return fmt.Errorf("grant %q: %w", user, err)
	}
	want, err := Roles(d)
	if err != nil {
		return fmt.Errorf("grant %q: %w", user, err)
	}
	have, err := ensureUser(ctx, cli, user)
	if err != nil {
		return fmt.Errorf("grant %q: %w", user, err)
	}
	for _, r := range have {
		if !slices.Contains(want, r) {
			if _, err := cli.UserRevokeRole(ctx, user, r); err != nil {
				return fmt.Errorf("grant %q: revoke role %s: %w", user, r, err)
			}
		}
	}
	for _, r := range want {
		if !slices.Contains(have, r) {
			if _, err := cli.UserGrantRole(ctx, user, r); err != nil {
				return fmt.Errorf("grant %q: role %s: %w", user, r, err)
			}
		}
	}
	return nil
}

// ensureUser creates user if it does not exist and returns the roles it holds.
func ensureUser(ctx context.Context, cli *clientv3.Client, user string) ([]string, error) {
	resp, err := cli.UserGet(ctx, user)
	if err == nil {
		return resp.Roles, nil
	}
	if !errors.Is(err, rpctypes.ErrUserNotFound) {
		return nil, err
	}
	if err := addCertUser(ctx, cli, user); err != nil && !errors.Is(err, rpctypes.ErrUserAlreadyExist) {
		return nil, err
	}
	resp, err = cli.UserGet(ctx, user)
	if err != nil {
		return nil, err
	}
	return resp.Roles, nil
}

// Revoke deletes user's etcd identity, for a collaborator deactivated or deleted: from then on
// the cluster refuses every request made as user, through a certificate or a token. cli must
// have etcd's root role. Revoking a user that does not exist succeeds. It returns ErrUserName
// for an empty name or root.
func Revoke(ctx context.Context, cli *clientv3.Client, user string) error {
	if err := checkUser(user); err != nil {
		return fmt.Errorf("revoke %q: %w", user, err)
	}
	if _, err := cli.UserDelete(ctx, user); err != nil && !errors.Is(err, rpctypes.ErrUserNotFound) {
		return fmt.Errorf("revoke %q: %w", user, err)
	}
	return nil
}

func checkUser(user string) error {
	if strings.TrimSpace(user) == "" || user == RootUser {
		return ErrUserName
	}
	return nil
}
