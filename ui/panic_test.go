package ui

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/epicevents/crm/core"
)

// monitorRecorder keeps what the window reports.
type monitorRecorder struct {
	mu     sync.Mutex
	errors []error
}

func (m *monitorRecorder) Event(core.MonitorEvent) {}

func (m *monitorRecorder) Error(err error, _ *core.Actor) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors = append(m.errors, err)
}

func TestBackground_PanicIsReportedAndShown(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	mon := &monitorRecorder{}
	g.opt.Monitor = mon
	background(g, func() (int, error) { panic("boom in a background load") }, func(int, error) {
		t.Error("apply must not run after a panic")
	})
	g.settle()
	if len(mon.errors) != 1 || !strings.Contains(mon.errors[0].Error(), "panic: boom in a background load") {
		t.Fatalf("reported %v", mon.errors)
	}
	if got := dialogTexts(g); !strings.Contains(got, "unexpected error") {
		t.Fatalf("dialog %q", got)
	}
}

func TestShowError_ReportsOnlyWindowErrors(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	mon := &monitorRecorder{}
	g.opt.Monitor = mon
	// core has already reported its internal errors: the window must not report them again.
	g.showError(core.InternalError("list clients", errors.New("disk gone")))
	g.showError(core.FieldErrorf("email", "is not a valid email address"))
	if len(mon.errors) != 0 {
		t.Fatalf("core errors reported again: %v", mon.errors)
	}
	g.showError(errors.New("writing the export: no space left on device"))
	if len(mon.errors) != 1 {
		t.Fatalf("a window error was not reported: %v", mon.errors)
	}
}

func TestGuard_CallbackPanicIsReportedAndShown(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	mon := &monitorRecorder{}
	g.opt.Monitor = mon
	// The New button of the Clients tab runs through guard like every toolbar and form action.
	tab := g.main.clients
	tab.spec.create = func() { panic("boom in a callback") }
	test.Tap(tab.newBtn)
	if len(mon.errors) != 1 || !strings.Contains(mon.errors[0].Error(), "panic: boom in a callback") {
		t.Fatalf("reported %v", mon.errors)
	}
	if got := dialogTexts(g); !strings.Contains(got, "unexpected error") {
		t.Fatalf("dialog %q", got)
	}
}
