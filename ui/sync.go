package ui

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// Team mode in the window (PRODUCT.md §9): a background loop keeps the laptop in step with the
// cluster while the main screen is open, a status line item says how it goes, the tabs follow
// colleagues' changes, and a badge opens the conflicts.

// Syncer is the background sync of team mode as the window needs it; the sync engine
// (replica.Engine) is one, and tests use a fake.
type Syncer interface {
	// Run syncs until ctx ends, calling notify (from its own goroutine) after anything changed
	// locally or the connection state moved. In solo mode it returns nil at once.
	Run(ctx context.Context, notify func()) error
	// Nudge asks Run to push now: a local change was just made. It never blocks.
	Nudge()
}

// Bounds of the fallback loop's pauses (serviceSyncer) and of the restarts of a Run that
// failed.
const (
	syncEvery      = 5 * time.Second
	syncMinBackoff = time.Second
	syncMaxBackoff = 30 * time.Second
	// syncCoalesce is the least time between two refreshes of the window caused by a stream
	// of notifications: well under the second of §9.
	syncCoalesce = 300 * time.Millisecond
)

// serviceSyncer is the loop used when main.go gives no Syncer: it calls Service.Sync for the
// logged-in actor, every syncEvery, at once when nudged, and backing off while the cluster
// cannot be reached.
type serviceSyncer struct {
	svc   *core.Service
	actor *core.Actor
	nudge chan struct{}
}

func newServiceSyncer(svc *core.Service, a *core.Actor) *serviceSyncer {
	return &serviceSyncer{svc: svc, actor: a, nudge: make(chan struct{}, 1)}
}

func (s *serviceSyncer) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

func (s *serviceSyncer) Run(ctx context.Context, notify func()) error {
	backoff := syncMinBackoff
	for ctx.Err() == nil {
		sctx, cancel := context.WithTimeout(ctx, core.SyncTimeout)
		_, err := s.svc.Sync(sctx, s.actor)
		cancel()
		if ctx.Err() != nil {
			break
		}
		wait := syncEvery
		switch core.KindOf(err) {
		case "":
			backoff = syncMinBackoff
		case core.Unavailable:
			wait, backoff = backoff, min(2*backoff, syncMaxBackoff)
		case core.Conflict:
			if st, serr := s.svc.SyncStatus(ctx, s.actor); serr == nil && st.Mode == core.ModeSolo {
				return nil // solo mode: nothing to sync
			}
			wait = syncMaxBackoff
		default:
			wait = syncMaxBackoff // refused: retrying at once would not help
		}
		notify()
		select {
		case <-ctx.Done():
		case <-s.nudge:
		case <-time.After(wait):
		}
	}
	return ctx.Err()
}

// syncSnapshot is what the window shows of team mode, read off the UI goroutine.
type syncSnapshot struct {
	status    core.SyncStatus
	conflicts []core.SyncConflict // those the actor may see
	people    map[string]string   // collaborators' names by id, for the conflicts' values
}

// teamSync is the team mode of one session of the main screen.
type teamSync struct {
	g      *GUI
	actor  *core.Actor
	syncer Syncer
	now    func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{} // team mode was turned on: Run again
	done   chan struct{} // closed when loop has returned

	// Read and written on the UI goroutine only.
	snap     syncSnapshot
	seen     bool  // snap holds a first status
	rev      int64 // the cluster revision the tabs show
	bar      *fyne.Container
	label    *widget.Label
	badge    *widget.Button
	dialog   *conflictsDialog
	team     *teamForm // the File → Team… form, once opened
	lastPoll time.Time

	mu    sync.Mutex
	busy  bool // a status read is under way
	dirty bool // a notification came during it
}

// startSync starts the background sync of a's session and returns the status line item to
// put at the bottom of the main screen.
func (g *GUI) startSync(a *core.Actor) *teamSync {
	s := &teamSync{g: g, actor: a, syncer: g.opt.Syncer, now: time.Now, wake: make(chan struct{}, 1),
		done: make(chan struct{})}
	if s.syncer == nil {
		s.syncer = newServiceSyncer(g.svc, a)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.label = widget.NewLabel("")
	s.badge = widget.NewButtonWithIcon("", theme.WarningIcon(), g.guard(s.showConflicts))
	s.badge.Importance = widget.WarningImportance
	s.badge.Hide()
	s.bar = container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.ViewRefreshIcon()), s.label), s.badge)
	s.bar.Hide() // solo mode shows nothing
	go s.loop()
	go s.tick()
	s.poke()
	return s
}

// stop ends the session's background sync.
func (s *teamSync) stop() { s.cancel() }

// syncStopWait bounds how long Stop waits for the sync to end (PRODUCT.md §5: quitting never
// waits on the network for long).
const syncStopWait = 2 * time.Second

// Stop ends the background sync and waits for it, up to syncStopWait, so that main.go closes
// the engine and the database after it. main.go calls it once the app has quit.
func (g *GUI) Stop() {
	if g.main == nil || g.main.sync == nil {
		return
	}
	s := g.main.sync
	s.stop()
	select {
	case <-s.done:
	case <-time.After(syncStopWait):
	}
}

