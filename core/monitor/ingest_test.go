package monitor_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/epicevents/crm/core/monitor"
)

// ingest is a local Sentry: it decodes the envelopes a real client posts to
// http://key@ADDR/1 and keeps the events and raw bodies.
type ingest struct {
	srv  *httptest.Server
	hang chan struct{} // when not nil, requests get no answer until it is closed

	mu      sync.Mutex
	headers []map[string]any
	events  []map[string]any
	bodies  [][]byte
	errs    []string
	ended   int // requests a hanging server let go: the client gave up on them
}

// newIngest starts an ingest server on a free port.
func newIngest(t testing.TB) *ingest {
	t.Helper()
	return startIngest(t, mustListen(t, "127.0.0.1:0"), false)
}

// newHangingIngest starts a server that accepts requests and never answers them.
func newHangingIngest(t testing.TB) *ingest {
	t.Helper()
	return startIngest(t, mustListen(t, "127.0.0.1:0"), true)
}

// startIngest serves on l, which may be a port a test reserved earlier.
func startIngest(t testing.TB, l net.Listener, hang bool) *ingest {
	t.Helper()
	in := &ingest{}
	if hang {
		in.hang = make(chan struct{})
	}
	in.srv = httptest.NewUnstartedServer(in)
	in.srv.Listener.Close()
	in.srv.Listener = l
	in.srv.Start()
	t.Cleanup(func() {
		if in.hang != nil {
			close(in.hang)
		}
		in.srv.Close()
		in.mu.Lock()
		defer in.mu.Unlock()
		for _, e := range in.errs {
			t.Errorf("ingest: %s", e)
		}
	})
	return in
}

