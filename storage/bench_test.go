package storage_test

// Benchmarks of the queries of issue 6 on the real store, through core.Service where a user
// would go through it (so that core's sorting counts). The scale is chosen with
// EPICEVENTS_BENCH_SCALE: 10k, 100k (default) or 1m (333k clients, 1M contracts, 1M events).
// The database of each scale is generated once into a file under os.TempDir() and reused by
// later runs; write benchmarks work on a copy of it.
//
//	EPICEVENTS_BENCH_SCALE=1m go test -run '^$' -bench . -count 5 ./storage/

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
	"github.com/epicevents/crm/storage/storagetest"
)

// BenchScale is one size of the benchmark database.
type benchScale struct {
	name                       string
	clients, contracts, events int
}

var benchScales = []benchScale{
	{"10k", 3_333, 10_000, 10_000},
	{"100k", 33_333, 100_000, 100_000},
	{"1m", 333_333, 1_000_000, 1_000_000},
}

// Fixed facts of the benchmark database: its clock, seed and administrator.
const (
	benchPassword = "Bench-Pa55word!"
	benchAdmin    = "admin@epicevents.com"
	benchSeed     = 20260601
	// BenchClientSearch and benchEventSearch are the substrings searched: a common family name.
	benchClientSearch = "dupont"
	benchEventSearch  = "dupont"
	benchFormat       = "v1-schema2" // bump when the generator or the schema changes, to rebuild cached files
)

var benchNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// benchWorld is the database of one scale, open, with the collaborators the queries run as.
type benchWorld struct {
	db         *storage.DB
	svc        *core.Service
	admin      *core.Actor
	commercial *core.Actor // the commercial with the smallest id
	support    *core.Actor // the support user with the smallest id
	client     core.Client // the client with the smallest id
	event      core.Event  // the event with the smallest id
	supportEm  string      // the support user's email
}

var world struct {
	once sync.Once
	w    *benchWorld
	err  error
}

func scaleFromEnv() (benchScale, error) {
	name := strings.ToLower(os.Getenv("EPICEVENTS_BENCH_SCALE"))
	if name == "" {
		name = "100k"
	}
	for _, s := range benchScales {
		if s.name == name {
			return s, nil
		}
	}
	return benchScale{}, fmt.Errorf("EPICEVENTS_BENCH_SCALE=%q: want 10k, 100k or 1m", name)
}

// benchPath is the cached database file of a scale.
func benchPath(s benchScale) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("epicevents-bench-%s-%s.db", benchFormat, s.name))
}

// getWorld opens (building it the first time) the database of the scale of the environment.
func getWorld(b *testing.B) *benchWorld {
	b.Helper()
	world.once.Do(func() {
		s, err := scaleFromEnv()
		if err == nil {
			world.w, world.err = openWorld(s)
		} else {
			world.err = err
		}
	})
	if world.err != nil {
		b.Fatal(world.err)
	}
	return world.w
}

func newBenchService(db *storage.DB) *core.Service {
	return core.NewService(db, core.Options{Clock: func() time.Time { return benchNow }})
}

