package monitor_test

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/monitor"
)

// panicStore is the real store, except that Update panics once armed — a bug deep in a
// use-case.
type panicStore struct {
	core.Store
	armed atomic.Bool
}

func (s *panicStore) Update(fn func(core.Tx) error) error {
	if s.armed.Load() {
		panic(fmt.Sprintf("store exploded while saving %s", comEmail))
	}
	return s.Store.Update(fn)
}

// runCommand recovers a panic the way cli.Main does: Monitor.Error with the text of the stack
// (full of file paths), exit code 1.
func runCommand(mon core.Monitor, fn func()) (code int) {
	defer func() {
		if r := recover(); r != nil {
			mon.Error(fmt.Errorf("cli: panic: %v\n%s", r, debug.Stack()), nil)
			code = 1
		}
	}()
	fn()
	return 0
}

func TestSentry_Panic(t *testing.T) {
	t.Run("OK use-case panic reported by the command line", func(t *testing.T) {
		in, dir, mon := monitored(t)
		_, db := openService(t, dir, mon)
		store := &panicStore{Store: db}
		svc := core.NewService(store, core.Options{Monitor: mon})
		admin := initAdmin(t, svc)
		store.armed.Store(true)
		code := runCommand(mon, func() {
			svc.CreateUser(admin, core.UserInput{FullName: comName, Email: comEmail, Department: core.Commercial}, comPW)
		})
		if code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
		e := onlyPanic(t, in.settled(t, mon, dir))
		frames := topFrames(t, e)
		if !strings.HasSuffix(frames[0], "(*panicStore).Update") {
			t.Errorf("innermost frame %q, want the panic site (*panicStore).Update; all: %v", frames[0], frames)
		}
		if !slices.ContainsFunc(frames, func(f string) bool { return strings.HasSuffix(f, "(*Service).CreateUser") }) {
			t.Errorf("stack trace %v does not show the use-case", frames)
		}
		_, _, bodies := in.snapshot()
		assertClean(t, bodies, dir, comEmail, comPW, adminPW, admin.Token())
	})
	t.Run("OK goroutine panic reported, program goes on", func(t *testing.T) {
		in, dir, mon := monitored(t)
		got := make(chan any, 1)
		monitor.Go(mon, nil, func() { explode(nil) }, func(v any) { got <- v })
		select {
		case v := <-got:
			if !strings.Contains(fmt.Sprint(v), "index out of range") {
				t.Errorf("then got %v, want the panic value", v)
			}
		case <-time.After(hangBound):
			t.Fatal("then was not called")
		}
		e := onlyPanic(t, in.settled(t, mon, dir))
		if frames := topFrames(t, e); !strings.HasSuffix(frames[0], ".explode") {
			t.Errorf("innermost frame %q, want explode; all: %v", frames[0], frames)
		}
	})
	t.Run("OK window callback panic reported with the actor", func(t *testing.T) {
		in, dir, mon := monitored(t)
		svc, _ := openService(t, dir, mon)
		admin := initAdmin(t, svc)
		var dialog any
		onTapped := func() {
			defer monitor.Recover(mon, admin, func(v any) { dialog = v })
			panic("button handler failed for " + adminEmail)
		}
		onTapped()
		if dialog == nil {
			t.Fatal("then was not called")
		}
		e := onlyPanic(t, in.settled(t, mon, dir))
		if str(e, "user", "id") != admin.ID().String() || str(e, "user", "data", "department") != "management" {
			t.Errorf("user = %v", e["user"])
		}
		_, _, bodies := in.snapshot()
		assertClean(t, bodies, dir, adminEmail, adminName, adminPW, admin.Token())
	})
	t.Run("OK without Sentry the panic still stops", func(t *testing.T) {
		called := false
		func() {
			defer monitor.Recover(core.NopMonitor{}, nil, func(any) { called = true })
			explode(nil)
		}()
		if !called {
			t.Error("then was not called")
		}
	})
}

//go:noinline
func explode(s []int) int { return s[3] }

// onlyPanic returns the one fatal event of events and checks how it is marked.
func onlyPanic(t *testing.T, events []map[string]any) map[string]any {
	t.Helper()
	e := only(t, events, func(e map[string]any) bool { return str(e, "level") == "fatal" })
	if str(e, "tags", "kind") != "panic" {
		t.Errorf("kind tag = %q, want panic", str(e, "tags", "kind"))
	}
	exc := e["exception"].([]any)
	mech, _ := exc[len(exc)-1].(map[string]any)["mechanism"].(map[string]any)
	if handled, ok := mech["handled"].(bool); !ok || handled {
		t.Errorf("mechanism = %v, want handled false", mech)
	}
	return e
}
