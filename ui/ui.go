// Package ui is the desktop application of Epic Events CRM (PRODUCT.md §7), built with Fyne over
// core. It never imports fyne.io/fyne/v2/app: main.go creates the app and hands it to Run, so the
// package tests with Fyne's test driver and no cgo.
package ui

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"

	"github.com/epicevents/crm/assets"
	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

// Options are what the window needs from main.go.
type Options struct {
	// Service runs every use-case; required.
	Service *core.Service
	// DataDir holds the session file shared with the CLI; "" keeps no session on disk.
	DataDir string
	// Version is shown in Help → About.
	Version string
	// Monitor receives unexpected errors met by the window (optional).
	Monitor core.Monitor
	// Syncer syncs in the background in team mode while the main screen is open (the sync
	// engine, see sync.go); nil: a loop over Service.Sync does.
	Syncer Syncer
}

// GUI is the running desktop application: one window whose content is the set-up, the login
// or the main screen.
type GUI struct {
	app   fyne.App
	win   fyne.Window
	opt   Options
	svc   *core.Service
	actor *core.Actor
	main  *mainScreen
	login *loginScreen
	setup *setupScreen

	// pending counts background work not yet applied to the window (tests wait on it).
	pending sync.WaitGroup
	// notify replaces the app's SendNotification when set (tests).
	notify func(*fyne.Notification)
}

// Run builds the application's window on a, shows the screen the situation calls for (set-up
// on a new database, the main screen when the saved session is still valid, the login
// otherwise) and returns the GUI. The caller then runs a.Run().
func Run(a fyne.App, opt Options) *GUI {
	if err := LoadTranslations(); err != nil {
		fyne.LogError("loading translations", err)
	}
	if opt.Monitor == nil {
		opt.Monitor = core.NopMonitor{}
	}
	g := &GUI{app: a, opt: opt, svc: opt.Service}
	useLazyFileWriters()
	if a.Icon() == nil {
		a.SetIcon(assets.Icon)
	}
	g.win = a.NewWindow(appTitle())
	g.win.SetMaster()
	g.win.SetOnClosed(g.stopSync)
	g.start()
	g.win.Show()
	return g
}

// Window returns the application's window.
func (g *GUI) Window() fyne.Window { return g.win }

func (g *GUI) start() {
	ok, err := g.svc.Initialized()
	switch {
	case err != nil:
		g.showLogin()
		dialog.ShowError(errors.New(errText(err)), g.win)
	case !ok:
		g.showSetup()
	default:
		if a := g.resume(); a != nil {
			g.showMain(a)
			return
		}
		g.showLogin()
	}
}

// resume returns the actor of the saved session, or nil when there is none or it is no longer
// valid.
func (g *GUI) resume() *core.Actor {
	if g.opt.DataDir == "" {
		return nil
	}
	tok, err := datadir.ReadSession(g.opt.DataDir)
	if err != nil {
		fyne.LogError("reading the session file", err)
	}
	if tok == "" {
		return nil
	}
	a, err := g.svc.Resume(tok)
	if err != nil {
		return nil
	}
	return a
}

// saveSession writes the actor's token where the CLI finds it too.
func (g *GUI) saveSession(a *core.Actor) {
	if g.opt.DataDir == "" {
		return
	}
	if err := datadir.SaveSession(g.opt.DataDir, a.Token()); err != nil {
		fyne.LogError("writing the session file", err)
	}
}

func (g *GUI) removeSession() {
	if g.opt.DataDir == "" {
		return
	}
	if err := datadir.RemoveSession(g.opt.DataDir); err != nil {
		fyne.LogError("removing the session file", err)
	}
}

// onUI hands a function to the UI goroutine. It is fyne.Do; the tests replace it with a queue
// that their own goroutine drains, since Fyne's test driver runs fyne.Do on the caller.
var onUI = fyne.Do

