package core

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The sorts with keys computed once must give exactly the order of the plain definitions.
func TestSortByKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"Émile", "emile", "Zoé", "zoe", "Anne", "anne", "Ärger", "bob", "Bob"}
	at := func() time.Time { return time.Unix(int64(r.IntN(5)), int64(r.IntN(3))).UTC() }
	for n := range 200 {
		clients := make([]Client, n)
		contracts := make([]Contract, n)
		events := make([]Event, n)
		for i := range n {
			clients[i] = Client{FullName: names[r.IntN(len(names))], Email: fmt.Sprintf("%d.%d@x.fr", r.IntN(1000), i)}
			contracts[i] = Contract{ID: uuid.New(), CreatedAt: at()}
			events[i] = Event{ID: uuid.New(), Start: at(), Name: names[r.IntN(len(names))]}
		}
		c2, k2 := append([]Client(nil), clients...), append([]Contract(nil), contracts...)
		SortClients(clients)
		sort.SliceStable(c2, func(i, j int) bool {
			a, b := strings.ToLower(c2[i].FullName), strings.ToLower(c2[j].FullName)
			if a != b {
				return a < b
			}
			return c2[i].Email < c2[j].Email
		})
		for i := range clients {
			if clients[i].FullName != c2[i].FullName || clients[i].Email != c2[i].Email {
				t.Fatalf("n=%d: clients[%d] = %+v, want %+v", n, i, clients[i], c2[i])
			}
		}
		SortContracts(contracts)
		sort.Slice(k2, func(i, j int) bool {
			if !k2[i].CreatedAt.Equal(k2[j].CreatedAt) {
				return k2[i].CreatedAt.After(k2[j].CreatedAt)
			}
			return k2[i].ID.String() < k2[j].ID.String()
		})
		for i := range contracts {
			if contracts[i].ID != k2[i].ID {
				t.Fatalf("n=%d: contracts[%d] = %v, want %v", n, i, contracts[i].ID, k2[i].ID)
			}
		}
		SortEvents(events)
		for i := 1; i < len(events); i++ {
			a, b := events[i-1], events[i]
			if b.Start.Before(a.Start) || (b.Start.Equal(a.Start) && b.Name < a.Name) {
				t.Fatalf("n=%d: events %d and %d out of order: %+v, %+v", n, i-1, i, a, b)
			}
		}
	}
}