// restart runs the sync again after team mode was turned on or off.
func (s *teamSync) restart() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
	s.syncer.Nudge()
	s.poke()
}

// nudge asks for a push now: the person just changed something.
func (s *teamSync) nudge() {
	s.syncer.Nudge()
	s.poke()
}

// loop runs the Syncer until the session ends, waiting for team mode in solo mode and
// restarting a Run that failed, with a growing pause.
func (s *teamSync) loop() {
	defer close(s.done)
	backoff := syncMinBackoff
	for s.ctx.Err() == nil {
		err := s.runOnce()
		if s.ctx.Err() != nil {
			return
		}
		wait := backoff
		if err == nil {
			wait, backoff = time.Duration(1<<62), syncMinBackoff // solo: until team mode is on
		} else {
			backoff = min(2*backoff, syncMaxBackoff)
		}
		select {
		case <-s.ctx.Done():
		case <-s.wake:
		case <-time.After(wait):
		}
	}
}

// runOnce runs the Syncer, turning a panic in it into a report instead of a crash.
func (s *teamSync) runOnce() (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.g.reportPanic(r)
			err = errors.New("sync stopped")
		}
	}()
	// The engine notifies from its own goroutine: the status read starts from the UI goroutine,
	// like every other background() call (its WaitGroup is never added to while a test waits).
	return s.syncer.Run(s.ctx, func() { onUI(s.poke) })
}

// tick redraws the age of the last sync ("Synced 3 s ago") every second.
func (s *teamSync) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			onUI(s.onTick)
		}
	}
}

// onTick redraws the status line, reads the status again every syncEvery (offline, the count
// of waiting changes grows), and nudges the sync when changes wait while the cluster answers:
// a write that did not nudge (a password change, an export's audit entry) is pushed too (UI
// goroutine).
func (s *teamSync) onTick() {
	if !s.live() || !s.seen || s.snap.status.Mode != core.ModeTeam {
		return
	}
	s.render()
	now := s.now()
	if now.Sub(s.lastPoll) < syncEvery {
		return
	}
	if st := s.snap.status; st.Connected && st.Outbox > 0 {
		s.syncer.Nudge()
	}
	s.poke()
}

// live reports whether this is still the session on screen (UI goroutine).
func (s *teamSync) live() bool {
	return s.ctx.Err() == nil && s.g.main != nil && s.g.main.sync == s
}

// poke reads the sync status and conflicts off the UI goroutine and shows them; notifications
// that come while a read is under way are folded into one more read (UI goroutine).
func (s *teamSync) poke() {
	s.mu.Lock()
	if s.busy {
		s.dirty = true
		s.mu.Unlock()
		return
	}
	s.busy = true
	s.mu.Unlock()
	s.read()
}

func (s *teamSync) read() {
	background(s.g, func() (syncSnapshot, error) {
		ctx, cancel := context.WithTimeout(s.ctx, core.SyncTimeout)
		defer cancel()
		st, err := s.g.svc.SyncStatus(ctx, s.actor)
		if err != nil {
			return syncSnapshot{}, err
		}
		cs, err := s.g.svc.Conflicts(s.actor)
		if err != nil || len(cs) == 0 {
			return syncSnapshot{status: st, conflicts: cs}, err
		}
		people := map[string]string{}
		contacts, err := s.g.svc.Contacts(s.actor)
		for _, c := range contacts {
			people[c.ID.String()] = c.FullName
		}
		return syncSnapshot{status: st, conflicts: cs, people: people}, err
	}, func(snap syncSnapshot, err error) {
		if s.live() {
			s.lastPoll = s.now()
			if err != nil {
				if s.ctx.Err() == nil && core.KindOf(err) == core.Unauthenticated {
					s.g.showError(err)
				}
			} else {
				s.apply(snap)
			}
		}
		s.mu.Lock()
		again := s.dirty && s.ctx.Err() == nil
		s.dirty = false
		if !again {
			s.busy = false
		}
		s.mu.Unlock()
		if again {
			s.g.pending.Add(1)
			time.AfterFunc(syncCoalesce, func() {
				defer s.g.pending.Done()
				s.read()
			})
		}
	})
}

// apply shows a snapshot and, when the cluster revision moved, refreshes the tabs and checks
// the open form (UI goroutine).
func (s *teamSync) apply(snap syncSnapshot) {
	prev, seen := s.rev, s.seen
	s.snap, s.seen = snap, true
	s.rev = snap.status.Revision
	s.render()
	if s.dialog != nil {
		s.dialog.update(snap.conflicts, snap.people)
	}
	if seen && snap.status.Revision != prev {
		s.g.main.liveRefresh()
	}
}

// render writes the status line item from the last snapshot (UI goroutine).
func (s *teamSync) render() {
	st := s.snap.status
	if st.Mode != core.ModeTeam {
		s.bar.Hide()
		return
	}
	s.label.SetText(syncText(st, s.now()))
	if n := len(s.snap.conflicts); n > 0 {
		s.badge.SetText(conflictsText(n))
		s.badge.Show()
	} else {
		s.badge.Hide()
	}
	s.bar.Show()
}

