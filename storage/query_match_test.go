package storage

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
)

// The matcher must answer exactly as strings.Contains(strings.ToLower(field), needle).
func TestMatcher_Contains(t *testing.T) {
	alphabet := []string{"a", "B", "k", "K", "i", "I", "é", "É", "İ", "\u212a", "ß", " ", ".", "-", "\xff", "ǅ", "z"}
	r := rand.New(rand.NewPCG(3, 4))
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 200_000 {
		field, needle := word(r.IntN(12)), strings.ToLower(word(1+r.IntN(3)))
		m := newMatcher(needle)
		want := strings.Contains(strings.ToLower(field), needle)
		if got := m.contains([]byte(field)); got != want {
			t.Fatalf("contains(%q, %q) = %v, want %v", field, needle, got, want)
		}
	}
}

// eventHead must read the same fields as the full parse, whatever the times' encodings.
func TestEventHead_Parse(t *testing.T) {
	for _, e := range []core.Event{
		{ClientID: uuid.New(), ContractID: uuid.New(), Name: "Gala", Location: "Lyon", Start: t0, End: t0.Add(time.Hour)},
		{ClientID: uuid.New(), Name: "Séminaire", Location: "Nîmes", Start: time.Date(9999, 1, 1, 0, 0, 0, 5, time.UTC)},
		{ClientID: uuid.New(), Name: "x", Location: "y", SupportID: uuid.New(), Notes: "n", Attendees: 12},
	} {
		v := encodeEvent(&e, 0)
		var h eventHead
		if err := h.parse(v); err != nil {
			t.Fatal(err)
		}
		if h.clientID != e.ClientID || string(h.name) != e.Name || string(h.location) != e.Location {
			t.Errorf("head %+v of %+v", h, e)
		}
		end := bytes.LastIndex(v, []byte(e.Location)) + len(e.Location)
		if err := h.parse(v[:end-1]); err == nil {
			t.Errorf("a truncated event parsed: %+v", h)
		}
	}
}
