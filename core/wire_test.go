package core_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

var wireT0 = time.Date(2026, 3, 14, 9, 30, 15, 123456789, time.UTC)

func sampleRecords() (core.User, core.Client, core.Contract, core.Event) {
	u := core.User{ID: uuid.New(), EmployeeNumber: "EE123456", FullName: "Zoë Ça", Email: "zoe@epicevents.com",
		Department: core.Support, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Active: true,
		PasswordChangedAt: wireT0, CreatedAt: wireT0.Add(-time.Hour), UpdatedAt: wireT0.Add(time.Nanosecond)}
	c := core.Client{ID: uuid.New(), FullName: "Kevin Casey", Email: "kevin@startup.io", Phone: "+678 123 456 78",
		CompanyName: "Cool Startup LLC", CommercialID: uuid.New(), Notes: "deux\nlignes, é", CreatedAt: wireT0, UpdatedAt: wireT0}
	k := core.Contract{ID: uuid.New(), ClientID: c.ID, CommercialID: c.CommercialID,
		Total: decimal.RequireFromString("999999999.99"), Due: decimal.RequireFromString("0.5"),
		Status: core.Signed, SignedAt: wireT0, CreatedAt: wireT0, UpdatedAt: wireT0}
	e := core.Event{ID: uuid.New(), ContractID: k.ID, ClientID: c.ID, Name: "Gala", Start: wireT0.AddDate(1, 0, 0),
		End: wireT0.AddDate(1, 0, 1), Location: "Lyon", Attendees: 100000, Notes: "", CreatedAt: wireT0, UpdatedAt: wireT0}
	return u, c, k, e
}

// jsonTrip sends a wire form through JSON, as the cluster holds it.
func jsonTrip(t *testing.T, w core.Wire) core.Wire {
	t.Helper()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var got core.Wire
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(w) || got.Change != w.Change {
		t.Fatalf("json round trip: %+v, want %+v", got, w)
	}
	return got
}

func TestWire_RoundTrip(t *testing.T) {
	u, c, k, e := sampleRecords()
	t.Run("OKUser", func(t *testing.T) {
		got, err := jsonTrip(t, u.Wire()).User()
		if err != nil || got != u {
			t.Fatalf("user: %+v, %v", got, err)
		}
	})
	t.Run("OKClient", func(t *testing.T) {
		got, err := jsonTrip(t, c.Wire()).Client()
		if err != nil || got != c {
			t.Fatalf("client: %+v, %v", got, err)
		}
	})
	t.Run("OKContract", func(t *testing.T) {
		for _, due := range []string{"0", "0.5", "25000.25"} {
			k.Due = decimal.RequireFromString(due)
			got, err := jsonTrip(t, k.Wire()).Contract()
			if err != nil || !got.Total.Equal(k.Total) || !got.Due.Equal(k.Due) {
				t.Fatalf("contract amounts: %v %v, %v", got.Total, got.Due, err)
			}
			got.Total, got.Due = k.Total, k.Due
			if got != k {
				t.Fatalf("contract: %+v, want %+v", got, k)
			}
		}
	})
	t.Run("OKEvent", func(t *testing.T) {
		for _, support := range []uuid.UUID{uuid.Nil, uuid.New()} {
			e.SupportID = support
			got, err := jsonTrip(t, e.Wire()).Event()
			if err != nil || got != e {
				t.Fatalf("event: %+v, %v", got, err)
			}
		}
	})
	t.Run("OKZeroTimesAndIDs", func(t *testing.T) {
		k := k
		k.SignedAt, k.Status = time.Time{}, core.Draft
		w := k.Wire()
		if w.Fields[core.WireSignedAt] != "" {
			t.Fatalf("zero time: %q", w.Fields[core.WireSignedAt])
		}
		got, err := w.Contract()
		if err != nil || !got.SignedAt.IsZero() {
			t.Fatalf("zero time back: %v, %v", got.SignedAt, err)
		}
	})
}

func TestWire_Fields(t *testing.T) {
	u, c, k, e := sampleRecords()
	want := map[core.RecordType][]string{
		core.UserRecord: {"active", "created_at", "department", "email", "employee_number", "full_name",
			"password_changed_at", "password_hash", "updated_at"},
		core.ClientRecord: {"commercial_contact_id", "company_name", "created_at", "email", "full_name", "notes",
			"phone", "updated_at"},
		core.ContractRecord: {"amount_due", "client_id", "commercial_contact_id", "created_at", "signed_at",
			"status", "total_amount", "updated_at"},
		core.EventRecord: {"attendees", "client_id", "contract_id", "created_at", "end", "location", "name",
			"notes", "start", "support_contact_id", "updated_at"},
	}
	for _, w := range []core.Wire{u.Wire(), c.Wire(), k.Wire(), e.Wire()} {
		var names []string
		for n := range w.Fields {
			names = append(names, n)
		}
		slices.Sort(names)
		// A user's wire form carries no laptop state: no session epoch, no local re-hash.
		if !reflect.DeepEqual(names, want[w.Type]) {
			t.Errorf("%s fields %v, want %v", w.Type, names, want[w.Type])
		}
	}
	t.Run("OKAmountsCanonical", func(t *testing.T) {
		a, b := k, k
		a.Total, b.Total = decimal.New(15000, 0), decimal.New(1500000, -2)
		if x, y := a.Wire().Fields[core.WireTotalAmount], b.Wire().Fields[core.WireTotalAmount]; x != y || x != "15000.00" {
			t.Fatalf("equal amounts as %q and %q", x, y)
		}
	})
}

func TestWire_Errors(t *testing.T) {
	u, c, k, e := sampleRecords()
	bad := func(w core.Wire, field, value string) core.Wire {
		w = w.Clone()
		w.Fields[field] = value
		return w
	}
	cases := map[string]struct {
		parse func() error
		field string
	}{
		"WrongType": {func() error { _, err := c.Wire().User(); return err }, "type"},
		"NoID":      {func() error { w := u.Wire(); w.ID = uuid.Nil; _, err := w.User(); return err }, "id"},
		"BadBool":   {func() error { _, err := bad(u.Wire(), core.WireActive, "yes").User(); return err }, "active"},
		"BadTime":   {func() error { _, err := bad(c.Wire(), core.WireCreatedAt, "yesterday").Client(); return err }, "created_at"},
		"BadID":     {func() error { _, err := bad(c.Wire(), core.WireCommercialID, "x").Client(); return err }, "commercial_contact_id"},
		"BadAmount": {func() error { _, err := bad(k.Wire(), core.WireAmountDue, "12,5").Contract(); return err }, "amount_due"},
		"MissingTotal": {func() error {
			w := k.Wire()
			delete(w.Fields, core.WireTotalAmount)
			_, err := w.Contract()
			return err
		}, "total_amount"},
		"BadAttendees": {func() error { _, err := bad(e.Wire(), core.WireAttendees, "many").Event(); return err }, "attendees"},
	}
	for name, c := range cases {
		t.Run("ErrInvalid"+name, func(t *testing.T) {
			err := c.parse()
			wantKind(t, err, core.Invalid)
			if f := core.FieldOf(err); f != c.field {
				t.Fatalf("field %q, want %q", f, c.field)
			}
		})
	}
}