// syncText is the status line's sentence for st at now.
func syncText(st core.SyncStatus, now time.Time) string {
	switch {
	case !st.Connected && st.Outbox == 0:
		return tr("Offline")
	case !st.Connected && st.Outbox == 1:
		return tr("Offline — 1 change waiting")
	case !st.Connected:
		return tr("Offline — {{.Count}} changes waiting", map[string]any{"Count": fmtInt(st.Outbox)})
	case st.Outbox == 1:
		return tr("Syncing — 1 change waiting")
	case st.Outbox > 1:
		return tr("Syncing — {{.Count}} changes waiting", map[string]any{"Count": fmtInt(st.Outbox)})
	case st.LastSync == nil:
		return tr("Not synced yet")
	}
	age := max(now.Sub(*st.LastSync), 0)
	switch {
	case age < time.Minute:
		return tr("Synced {{.Seconds}} s ago", map[string]any{"Seconds": int(age / time.Second)})
	case age < time.Hour:
		return tr("Synced {{.Minutes}} min ago", map[string]any{"Minutes": int(age / time.Minute)})
	}
	return tr("Last synced {{.When}}", map[string]any{"When": fmtDateTime(*st.LastSync)})
}

// conflictsText is the badge: "1 conflict", "2 conflicts".
func conflictsText(n int) string {
	if n == 1 {
		return tr("1 conflict")
	}
	return tr("{{.Count}} conflicts", map[string]any{"Count": fmtInt(n)})
}

// nudgeSync tells the background sync that the person changed something.
func (g *GUI) nudgeSync() {
	if g.main != nil && g.main.sync != nil {
		g.main.sync.nudge()
	}
}

// liveRefresh reloads every tab after colleagues' changes arrived, keeping the selection, the
// scroll position and the search, and tells an open form whose record changed.
func (m *mainScreen) liveRefresh() {
	for _, v := range m.views {
		if l, ok := v.(interface{ liveRefresh() }); ok {
			l.liveRefresh()
		} else {
			v.refresh()
		}
	}
	m.checkOpenForm()
}

// liveRefresh reloads the tab without the "Loading…" status: the rows change in place.
func (t *listTab[T]) liveRefresh() {
	t.total = -1
	t.load()
}

// shownRecord is a form of an existing record: the record as the form opened it (ok false for
// a new record).
type shownRecord interface {
	shown() (w core.Wire, dlg *formDialog, ok bool)
}

func (f *clientForm) shown() (core.Wire, *formDialog, bool)   { return shownOf(f.client, f.dlg) }
func (f *contractForm) shown() (core.Wire, *formDialog, bool) { return shownOf(f.contract, f.dlg) }
func (f *eventForm) shown() (core.Wire, *formDialog, bool)    { return shownOf(f.event, f.dlg) }
func (f *userForm) shown() (core.Wire, *formDialog, bool)     { return shownOf(f.user, f.dlg) }

// shownOf is what a form shows: its record's wire form, or ok false while it has none (new).
func shownOf[R any, P interface {
	*R
	Wire() core.Wire
}](rec P, dlg *formDialog) (w core.Wire, _ *formDialog, ok bool) {
	if rec == nil {
		return core.Wire{}, dlg, false
	}
	return rec.Wire(), dlg, true
}

// checkOpenForm reads the record of the open form again and, when a colleague changed or
// deleted it meanwhile, says so at the top of the form. What the person typed stays.
func (m *mainScreen) checkOpenForm() {
	f, ok := m.form.(shownRecord)
	if !ok {
		return
	}
	opened, dlg, ok := f.shown()
	if !ok || dlg == nil || !dlg.visible() {
		return
	}
	g, a := m.g, m.g.actor
	background(g, func() (core.Wire, error) {
		return recordWire(g.svc, a, opened.Type, opened.ID)
	}, func(now core.Wire, err error) {
		if m.form != f || !dlg.visible() {
			return
		}
		switch {
		case core.KindOf(err) == core.NotFound:
			dlg.setNotice(tr("A colleague deleted this record meanwhile: saving it is no longer possible."))
		case err != nil:
		case !maps.Equal(now.Fields, opened.Fields):
			dlg.setNotice(tr("A colleague changed this record since you opened it: close and open it again to see their version."))
		}
	})
}

// recordWire reads a record again, in wire form.
func recordWire(svc *core.Service, a *core.Actor, t core.RecordType, id uuid.UUID) (core.Wire, error) {
	switch t {
	case core.ClientRecord:
		return wireOf(svc.GetClient(a, id))
	case core.ContractRecord:
		return wireOf(svc.GetContract(a, id))
	case core.EventRecord:
		return wireOf(svc.GetEvent(a, id))
	case core.UserRecord:
		return wireOf(svc.GetUser(a, id))
	}
	return core.Wire{}, core.NewError(core.Invalid, core.CodeUnknownRecordType, t)
}

// wireOf is the wire form of a record as a getter returned it, with the getter's error.
func wireOf[R any, P interface {
	*R
	Wire() core.Wire
}](rec R, err error) (core.Wire, error) {
	return P(&rec).Wire(), err
}
