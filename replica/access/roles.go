package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/epicevents/crm/permissions"
)

// The etcd roles of the departments. Each reads the whole Prefix and may write only what its
// department may write (Writable).
const (
	// RoleSupport may write events and audit entries.
	RoleSupport = "epicevents-support"
	// RoleCommercial may write clients, contracts, events, client emails, contract→event
	// references and audit entries.
	RoleCommercial = "epicevents-commercial"
	// RoleManagement may write the whole Prefix.
	RoleManagement = "epicevents-management"
	// RoleRoot is etcd's built-in administrator role. Management identities hold it too: they
	// create, change and delete their colleagues' etcd identities (Grant, Revoke), which only
	// root may do in etcd. It also lets them write outside Prefix and administer the cluster.
	RoleRoot = "root"
	// RootUser is etcd's administrator user, which etcd requires before auth can be enabled.
	RootUser = "root"
)

// writable lists, per department, the key prefixes its role may write (PRODUCT.md §9 "Rules").
var writable = map[permissions.Department][]string{
	permissions.Support: {EventsPrefix, AuditPrefix},
	permissions.Commercial: {
		ClientsPrefix, ContractsPrefix, EventsPrefix,
		ClientEmailPrefix, ContractEventsPrefix, AuditPrefix,
	},
	permissions.Management: {Prefix},
}

// roleOf names each department's role.
var roleOf = map[permissions.Department]string{
	permissions.Support:    RoleSupport,
	permissions.Commercial: RoleCommercial,
	permissions.Management: RoleManagement,
}

// Writable returns the key prefixes that identities of department d may write; nil for an
// unknown department.
func Writable(d permissions.Department) []string {
	return slices.Clone(writable[d])
}

// MayWrite reports whether the cluster lets an identity of department d write key.
func MayWrite(d permissions.Department, key string) bool {
	for _, p := range writable[d] {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Roles returns the etcd roles that an identity of department d holds: its department's role,
// and RoleRoot for management. It returns ErrDepartment for an unknown department.
func Roles(d permissions.Department) ([]string, error) {
	r, ok := roleOf[d]
	if !ok {
		return nil, fmt.Errorf("roles of %q: %w", d, ErrDepartment)
	}
	if d == permissions.Management {
		return []string{RoleManagement, RoleRoot}, nil
	}
	return []string{r}, nil
}
