package core_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

func TestService_CreateContract(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	t.Run("OK", func(t *testing.T) {
		k, err := e.svc.CreateContract(e.admin, core.ContractInput{ClientID: c.ID, Total: dec("15000")})
		if err != nil {
			t.Fatal(err)
		}
		if k.Status != core.Draft || !k.Due.Equal(dec("15000")) || k.CommercialID != com.ID() || !k.SignedAt.IsZero() {
			t.Fatalf("%+v", k)
		}
		k, err = e.svc.CreateContract(e.admin, core.ContractInput{ClientID: c.ID, Total: dec("15000"), Due: ptr(dec("5000.50"))})
		if err != nil || !k.Due.Equal(dec("5000.50")) {
			t.Fatalf("%+v %v", k, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.CreateContract(com, core.ContractInput{ClientID: c.ID, Total: dec("100")})
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []core.ContractInput{
			{ClientID: c.ID, Total: dec("0")},
			{ClientID: c.ID, Total: dec("1000000000")},
			{ClientID: c.ID, Total: dec("100"), Due: ptr(dec("101"))},
			{ClientID: c.ID, Total: dec("100"), Due: ptr(dec("-1"))},
			{ClientID: c.ID, Total: dec("100.001")},
		} {
			_, err := e.svc.CreateContract(e.admin, in)
			wantKind(t, err, core.Invalid)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.svc.CreateContract(e.admin, core.ContractInput{ClientID: uuid.New(), Total: dec("100")})
		wantKind(t, err, core.NotFound)
	})
}

func TestService_UpdateContractAmounts(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	other := e.user("Olga Commercial", core.Commercial)
	sup := e.user("Sam Support", core.Support)
	k := e.contract(e.client(com), "15000", true)
	t.Run("OK", func(t *testing.T) {
		got, err := e.svc.UpdateContractAmounts(com, k.ID, nil, ptr(dec("5000")))
		if err != nil || !got.Due.Equal(dec("5000")) || !got.Total.Equal(dec("15000")) {
			t.Fatalf("%+v %v", got, err)
		}
		got, err = e.svc.UpdateContractAmounts(e.admin, k.ID, ptr(dec("16000")), nil)
		if err != nil || !got.Total.Equal(dec("16000")) {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := e.svc.UpdateContractAmounts(other, k.ID, nil, ptr(dec("0")))
		wantKind(t, err, core.Forbidden)
		_, err = e.svc.UpdateContractAmounts(sup, k.ID, nil, ptr(dec("0")))
		wantKind(t, err, core.Forbidden)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := e.svc.UpdateContractAmounts(com, k.ID, nil, ptr(dec("20000")))
		if core.FieldOf(err) != "amount_due" {
			t.Fatal(err)
		}
	})
	t.Run("ErrConflictCancelled", func(t *testing.T) {
		if _, err := e.svc.CancelContract(e.admin, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.UpdateContractAmounts(e.admin, k.ID, nil, ptr(dec("0")))
		wantKind(t, err, core.Conflict)
	})
}

func TestService_ContractStatus(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	c := e.client(com)
	draft := e.contract(c, "1000", false)
	t.Run("OKSign", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		k, err := e.svc.SignContract(e.admin, draft.ID)
		if err != nil || k.Status != core.Signed || !k.SignedAt.Equal(e.clock.Now()) {
			t.Fatalf("%+v %v", k, err)
		}
		names := e.mon.names()
		if names[len(names)-1] != core.EventContractSign {
			t.Fatalf("monitor %v", names)
		}
	})
	t.Run("ErrConflictSignSigned", func(t *testing.T) {
		_, err := e.svc.SignContract(e.admin, draft.ID)
		wantKind(t, err, core.Conflict)
	})
	t.Run("ErrForbiddenSign", func(t *testing.T) {
		_, err := e.svc.SignContract(com, e.contract(c, "5", false).ID)
		wantKind(t, err, core.Forbidden)
		_, err = e.svc.CancelContract(com, draft.ID)
		wantKind(t, err, core.Forbidden)
	})
	t.Run("OKCancelSignedAndDraft", func(t *testing.T) {
		if k, err := e.svc.CancelContract(e.admin, draft.ID); err != nil || k.Status != core.Cancelled {
			t.Fatalf("%+v %v", k, err)
		}
		if k, err := e.svc.CancelContract(e.admin, e.contract(c, "7", false).ID); err != nil || k.Status != core.Cancelled {
			t.Fatalf("%+v %v", k, err)
		}
	})
	t.Run("ErrConflictCancelledIsFinal", func(t *testing.T) {
		_, err := e.svc.CancelContract(e.admin, draft.ID)
		wantKind(t, err, core.Conflict)
		_, err = e.svc.SignContract(e.admin, draft.ID)
		wantKind(t, err, core.Conflict)
	})
	t.Run("Transitions", func(t *testing.T) {
		all := []core.ContractStatus{core.Draft, core.Signed, core.Cancelled}
		allowed := map[[2]core.ContractStatus]bool{
			{core.Draft, core.Signed}: true, {core.Draft, core.Cancelled}: true, {core.Signed, core.Cancelled}: true,
		}
		for _, from := range all {
			for _, to := range all {
				if core.CanTransition(from, to) != allowed[[2]core.ContractStatus{from, to}] {
					t.Errorf("%s → %s", from, to)
				}
			}
		}
	})
}

func TestService_DeleteContract(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	k := e.contract(e.client(com), "1000", true)
	ev := e.event(k, nil)
	wantKind(t, e.svc.DeleteContract(e.admin, k.ID), core.Conflict)
	wantKind(t, e.svc.DeleteContract(com, k.ID), core.Forbidden)
	if err := e.svc.DeleteEvent(e.admin, ev.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteContract(e.admin, k.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.svc.DeleteContract(e.admin, k.ID), core.NotFound)
}

func TestService_ListContracts(t *testing.T) {
	e := mustEnv(t)
	com := e.user("Carl Commercial", core.Commercial)
	other := e.user("Olga Commercial", core.Commercial)
	c1, c2 := e.client(com), e.client(other)
	if _, err := e.svc.UpdateClient(e.admin, c2.ID, core.ClientPatch{FullName: ptr("Marie Leclerc"), CompanyName: ptr("TechCorp")}); err != nil {
		t.Fatal(err)
	}
	draft := e.contract(c1, "100", false)
	e.clock.Advance(time.Minute)
	signedUnpaid := e.contract(c1, "200", true)
	e.clock.Advance(time.Minute)
	paid := e.contract(c2, "300", true)
	if _, err := e.svc.UpdateContractAmounts(e.admin, paid.ID, nil, ptr(dec("0"))); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	cancelled := e.contract(c2, "400", false)
	if _, err := e.svc.CancelContract(e.admin, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	ids := func(q core.ContractQuery, a *core.Actor) []uuid.UUID {
		k, _, err := e.svc.ListContracts(a, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []uuid.UUID
		for _, x := range k {
			out = append(out, x.ID)
		}
		return out
	}
	same := func(name string, got []uuid.UUID, want ...uuid.UUID) {
		if len(got) != len(want) {
			t.Errorf("%s: %d contracts, want %d", name, len(got), len(want))
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: position %d differs", name, i)
			}
		}
	}
	same("all, newest first", ids(core.ContractQuery{}, com), cancelled.ID, paid.ID, signedUnpaid.ID, draft.ID)
	same("mine", ids(core.ContractQuery{Mine: true}, com), signedUnpaid.ID, draft.ID)
	same("unsigned", ids(core.ContractQuery{Unsigned: true}, com), draft.ID)
	same("unpaid", ids(core.ContractQuery{Unpaid: true}, com), signedUnpaid.ID, draft.ID)
	same("mine+unpaid+unsigned", ids(core.ContractQuery{Mine: true, Unpaid: true, Unsigned: true}, com), draft.ID)
	same("search client name", ids(core.ContractQuery{Search: "leclerc"}, com), cancelled.ID, paid.ID)
	same("search company", ids(core.ContractQuery{Search: "TECHCORP"}, com), cancelled.ID, paid.ID)
	same("client", ids(core.ContractQuery{ClientID: c1.ID}, com), signedUnpaid.ID, draft.ID)
}
