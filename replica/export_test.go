package replica

import (
	"context"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
)

// PublishForTest publishes c to the cluster as push does, without acknowledging it locally:
// the state a sync killed between the cluster's answer and its local commit leaves.
func PublishForTest(t *testing.T, e *Engine, c core.Change) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	cli, err := e.client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, rev, _, err := e.pushOne(ctx, cli, c, map[recKey]base{}, nil); err != nil || rev == 0 {
		t.Fatalf("publish: rev %d, %v", rev, err)
	}
}
