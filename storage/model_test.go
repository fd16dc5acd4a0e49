package storage

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// TestModel applies random operations both to the store, each in its own Update, and to a
// model made of plain maps, then checks at a few checkpoints that every record, every filter,
// every unique look-up, the audit trail, id prefixes and login throttles agree, and that Check
// finds nothing. Reproduce a failure with -seed N (or EPICEVENTS_SEED=N).

var (
	seedFlag = flag.Uint64("seed", 0, "seed of TestModel; 0 picks one (also $EPICEVENTS_SEED)")
	opsFlag  = flag.Int("ops", 10000, "number of random operations of TestModel")
	syncFlag = flag.Bool("model-sync", false, "TestModel: fsync every commit, as the product always does")
)

// recordSet is a map that also keeps its keys in a slice, so that picking one at random is
// reproducible from the seed.
type recordSet[R any] struct {
	byID map[uuid.UUID]R
	ids  []uuid.UUID
	pos  map[uuid.UUID]int
}

func newRecordSet[R any]() *recordSet[R] {
	return &recordSet[R]{byID: map[uuid.UUID]R{}, pos: map[uuid.UUID]int{}}
}

func (s *recordSet[R]) put(id uuid.UUID, r R) {
	if _, ok := s.byID[id]; !ok {
		s.pos[id] = len(s.ids)
		s.ids = append(s.ids, id)
	}
	s.byID[id] = r
}

func (s *recordSet[R]) del(id uuid.UUID) {
	i, ok := s.pos[id]
	if !ok {
		return
	}
	last := s.ids[len(s.ids)-1]
	s.ids[i], s.pos[last] = last, i
	s.ids = s.ids[:len(s.ids)-1]
	delete(s.pos, id)
	delete(s.byID, id)
}

type model struct {
	users     *recordSet[core.User]
	clients   *recordSet[core.Client]
	contracts *recordSet[core.Contract]
	events    *recordSet[core.Event]
	audit     []core.AuditEntry
	throttle  map[string]core.Throttle
}

// run is one model test: the store, the model and the random source.
type run struct {
	t  *testing.T
	db *DB
	m  *model
	r  *rand.Rand
	op int // operations applied so far
}

func modelSeed(t *testing.T) uint64 {
	if *seedFlag != 0 {
		return *seedFlag
	}
	if s := os.Getenv("EPICEVENTS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("EPICEVENTS_SEED: %v", err)
		}
		return v
	}
	return uint64(time.Now().UnixNano())
}

func TestModel(t *testing.T) {
	seed := modelSeed(t)
	t.Logf("seed %d (rerun with: go test ./storage -run TestModel -seed %d)", seed, seed)
	db := mustOpen(t)
	// This test is about the logic of records and indexes, not durability: without -model-sync
	// it skips the two fsyncs of each of its 10,000 commits (about 1 ms each on a laptop). The
	// product never sets NoSync; every other test commits with fsync.
	db.bolt.NoSync = !*syncFlag
	r := &run{t: t, db: db, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), m: &model{
		users: newRecordSet[core.User](), clients: newRecordSet[core.Client](),
		contracts: newRecordSet[core.Contract](), events: newRecordSet[core.Event](),
		throttle: map[string]core.Throttle{},
	}}
	ops := r.operations()
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := *opsFlag
	start := time.Now()
	var verifyTime time.Duration
	for r.op = 1; r.op <= n; r.op++ {
		pick := r.r.IntN(total)
		for _, o := range ops {
			if pick -= o.weight; pick < 0 {
				o.fn()
				break
			}
		}
		if r.op%(n/4) == 0 || r.op == n {
			vs := time.Now()
			r.verify()
			verifyTime += time.Since(vs)
		}
		if t.Failed() {
			t.Fatalf("failed at operation %d with seed %d", r.op, seed)
		}
	}
	t.Logf("%d operations in %v (checkpoints %v); %d users, %d clients, %d contracts, %d events, %d audit entries",
		n, time.Since(start).Round(time.Millisecond), verifyTime.Round(time.Millisecond), len(r.m.users.ids),
		len(r.m.clients.ids), len(r.m.contracts.ids), len(r.m.events.ids), len(r.m.audit))
}

type operation struct {
	weight int
	fn     func()
}

