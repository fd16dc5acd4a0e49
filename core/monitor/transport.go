package monitor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
)

// Network limits: a hanging server costs at most requestTimeout per envelope, always in the
// background.
const (
	dialTimeout    = 5 * time.Second
	headerTimeout  = 10 * time.Second
	requestTimeout = 15 * time.Second
	maxPending     = DefaultMaxQueueFiles
)

// offline is the sentry.Transport of a Sentry monitor. It wraps sentry-go's HTTPTransport
// (asynchronous, rate-limit aware) and gives it an http.RoundTripper that sees each envelope:
// when delivery fails for a network reason, a 5xx or a 429, the envelope goes to the disk
// queue. A background loop delivers the queue at start, after each successful delivery and
// every retry interval. Close stores in the queue what could not be delivered in time.
type offline struct {
	inner  *sentry.HTTPTransport
	net    *http.Transport
	replay *http.Client
	queue  *diskQueue
	retry  time.Duration
	budget time.Duration
	dsn    *sentry.Dsn

	mu      sync.Mutex
	pending map[sentry.EventID]*sentry.Event // handed to inner, outcome unknown yet
	closed  bool

	wake      chan struct{}
	ctx       context.Context // cancelled by Close: stops the loop and aborts requests
	cancel    context.CancelFunc
	done      chan struct{} // closed when the loop ends
	startOnce sync.Once
	started   bool
	closeOnce sync.Once
}

type outcome int

const (
	delivered outcome = iota
	rejected          // the server refused it for good (4xx): retrying would not help
	retry             // network failure, 5xx or 429: keep it for later
)

func newOffline(cfg Config) *offline {
	ctx, cancel := context.WithCancel(context.Background())
	nt := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: headerTimeout,
		IdleConnTimeout:       time.Minute,
		MaxIdleConns:          2,
		ForceAttemptHTTP2:     true,
	}
	t := &offline{
		inner:   sentry.NewHTTPTransport(),
		net:     nt,
		replay:  &http.Client{Transport: nt, Timeout: requestTimeout},
		queue:   newDiskQueue(filepath.Join(cfg.DataDir, QueueDir), cfg.MaxQueueFiles, cfg.MaxQueueBytes),
		retry:   cfg.RetryInterval,
		budget:  cfg.FlushTimeout,
		pending: map[sentry.EventID]*sentry.Event{},
		wake:    make(chan struct{}, 1),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	t.inner.Timeout = requestTimeout
	return t
}

// Configure is called by the client: it configures the wrapped HTTPTransport with this
// transport's round tripper and starts delivering the queue in the background.
func (t *offline) Configure(opts sentry.ClientOptions) {
	dsn, err := sentry.NewDsn(opts.Dsn)
	if err != nil {
		return // New checked the DSN already
	}
	t.dsn = dsn
	opts.HTTPClient = nil
	opts.HTTPTransport = roundTripFunc(t.roundTrip)
	t.inner.Configure(opts)
	t.startOnce.Do(func() {
		t.started = true
		go t.loop()
	})
}

// SendEvent hands ev to the HTTPTransport without blocking; after Close it queues it on disk.
func (t *offline) SendEvent(ev *sentry.Event) {
	t.mu.Lock()
	closed := t.closed
	if !closed && len(t.pending) < maxPending {
		t.pending[ev.EventID] = ev
	}
	t.mu.Unlock()
	if closed {
		t.store(ev)
		return
	}
	t.inner.SendEvent(ev)
}

// Flush waits at most timeout for the HTTPTransport to deliver what it holds.
func (t *offline) Flush(timeout time.Duration) bool {
	if t.dsn == nil {
		return true
	}
	return t.inner.Flush(timeout)
}

// FlushWithContext is Flush bounded by ctx.
func (t *offline) FlushWithContext(ctx context.Context) bool {
	if t.dsn == nil {
		return true
	}
	return t.inner.FlushWithContext(ctx)
}

