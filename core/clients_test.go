package core_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestService_CreateClient(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	in := core.ClientInput{FullName: "Kevin Casey", Email: "Kevin@Startup.io", Phone: "+678 123 456 78", CompanyName: "Cool Startup LLC"}
	t.Run("ErrForbiddenOtherCommercial", func(t *testing.T) {
		other := e.user("Olga Commercial", core.Commercial)
		for _, id := range []uuid.UUID{other.ID(), e.admin.ID(), uuid.New()} {
			x := in
			x.CommercialID = id
			_, err := e.svc.CreateClient(com, x)
			wantKind(t, err, core.Forbidden)
		}
	})
	t.Run("OKCommercialBecomesContact", func(t *testing.T) {
		x := in
		x.CommercialID = com.ID() // naming oneself is what happens anyway
		c, err := e.svc.CreateClient(com, x)
		if err != nil {
			t.Fatal(err)
		}
		if c.CommercialID != com.ID() || c.Email != "kevin@startup.io" || c.CreatedAt.IsZero() {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("OKManagementNamesCommercial", func(t *testing.T) {
		x := in
		x.Email, x.CommercialID = "marie@techcorp.fr", com.ID()
		c, err := e.svc.CreateClient(e.admin, x)
		if err != nil || c.CommercialID != com.ID() {
			t.Fatalf("%+v %v", c, err)
		}
	})
	t.Run("ErrInvalidCommercial", func(t *testing.T) {
		x := in
		x.Email = "p@innovate.fr"
		for _, id := range []uuid.UUID{uuid.Nil, sup.ID(), e.admin.ID(), uuid.New()} {
			x.CommercialID = id
			_, err := e.svc.CreateClient(e.admin, x)
			if core.FieldOf(err) != "commercial_contact" {
				t.Errorf("commercial %v: %v", id, err)
			}
		}
		gone := e.user("Gone Commercial", core.Commercial)
		if _, err := e.svc.DeactivateUser(e.admin, gone.ID()); err != nil {
			t.Fatal(err)
		}
		x.CommercialID = gone.ID()
		_, err := e.svc.CreateClient(e.admin, x)
		if core.FieldOf(err) != "commercial_contact" {
			t.Errorf("deactivated commercial: %v", err)
		}
	})
	t.Run("ErrInvalidField", func(t *testing.T) {
		for field, mut := range map[string]func(*core.ClientInput){
			"full_name":    func(c *core.ClientInput) { c.FullName = "K" },
			"email":        func(c *core.ClientInput) { c.Email = "kevin@" },
			"phone":        func(c *core.ClientInput) { c.Phone = "12" },
			"company_name": func(c *core.ClientInput) { c.CompanyName = " " },
		} {
			x := in
			x.Email = "new@startup.io"
			mut(&x)
			_, err := e.svc.CreateClient(com, x)
			if core.KindOf(err) != core.Invalid || core.FieldOf(err) != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		all, _, _ := e.svc.ListClients(e.admin, core.ClientQuery{})
		if len(all) != 2 {
			t.Fatalf("refused clients were saved: %d clients", len(all))
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := e.svc.CreateClient(com, in)
		wantKind(t, err, core.Conflict)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.CreateClient(sup, in)
		wantKind(t, err, core.Forbidden)
	})
}

func TestService_UpdateClient(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	other := e.user("Olga Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	c := e.client(com)
	t.Run("OK", func(t *testing.T) {
		e.clock.Advance(3600e9)
		u, err := e.svc.UpdateClient(com, c.ID, core.ClientPatch{Phone: ptr("01.23.45.67.89"), Notes: ptr("Called back")})
		if err != nil || u.Phone != "01.23.45.67.89" || !u.UpdatedAt.After(c.UpdatedAt) {
			t.Fatalf("%+v %v", u, err)
		}
		if _, err := e.svc.UpdateClient(e.admin, c.ID, core.ClientPatch{CompanyName: ptr("Cool Startup SAS")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrForbiddenNotOwner", func(t *testing.T) {
		_, err := e.svc.UpdateClient(other, c.ID, core.ClientPatch{Notes: ptr("mine now")})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrForbiddenSupport", func(t *testing.T) {
		_, err := e.svc.UpdateClient(sup, c.ID, core.ClientPatch{Notes: ptr("x")})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := e.svc.UpdateClient(com, c.ID, core.ClientPatch{Email: ptr("nope")})
		if core.FieldOf(err) != "email" {
			t.Fatal(err)
		}
		got, _ := e.svc.GetClient(com, c.ID)
		if got.Email != c.Email {
			t.Fatal("a refused update changed the client")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.UpdateClient(e.admin, uuid.New(), core.ClientPatch{})
		wantKind(t, err, core.NotFound)
	})
}

func TestService_ReassignClient(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	other := e.user("Olga Commercial", core.Commercial)
	c := e.client(com)
	k1, k2 := e.contract(c, "1000", false), e.contract(c, "2000", true)
	t.Run("OKContractsFollow", func(t *testing.T) {
		got, err := e.svc.ReassignClient(e.admin, c.ID, other.ID())
		if err != nil || got.CommercialID != other.ID() {
			t.Fatalf("%+v %v", got, err)
		}
		for _, id := range []uuid.UUID{k1.ID, k2.ID} {
			k, _ := e.svc.GetContract(e.admin, id)
			if k.CommercialID != other.ID() {
				t.Fatalf("contract %v did not follow", id)
			}
		}
		mine, _, _ := e.svc.ListContracts(other, core.ContractQuery{Mine: true})
		if len(mine) != 2 {
			t.Fatalf("new commercial sees %d contracts", len(mine))
		}
		old, _, _ := e.svc.ListContracts(com, core.ContractQuery{Mine: true})
		if len(old) != 0 {
			t.Fatalf("old commercial still sees %d contracts", len(old))
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.ReassignClient(other, c.ID, com.ID())
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalidNotCommercial", func(t *testing.T) {
		_, err := e.svc.ReassignClient(e.admin, c.ID, e.admin.ID())
		wantKind(t, err, core.Invalid)
	})
}

func TestService_DeleteClient(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	k := e.contract(c, "1000", false)
	t.Run("ErrConflictHasContracts", func(t *testing.T) {
		wantKind(t, e.svc.DeleteClient(e.admin, c.ID), core.Conflict)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		wantKind(t, e.svc.DeleteClient(com, c.ID), core.Forbidden)
	})
	t.Run("OK", func(t *testing.T) {
		if err := e.svc.DeleteContract(e.admin, k.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteClient(e.admin, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.GetClient(com, c.ID)
		wantKind(t, err, core.NotFound)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantKind(t, e.svc.DeleteClient(e.admin, c.ID), core.NotFound)
	})
}

func TestService_ListClients(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	other := e.user("Olga Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	for i, name := range []string{"zoé Zola", "Albert Ant", "marc Moreau"} {
		owner := com
		if i == 2 {
			owner = other
		}
		_, err := e.svc.CreateClient(owner, core.ClientInput{FullName: name, Email: uuid.NewString()[:6] + "@x.fr",
			Phone: "0612345678", CompanyName: []string{"Zeta", "Acme", "Moreau SA"}[i]})
		if err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := e.svc.ListClients(sup, core.ClientQuery{})
	if err != nil || len(all) != 3 || all[0].FullName != "Albert Ant" || all[1].FullName != "marc Moreau" || all[2].FullName != "zoé Zola" {
		t.Fatalf("default order: %v %v", all, err)
	}
	mine, _, _ := e.svc.ListClients(com, core.ClientQuery{Mine: true})
	if len(mine) != 2 {
		t.Fatalf("mine: %d", len(mine))
	}
	for q, want := range map[string]int{"ACME": 1, "moreau": 1, "0612": 3, "@x.fr": 3, "nothing": 0} {
		got, _, _ := e.svc.ListClients(sup, core.ClientQuery{Search: q})
		if len(got) != want {
			t.Errorf("search %q: %d, want %d", q, len(got), want)
		}
	}
	both, _, _ := e.svc.ListClients(com, core.ClientQuery{Mine: true, Search: "zola"})
	if len(both) != 1 {
		t.Fatalf("mine+search: %d", len(both))
	}
	_, _, err = e.svc.ListClients(nil, core.ClientQuery{})
	wantKind(t, err, core.Unauthenticated)
}