func (r *run) operations() []operation {
	return []operation{
		{8, func() { r.putUser(true) }}, {6, func() { r.putUser(false) }}, {2, r.deleteUser},
		{8, func() { r.putClient(true) }}, {5, func() { r.putClient(false) }}, {3, r.reassignClient},
		{2, r.deleteClient},
		{8, func() { r.putContract(true) }}, {5, func() { r.putContract(false) }}, {2, r.deleteContract},
		{10, func() { r.putEvent(true) }}, {6, func() { r.putEvent(false) }}, {4, r.assignSupport},
		{2, r.deleteEvent},
		{6, r.appendAudit}, {3, r.putThrottle}, {3, r.abortedUpdate},
	}
}

// update runs fn in its own Update and checks the error has the kind want ("" for none).
func (r *run) update(want core.Kind, what string, fn func(tx core.Tx) error) bool {
	r.t.Helper()
	err := r.db.Update(fn)
	if got := core.KindOf(err); got != want {
		r.t.Errorf("operation %d, %s: error %v (kind %q), want kind %q", r.op, what, err, got, want)
	}
	return err == nil
}

// ---- random values

var (
	firstNames = []string{"Anne", "Bob", "Élodie", "Zoë", "Jean-Luc", "KARIM", "İlker", "Ana María", "Søren", "Mei", "Ngozi", "Oscar"}
	lastNames  = []string{"Martin", "Ça Va", "Dupont", "STRAßE", "Nguyễn", "O'Brien", "Lefèvre", "Smith", "Kowalski"}
	companies  = []string{"Acme", "Société Générale", "ÉVÉNEMENTS & Cie", "Kiwi Ltd", "Straße GmbH", "Cool Startup LLC", "Mairie d'Évian"}
	places     = []string{"Paris", "Lyon — Salle Étoile", "Marseille", "Online", "Château de Lourmarin", "Bordeaux, Hangar 14"}
	eventNames = []string{"Gala", "Séminaire", "Wedding", "Product launch", "AG annuelle", "Team building"}
	domains    = []string{"example.com", "startup.io", "mairie.fr", "exämple.org"}
)

func (r *run) one(xs []string) string { return xs[r.r.IntN(len(xs))] }

func (r *run) id() uuid.UUID {
	var id uuid.UUID
	for i := range id {
		id[i] = byte(r.r.UintN(256))
	}
	return id
}

func (r *run) name() string { return r.one(firstNames) + " " + r.one(lastNames) }

// email picks from a pool small enough to collide often, in random case and spacing.
func (r *run) email() string {
	n := r.r.IntN(300)
	e := fmt.Sprintf("%s.%d@%s", strings.ToLower(firstNames[n%len(firstNames)]), n, domains[n%len(domains)])
	var sb strings.Builder
	if r.r.IntN(10) == 0 {
		sb.WriteString("  ")
	}
	for _, c := range e {
		if r.r.IntN(4) == 0 {
			sb.WriteString(strings.ToUpper(string(c)))
		} else {
			sb.WriteRune(c)
		}
	}
	if r.r.IntN(10) == 0 {
		sb.WriteString(" ")
	}
	return sb.String()
}

func (r *run) employeeNumber() string {
	s := fmt.Sprintf("EE%06d", r.r.IntN(400))
	if r.r.IntN(10) == 0 {
		s = strings.ToLower(s)
	}
	return s
}

func (r *run) department() core.Department {
	return []core.Department{core.Commercial, core.Support, core.Management}[r.r.IntN(3)]
}

// moment is a time with nanoseconds, mostly around t0, sometimes far outside the UnixNano range.
func (r *run) moment() time.Time {
	switch r.r.IntN(40) {
	case 0:
		return time.Date(1500+r.r.IntN(100), 1, 1, 0, 0, 0, r.r.IntN(1e9), time.UTC)
	case 1:
		return time.Date(2500+r.r.IntN(100), 1, 1, 0, 0, 0, r.r.IntN(1e9), time.UTC)
	}
	return t0.Add(time.Duration(r.r.Int64N(int64(800*24*time.Hour))) - 400*24*time.Hour)
}

// pickID returns an existing id most of the time, else a fresh one.
func pickID[R any](r *run, s *recordSet[R], existing int) uuid.UUID {
	if len(s.ids) == 0 || r.r.IntN(100) >= existing {
		return r.id()
	}
	return s.ids[r.r.IntN(len(s.ids))]
}

func normModel(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
