package etcdtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// memberStatus is what a serving member says of itself: its id and the leader it knows
// (0 while it knows none).
type memberStatus struct {
	id, leader uint64
}

// Leader returns the index of the member that leads, waiting for an election if there is none.
func (c *Cluster) Leader() int {
	c.tb.Helper()
	deadline := time.Now().Add(ReadyTimeout)
	for time.Now().Before(deadline) {
		if i, ok := c.leader(); ok {
			return i
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.tb.Fatalf("etcdtest: no leader among the running members after %v%s", ReadyTimeout, c.logTails())
	return -1
}

// leader asks the running members who leads; ok is false while none names a running member.
func (c *Cluster) leader() (int, bool) {
	up := c.runningMembers()
	for _, st := range c.statuses(up) {
		if st == nil || st.leader == 0 {
			continue
		}
		for _, l := range up {
			if l.id == st.leader {
				return l.index, true
			}
		}
	}
	return -1, false
}

// waitReady waits until every member of ms serves and one of them knows a leader. A member
// that exits meanwhile ends the wait with an error.
func (c *Cluster) waitReady(ms []*member) error {
	deadline := time.Now().Add(ReadyTimeout)
	pending := append([]*member(nil), ms...)
	leader := false
	for time.Now().Before(deadline) {
		for _, m := range pending {
			if err := c.exitedErr(m); err != nil {
				return err
			}
		}
		var still []*member
		for i, st := range c.statuses(pending) {
			if st == nil {
				still = append(still, pending[i])
				continue
			}
			pending[i].id = st.id
			leader = leader || st.leader != 0
		}
		pending = still
		if len(pending) == 0 && leader {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("members not ready after %v", ReadyTimeout)
}

// statuses asks the members of ms for their status at the same time; nil for no answer.
func (c *Cluster) statuses(ms []*member) []*memberStatus {
	sts := make([]*memberStatus, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sts[i] = m.run.status(c, m)
		}()
	}
	wg.Wait()
	return sts
}

func (c *Cluster) exitedErr(m *member) error {
	select {
	case <-m.run.exited():
		return fmt.Errorf("%s exited while starting", m.name)
	default:
		return nil
	}
}

// remoteStatus asks member m for its status over the network, through the harness's client;
// nil when it does not answer within probeTimeout.
func (c *Cluster) remoteStatus(m *member) *memberStatus {
	cli, err := c.adminClient()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	st, err := cli.Status(ctx, m.clientURL)
	if err != nil {
		return nil
	}
	return &memberStatus{id: st.Header.MemberId, leader: st.Leader}
}

// adminClient is the harness's client, with Root's credentials: etcd 3.7 answers status
// requests only to authenticated users once auth is on (3.4 to anyone), and while auth is off
// the server ignores the certificate and the client ignores the password.
func (c *Cluster) adminClient() (*clientv3.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.admin != nil {
		return c.admin, nil
	}
	cfg := c.Config(c.root)
	cfg.DialTimeout = probeTimeout
	cli, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	c.admin = cli
	return cli, nil
}
