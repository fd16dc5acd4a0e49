package monitor

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/getsentry/sentry-go"

	"github.com/epicevents/crm/core"
)

// PanicReporter is a monitor that reports recovered panics itself (*Sentry does).
type PanicReporter interface {
	Panic(value any, actor *core.Actor)
}

// ReportPanic reports a recovered panic value to mon: through its Panic method when it has one,
// else as mon.Error. Call it from the deferred function that recovered, so that the stack trace
// starts at the panic site.
func ReportPanic(mon core.Monitor, value any, actor *core.Actor) {
	if p, ok := mon.(PanicReporter); ok {
		p.Panic(value, actor)
		return
	}
	mon.Error(panicError{value}, actor)
}

// Recover stops a panic in progress, reports it to mon with the panic site's stack trace, then
// calls then (if not nil) with the panic value — the window shows a dialog there. It does not
// re-panic: the goroutine or callback ends normally. It does nothing when there is no panic.
// It works only as a deferred call itself:
//
//	defer monitor.Recover(mon, actor, showPanicDialog)
func Recover(mon core.Monitor, actor *core.Actor, then func(value any)) {
	v := recover()
	if v == nil {
		return
	}
	ReportPanic(mon, v, actor)
	if then != nil {
		then(v)
	}
}

// Go runs fn in a new goroutine that reports a panic to mon and then calls then (if not nil)
// with the panic value instead of crashing the program; see Recover.
func Go(mon core.Monitor, actor *core.Actor, fn func(), then func(value any)) {
	go func() {
		defer Recover(mon, actor, then)
		fn()
	}()
}

type panicError struct{ value any }

func (p panicError) Error() string { return "panic: " + fmt.Sprint(p.value) }

const selfPkg = "github.com/epicevents/crm/core/monitor."

// stackHere returns the calling goroutine's stack trace for Sentry, oldest frame first, without
// the frames of this package, of sentry-go, of the runtime and of the testing package. When the
// goroutine is panicking (the caller runs in a deferred function), the trace starts at the panic
// site and panicking is true.
func stackHere() (st *sentry.Stacktrace, panicking bool) {
	pcs := make([]uintptr, 128)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var kept []runtime.Frame
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic" && !panicking:
			kept, panicking = kept[:0], true // drop the deferred function and the reporting code
		case keepFrame(f.Function):
			kept = append(kept, f)
		}
		if !more {
			break
		}
	}
	st = &sentry.Stacktrace{Frames: make([]sentry.Frame, 0, len(kept))}
	for i := len(kept) - 1; i >= 0; i-- {
		st.Frames = append(st.Frames, sentry.NewFrame(kept[i]))
	}
	return st, panicking
}

func keepFrame(fn string) bool {
	switch {
	case fn == "", strings.HasPrefix(fn, "runtime."), strings.HasPrefix(fn, "testing."):
		return false
	case strings.HasPrefix(fn, selfPkg), strings.HasPrefix(fn, "github.com/getsentry/sentry-go"):
		return false
	}
	return true
}

// setStack puts st on the outermost exception of ev (the last one) and, for a panic, marks it
// unhandled.
func setStack(ev *sentry.Event, st *sentry.Stacktrace, panicked bool) {
	if len(ev.Exception) == 0 {
		return
	}
	top := &ev.Exception[len(ev.Exception)-1]
	top.Stacktrace = st
	if !panicked {
		return
	}
	if top.Mechanism == nil {
		top.Mechanism = &sentry.Mechanism{Type: "panic"}
	}
	top.Mechanism.SetUnhandled()
}
