package monitor_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/monitor"
)

// promptly is how long a report (or New) may take with the network down or hanging. It takes
// well under a millisecond; the bound leaves room for a loaded machine under -race, and is far
// below what waiting on a hanging server would cost (seconds).
const promptly = time.Second

func report(t *testing.T, mon core.Monitor, msg string) {
	t.Helper()
	start := time.Now()
	mon.Event(core.MonitorEvent{Name: "test.offline", Message: msg, Level: "info"})
	if d := time.Since(start); d > promptly {
		t.Errorf("reporting %q took %s", msg, d)
	}
}

func TestSentry_Offline(t *testing.T) {
	t.Run("OK queued while the server is down, delivered once it is up", func(t *testing.T) {
		addr := closedAddr(t)
		dir := t.TempDir()
		mon := newMonitor(t, dsnFor(addr), dir)
		svc, _ := openService(t, dir, mon)
		start := time.Now()
		initAdmin(t, svc) // a command: login.success is reported
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("initialise and log in took %s with the server down", d)
		}
		report(t, mon, "offline 1")
		report(t, mon, "offline 2")
		files := waitQueued(t, dir, 3, 10*time.Second)
		checkModes(t, dir, files)

		in := startIngest(t, mustListen(t, addr), false)
		report(t, mon, "back online") // a delivery that works sends the queue too
		events := in.waitEvents(t, 4, 10*time.Second)
		want := []string{"login succeeded", "offline 1", "offline 2", "back online"}
		if got := messages(events); !sameSet(got, want) {
			t.Errorf("delivered %v, want %v", got, want)
		}
		waitQueued(t, dir, 0, 5*time.Second)
		_, _, bodies := in.snapshot()
		assertClean(t, bodies, dir, adminEmail, adminName, adminPW)
	})
	t.Run("OK queue retried on its own while online again", func(t *testing.T) {
		addr := closedAddr(t)
		dir := t.TempDir()
		mon := newMonitor(t, dsnFor(addr), dir, func(c *monitor.Config) { c.RetryInterval = 100 * time.Millisecond })
		report(t, mon, "retried")
		waitQueued(t, dir, 1, 10*time.Second)
		in := startIngest(t, mustListen(t, addr), false)
		if got := messages(in.waitEvents(t, 1, 10*time.Second)); !sameSet(got, []string{"retried"}) {
			t.Errorf("delivered %v", got)
		}
		waitQueued(t, dir, 0, 5*time.Second)
	})
	t.Run("OK queue delivered after a restart", func(t *testing.T) {
		addr := closedAddr(t)
		dir := t.TempDir()
		first := newMonitor(t, dsnFor(addr), dir)
		report(t, first, "before restart 1")
		report(t, first, "before restart 2")
		waitQueued(t, dir, 2, 10*time.Second)
		closeWithin(t, first, 500*time.Millisecond) // nothing in flight: no reason to wait

		in := startIngest(t, mustListen(t, addr), false)
		restart := time.Now()
		newMonitor(t, dsnFor(addr), dir)
		events := in.waitEvents(t, 2, 10*time.Second)
		if got := messages(events); !sameSet(got, []string{"before restart 1", "before restart 2"}) {
			t.Errorf("delivered %v", got)
		}
		_, headers, _ := in.snapshot()
		for _, h := range headers {
			if sent, err := time.Parse(time.RFC3339Nano, str(h, "sent_at")); err != nil || sent.Before(restart) {
				t.Errorf("sent_at %q is not the time of delivery (after %s)", str(h, "sent_at"), restart)
			}
		}
		waitQueued(t, dir, 0, 5*time.Second)
	})
	t.Run("OK a hanging server delays neither start nor exit", func(t *testing.T) {
		hang := newHangingIngest(t)
		dir := t.TempDir()
		mon := newMonitor(t, hang.dsn(), dir)
		report(t, mon, "never answered 1")
		report(t, mon, "never answered 2")
		closeWithin(t, mon, monitor.MaxFlush+500*time.Millisecond)
		waitQueued(t, dir, 2, time.Second) // kept for the next run

		start := time.Now()
		again := newMonitor(t, hang.dsn(), dir, func(c *monitor.Config) { c.FlushTimeout = 300 * time.Millisecond })
		if d := time.Since(start); d > promptly {
			t.Errorf("New took %s with a queue and a hanging server", d)
		}
		report(t, again, "never answered 3")
		closeWithin(t, again, 800*time.Millisecond)
		waitQueued(t, dir, 3, time.Second)

		in := newIngest(t)
		newMonitor(t, in.dsn(), dir)
		events := in.waitEvents(t, 3, 10*time.Second)
		if got := messages(events); !sameSet(got, []string{"never answered 1", "never answered 2", "never answered 3"}) {
			t.Errorf("delivered %v", got)
		}
	})
}

