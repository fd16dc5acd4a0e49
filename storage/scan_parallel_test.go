package storage

import (
	"fmt"
	"sync"
	"testing"

	"github.com/epicevents/crm/core"
)

// The goroutines of a parallel scan share their read-only transaction. That is safe in bbolt
// for what they do — cursors over a read-only bucket read the memory map, and the only shared
// state they touch (the transaction's statistics) is updated atomically — and this test runs
// it under the race detector (make test-race, go test -race) with scans on several goroutines
// at once, each itself cut into four parts, while a writer commits: the detector would report
// any unsynchronised access, and each scan must see one whole committed state.
//
// A transaction per goroutine is not the answer: bbolt documents that a read transaction
// opened while the same program holds another can deadlock against a writer that needs to
// remap the file (the writer waits for the first reader; the new reader waits behind the
// writer; the first reader waits for the new one).
func TestCollectAll_SharedReadTransaction(t *testing.T) {
	db := mustOpen(t)
	com := newUser("carl@example.com", "EE000001", core.Commercial)
	const n = 600
	mustUpdate(t, db, func(tx core.Tx) error {
		if err := tx.PutUser(com); err != nil {
			return err
		}
		for i := range n {
			if err := tx.PutClient(newClient(fmt.Sprintf("Client %d", i), fmt.Sprintf("c%d@example.com", i), com.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	rounds := 20
	if raceEnabled {
		rounds = 8
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() { // renames one client after another: the count of clients never changes
		var err error
		for i := 0; err == nil; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			err = db.Update(func(tx core.Tx) error {
				cs, _, err := tx.Clients(core.ClientFilter{Limit: 1})
				if err != nil || len(cs) == 0 {
					return err
				}
				c := cs[0]
				c.Notes = fmt.Sprintf("edit %d", i)
				return tx.PutClient(&c)
			})
		}
		writerDone <- err
	}()
	for g := range 3 {
		wg.Go(func() {
			for r := range rounds {
				err := db.View(func(ctx core.Tx) error {
					t := ctx.(*tx)
					par, hidden, err := collectAll(t, clientsTable, 4, clientKeeper(core.ClientFilter{}))
					if err != nil {
						return err
					}
					seq, _, err := collectAll(t, clientsTable, 1, clientKeeper(core.ClientFilter{}))
					if err != nil {
						return err
					}
					if len(par) != n || hidden != 0 || len(seq) != n || !sameIDs(par, seq) {
						return fmt.Errorf("scan %d.%d: %d clients in parts, %d in one pass, %d hidden; want %d",
							g, r, len(par), len(seq), hidden, n)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
}

func sameIDs(a, b []core.Client) bool {
	ia, ib := ids(a, clientID), ids(b, clientID)
	if len(ia) != len(ib) {
		return false
	}
	for id := range ia {
		if !ib[id] {
			return false
		}
	}
	return true
}
