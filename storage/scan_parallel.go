package storage

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"go.etcd.io/bbolt"
)

// keepFunc parses and filters one record of a scan, as collect's keep does.
type keepFunc[R any] func(key, val []byte) (R, bool, error)

// maxScanParts bounds the goroutines of one parallel scan.
const maxScanParts = 4

// scanParts is the number of goroutines a full scan of a read-only transaction uses: one per
// processor, up to maxScanParts. A transaction that writes is scanned by one goroutine.
func (t *tx) scanParts() int {
	if t.btx.Writable() {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), maxScanParts)
}

// collectAll reads every record of a table and returns those keep keeps, in no particular
// order, with the number of damaged records skipped. With more than one part, the key space is
// cut into that many ranges of ids (which are random, so the ranges hold about as many records
// each) read at once, each by its own goroutine with its own keep function from newKeep.
//
// The goroutines share t, a read-only transaction. bbolt calls a Tx not safe for concurrent use
// because of what writes do (node caches, page allocation); the goroutines only open cursors on
// one read-only bucket, which read pages of the memory map, and the one shared counter they
// touch (the cursor count of the transaction's statistics) is atomic.
// TestCollectAll_SharedReadTransaction runs this under the race detector while a writer
// commits. A read transaction per goroutine would be worse: bbolt documents that a second read
// transaction opened while the program holds one can deadlock against a writer that remaps the
// file. Nothing else of t (its other buckets, its write methods) may be used by the goroutines.
func collectAll[R any](t *tx, tb *table, parts int, newKeep func() keepFunc[R]) ([]R, int, error) {
	b, err := t.bucket(tb.bucket)
	if err != nil {
		return nil, 0, err
	}
	if parts <= 1 {
		return scanRange(tb, b, nil, nil, newKeep())
	}
	results := make([][]R, parts)
	hidden := make([]int, parts)
	errs := make([]error, parts)
	panics := make([]any, parts)
	var wg sync.WaitGroup
	for i := range parts {
		from, to := partBounds(i, parts)
		keep := newKeep()
		wg.Go(func() {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() { panics[i] = recoverScan(t, recover()) }()
			results[i], hidden[i], errs[i] = scanRange(tb, b, from, to, keep)
		})
	}
	wg.Wait()
	n, h := 0, 0
	for i := range parts {
		if p := panics[i]; p != nil {
			if err, ok := p.(damageError); ok {
				return nil, 0, err.err
			}
			panic(p)
		}
		if errs[i] != nil {
			return nil, 0, errs[i]
		}
		n += len(results[i])
		h += hidden[i]
	}
	out := make([]R, 0, n)
	for _, r := range results {
		out = append(out, r...)
	}
	return out, h, nil
}

// partBounds returns the first key of part i of parts and the first key after it (nil: the
// end).
func partBounds(i, parts int) (from, to []byte) {
	if i > 0 {
		from = []byte{byte(i * 256 / parts)}
	}
	if i < parts-1 {
		to = []byte{byte((i + 1) * 256 / parts)}
	}
	return from, to
}

// scanRange keeps the records of b with from ≤ key < to (nil: no bound), counting the damaged
// ones among them (see keepSealed).
func scanRange[R any](tb *table, b *bbolt.Bucket, from, to []byte, keep keepFunc[R]) ([]R, int, error) {
	out := make([]R, 0)
	hidden := 0
	c := b.Cursor()
	k, v := c.First()
	if from != nil {
		k, v = c.Seek(from)
	}
	for ; k != nil && (to == nil || bytes.Compare(k, to) < 0); k, v = c.Next() {
		r, ok, err := keepSealed(tb, k, v, keep)
		switch {
		case errors.Is(err, errDamagedValue):
			hidden++
		case err != nil:
			return nil, 0, err
		case ok:
			out = append(out, r)
		}
	}
	return out, hidden, nil
}

// damageError carries, from a scanning goroutine to the caller, the error of a panic that
// came from a damaged file.
type damageError struct{ err error }

// recoverScan is deferred by each scanning goroutine, with the value it recovered. As
// DB.boltTx does for the caller's goroutine, it turns a panic raised by bbolt or a fault on the
// memory map into a damageError; any other panic is returned to be raised again by the caller.
// It returns nil when there was no panic.
func recoverScan(t *tx, r any) any {
	if r == nil {
		return nil
	}
	if damagePanic(r) {
		return damageError{damaged(t.btx.DB().Path(), fmt.Errorf("panic: %v", r))}
	}
	return r
}
