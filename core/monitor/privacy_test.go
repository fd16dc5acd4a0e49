package monitor_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

const (
	argon2Hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"
	otherJWT   = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
)

// A careless fmt.Errorf deep in the code must not leak anything personal or secret.
func TestSentry_Scrub(t *testing.T) {
	in, dir, mon := monitored(t)
	svc, _ := openService(t, dir, mon)
	admin := initAdmin(t, svc)
	home, _ := os.UserHomeDir()
	host, _ := os.Hostname()

	careless := fmt.Errorf("export for %s by %s (%s, tel %s) to %s failed on %s in %s: "+
		`password=%s {"password":"%s"} token %s, bearer %s, hash %s`,
		clientMail, adminName, adminEmail, clientTel, filepath.Join(dir, "export.csv"), host,
		filepath.Join(home, ".cache"), comPW, supPW, admin.Token(), otherJWT, argon2Hash)
	mon.Error(core.InternalError("export clients", careless), admin)
	mon.Event(core.MonitorEvent{Name: "export", Message: "exported for " + clientMail, Level: "warning",
		Tags: map[string]string{"note": "call " + clientTel, "email": clientMail}, Fields: []string{"email"}})
	mon.Event(core.MonitorEvent{Name: "after", Message: "a later event carries the breadcrumbs"})

	events := in.settled(t, mon, dir)
	if len(events) != 4 { // + login.success
		t.Fatalf("delivered %v, want 4 events", messages(events))
	}
	e := only(t, events, func(e map[string]any) bool { return str(e, "level") == "error" })
	exc := e["exception"].([]any)
	value := str(exc[len(exc)-1], "value")
	for _, mask := range []string{"export clients", "[email]", "[redacted]", "[phone]", "[data]", "[token]", "[hash]", "[host]", "~"} {
		if !strings.Contains(value, mask) {
			t.Errorf("scrubbed value %q lacks %q", value, mask)
		}
	}
	w := only(t, events, func(e map[string]any) bool { return str(e, "tags", "event") == "export" })
	if str(w, "level") != "warning" || str(w, "tags", "email") != "[redacted]" || str(w, "tags", "note") != "call [phone]" {
		t.Errorf("warning event: level %q tags %v", str(w, "level"), w["tags"])
	}
	if testing.Verbose() {
		b, _ := json.MarshalIndent(e, "", "  ")
		t.Logf("example error event:\n%s", b)
	}
	_, _, bodies := in.snapshot()
	assertClean(t, bodies, dir, clientMail, adminName, adminEmail, clientTel, comPW, supPW, admin.Token(), otherJWT, argon2Hash, home,
		"c2FsdHNhbHRzYWx0", "aGFzaGhhc2hoYXNoaGFzaA", "c2lnbmF0dXJlLXNpZ25hdHVyZQ")
}
