package storage

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// fakeHash is a well-formed PHC string; the generator stores it as it is.
const fakeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func TestDB_Generate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := mustOpen(t) // checks every index at the end
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		opts := GenerateOptions{Clients: 300, Contracts: 900, Events: 1200, PasswordHash: fakeHash,
			Now: now, Seed: 42, Batch: 250}
		res, err := db.Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		want := GenerateResult{Users: 2, Clients: 300, Contracts: 900, Events: 1200, AuditEntries: 2402}
		if res != want {
			t.Fatalf("result %+v, want %+v", res, want)
		}
		checkGenerated(t, db, now)
		// A second run adds as many records again, with new emails.
		opts.Seed = 43
		if _, err := db.Generate(opts); err != nil {
			t.Fatal(err)
		}
		mustView(t, db, func(tx core.Tx) error {
			c, _, err := tx.Clients(core.ClientFilter{})
			if err == nil && len(c) != 600 {
				t.Errorf("%d clients after two runs, want 600", len(c))
			}
			return err
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := mustOpen(t)
		for _, o := range []GenerateOptions{
			{Clients: -1},
			{Contracts: 5, PasswordHash: fakeHash},
			{Clients: 5, Events: 5, PasswordHash: fakeHash},
			{Clients: 5},
		} {
			_, err := db.Generate(o)
			wantKind(t, err, core.Invalid)
		}
	})
}

// checkGenerated checks that the records pass core's validation and that the filters the
// benchmarks use find something.
func checkGenerated(t *testing.T, db *DB, now time.Time) {
	t.Helper()
	mustView(t, db, func(tx core.Tx) error {
		clients, _, err := tx.Clients(core.ClientFilter{})
		if err != nil {
			return err
		}
		for _, c := range clients {
			if _, err := core.ValidateClient(c); err != nil {
				t.Fatalf("client %+v: %v", c, err)
			}
		}
		contracts, _, err := tx.Contracts(core.ContractFilter{})
		if err != nil {
			return err
		}
		status := map[core.ContractStatus]int{}
		for _, k := range contracts {
			status[k.Status]++
			if err := core.ValidateAmounts(k.Total, k.Due); err != nil {
				t.Fatalf("contract %+v: %v", k, err)
			}
		}
		if status[core.Draft] == 0 || status[core.Signed] == 0 || status[core.Cancelled] == 0 {
			t.Errorf("statuses %v, want all three", status)
		}
		events, _, err := tx.Events(core.EventFilter{})
		if err != nil {
			return err
		}
		var unassigned, past, future int
		for _, e := range events {
			if _, err := core.ValidateEvent(e); err != nil {
				t.Fatalf("event %+v: %v", e, err)
			}
			if e.SupportID == uuid.Nil {
				unassigned++
			}
			if e.Start.Before(now) {
				past++
			} else {
				future++
			}
		}
		if unassigned == 0 || past == 0 || future == 0 {
			t.Errorf("unassigned %d, past %d, future %d: want some of each", unassigned, past, future)
		}
		users, _, err := tx.Users(core.UserFilter{})
		for _, u := range users {
			if _, err := core.ValidateEmail("email", u.Email); err != nil {
				t.Fatalf("user %+v: %v", u, err)
			}
		}
		return err
	})
}
