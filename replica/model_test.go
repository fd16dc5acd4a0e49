package replica_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/replica/access"
	"github.com/epicevents/crm/replica/etcdtest"
)

// modelLaptop is one replica of the model test: its laptop, the collaborator working on it
// and whether it can reach the cluster.
type modelLaptop struct {
	*laptop
	actor  *core.Actor
	online bool
	// changes are the ids of every change this laptop acknowledged (took into its outbox).
	changes map[uuid.UUID]bool
}

// record notes the changes waiting in the outbox: each was acknowledged to a person.
func (m *modelLaptop) record(t *testing.T) {
	if err := m.db.SyncView(func(tx core.SyncTx) error {
		cs, err := tx.Pending(0)
		for _, c := range cs {
			m.changes[c.ID] = true
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestModel_Convergence: three replicas (management, a commercial, a support person), random
// operations by their users, random partitions (a laptop offline), laptop restarts and member
// restarts of a 3-member cluster. After healing: every replica equals the cluster, Check is
// clean everywhere (at close), and every change a laptop acknowledged is in the cluster —
// pushed as it was, merged, or with its values kept in a conflict. Never lost.
//
// EPICEVENTS_MODEL_OPS sets the number of operations (default 400); EPICEVENTS_MODEL_SEED the
// seed (default: random, logged).
func TestModel_Convergence(t *testing.T) {
	if testing.Short() {
		t.Skip("model test skipped with -short")
	}
	ops := 400
	if v, err := strconv.Atoi(os.Getenv("EPICEVENTS_MODEL_OPS")); err == nil && v > 0 {
		ops = v
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("EPICEVENTS_MODEL_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d, %d operations", seed, ops)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	c := etcdtest.StartEmbedded(t, 3, etcdtest.Options{ClientCertAuth: true})
	tm := newTeam(t, c)
	sup := newLaptop(t)
	if err := sup.svc.TeamJoin(ctx(t), cfgOf(c, c.ClientCert(t, core.EtcdUser(tm.sup.ID)))); err != nil {
		t.Fatal(err)
	}
	supActor := sup.login("sue@epicevents.com")
	laptops := []*modelLaptop{
		{laptop: tm.hq, actor: tm.admin, online: true, changes: map[uuid.UUID]bool{}},
		{laptop: tm.road, actor: tm.sales, online: true, changes: map[uuid.UUID]bool{}},
		{laptop: sup, actor: supActor, online: true, changes: map[uuid.UUID]bool{}},
	}
	for _, m := range laptops {
		m.record(t)
	}
	var stats struct{ ok, refused, syncs, offline, partitions, restarts, memberRestarts, conflicts int }
	stopped := -1
	for i := 0; i < ops; i++ {
		m := laptops[rng.IntN(len(laptops))]
		switch p := rng.IntN(100); {
		case p < 6: // partition: the laptop goes offline or comes back
			m.online = !m.online
			stats.partitions++
			continue
		case p < 9: // the laptop restarts
			m.close()
			m.open()
			a, err := m.svc.Resume(m.actor.Token())
			if err != nil {
				t.Fatalf("resume after restart: %v", err)
			}
			m.actor = a
			stats.restarts++
			continue
		case p < 11: // a member stops, or the stopped one comes back
			if stopped < 0 {
				stopped = rng.IntN(c.Len())
				c.Stop(stopped)
			} else {
				c.Start(stopped)
				stopped = -1
			}
			stats.memberRestarts++
			continue
		case p < 30:
			if !m.online {
				stats.offline++
				continue
			}
			r, err := m.eng.Sync(ctx(t))
			if err != nil && core.KindOf(err) != core.Unavailable {
				t.Fatalf("op %d: sync: %v", i, err)
			}
			stats.syncs++
			stats.conflicts += r.Conflicts
			continue
		}
		err := modelOp(rng, m)
		switch core.KindOf(err) {
		case "":
			stats.ok++
		case core.Internal, core.Damaged:
			t.Fatalf("op %d: %v", i, err)
		default:
			stats.refused++
		}
		m.record(t)
	}
	// Heal: every member up, every laptop online; sync until nothing moves.
	if stopped >= 0 {
		c.Start(stopped)
	}
	for round := 0; round < 3; round++ {
		for _, m := range laptops {
			r, err := m.eng.Sync(ctx(t))
			if err != nil {
				t.Fatalf("healing sync: %v", err)
			}
			stats.conflicts += r.Conflicts
		}
	}
	t.Logf("ops %d: %d applied, %d refused by core; %d syncs (%d skipped offline), %d partitions, %d laptop restarts, %d member restarts, %d conflicts",
		ops, stats.ok, stats.refused, stats.syncs, stats.offline, stats.partitions, stats.restarts, stats.memberRestarts, stats.conflicts)

	cluster := clusterRecords(t, c)
	keys := clusterChangeKeys(t, c)
	for i, m := range laptops {
		st, err := m.eng.Status(ctx(t))
		if err != nil || st.Outbox != 0 {
			t.Fatalf("laptop %d: outbox %d after healing (%v)", i, st.Outbox, err)
		}
		local := localRecords(t, m.laptop)
		if len(local) != len(cluster) {
			t.Errorf("laptop %d holds %d records, the cluster %d", i, len(local), len(cluster))
		}
		for k, w := range cluster {
			if lw, ok := local[k]; !ok || !lw.Equal(w) {
				t.Errorf("laptop %d: %s differs from the cluster:\n local %v\n cluster %v", i, k, lw.Fields, w.Fields)
			}
		}
		lost := 0
		for id := range m.changes {
			if !keys[id] {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("laptop %d: %d of %d acknowledged changes are not in the cluster", i, lost, len(m.changes))
		}
	}
}

// modelOp runs one random operation of the laptop's collaborator.
func modelOp(rng *rand.Rand, m *modelLaptop) error {
	a, svc := m.actor, m.svc
	word := func() string { return fmt.Sprintf("v%d", rng.IntN(1000)) }
	clients, _, err := svc.ListClients(a, core.ClientQuery{Mine: a.Department() == core.Commercial})
	if err != nil {
		return err
	}
	events, _, err := svc.ListEvents(a, core.EventQuery{Mine: a.Department() == core.Support})
	if err != nil {
		return err
	}
	contracts, _, err := svc.ListContracts(a, core.ContractQuery{})
	if err != nil {
		return err
	}
	pickClient := func() (core.Client, bool) {
		if len(clients) == 0 {
			return core.Client{}, false
		}
		return clients[rng.IntN(len(clients))], true
	}
	switch a.Department() {
	case core.Support:
		if len(events) == 0 {
			return nil
		}
		e := events[rng.IntN(len(events))]
		n := rng.IntN(500)
		notes := word()
		_, err := svc.UpdateEvent(a, e.ID, core.EventPatch{Attendees: &n, Notes: &notes})
		return err
	case core.Commercial:
		switch rng.IntN(4) {
		case 0:
			_, err := svc.CreateClient(a, core.ClientInput{FullName: "Client " + word(), Email: word() + "@model.io",
				Phone: "01 02 03 04 05", CompanyName: "Co " + word()})
			return err
		case 1:
			var signed []core.Contract
			for _, k := range contracts {
				if k.Status == core.Signed && k.CommercialID == a.ID() {
					signed = append(signed, k)
				}
			}
			if len(signed) == 0 {
				return nil
			}
			start := time.Now().Add(48 * time.Hour)
			_, err := svc.CreateEvent(a, core.EventInput{ContractID: signed[rng.IntN(len(signed))].ID, Name: "Event " + word(),
				Start: start, End: start.Add(time.Hour), Location: "Lyon", Attendees: 10})
			return err
		default:
			c, ok := pickClient()
			if !ok {
				return nil
			}
			v := word()
			p := core.ClientPatch{}
			switch rng.IntN(3) {
			case 0:
				p.Notes = &v
			case 1:
				p.CompanyName = &v
			default:
				e := v + "@model.io"
				p.Email = &e
			}
			_, err := svc.UpdateClient(a, c.ID, p)
			return err
		}
	default: // management
		switch rng.IntN(6) {
		case 0:
			c, ok := pickClient()
			if !ok {
				return nil
			}
			_, err := svc.CreateContract(a, core.ContractInput{ClientID: c.ID, Total: dec(strconv.Itoa(100 + rng.IntN(900)))})
			return err
		case 1:
			for _, k := range contracts {
				if k.Status == core.Draft {
					_, err := svc.SignContract(a, k.ID)
					return err
				}
			}
			return nil
		case 2:
			if len(events) == 0 {
				return nil
			}
			_, err := svc.AssignSupport(a, events[rng.IntN(len(events))].ID, uuidOf(m, "sue@epicevents.com"))
			return err
		case 3:
			if len(events) == 0 {
				return nil
			}
			loc := "Room " + word()
			_, err := svc.UpdateEvent(a, events[rng.IntN(len(events))].ID, core.EventPatch{Location: &loc})
			return err
		default:
			c, ok := pickClient()
			if !ok {
				return nil
			}
			v := word()
			p := core.ClientPatch{Notes: &v}
			if rng.IntN(2) == 0 {
				p = core.ClientPatch{Phone: ptr("04 7" + strconv.Itoa(rng.IntN(10)) + " 00 00 00")}
			}
			_, err := svc.UpdateClient(a, c.ID, p)
			return err
		}
	}
}

func uuidOf(m *modelLaptop, email string) uuid.UUID {
	us, _, err := m.svc.ListUsers(m.actor, core.UserQuery{Search: email})
	if err != nil || len(us) == 0 {
		return uuid.Nil
	}
	return us[0].ID
}

// clusterRecords reads every record of the cluster.
func clusterRecords(t *testing.T, c *etcdtest.Cluster) map[string]core.Wire {
	cli := c.Client(t, c.Root())
	out := map[string]core.Wire{}
	for _, p := range []string{access.UsersPrefix, access.ClientsPrefix, access.ContractsPrefix, access.EventsPrefix} {
		resp, err := cli.Get(ctx(t), p, clientv3.WithPrefix())
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range resp.Kvs {
			var w core.Wire
			if err := json.Unmarshal(kv.Value, &w); err != nil {
				t.Fatal(err)
			}
			out[string(w.Type)+"/"+w.ID.String()] = w
		}
	}
	return out
}

// clusterChangeKeys lists the changes published to the cluster.
func clusterChangeKeys(t *testing.T, c *etcdtest.Cluster) map[uuid.UUID]bool {
	cli := c.Client(t, c.Root())
	resp, err := cli.Get(ctx(t), access.AuditPrefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]bool{}
	for _, kv := range resp.Kvs {
		if id, err := uuid.Parse(string(kv.Key[len(access.AuditPrefix):])); err == nil {
			out[id] = true
		}
	}
	return out
}

// localRecords reads every record of a laptop.
func localRecords(t *testing.T, l *laptop) map[string]core.Wire {
	out := map[string]core.Wire{}
	if err := l.db.SyncView(func(tx core.SyncTx) error {
		for _, rt := range core.RecordTypes {
			hidden, err := tx.Records(rt, func(w core.Wire, _ uint64) error {
				out[string(w.Type)+"/"+w.ID.String()] = w
				return nil
			})
			if err != nil || hidden > 0 {
				return fmt.Errorf("records: %d hidden, %v", hidden, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