func closeWithin(t *testing.T, m *monitor.Sentry, limit time.Duration) {
	t.Helper()
	start := time.Now()
	m.Close()
	if d := time.Since(start); d > limit {
		t.Errorf("Close took %s, limit %s", d, limit)
	}
}

func sameSet(got, want []string) bool {
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// checkModes checks that the queue is private to the user: directory 0700, files 0600.
func checkModes(t *testing.T, dir string, files []string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	if fi, err := os.Stat(filepath.Join(dir, monitor.QueueDir)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("queue directory: %v, mode %v, want 0700", err, fi.Mode().Perm())
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v, want 0600", f, err, fi.Mode().Perm())
		}
	}
}

func TestSentry_QueueBounds(t *testing.T) {
	addr := closedAddr(t)
	dir := t.TempDir()
	mon := newMonitor(t, dsnFor(addr), dir, func(c *monitor.Config) { c.MaxQueueFiles = 5 })
	for i := range 12 {
		report(t, mon, "queued "+itoa(i))
	}
	deadline := time.Now().Add(10 * time.Second)
	for !queueHolds(t, dir, "queued 11") {
		if time.Now().After(deadline) {
			t.Fatal("the last event never reached the queue")
		}
		time.Sleep(10 * time.Millisecond)
	}
	files := queueFiles(t, dir)
	if len(files) != 5 {
		t.Fatalf("queue holds %d envelopes, want 5", len(files))
	}
	for i, f := range files {
		b, _ := os.ReadFile(f)
		if want := `"message":"queued ` + itoa(7+i) + `"`; !strings.Contains(string(b), want) {
			t.Errorf("envelope %d lacks %s: the oldest must go first", i, want)
		}
	}
}

func queueHolds(t *testing.T, dir, msg string) bool {
	for _, f := range queueFiles(t, dir) {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), `"message":"`+msg+`"`) {
			return true
		}
	}
	return false
}

func TestFromEnv(t *testing.T) {
	t.Run("OK no DSN: nothing sent, no queue", func(t *testing.T) {
		t.Setenv("SENTRY_DSN", "")
		dir := t.TempDir()
		mon, closeFn, err := monitor.FromEnv(dir, "epicevents@test")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := mon.(core.NopMonitor); !ok {
			t.Fatalf("monitor is %T, want core.NopMonitor", mon)
		}
		svc, _ := openService(t, dir, mon)
		initAdmin(t, svc)
		mon.Error(os.ErrClosed, nil)
		closeFn()
		if _, err := os.Stat(filepath.Join(dir, monitor.QueueDir)); !os.IsNotExist(err) {
			t.Errorf("queue directory exists without a DSN: %v", err)
		}
	})
	t.Run("OK DSN from the environment", func(t *testing.T) {
		in := newIngest(t)
		t.Setenv("SENTRY_DSN", in.dsn())
		t.Setenv("SENTRY_ENVIRONMENT", "staging")
		mon, closeFn, err := monitor.FromEnv(t.TempDir(), "epicevents@9.9.9")
		if err != nil {
			t.Fatal(err)
		}
		defer closeFn()
		report(t, mon, "hello")
		e := in.waitEvents(t, 1, 10*time.Second)[0]
		if str(e, "environment") != "staging" || str(e, "release") != "epicevents@9.9.9" {
			t.Errorf("environment %q release %q", str(e, "environment"), str(e, "release"))
		}
	})
	t.Run("ErrInvalidDSN", func(t *testing.T) {
		t.Setenv("SENTRY_DSN", "not a dsn")
		mon, closeFn, err := monitor.FromEnv(t.TempDir(), "epicevents@test")
		if err == nil {
			t.Fatal("no error for an invalid DSN")
		}
		if _, ok := mon.(core.NopMonitor); !ok || closeFn == nil {
			t.Errorf("monitor %T, close func nil %t: want core.NopMonitor and a function", mon, closeFn == nil)
		}
	})
}
