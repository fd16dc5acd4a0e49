// Package monitor reports to Sentry what PRODUCT.md §5 asks for — business events, unexpected
// errors and panics — without personal data, and without ever making the program wait on the
// network: envelopes that cannot be delivered are kept in a bounded queue in the data directory
// and sent later. See docs/MONITORING.md.
//
// Core does not import this package; main.go wires it in with FromEnv.
package monitor

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// ServerName is the server name of every event, in place of the host name.
const ServerName = "epicevents-desktop"

// Defaults of Config.
const (
	// MaxFlush is the longest Close waits, and the default FlushTimeout: PRODUCT.md §5's "at most
	// 2 s flush at exit".
	MaxFlush = 2 * time.Second
	// DefaultRetryInterval is how often an undelivered queue is retried while offline.
	DefaultRetryInterval = time.Minute
	// DefaultMaxQueueFiles bounds the number of envelopes in the disk queue.
	DefaultMaxQueueFiles = 500
	// DefaultMaxQueueBytes bounds the total size of the disk queue (5 MiB).
	DefaultMaxQueueBytes = 5 << 20
	// QueueDir is the queue's directory inside the data directory.
	QueueDir = "sentry-queue"
)

const maxBreadcrumbs = 30

// Config configures a Sentry monitor. DSN and DataDir are required; zero values of the other
// fields take the defaults.
type Config struct {
	// DSN is the Sentry project's DSN, e.g. https://key@o1.ingest.sentry.io/2.
	DSN string
	// Environment names the deployment, e.g. "production" (SENTRY_ENVIRONMENT).
	Environment string
	// Release is the product version, e.g. "epicevents@1.0.0".
	Release string
	// DataDir is the data directory: it holds the queue and its path is scrubbed from events.
	DataDir string
	// FlushTimeout bounds Close; it is at most MaxFlush, the default.
	FlushTimeout time.Duration
	// RetryInterval is the pause between attempts to deliver the queue while offline.
	RetryInterval time.Duration
	// MaxQueueFiles and MaxQueueBytes bound the disk queue; the oldest envelopes go first.
	MaxQueueFiles int
	MaxQueueBytes int64
}

func (c Config) withDefaults() Config {
	if c.FlushTimeout <= 0 || c.FlushTimeout > MaxFlush {
		c.FlushTimeout = MaxFlush
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = DefaultRetryInterval
	}
	if c.MaxQueueFiles <= 0 {
		c.MaxQueueFiles = DefaultMaxQueueFiles
	}
	if c.MaxQueueBytes <= 0 {
		c.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if c.Release == "" {
		c.Release = "epicevents@unknown" // never let sentry-go guess from git or the environment
	}
	return c
}

// Sentry is a core.Monitor that reports to Sentry. Its methods never block on the network and
// are safe for concurrent use.
type Sentry struct {
	client    *sentry.Client
	hub       *sentry.Hub
	transport *offline
	closeOnce sync.Once
}

var _ core.Monitor = (*Sentry)(nil)

// New starts a Sentry client for cfg. It returns at once: envelopes queued by an earlier run
// are delivered in the background. Errors: an empty DSN or data directory, an invalid DSN.
func New(cfg Config) (*Sentry, error) {
	if strings.TrimSpace(cfg.DSN) == "" {
		return nil, errors.New("monitor: no sentry dsn")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("monitor: no data directory")
	}
	cfg = cfg.withDefaults()
	if _, err := sentry.NewDsn(cfg.DSN); err != nil {
		return nil, fmt.Errorf("monitor: invalid sentry dsn: %w", err)
	}
	scrub := newScrubber(cfg.DataDir)
	tr := newOffline(cfg)
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:                    cfg.DSN,
		Environment:            cfg.Environment,
		Release:                cfg.Release,
		ServerName:             ServerName,
		SendDefaultPII:         false,
		Transport:              tr,
		BeforeSend:             scrub.beforeSend,
		BeforeBreadcrumb:       scrub.beforeBreadcrumb,
		MaxBreadcrumbs:         maxBreadcrumbs,
		Integrations:           keepIntegrations,
		DisableClientReports:   true,
		DisableMetrics:         true,
		DisableTelemetryBuffer: true,
		SampleRate:             1,
	})
	if err != nil {
		tr.Close()
		return nil, fmt.Errorf("monitor: start sentry: %w", err)
	}
	return &Sentry{client: client, hub: sentry.NewHub(client, sentry.NewScope()), transport: tr}, nil
}

// FromEnv returns the monitor the environment asks for, with the function to call at exit
// (it waits at most MaxFlush). Without SENTRY_DSN it is core.NopMonitor: no client, no network,
// no queue. SENTRY_ENVIRONMENT sets the environment. On an error (invalid DSN) it returns
// core.NopMonitor too, so the caller may warn and go on.
func FromEnv(dataDir, release string) (core.Monitor, func(), error) {
	dsn := strings.TrimSpace(os.Getenv("SENTRY_DSN"))
	if dsn == "" {
		return core.NopMonitor{}, func() {}, nil
	}
	s, err := New(Config{DSN: dsn, Environment: os.Getenv("SENTRY_ENVIRONMENT"), Release: release, DataDir: dataDir})
	if err != nil {
		return core.NopMonitor{}, func() {}, err
	}
	return s, s.Close, nil
}

