package monitor

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/getsentry/sentry-go"
)

func TestScrubber_Text(t *testing.T) {
	dir := t.TempDir()
	home, _ := os.UserHomeDir()
	s := newScrubber(dir)
	s.host = hostPattern("laptop-ada.local")
	tests := []struct{ name, in, want string }{
		{"email", "mail to Ada.Lovelace+crm@example.co.uk now", "mail to [email] now"},
		{"unicode email", "from élodie@exemple.fr", "from [email]"},
		{"phone spaced", "call +678 123 456 78 today", "call [phone] today"},
		{"phone dotted", "tel: 01.23.45.67.89", "tel: [phone]"},
		{"phone parentheses", "(555) 123-4567", "[phone]"},
		{"short number kept", "attempt 12345 failed", "attempt 12345 failed"},
		{"uuid kept", "record 21132608-dd1a-4557-9d4f-633a6d266bb7", "record 21132608-dd1a-4557-9d4f-633a6d266bb7"},
		{"date kept", "due 2026-11-29", "due 2026-11-29"},
		{"ip kept", "dial tcp 127.0.0.1:8080", "dial tcp 127.0.0.1:8080"},
		{"version kept", "sentry-go@v0.46.2", "sentry-go@v0.46.2"},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x rejected", "token [token] rejected"},
		{"argon2", "hash $argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA stored", "hash [hash] stored"},
		{"password assignment", "password=hunter2&next=1", "password=[redacted]&next=1"},
		{"password json", `{"new_password": "hunter 2", "x": 1}`, `{"new_password": [redacted], "x": 1}`},
		{"password struct", "{Password:hunter2 Email:x}", "{Password:[redacted] Email:x}"},
		{"data dir", "open " + filepath.Join(dir, "crm.db") + ": denied", "open " + filepath.Join(maskData, "crm.db") + ": denied"},
		{"host", "no route from laptop-ada.local to laptop-ada", "no route from [host] to [host]"},
		{"host inside a word kept", "mylaptop-adapter", "mylaptop-adapter"},
	}
	if len(home) > 1 {
		tests = append(tests, struct{ name, in, want string }{"home", "read " + filepath.Join(home, "x.txt"), "read " + filepath.Join(maskHome, "x.txt")})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.text(tt.in, nil); got != tt.want {
				t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("secrets", func(t *testing.T) {
		if got := s.text("hello Ada Lovelace", []string{"Ada Lovelace", "x"}); got != "hello [redacted]" {
			t.Errorf("got %q", got)
		}
	})
}

func TestScrubber_Value(t *testing.T) {
	s := newScrubber(t.TempDir())
	type note struct {
		Author string
		Phone  string
	}
	got := s.value(map[string]any{
		"n":      3,
		"list":   []any{"a@b.example", 2.5},
		"struct": note{Author: "x@y.example", Phone: "0123456789"},
		"token":  "opaque",
	}, nil).(map[string]any)
	if got["n"] != 3 || got["token"] != redacted {
		t.Errorf("got %v", got)
	}
	if l := got["list"].([]any); l[0] != maskEmail || l[1] != 2.5 {
		t.Errorf("list %v", l)
	}
	if st := got["struct"].(map[string]any); st["Author"] != maskEmail || st["Phone"] != redacted {
		t.Errorf("struct %v", st)
	}
}

func TestScrubber_BeforeSend(t *testing.T) {
	dir := t.TempDir()
	s := newScrubber(dir)
	ev := &sentry.Event{
		Message:    "failed for Ada Lovelace",
		ServerName: "laptop-ada",
		User: sentry.User{ID: "u1", Email: "ada@example.com", Name: "Ada", Username: "ada", IPAddress: "10.0.0.1",
			Data: map[string]string{"department": "management", "email": "ada@example.com"}},
		Request:     &sentry.Request{URL: "http://x/?email=ada@example.com"},
		Tags:        map[string]string{"record_id": "21132608-dd1a-4557-9d4f-633a6d266bb7", "phone": "0123456789"},
		Contexts:    map[string]sentry.Context{"changes": {"fields": []string{"email"}, "note": "ada@example.com"}},
		Breadcrumbs: []*sentry.Breadcrumb{{Message: "sent to ada@example.com", Data: map[string]any{"password": "x"}}},
		Exception: []sentry.Exception{{Value: "open " + dir + "/crm.db", Stacktrace: &sentry.Stacktrace{
			Frames: []sentry.Frame{{AbsPath: filepath.Join(dir, "plugin", "x.go"), ContextLine: `pw := "ada@example.com"`,
				Vars: map[string]any{"token": "eyJhbGciOiJIUzI1NiJ9.e30.sig"}}}}}},
	}
	got := s.beforeSend(ev, &sentry.EventHint{Data: secretHint{"Ada Lovelace"}})
	want := sentry.User{ID: "u1", Data: map[string]string{"department": "management"}}
	if !reflect.DeepEqual(got.User, want) {
		t.Errorf("user = %+v, want %+v", got.User, want)
	}
	if got.Request != nil || got.ServerName != ServerName {
		t.Errorf("request %v, server name %q", got.Request, got.ServerName)
	}
	if got.Message != "failed for "+redacted {
		t.Errorf("message %q", got.Message)
	}
	if got.Tags["record_id"] != "21132608-dd1a-4557-9d4f-633a6d266bb7" || got.Tags["phone"] != redacted {
		t.Errorf("tags %v", got.Tags)
	}
	if c := got.Contexts["changes"]; !reflect.DeepEqual(c["fields"], []string{"email"}) || c["note"] != maskEmail {
		t.Errorf("context %v", c)
	}
	if b := got.Breadcrumbs[0]; b.Message != "sent to "+maskEmail || b.Data["password"] != redacted {
		t.Errorf("breadcrumb %+v", b)
	}
	e := got.Exception[0]
	f := e.Stacktrace.Frames[0]
	if e.Value != "open "+maskData+"/crm.db" || f.AbsPath != filepath.Join(maskData, "plugin", "x.go") ||
		f.ContextLine != `pw := "`+maskEmail+`"` || f.Vars["token"] != redacted {
		t.Errorf("exception %q, frame %+v", e.Value, f)
	}
}
