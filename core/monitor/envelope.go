package monitor

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/getsentry/sentry-go"
)

// buildEnvelope encodes ev as a Sentry envelope with one event item, as sentry-go's
// HTTPTransport does: a header line, an item header line with the length, the event JSON.
func buildEnvelope(ev *sentry.Event, dsn *sentry.Dsn) ([]byte, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	header, err := json.Marshal(map[string]any{
		"event_id": ev.EventID,
		"sent_at":  time.Now().UTC(),
		"dsn":      dsn.String(),
		"sdk":      map[string]string{"name": ev.Sdk.Name, "version": ev.Sdk.Version},
	})
	if err != nil {
		return nil, err
	}
	item, err := json.Marshal(map[string]any{"type": "event", "length": len(body)})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, part := range [][]byte{header, item, body} {
		b.Write(part)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// envelopeID returns the event id of an envelope's header, or "".
func envelopeID(envelope []byte) string {
	line, _, _ := bytes.Cut(envelope, []byte("\n"))
	var h struct {
		EventID string `json:"event_id"`
	}
	if json.Unmarshal(line, &h) != nil {
		return ""
	}
	return h.EventID
}

// refreshHeader sets the envelope header's sent_at to now and its dsn to dsn. The items are
// left byte for byte. An envelope whose header does not parse is returned unchanged.
func refreshHeader(envelope []byte, dsn *sentry.Dsn) []byte {
	line, rest, found := bytes.Cut(envelope, []byte("\n"))
	var h map[string]any
	if !found || json.Unmarshal(line, &h) != nil || h == nil {
		return envelope
	}
	h["sent_at"] = time.Now().UTC()
	h["dsn"] = dsn.String()
	line, err := json.Marshal(h)
	if err != nil {
		return envelope
	}
	out := make([]byte, 0, len(line)+1+len(rest))
	out = append(out, line...)
	out = append(out, '\n')
	return append(out, rest...)
}
