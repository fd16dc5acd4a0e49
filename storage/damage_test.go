package storage

// Damaged files: mutated copies of a real database (random bytes in data pages and meta pages,
// whole pages overwritten or zeroed, bit flips, truncation) are opened and used the way the
// program uses them. Nothing may panic out or hang; errors must say the database is damaged;
// a file is never replaced or rewritten by an operation that failed or only read.

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

const (
	damageCopiesPerKind = 40
	damageTimeout       = 30 * time.Second // per copy; a hang fails the test
	damageSeedEnv       = "EPICEVENTS_DAMAGE_SEED"
)

// mutation damages a copy of a database file in place and describes what it did.
type mutation struct {
	name string
	fn   func(r *rand.Rand, data []byte, page int) ([]byte, string)
}

var mutations = []mutation{
	{"data-bytes", func(r *rand.Rand, data []byte, page int) ([]byte, string) {
		var spots []string
		for range 1 + r.IntN(4) {
			at := 2*page + r.IntN(len(data)-2*page)
			n := min(1+r.IntN(32), len(data)-at)
			fillRandom(r, data[at:at+n])
			spots = append(spots, fmt.Sprintf("%d+%d", at, n))
		}
		return data, "random bytes at " + strings.Join(spots, ",")
	}},
	{"data-page", func(r *rand.Rand, data []byte, page int) ([]byte, string) {
		p := 2 + r.IntN(len(data)/page-2)
		fillRandom(r, data[p*page:(p+1)*page])
		return data, fmt.Sprintf("page %d random", p)
	}},
	{"zero-page", func(r *rand.Rand, data []byte, page int) ([]byte, string) {
		p := r.IntN(len(data) / page)
		clear(data[p*page : (p+1)*page])
		return data, fmt.Sprintf("page %d zeroed", p)
	}},
	{"meta", func(r *rand.Rand, data []byte, page int) ([]byte, string) {
		metas := []int{r.IntN(2)}
		if r.IntN(2) == 0 {
			metas = []int{0, 1}
		}
		for _, m := range metas {
			at := m*page + 16 + r.IntN(64) // the page header is 16 bytes, the meta follows
			fillRandom(r, data[at:at+1+r.IntN(8)])
		}
		return data, fmt.Sprintf("meta page(s) %v", metas)
	}},
	{"bit-flips", func(r *rand.Rand, data []byte, _ int) ([]byte, string) {
		var spots []string
		for range 1 + r.IntN(8) {
			at := r.IntN(len(data))
			data[at] ^= 1 << r.IntN(8)
			spots = append(spots, strconv.Itoa(at))
		}
		return data, "bits flipped at " + strings.Join(spots, ",")
	}},
	{"truncate", func(r *rand.Rand, data []byte, page int) ([]byte, string) {
		n := r.IntN(len(data))
		if r.IntN(2) == 0 {
			n = r.IntN(len(data)/page) * page // on a page boundary
		}
		return data[:n], fmt.Sprintf("truncated to %d bytes", n)
	}},
}

