package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

// addClients writes n generated clients of Jean Dupont in one transaction.
func (e *env) addClients(tb testing.TB, n int) {
	tb.Helper()
	j := e.actor(jean)
	now := fixedNow
	err := e.db.Update(func(tx core.Tx) error {
		for i := range n {
			c := core.Client{ID: newTestID(i), FullName: fmt.Sprintf("Client %06d", i),
				Email: fmt.Sprintf("client%06d@example.com", i), Phone: "01 23 45 67 89",
				CompanyName: fmt.Sprintf("Company %d", i%997), CommercialID: j.ID(), CreatedAt: now, UpdatedAt: now}
			if err := tx.PutClient(&c); err != nil {
				return err
			}
		}
		return nil
	})
	mustNoErr(tb.(*testing.T), err)
}

func TestClients_LargeVolume(t *testing.T) {
	if testing.Short() || raceBuild {
		t.Skip("large volume skipped in -short mode and under -race (it is about speed)")
	}
	e := newEnv(t, true)
	e.addClients(t, 100_000)
	start := time.Now()
	g := e.startAs(adminEmail)
	took := time.Since(start)
	t.Logf("100k clients: log in and load every tab in %v", took)
	if took > 20*time.Second {
		t.Errorf("loading 100k clients took %v", took)
	}
	tab := g.main.clients
	if len(tab.table.rows) != 100_004 {
		t.Fatalf("%d rows", len(tab.table.rows))
	}
	if tab.status.Text != "100,004 of 100,004 shown" {
		t.Errorf("status %q", tab.status.Text)
	}
	start = time.Now()
	test := tab.search
	test.SetText("client 0999")
	g.settle()
	t.Logf("search over 100k clients in %v", time.Since(start))
	if got := tab.status.Text; got != "100 of 100,004 shown" {
		t.Errorf("search: status %q", got)
	}
}