// Close flushes for at most the budget, queues the events still undelivered, aborts requests
// in flight and stops the background loop.
func (t *offline) Close() {
	t.closeOnce.Do(func() {
		deadline := time.Now().Add(t.budget)
		t.Flush(t.budget)
		t.mu.Lock()
		t.closed = true
		left := make([]*sentry.Event, 0, len(t.pending))
		for _, ev := range t.pending {
			left = append(left, ev)
		}
		t.pending = nil
		t.mu.Unlock()
		sort.Slice(left, func(i, j int) bool { return left[i].Timestamp.Before(left[j].Timestamp) })
		for _, ev := range left {
			t.store(ev)
		}
		t.cancel()
		if t.started {
			select {
			case <-t.done:
			case <-time.After(max(time.Until(deadline), 100*time.Millisecond)):
			}
		}
		t.inner.Close()
		t.net.CloseIdleConnections()
	})
}

// store queues ev as an envelope of its own.
func (t *offline) store(ev *sentry.Event) {
	if t.dsn == nil {
		return
	}
	if env, err := buildEnvelope(ev, t.dsn); err == nil {
		_ = t.queue.put(string(ev.EventID), env)
	}
}

// roundTrip sends one envelope for the HTTPTransport and settles its fate.
func (t *offline) roundTrip(req *http.Request) (*http.Response, error) {
	body, out, err := withBody(req)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(req.Context())
	unhook := context.AfterFunc(t.ctx, stop)
	release := func() { unhook(); stop() }
	resp, err := t.net.RoundTrip(out.WithContext(ctx))
	if err != nil {
		release()
	} else {
		resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	}
	t.settle(envelopeID(body), body, classify(resp, err))
	return resp, err
}

func (t *offline) settle(id string, body []byte, o outcome) {
	t.mu.Lock()
	delete(t.pending, sentry.EventID(id))
	closed := t.closed
	t.mu.Unlock()
	switch {
	case closed && o == delivered:
		t.queue.removeID(id) // Close queued it, but it made it after all
	case closed:
		// Close has queued it already.
	case o == retry && id != "":
		_ = t.queue.put(id, body)
	case o == delivered:
		t.kick()
	}
}

func (t *offline) kick() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// loop delivers the queue at once, then on each kick and every retry interval.
func (t *offline) loop() {
	defer close(t.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-t.wake:
		case <-timer.C:
		}
		t.deliverQueue()
		timer.Reset(t.retry)
	}
}

// deliverQueue sends the queued envelopes, oldest first, until one fails for a reason worth
// retrying later.
func (t *offline) deliverQueue() {
	entries, _ := t.queue.entries()
	for _, e := range entries {
		if t.ctx.Err() != nil {
			return
		}
		body, err := t.queue.read(e.name)
		if err != nil {
			continue // delivered by another process, or trimmed
		}
		if t.post(body) == retry {
			return
		}
		t.queue.remove(e.name)
	}
}

// post sends a queued envelope with a fresh sent_at (Sentry corrects event times by the
// difference between sent_at and arrival) and the current DSN.
func (t *offline) post(envelope []byte) outcome {
	envelope = refreshHeader(envelope, t.dsn)
	req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, t.dsn.GetAPIURL().String(), bytes.NewReader(envelope))
	if err != nil {
		return rejected
	}
	auth := fmt.Sprintf("Sentry sentry_version=7, sentry_client=sentry.go/%s, sentry_key=%s", sentry.SDKVersion, t.dsn.GetPublicKey())
	if secret := t.dsn.GetSecretKey(); secret != "" {
		auth += ", sentry_secret=" + secret
	}
	req.Header.Set("Content-Type", "application/x-sentry-envelope")
	req.Header.Set("User-Agent", "sentry.go/"+sentry.SDKVersion)
	req.Header.Set("X-Sentry-Auth", auth)
	resp, err := t.replay.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
	}
	return classify(resp, err)
}

func classify(resp *http.Response, err error) outcome {
	switch {
	case err != nil:
		return retry
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return delivered
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return retry
	}
	return rejected
}

type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// releasingBody calls release once the response body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

// Close closes the body and releases its request's context.
func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// withBody returns a copy of the request's body and a request that still has it.
func withBody(req *http.Request) ([]byte, *http.Request, error) {
	if req.Body == nil {
		return nil, req, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return b, req, err
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(b))
	return b, out, nil
}
