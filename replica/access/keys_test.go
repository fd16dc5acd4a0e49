package access_test

import (
	"errors"
	"testing"

	"github.com/epicevents/crm/permissions"
	"github.com/epicevents/crm/replica/access"
)

// TestKeys pins the layout that every laptop shares: changing a key breaks compatibility with
// the data already in a team's cluster.
func TestKeys(t *testing.T) {
	for got, want := range map[string]string{
		access.UserKey("u1"):                 "/epicevents/users/u1",
		access.ClientKey("c1"):               "/epicevents/clients/c1",
		access.ContractKey("k1"):             "/epicevents/contracts/k1",
		access.EventKey("e1"):                "/epicevents/events/e1",
		access.UserEmailKey("a@b.fr"):        "/epicevents/unique/user_email/a@b.fr",
		access.EmployeeNumberKey("E7"):       "/epicevents/unique/employee_number/E7",
		access.ClientEmailKey("c@d.fr"):      "/epicevents/unique/client_email/c@d.fr",
		access.ClientContractsOf("c1"):       "/epicevents/refs/client_contracts/c1/",
		access.ClientContractKey("c1", "k1"): "/epicevents/refs/client_contracts/c1/k1",
		access.ContractEventsOf("k1"):        "/epicevents/refs/contract_events/k1/",
		access.ContractEventKey("k1", "e1"):  "/epicevents/refs/contract_events/k1/e1",
		access.AuditPrefix:                   "/epicevents/audit/",
		access.MetaPrefix:                    "/epicevents/meta/",
	} {
		if got != want {
			t.Errorf("key %q, want %q", got, want)
		}
	}
}

func TestRoles(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for d, want := range map[permissions.Department][]string{
			permissions.Support:    {access.RoleSupport},
			permissions.Commercial: {access.RoleCommercial},
			permissions.Management: {access.RoleManagement, "root"},
		} {
			got, err := access.Roles(d)
			if err != nil || !sameSet(got, want) {
				t.Errorf("Roles(%s) = %v, %v; want %v", d, got, err, want)
			}
		}
	})
	t.Run("ErrDepartment", func(t *testing.T) {
		if _, err := access.Roles("sales"); !errors.Is(err, access.ErrDepartment) {
			t.Fatalf("err = %v", err)
		}
		if access.MayWrite("sales", access.EventKey("e1")) || access.Writable("sales") != nil {
			t.Fatal("an unknown department may write")
		}
	})
	t.Run("WritableIsACopy", func(t *testing.T) {
		w := access.Writable(permissions.Support)
		w[0] = access.Prefix
		if access.MayWrite(permissions.Support, access.UserKey("u1")) {
			t.Fatal("changing Writable's result changed the rules")
		}
	})
}