func openWorld(s benchScale) (*benchWorld, error) {
	path := benchPath(s)
	if _, err := os.Stat(path); err != nil {
		if err := buildWorld(s, path); err != nil {
			return nil, err
		}
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		return nil, err
	}
	w := &benchWorld{db: db, svc: newBenchService(db)}
	if err := w.load(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return w, nil
}

// buildWorld generates the database of a scale into path.
func buildWorld(s benchScale, path string) error {
	tmp := path + ".building"
	_ = os.Remove(tmp)
	db, err := storage.Open(tmp, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	svc := newBenchService(db)
	if _, err := svc.Initialize(core.InitInput{AdminName: "Ada Admin", AdminEmail: benchAdmin, Password: benchPassword}); err != nil {
		return err
	}
	var admin core.User
	if err := db.View(func(tx core.Tx) error {
		admin, err = tx.UserByEmail(benchAdmin)
		return err
	}); err != nil {
		return err
	}
	start := time.Now()
	res, err := db.Generate(storage.GenerateOptions{Clients: s.clients, Contracts: s.contracts,
		Events: s.events, PasswordHash: admin.PasswordHash, ActorID: admin.ID, Now: benchNow,
		Seed: benchSeed, Batch: 100_000})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generated %+v in %v into %s\n", res, time.Since(start).Round(time.Millisecond), path)
	if err := db.Close(); err != nil {
		return err
	}
	return compact(tmp, path)
}

// compact copies the database at from into a new file at to without free pages, as "bbolt
// compact" does, and removes from. Bulk generation leaves some 10% of the pages free, and bbolt
// writes the list of free pages at every commit: a database that grew by ordinary changes has
// few, and so has the compacted copy.
func compact(from, to string) error {
	src, err := bbolt.Open(from, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := to + ".compacting"
	_ = os.Remove(tmp)
	dst, err := bbolt.Open(tmp, 0o600, nil)
	if err != nil {
		return err
	}
	if err := bbolt.Compact(dst, src, 64<<20); err != nil {
		_ = dst.Close()
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, to); err != nil {
		return err
	}
	return os.Remove(from)
}

// load logs in and picks the records the queries use: the first by id of each kind.
func (w *benchWorld) load() error {
	var err error
	if w.admin, err = w.svc.Login(benchAdmin, benchPassword); err != nil {
		return err
	}
	var commercial, support core.User
	err = w.db.View(func(tx core.Tx) error {
		if commercial, err = firstUser(tx, core.Commercial); err != nil {
			return err
		}
		if support, err = firstUser(tx, core.Support); err != nil {
			return err
		}
		if w.client, err = firstOf(tx, core.ClientRecord, tx.Client); err != nil {
			return err
		}
		w.event, err = firstOf(tx, core.EventRecord, tx.Event)
		return err
	})
	if err != nil {
		return err
	}
	w.supportEm = support.Email
	if w.commercial, err = w.svc.Login(commercial.Email, benchPassword); err != nil {
		return err
	}
	w.support, err = w.svc.Login(support.Email, benchPassword)
	return err
}

func firstUser(tx core.Tx, d core.Department) (core.User, error) {
	users, _, err := tx.Users(core.UserFilter{Department: d})
	if err != nil || len(users) == 0 {
		return core.User{}, fmt.Errorf("no %s user: %v", d, err)
	}
	return slices.MinFunc(users, func(a, b core.User) int { return strings.Compare(a.ID.String(), b.ID.String()) }), nil
}

func firstOf[R any](tx core.Tx, t core.RecordType, get func(uuid.UUID) (R, error)) (R, error) {
	ids, err := tx.IDsWithPrefix(t, "", 1)
	if err != nil || len(ids) == 0 {
		var zero R
		return zero, fmt.Errorf("no %s: %v", t, err)
	}
	return get(ids[0])
}

// run measures fn, which returns the number of rows it got (reported as rows/op).
func run(b *testing.B, fn func() (int, error)) {
	b.Helper()
	b.ReportAllocs()
	rows := 0
	cpu := storagetest.CPUTime()
	for b.Loop() {
		n, err := fn()
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	b.ReportMetric(float64(storagetest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(rows), "rows/op")
}

func one[R any](_ R, err error) (int, error) { return 1, err }

// count is the size of a list; damaged records hidden from it fail the benchmark.
func count[R any](rs []R, hidden int, err error) (int, error) {
	if err == nil && hidden > 0 {
		err = fmt.Errorf("%d damaged records hidden", hidden)
	}
	return len(rs), err
}

func BenchmarkGetClientByID(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return one(w.svc.GetClient(w.admin, w.client.ID)) })
}

func BenchmarkGetEventByID(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return one(w.svc.GetEvent(w.admin, w.event.ID)) })
}

func BenchmarkUserByEmail(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return one(w.svc.ResolveUser(w.admin, w.supportEm)) })
}

func BenchmarkClientByEmail(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		var c core.Client
		err := w.db.View(func(tx core.Tx) error {
			var err error
			c, err = tx.ClientByEmail(w.client.Email)
			return err
		})
		return one(c, err)
	})
}

func BenchmarkMyClients(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return count(w.svc.ListClients(w.commercial, core.ClientQuery{Mine: true})) })
}

func BenchmarkMyUnsignedContracts(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		return count(w.svc.ListContracts(w.commercial, core.ContractQuery{Mine: true, Unsigned: true}))
	})
}

func BenchmarkMyUnpaidContracts(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		return count(w.svc.ListContracts(w.commercial, core.ContractQuery{Mine: true, Unpaid: true}))
	})
}

func BenchmarkSupportEvents(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return count(w.svc.ListEvents(w.support, core.EventQuery{Mine: true})) })
}

func BenchmarkUnassignedEvents(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return count(w.svc.ListEvents(w.admin, core.EventQuery{Unassigned: true})) })
}

