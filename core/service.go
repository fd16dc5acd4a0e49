package core

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// Options configure a Service. Zero fields take the defaults.
type Options struct {
	// Clock returns the current time (default time.Now). Tests inject a fixed clock.
	Clock func() time.Time
	// Monitor receives business events and unexpected errors (default NopMonitor).
	Monitor Monitor
	// Hash sets the argon2id parameters; values below MinHashParams are raised to it.
	Hash HashParams
	// Admin administers the database (backup, check…); default: the store, when it
	// implements Admin.
	Admin Admin
	// Replicator is the sync engine of team mode (package replica); nil: solo mode only.
	Replicator Replicator
	// Refetcher gets healthy copies of damaged records for Repair (team mode: the sync
	// engine, from the cluster); nil: Repair uses backups only.
	Refetcher Refetcher
}

// Service runs every use-case of PRODUCT.md §3 and §4 on a Store. It is safe for concurrent use.
type Service struct {
	store   Store
	admin   Admin
	now     func() time.Time
	monitor Monitor
	hash    HashParams
	rep     Replicator
	refetch Refetcher

	keyMu sync.Mutex
	key   []byte

	// dummy is verified instead of a stored hash when a login's email is unknown.
	dummy string

	// damaged holds the records already reported to monitoring as damaged.
	damaged sync.Map
}

// NewService returns a Service over store.
func NewService(store Store, opt Options) *Service {
	s := &Service{store: store, admin: opt.Admin, now: opt.Clock, monitor: opt.Monitor, hash: opt.Hash,
		rep: opt.Replicator, refetch: opt.Refetcher}
	if ad, ok := store.(Admin); ok && s.admin == nil {
		s.admin = ad
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.monitor == nil {
		s.monitor = NopMonitor{}
	}
	s.hash.Memory = max(s.hash.Memory, MinHashParams.Memory)
	s.hash.Time = max(s.hash.Time, MinHashParams.Time)
	s.hash.Threads = max(s.hash.Threads, MinHashParams.Threads)
	s.dummy = dummyHash(s.hash)
	return s
}

// Now returns the service's current time, in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// view runs a read transaction and reports unexpected errors.
func (s *Service) view(a *Actor, op string, fn func(tx Tx) error) error {
	return s.report(a, InternalError(op, s.store.View(fn)))
}

// update runs one write transaction — one change — and reports unexpected errors.
// In team mode a Replicator that is also a Nudger is nudged after each committed change, so
// that a background sync (replica.Engine.Run) pushes it at once.
func (s *Service) update(a *Actor, op string, fn func(tx Tx) error) error {
	err := s.store.Update(fn)
	if n, ok := s.rep.(Nudger); ok && err == nil {
		n.Nudge()
	}
	return s.report(a, InternalError(op, err))
}

// Nudger is told that a local change was committed; Nudge must never block.
type Nudger interface{ Nudge() }

func (s *Service) report(a *Actor, err error) error {
	switch KindOf(err) {
	case Internal:
		s.monitor.Error(err, a)
	case Damaged:
		s.reportDamaged(a, err)
	}
	return err
}

// reportDamaged sends monitoring one event per damaged record and process: its type and id,
// never its content.
func (s *Service) reportDamaged(a *Actor, err error) {
	e, ok := asError(err)
	if !ok {
		return
	}
	key := string(e.Record) + "/" + e.ID.String()
	if _, seen := s.damaged.LoadOrStore(key, true); seen {
		return
	}
	tags := map[string]string{"record_type": string(e.Record)}
	if e.ID != uuid.Nil {
		tags["record_id"] = e.ID.String()
	}
	ev := MonitorEvent{Name: EventRecordDamaged, Message: "a stored record failed its checksum", Level: "warning", Tags: tags}
	if a != nil {
		ev.UserID, ev.Department = a.id, a.dept
	}
	s.monitor.Event(ev)
}

// audit appends one entry for a change made by a in tx.
func (s *Service) audit(tx Tx, a *Actor, action string, rec RecordType, id uuid.UUID, fields ...string) error {
	e := AuditEntry{At: s.Now(), Action: action, Record: rec, RecordID: id, Fields: fields}
	if a != nil {
		e.ActorID = a.id
	}
	return tx.AppendAudit(&e)
}

// authorize returns Unauthenticated for a nil actor and Forbidden when the actor's department
// has no right at all to the action.
func authorize(a *Actor, r resource, act action, what string) error {
	if a == nil {
		return unauthenticated(CodeNotLoggedIn)
	}
	if a.Can(r, act) == deny {
		return NewError(Forbidden, CodeDepartmentForbidden, a.dept, what)
	}
	return nil
}

func (s *Service) event(a *Actor, name, msg string, tags map[string]string, fields ...string) {
	e := MonitorEvent{Name: name, Message: msg, Level: "info", Tags: tags, Fields: fields}
	if a != nil {
		e.UserID, e.Department = a.id, a.dept
	}
	s.monitor.Event(e)
}

func newID() uuid.UUID { return uuid.Must(uuid.NewRandom()) }