func fillRandom(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

// damageWorld builds a real database through core.Service: a few hundred records of every kind
// with their indexes and audit entries, spread over many pages.
func damageWorld(t *testing.T) (crashWorld, []byte) {
	t.Helper()
	w := newCrashWorld(t, filepath.Join(t.TempDir(), "epicevents.db"))
	db, err := Open(w.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(db, core.Options{})
	a, err := svc.Resume(w.token)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Repeat("Notes about this client. ", 40)
	for i := range 60 {
		c, err := svc.CreateClient(a, core.ClientInput{FullName: fmt.Sprintf("Client %03d", i), Email: fmt.Sprintf("client%d@example.com", i),
			Phone: "01.23.45.67.89", CompanyName: "Company", Notes: notes[:i*16], CommercialID: w.commercial})
		if err != nil {
			t.Fatal(err)
		}
		k, err := svc.CreateContract(a, core.ContractInput{ClientID: c.ID, Total: decimal.NewFromInt(int64(1000 + i))})
		if err == nil && i%2 == 0 {
			_, err = svc.SignContract(a, k.ID)
		}
		if err == nil && i%2 == 0 {
			start := svc.Now().Add(time.Duration(i+1) * 24 * time.Hour)
			_, err = svc.CreateEvent(a, core.EventInput{ContractID: k.ID, Name: "Gala", Start: start, End: start.Add(time.Hour), Location: "Paris"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		t.Fatal(err)
	}
	return w, data
}

// damageOutcome is what happened to one damaged copy.
type damageOutcome struct {
	openRO, listed, checked, openRW, wrote string // "ok", "damaged", "problems", "refused: …"
}

func TestDB_DamagedCopies(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(damageSeedEnv); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (%s=%d replays the same mutations)", seed, damageSeedEnv, seed)
	r := rand.New(rand.NewPCG(seed, 1))
	w, clean := damageWorld(t)
	page := os.Getpagesize()
	t.Logf("database of %d bytes (%d pages)", len(clean), len(clean)/page)
	tally := map[string]int{}
	copies := 0
	for _, m := range mutations {
		for i := range damageCopiesPerKind {
			data, what := m.fn(r, bytes.Clone(clean), page)
			path := filepath.Join(t.TempDir(), "epicevents.db")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			out := useDamagedWithin(t, w, path, damageTimeout)
			copies++
			for _, step := range [][2]string{{"1 open read-only", out.openRO}, {"2 list", out.listed}, {"3 check", out.checked},
				{"4 open", out.openRW}, {"5 write", out.wrote}} {
				if step[1] == "" {
					step[1] = "not run"
				}
				tally[m.name+" / "+step[0]+": "+step[1]]++
			}
			if t.Failed() {
				kept := filepath.Join(os.TempDir(), fmt.Sprintf("epicevents-damaged-%d.db", seed))
				_ = os.WriteFile(kept, data, 0o600)
				t.Fatalf("%s copy %d (%s) failed; the copy is kept as %s", m.name, i, what, kept)
			}
		}
	}
	logTally(t, copies, tally)
}

func logTally(t *testing.T, copies int, tally map[string]int) {
	t.Helper()
	keys := make([]string, 0, len(tally))
	for k := range tally {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "\n  %4d  %s", tally[k], k)
	}
	t.Logf("%d damaged copies, outcomes by mutation and step:%s", copies, sb.String())
}

// useDamagedWithin runs useDamaged on its own goroutine and fails the test if it panics or
// does not finish within limit.
func useDamagedWithin(t *testing.T, w crashWorld, path string, limit time.Duration) damageOutcome {
	t.Helper()
	type result struct {
		out   damageOutcome
		panic any
		stack []byte
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if p := recover(); p != nil {
				res.panic, res.stack = p, debug.Stack()
			}
			done <- res
		}()
		res.out = useDamaged(t, w, path)
	}()
	select {
	case res := <-done:
		if res.panic != nil {
			t.Errorf("panic out of the store: %v\n%s", res.panic, res.stack)
		}
		return res.out
	case <-time.After(limit):
		stacks := make([]byte, 1<<20)
		stacks = stacks[:runtime.Stack(stacks, true)]
		t.Fatalf("%s: no answer within %v: the program would hang\n%s", path, limit, stacks)
	}
	return damageOutcome{}
}

// useDamaged opens a damaged file read-only and reads, lists and checks it (the file must not
// change), then opens it for writing and makes one change (the file may change only if the
// change succeeded).
func useDamaged(t *testing.T, w crashWorld, path string) damageOutcome {
	var out damageOutcome
	before, inode := fileSum(t, path), fileInfo(t, path)
	var db *DB
	db, out.openRO = openOutcome(t, path, Options{ReadOnly: true})
	if db != nil {
		out.listed = outcome(t, path, listAll(db, w.token))
		out.checked = outcome(t, path, db.Check())
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	if after := fileSum(t, path); after != before {
		t.Errorf("%s: a read-only use changed the file", path)
	}
	db, out.openRW = openOutcome(t, path, Options{})
	if db == nil {
		if after := fileSum(t, path); after != before {
			t.Errorf("%s: a refused open changed the file", path)
		}
		return out
	}
	out.wrote = outcome(t, path, writeOne(db, w))
	if err := db.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	// Opening for writing commits (the schema migration runs in a write transaction), so the
	// bytes may change; the file must still be the same file, never shorter.
	if fi := fileInfo(t, path); fi != nil && inode != nil && (!os.SameFile(fi, inode) || fi.Size() < inode.Size()) {
		t.Errorf("%s: the damaged file was replaced or shortened (%d → %d bytes)", path, inode.Size(), fi.Size())
	}
	return out
}

func fileInfo(t *testing.T, path string) os.FileInfo {
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("the damaged file is gone: %v", err)
		return nil
	}
	return fi
}

// openOutcome opens path and classifies the result.
func openOutcome(t *testing.T, path string, opts Options) (*DB, string) {
	db, err := Open(path, opts)
	if err != nil {
		return nil, outcome(t, path, err)
	}
	return db, "ok"
}

// outcome classifies an error of a damaged file: "ok", "damaged" (ErrDamaged naming the path),
// "problems" (a CheckError), or a core kind. Internal errors other than those fail the test:
// the user must be told the database is damaged.
func outcome(t *testing.T, path string, err error) string {
	var ce *CheckError
	var pe *fs.PathError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrDamaged):
		if !strings.Contains(err.Error(), "the database is damaged: "+path) {
			t.Errorf("damaged error without the path: %v", err)
		}
		return "damaged"
	case errors.As(err, &ce):
		return "problems"
	case errors.Is(err, ErrNewerSchema):
		return "newer schema"
	case core.KindOf(err) != core.Internal:
		return "refused: " + string(core.KindOf(err))
	case errors.As(err, &pe):
		// A write that the damage sent past any sane offset fails with an I/O error and
		// commits nothing (the file is checked by the caller).
		return "i/o error: " + pe.Err.Error()
	}
	t.Errorf("%s: error that does not say the database is damaged: %v", path, err)
	return "internal"
}

// listAll resumes the session and lists every kind of record, as the window's tabs do.
func listAll(db *DB, token string) error {
	svc := core.NewService(db, core.Options{})
	a, err := svc.Resume(token)
	if err != nil {
		return err
	}
	if _, _, err := svc.ListClients(a, core.ClientQuery{Search: "client 0"}); err != nil {
		return err
	}
	if _, _, err := svc.ListContracts(a, core.ContractQuery{Unpaid: true}); err != nil {
		return err
	}
	if _, _, err := svc.ListEvents(a, core.EventQuery{Upcoming: true, Days: 90}); err != nil {
		return err
	}
	_, _, err = svc.Audit(a, core.AuditQuery{Limit: 50})
	return err
}

// writeOne makes one change through core.Service.
func writeOne(db *DB, w crashWorld) error {
	svc := core.NewService(db, core.Options{})
	a, err := svc.Resume(w.token)
	if err != nil {
		return err
	}
	_, err = svc.CreateClient(a, core.ClientInput{FullName: "New Client", Email: "new@example.com", Phone: "0123456789",
		CompanyName: "New", CommercialID: w.commercial})
	return err
}

func fileSum(t *testing.T, path string) [32]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("the damaged file is gone: %v", err)
	}
	return sha256.Sum256(data)
}
