package replica_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/etcdtest"
)

// The benchmarks of docs/PERFORMANCE.md, on three embedded etcd 3.7 members on loopback with
// client certificates, as the office runs them. Each reports its figures with ReportMetric;
// run them once:
//
//	go test -run '^$' -bench 'Benchmark(Watch|Push|Join)' -benchtime 1x ./replica
//
// EPICEVENTS_BENCH_SCALE divides the join's 33k clients, 100k contracts and 100k events (1 by
// default).

func benchTeam(b *testing.B) *team {
	return embeddedTeam(b, 3)
}

// BenchmarkWatchLatency: a change pushed on one laptop, seen in another laptop's database
// through its background watch. Reports p50 and p99 from the start of the push.
func BenchmarkWatchLatency(b *testing.B) {
	tm := benchTeam(b)
	seen := tm.road.run(1)
	const n = 200
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		for i := range n {
			v := "latency " + strconv.Itoa(i)
			if _, err := tm.hq.svc.UpdateClient(tm.admin, tm.client.ID, core.ClientPatch{Notes: &v}); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if _, err := tm.hq.eng.Sync(context.Background()); err != nil {
				b.Fatal(err)
			}
			for {
				got, err := tm.road.svc.GetClient(tm.sales, tm.client.ID)
				if err == nil && got.Notes == v {
					break
				}
				select {
				case <-seen:
				case <-time.After(time.Second):
				}
			}
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkPush1000: pushing 1,000 changes queued offline (1,000 client updates).
func BenchmarkPush1000(b *testing.B) {
	tm := benchTeam(b)
	var total time.Duration
	for i := range b.N {
		for j := range 1000 {
			v := fmt.Sprintf("offline %d.%d", i, j)
			if _, err := tm.road.svc.UpdateClient(tm.sales, tm.client.ID, core.ClientPatch{Notes: &v}); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		r, err := tm.road.eng.Sync(context.Background())
		if err != nil || r.Pushed != 1000 {
			b.Fatalf("sync = %+v, %v", r, err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/1000-changes")
}

// BenchmarkJoin100k: a laptop joining a company of 33k clients, 100k contracts and 100k
// events. Reports the time and the highest Go heap seen during the join (the whole test
// process: the joining laptop and management's laptop, idle).
func BenchmarkJoin100k(b *testing.B) {
	scale := 1
	if v, err := strconv.Atoi(os.Getenv("EPICEVENTS_BENCH_SCALE")); err == nil && v > 0 {
		scale = v
	}
	// Management's database is filled in solo mode, then published by team create. The
	// members are processes of Debian's etcd, so that the heap measured is the laptops'.
	c := etcdtest.StartBinary(b, 3, etcdtest.Options{ClientCertAuth: true})
	hq := newLaptop(b)
	if _, err := hq.svc.Initialize(core.InitInput{AdminName: "Ada Manager", AdminEmail: "ada@epicevents.com", Password: pw}); err != nil {
		b.Fatal(err)
	}
	admin := hq.login("ada@epicevents.com")
	staff, err := hq.svc.CreateUser(admin, core.UserInput{FullName: "Staff Gen", Email: "staff.gen@epicevents.com",
		Department: core.Commercial}, pw)
	if err != nil {
		b.Fatal(err)
	}
	gen := core.GenerateOptions{Clients: 33000 / scale, Contracts: 100000 / scale, Events: 100000 / scale,
		PasswordHash: staff.PasswordHash, ActorID: admin.ID()}
	t0 := time.Now()
	if _, err := hq.svc.Generate(admin, gen); err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	if err := hq.svc.TeamCreate(context.Background(), admin, cfgOf(c, c.ClientCert(b, etcdtest.RootUser))); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d+%d+%d records in %v, published by team create in %v", gen.Clients, gen.Contracts, gen.Events,
		t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	var secs, peak float64
	for range b.N {
		l := newLaptop(b)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := make(chan struct{})
		var maxHeap atomic.Uint64
		go func() {
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > maxHeap.Load() {
					maxHeap.Store(m.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		err := l.svc.TeamJoin(context.Background(), cfgOf(c, c.ClientCert(b, core.EtcdUser(staff.ID))))
		took := time.Since(start)
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		secs += took.Seconds()
		peak = max(peak, float64(maxHeap.Load())/(1<<20))
		n := 0
		if err := l.db.SyncView(func(tx core.SyncTx) error {
			for _, rt := range core.RecordTypes {
				if _, err := tx.Records(rt, func(core.Wire, uint64) error { n++; return nil }); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		b.Logf("joined %d records in %v, heap peak %.0f MiB (%.0f MiB before)", n, took.Round(time.Millisecond),
			float64(maxHeap.Load())/(1<<20), float64(base.HeapAlloc)/(1<<20))
	}
	b.ReportMetric(secs/float64(b.N), "s/join")
	b.ReportMetric(peak, "heap-MiB")
}