// background runs work off the UI goroutine and then apply on it, through fyne.Do. A panic in
// work is reported to monitoring and shown in a dialog instead of killing the program.
func background[T any](g *GUI, work func() (T, error), apply func(T, error)) {
	g.pending.Add(1)
	go func() {
		defer g.pending.Done()
		defer g.recoverPanic()
		v, err := work()
		onUI(func() { apply(v, err) })
	}()
}

// guard wraps a callback of the window so that a panic in it is reported and shown in a dialog
// instead of ending the program.
func (g *GUI) guard(fn func()) func() {
	return func() {
		defer g.recoverOnUI()
		fn()
	}
}

// recoverOnUI, deferred in a callback on the UI goroutine, reports a panic and shows a dialog.
func (g *GUI) recoverOnUI() {
	if r := recover(); r != nil {
		g.reportPanic(r)
		dialog.ShowError(errors.New(tr("An unexpected error occurred; it has been reported.")), g.win)
	}
}

func (g *GUI) reportPanic(r any) {
	g.opt.Monitor.Error(fmt.Errorf("panic: %v", r), g.actor)
}

// recoverPanic, deferred on a goroutine of the window, turns a panic into a report to
// monitoring (with the stack of the panic) and an error dialog.
func (g *GUI) recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	g.reportPanic(r)
	onUI(func() {
		dialog.ShowError(errors.New(tr("An unexpected error occurred; it has been reported.")), g.win)
	})
}

// showError shows an error from core in a dialog.
func (g *GUI) showError(err error) {
	if err == nil {
		return
	}
	var coreErr *core.Error
	if !errors.As(err, &coreErr) {
		// core reports its own internal errors; this one comes from the window itself.
		g.opt.Monitor.Error(err, g.actor)
	}
	if core.KindOf(err) == core.Unauthenticated && g.actor != nil {
		// the session ended (logout elsewhere, password change, deactivation): log in again
		g.endSession(false)
		dialog.ShowError(errors.New(errText(err)), g.win)
		return
	}
	dialog.ShowError(errors.New(errText(err)), g.win)
}

// showMain replaces the window content with the main screen of a.
func (g *GUI) showMain(a *core.Actor) {
	g.actor = a
	g.login, g.setup = nil, nil
	g.main = newMainScreen(g)
	g.main.sync = g.startSync(a)
	g.main.content = container.NewBorder(nil, g.main.sync.bar, nil, nil, g.main.content)
	g.win.SetTitle(appTitle() + " — " + a.FullName() + " (" + deptName(a.Department()) + ")")
	g.win.SetMainMenu(g.main.menu())
	g.win.Resize(fyne.NewSize(1200, 760))
	g.win.SetContent(g.main.content)
	g.win.Resize(fyne.NewSize(1200, 760)) // again: SetContent may shrink it to the content
	g.win.CenterOnScreen()
	g.main.addShortcuts()
	g.main.reloadAll()
	g.main.startReminders()
}

// stopSync ends the background sync of the session on screen, if any.
func (g *GUI) stopSync() {
	if g.main != nil && g.main.sync != nil {
		g.main.sync.stop()
	}
}

// endSession logs out (when logout is true, ending every session of the user in core too),
// forgets the saved session and shows the login screen.
func (g *GUI) endSession(logout bool) {
	if logout && g.actor != nil {
		if err := g.svc.Logout(g.actor); err != nil && core.KindOf(err) != core.Unauthenticated {
			g.showError(err)
		}
	}
	g.removeSession()
	g.stopSync()
	if g.main != nil {
		g.main.removeShortcuts()
		g.main.stopReminders()
	}
	g.actor, g.main = nil, nil
	g.win.SetMainMenu(nil)
	g.showLogin()
}

// debouncer runs a function once input has paused for a while.
type debouncer struct {
	g     *GUI
	delay time.Duration
	mu    sync.Mutex
	timer *time.Timer
}

// call (re)schedules fn to run on the UI goroutine after the delay.
func (d *debouncer) call(fn func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer == nil || !d.timer.Stop() {
		d.g.pending.Add(1)
	}
	d.timer = time.AfterFunc(d.delay, func() {
		defer d.g.pending.Done()
		onUI(fn)
	})
}