// keepIntegrations drops the integrations that read source files from disk (context lines) or
// copy environment variables into tags.
func keepIntegrations(in []sentry.Integration) []sentry.Integration {
	return slices.DeleteFunc(in, func(i sentry.Integration) bool {
		return i.Name() == "ContextifyFrames" || i.Name() == "GlobalTags"
	})
}

// Event reports a business event: its message and level; tags "event", "department" and the
// event's own tags; the changed field names in context "changes" (key "fields"); the actor's id
// and department as user. It is also kept as a breadcrumb for later events.
func (s *Sentry) Event(e core.MonitorEvent) {
	ev := sentry.NewEvent()
	ev.Message = e.Message
	ev.Level = level(e.Level)
	ev.Tags = map[string]string{"event": e.Name}
	for k, v := range e.Tags {
		ev.Tags[k] = v
	}
	if len(e.Fields) > 0 {
		// sentry-go 0.46 has no "extra" any more: the field names go in a context of their own.
		ev.Contexts = map[string]sentry.Context{"changes": {"fields": slices.Clone(e.Fields)}}
	}
	s.capture(ev, e.UserID, e.Department, nil)
	data := map[string]any{"event": e.Name}
	if id := e.Tags["record_id"]; id != "" {
		data["record_id"] = id
	}
	s.hub.AddBreadcrumb(&sentry.Breadcrumb{Category: "crm", Message: e.Message, Level: ev.Level, Data: data}, nil)
}

// Error reports an unexpected error with the stack trace of the calling goroutine, at level
// error, tagged with its kind. Called from a deferred function while the goroutine panics (after
// recover), it reports a panic instead: level fatal, stack trace from the panic site.
func (s *Sentry) Error(err error, actor *core.Actor) {
	if err == nil {
		return
	}
	st, panicking := stackHere()
	if panicking {
		s.reportPanic(err, st, actor)
		return
	}
	ev := s.client.EventFromException(err, sentry.LevelError)
	setStack(ev, st, false)
	ev.Tags = map[string]string{"kind": string(core.KindOf(err))}
	s.captureFor(ev, actor)
}

// Panic reports a recovered panic value at level fatal, with the stack trace from the panic
// site when called (directly or not) from the deferred function that recovered.
func (s *Sentry) Panic(value any, actor *core.Actor) {
	st, _ := stackHere()
	s.reportPanic(value, st, actor)
}

func (s *Sentry) reportPanic(value any, st *sentry.Stacktrace, actor *core.Actor) {
	ev := sentry.NewEvent()
	ev.Level = sentry.LevelFatal
	if err, ok := value.(error); ok {
		ev.SetException(err, -1)
	} else {
		ev.Exception = []sentry.Exception{{Type: "panic", Value: fmt.Sprint(value)}}
	}
	setStack(ev, st, true)
	ev.Tags = map[string]string{"kind": "panic"}
	s.captureFor(ev, actor)
}

// Flush waits at most timeout (and at most MaxFlush) for buffered events to be delivered and
// reports whether they were.
func (s *Sentry) Flush(timeout time.Duration) bool {
	return s.client.Flush(min(timeout, MaxFlush))
}

// Close flushes for at most the configured FlushTimeout (≤ 2 s), stores what is still
// undelivered in the disk queue for the next run, and stops the background delivery. Events
// reported after Close go straight to the queue. Close may be called more than once.
func (s *Sentry) Close() {
	s.closeOnce.Do(func() {
		s.transport.Close()
		s.client.Close()
	})
}

func (s *Sentry) captureFor(ev *sentry.Event, a *core.Actor) {
	if a == nil {
		s.capture(ev, uuid.Nil, "", nil)
		return
	}
	s.capture(ev, a.ID(), a.Department(), []string{a.Email(), a.FullName(), a.Token()})
}

// capture sends ev with the actor as user (id and department only). secrets are exact strings
// the scrubber removes from this event in addition to its patterns.
func (s *Sentry) capture(ev *sentry.Event, id uuid.UUID, dept core.Department, secrets []string) {
	scope := s.hub.Scope().Clone()
	if dept != "" {
		scope.SetTag("department", string(dept))
	}
	if id != uuid.Nil {
		u := sentry.User{ID: id.String()}
		if dept != "" {
			u.Data = map[string]string{"department": string(dept)}
		}
		scope.SetUser(u)
	}
	s.client.CaptureEvent(ev, &sentry.EventHint{Data: secretHint(secrets)}, scope)
}

func level(l string) sentry.Level {
	switch strings.ToLower(l) {
	case "warning", "warn":
		return sentry.LevelWarning
	case "error":
		return sentry.LevelError
	case "fatal":
		return sentry.LevelFatal
	case "debug":
		return sentry.LevelDebug
	}
	return sentry.LevelInfo
}
