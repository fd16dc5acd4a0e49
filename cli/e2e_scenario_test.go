package cli

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/replica/access"
	"github.com/epicevents/crm/replica/etcdtest"
)

// syncRetry runs sync until it succeeds, allowing exit 8 while the cluster elects a leader or
// regains quorum; any other failure fails the test.
func syncRetry(t *testing.T, w *e2e) {
	t.Helper()
	for i := 0; ; i++ {
		out, errOut, code := run(t, w.home, "", "sync", "--json")
		switch {
		case code == 0:
			return
		case code == 8 && i < 5:
			continue
		}
		t.Fatalf("sync: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

// TestE2E_Scenario_Cluster: with three members of Debian's etcd 3.4 and real processes: the
// leader killed during writes, quorum lost then restored, a sync killed midway then run again
// (each change applied exactly once).
func TestE2E_Scenario_Cluster(t *testing.T) {
	if binary == "" {
		t.Skip("end-to-end tests are skipped with -short")
	}
	c := etcdtest.StartBinary(t, 3, etcdtest.Options{ClientCertAuth: true})
	tw := newTeamWorld(t, c)
	hq, road := tw.hq, tw.road
	cl := road.obj("client", "create", "--name", "Leader Test", "--email", "leader@test.io",
		"--phone", "0102030405", "--company", "LT")
	id := cl["id"].(string)
	syncRetry(t, road)

	t.Run("LeaderKilledDuringWrites", func(t *testing.T) {
		for i := 0; i < 6; i++ {
			road.ok("", "client", "update", id, "--notes", "note "+string(rune('a'+i)))
			if i == 2 {
				c.Kill(c.Leader())
			}
			syncRetry(t, road)
		}
		syncRetry(t, hq)
		if got := hq.obj("client", "view", id); got["notes"] != "note f" {
			t.Fatalf("hq notes = %v", got["notes"])
		}
		for i := 0; i < c.Len(); i++ {
			if !c.Running(i) {
				c.Start(i)
			}
		}
	})

	t.Run("QuorumLostAndRestored", func(t *testing.T) {
		road.ok("", "client", "update", id, "--company", "Quorum SA")
		c.Stop(0)
		c.Stop(1)
		road.fail(8, "local changes are kept", "", "sync")
		if st := road.obj("sync", "status"); st["outbox"] != float64(1) {
			t.Fatalf("outbox while without quorum: %v", st)
		}
		c.Start(0)
		c.Start(1)
		syncRetry(t, road)
		syncRetry(t, hq)
		if got := hq.obj("client", "view", id); got["company_name"] != "Quorum SA" {
			t.Fatalf("hq company = %v", got["company_name"])
		}
	})

	t.Run("SyncKilledMidway", func(t *testing.T) {
		const n = 400
		hq.ok("", "generate", "--clients", "400", "--contracts", "0", "--events", "0")
		st := hq.obj("sync", "status")
		if st["outbox"].(float64) < n {
			t.Fatalf("outbox after generate: %v", st)
		}
		root := c.Client(t, c.Root())
		count := func() int64 {
			r, err := root.Get(context.Background(), access.ClientsPrefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
			if err != nil {
				t.Fatal(err)
			}
			return r.Count
		}
		before := count()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, "sync")
		cmd.Env = append(cleanEnv(), "EPICEVENTS_HOME="+hq.home)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		// Kill it once the cluster has taken some of the changes: mid-push.
	wait:
		for count() < before+50 {
			select {
			case <-exited:
				break wait
			case <-time.After(5 * time.Millisecond):
			}
		}
		_ = cmd.Process.Kill()
		<-exited
		taken := count() - before
		left := hq.obj("sync", "status")["outbox"].(float64)
		t.Logf("sync killed after the cluster took %d changes; %.0f of %v still in the outbox (published, not acknowledged: replayed)", taken, left, st["outbox"])
		syncRetry(t, hq)
		// Exactly once: each generated client has one create entry in the cluster's trail.
		resp, err := root.Get(context.Background(), access.AuditPrefix, clientv3.WithPrefix())
		if err != nil {
			t.Fatal(err)
		}
		creates := map[string]int{}
		for _, kv := range resp.Kvs {
			var doc struct {
				Audit []struct {
					Action   string
					Record   string
					RecordID string
				} `json:"audit"`
			}
			if err := json.Unmarshal(kv.Value, &doc); err != nil {
				t.Fatal(err)
			}
			for _, a := range doc.Audit {
				if a.Action == "create" && a.Record == "client" {
					creates[a.RecordID]++
				}
			}
		}
		clients, err := root.Get(context.Background(), access.ClientsPrefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		local := len(hq.list("client", "list"))
		if int(clients.Count) != local {
			t.Fatalf("cluster holds %d clients, hq %d", clients.Count, local)
		}
		for rid, k := range creates {
			if k != 1 {
				t.Fatalf("client %s created %d times in the trail", rid, k)
			}
		}
		if st := hq.obj("sync", "status"); st["outbox"] != float64(0) {
			t.Fatalf("outbox after the rerun: %v", st)
		}
		syncRetry(t, road)
		if got := len(road.list("client", "list")); got != local {
			t.Fatalf("road holds %d clients, hq %d", got, local)
		}
	})
}