func BenchmarkUpcoming7Days(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		return count(w.svc.ListEvents(w.admin, core.EventQuery{Upcoming: true, Days: 7}))
	})
}

func BenchmarkSearchClients(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		return count(w.svc.ListClients(w.admin, core.ClientQuery{Search: benchClientSearch}))
	})
}

func BenchmarkSearchEvents(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		return count(w.svc.ListEvents(w.admin, core.EventQuery{Search: benchEventSearch}))
	})
}

// BenchmarkAllClients loads the whole clients tab, as the window does at start.
func BenchmarkAllClients(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return count(w.svc.ListClients(w.admin, core.ClientQuery{})) })
}

// BenchmarkCreateClient is one durable create (fsync) with its indexes and audit entry, on a
// copy of the database.
func BenchmarkCreateClient(b *testing.B) {
	w := getWorld(b)
	svc, admin := openCopy(b, w)
	i := 0
	run(b, func() (int, error) {
		i++
		return one(svc.CreateClient(admin, core.ClientInput{FullName: "Nouveau Client", Email: fmt.Sprintf("nouveau.%d@bench.fr", i),
			Phone: "01 23 45 67 89", CompanyName: "Bench SA", CommercialID: w.commercial.ID()}))
	})
}

// BenchmarkOpen opens and closes the database as the program does at start (read-write, with
// its schema check).
func BenchmarkOpen(b *testing.B) {
	w := getWorld(b)
	path := copyWorld(b, w)
	run(b, func() (int, error) {
		db, err := storage.Open(path, storage.Options{})
		if err != nil {
			return 0, err
		}
		return 1, db.Close()
	})
}

// BenchmarkLogin checks a password (argon2id at the product's parameters) and issues a session.
func BenchmarkLogin(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) { return one(w.svc.Login(benchAdmin, benchPassword)) })
}

// openCopy opens a copy of the database (closed after the benchmark) with a service and its
// administrator logged in, for the benchmarks that write.
func openCopy(b *testing.B, w *benchWorld) (*core.Service, *core.Actor) {
	b.Helper()
	db, err := storage.Open(copyWorld(b, w), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	svc := newBenchService(db)
	admin, err := svc.Login(benchAdmin, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	return svc, admin
}

// copyWorld copies the database into a temporary directory, removed after the benchmark, and
// returns the path of the copy.
func copyWorld(b *testing.B, w *benchWorld) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "epicevents.db")
	if _, err := w.db.Backup(core.Destination{Path: path}); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkInspect is `epicevents check`: bbolt's page check, every record's and index entry's
// checksum, every index against the records (issue #13).
func BenchmarkInspect(b *testing.B) {
	w := getWorld(b)
	run(b, func() (int, error) {
		rep, err := w.db.Inspect()
		return len(rep.Problems), err
	})
}

// BenchmarkRepairOneClient is `epicevents repair --from BACKUP` of a copy where one client's
// stored bytes were damaged: a check, the client put back from the backup with its audit entry,
// the client indexes rebuilt, and the check after it. The damage is made between runs, off the
// clock.
func BenchmarkRepairOneClient(b *testing.B) {
	w := getWorld(b)
	path, backup := copyWorld(b, w), copyWorld(b, w)
	cpu := time.Duration(0)
	b.ReportAllocs()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		err = bdb.Update(func(tx *bbolt.Tx) error {
			bk := tx.Bucket([]byte("clients"))
			v := append([]byte(nil), bk.Get(w.client.ID[:])...)
			v[len(v)/2] ^= 0x01
			return bk.Put(w.client.ID[:], v)
		})
		if cerr := bdb.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		db, err := storage.Open(path, storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		c0 := storagetest.CPUTime()
		b.StartTimer()
		res, err := db.Repair(core.RepairOptions{At: benchNow, Backup: backup})
		b.StopTimer()
		cpu += storagetest.CPUTime() - c0
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil || len(res.Restored) != 1 || !res.After.OK() {
			b.Fatalf("repair: %+v, %v", res, err)
		}
		_ = os.Remove(res.Kept)
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkRepairSound is `epicevents repair` of a sound database, on a copy: a check, every
// index rebuilt in one transaction, and the check after it.
func BenchmarkRepairSound(b *testing.B) {
	w := getWorld(b)
	db, err := storage.Open(copyWorld(b, w), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	run(b, func() (int, error) {
		res, err := db.Repair(core.RepairOptions{At: benchNow})
		return len(res.After.Problems), err
	})
}