func mustListen(t testing.TB, addr string) net.Listener {
	t.Helper()
	var err error
	for range 50 { // a port just closed may take a moment to be free again
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			return l
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("listen on %s: %v", addr, err)
	return nil
}

// closedAddr returns an address where nothing listens (connections are refused).
func closedAddr(t testing.TB) string {
	t.Helper()
	l := mustListen(t, "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	return addr
}

func dsnFor(addr string) string { return "http://key@" + addr + "/1" }

func (in *ingest) dsn() string { return dsnFor(in.srv.Listener.Addr().String()) }

// ServeHTTP checks the request like Sentry would and records its events.
func (in *ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if in.hang != nil {
		select {
		case <-in.hang:
		case <-r.Context().Done():
		}
		in.mu.Lock()
		in.ended++
		in.mu.Unlock()
		return
	}
	body, err := io.ReadAll(r.Body)
	switch {
	case err != nil:
		in.fail(w, "read body: %v", err)
	case r.Method != http.MethodPost || r.URL.Path != "/api/1/envelope/":
		in.fail(w, "unexpected %s %s", r.Method, r.URL.Path)
	case !strings.Contains(r.Header.Get("X-Sentry-Auth"), "sentry_key=key"):
		in.fail(w, "no sentry_key in X-Sentry-Auth %q", r.Header.Get("X-Sentry-Auth"))
	default:
		header, events, err := parseEnvelope(body)
		if err != nil {
			in.fail(w, "%v in %q", err, body)
			return
		}
		in.mu.Lock()
		in.bodies = append(in.bodies, body)
		for range events {
			in.headers = append(in.headers, header)
		}
		in.events = append(in.events, events...)
		in.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q}`, header["event_id"])
	}
}

func (in *ingest) fail(w http.ResponseWriter, format string, args ...any) {
	in.mu.Lock()
	in.errs = append(in.errs, fmt.Sprintf(format, args...))
	in.mu.Unlock()
	http.Error(w, "bad request", http.StatusBadRequest)
}

// parseEnvelope decodes a Sentry envelope: a header line, then items each made of a header line
// and a payload of "length" bytes (or up to the next newline), and returns the event payloads.
func parseEnvelope(b []byte) (map[string]any, []map[string]any, error) {
	rd := bufio.NewReader(bytes.NewReader(b))
	var header map[string]any
	if err := readJSONLine(rd, &header); err != nil {
		return nil, nil, fmt.Errorf("envelope header: %w", err)
	}
	var events []map[string]any
	for {
		var item struct {
			Type   string `json:"type"`
			Length *int   `json:"length"`
		}
		err := readJSONLine(rd, &item)
		if errors.Is(err, io.EOF) {
			return header, events, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("item header: %w", err)
		}
		payload, err := readPayload(rd, item.Length)
		if err != nil {
			return nil, nil, err
		}
		if item.Type == "event" {
			var ev map[string]any
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, nil, fmt.Errorf("event payload: %w", err)
			}
			events = append(events, ev)
		}
	}
}

func readJSONLine(rd *bufio.Reader, v any) error {
	line, err := rd.ReadBytes('\n')
	if len(bytes.TrimSpace(line)) == 0 {
		if err == nil {
			return readJSONLine(rd, v) // tolerate an empty line between items
		}
		return io.EOF
	}
	return json.Unmarshal(line, v)
}

func readPayload(rd *bufio.Reader, length *int) ([]byte, error) {
	if length == nil {
		line, err := rd.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return bytes.TrimSuffix(line, []byte("\n")), nil
	}
	payload := make([]byte, *length)
	if _, err := io.ReadFull(rd, payload); err != nil {
		return nil, fmt.Errorf("item payload of %d bytes: %w", *length, err)
	}
	if c, err := rd.ReadByte(); err == nil && c != '\n' {
		rd.UnreadByte()
	}
	return payload, nil
}

// snapshot returns copies of what arrived so far.
func (in *ingest) snapshot() (events, headers []map[string]any, bodies [][]byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]map[string]any(nil), in.events...), append([]map[string]any(nil), in.headers...),
		append([][]byte(nil), in.bodies...)
}

// hangBound is how long a test waits for something that must happen before it calls it a hang:
// a deadline far above the time it takes on a loaded machine under -race, never a speed limit.
const hangBound = 10 * time.Second

// settled waits until mon has delivered every event it holds (Flush) and the disk queue in dir
// is empty (a queued envelope leaves it once the server has answered its delivery), then returns
// every event the server received: nothing can still be on its way, so a test may count them.
func (in *ingest) settled(t *testing.T, mon *monitor.Sentry, dir string) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(hangBound)
	for !mon.Flush(monitor.MaxFlush) {
		if time.Now().After(deadline) {
			events, _, _ := in.snapshot()
			t.Fatalf("events still undelivered after %s; received %v", hangBound, messages(events))
		}
	}
	waitQueued(t, dir, 0, hangBound)
	events, _, _ := in.snapshot()
	return events
}

// endedRequests returns how many requests a hanging server saw the client give up on.
func (in *ingest) endedRequests() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.ended
}

func messages(events []map[string]any) []string {
	var out []string
	for _, e := range events {
		out = append(out, str(e, "message"))
	}
	return out
}

// str reads a string at a path of keys in decoded JSON, "" when absent.
func str(v any, path ...string) string {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// monitored is the usual scene of a test: an ingest server, a data directory and a monitor of
// that directory sending to the server.
func monitored(t testing.TB) (*ingest, string, *monitor.Sentry) {
	t.Helper()
	in := newIngest(t)
	dir := t.TempDir()
	return in, dir, newMonitor(t, in.dsn(), dir)
}

// newMonitor starts a monitor on dir, closed at the end of the test.
func newMonitor(t testing.TB, dsn, dir string, edit ...func(*monitor.Config)) *monitor.Sentry {
	t.Helper()
	cfg := monitor.Config{DSN: dsn, Environment: "test", Release: "epicevents@test", DataDir: dir}
	for _, e := range edit {
		e(&cfg)
	}
	m, err := monitor.New(cfg)
	if err != nil {
		t.Fatalf("monitor.New: %v", err)
	}
	t.Cleanup(m.Close)
	return m
}

// queueFiles lists the envelopes queued in dir, oldest first.
func queueFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, monitor.QueueDir, "*.envelope"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// waitQueued waits until the queue holds n envelopes.
func waitQueued(t *testing.T, dir string, n int, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		files := queueFiles(t, dir)
		if len(files) == n {
			return files
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d envelopes after %s, want %d", len(files), within, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// assertClean fails when a body holds one of the secrets (as is or JSON-escaped), an e-mail
// address, a JWT, an argon2 hash, the host name, the home directory or dir.
func assertClean(t *testing.T, bodies [][]byte, dir string, secrets ...string) {
	t.Helper()
	if len(bodies) == 0 {
		t.Fatal("no envelope to check")
	}
	home, _ := os.UserHomeDir()
	host, _ := os.Hostname()
	forbidden := append([]string{dir, filepath.ToSlash(dir), "$argon2", "eyJ"}, secrets...)
	if len(home) > 1 {
		forbidden = append(forbidden, home)
	}
	hostRE := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_-])` + regexp.QuoteMeta(host) + `($|[^\p{L}\p{N}_-])`)
	emailRE := regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}`)
	for i, b := range bodies {
		for _, s := range forbidden {
			quoted, _ := json.Marshal(s)
			if s != "" && (bytes.Contains(b, []byte(s)) || bytes.Contains(b, quoted[1:len(quoted)-1])) {
				t.Errorf("envelope %d contains %q:\n%s", i, s, b)
			}
		}
		if m := emailRE.Find(b); m != nil {
			t.Errorf("envelope %d contains an e-mail address %q", i, m)
		}
		if host != "" && hostRE.Match(b) {
			t.Errorf("envelope %d contains the host name %q", i, host)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
