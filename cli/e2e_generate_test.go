package cli

import (
	"regexp"
	"strings"
	"testing"
)

// generatedCommercial matches the emails of the commercials generate adds.
var generatedCommercial = regexp.MustCompile(`^[a-z-]+\.[a-z-]+\.c[0-9]+@epicevents\.com$`)

func TestE2E_Generate(t *testing.T) {
	w := world(t)
	w.fail(exitUsage, "give --clients, --contracts or --events", "", "generate")
	w.fail(exitInvalid, "events need contracts", "", "generate", "--clients", "5", "--events", "5")
	before := len(w.list("client", "list"))

	got := w.obj("generate", "--clients", "40", "--contracts", "90", "--events", "120")
	has(t, "generate", got, "users", 3.0, "clients", 40.0, "contracts", 90.0, "events", 120.0,
		"audit_entries", 253.0)
	pw, _ := got["password"].(string)
	if pw == "" {
		t.Fatalf("generate gave no password for the collaborators: %v", got)
	}
	expect(t, "clients after generate", len(w.list("client", "list")), before+40)
	if out := w.ok("", "check"); strings.TrimSpace(out) != "ok" {
		t.Errorf("check after generate: %q", out)
	}
	// The generated collaborators sign in with the password shown once.
	var commercial string
	for _, u := range w.list("user", "list", "--department", "commercial") {
		if e := u["email"].(string); generatedCommercial.MatchString(e) {
			commercial = e
		}
	}
	if commercial == "" {
		t.Fatal("no generated commercial")
	}
	w.ok(pw+"\n", "login", "--email", commercial, "--password-stdin")
	if mine := w.list("client", "list", "--mine"); len(mine) == 0 {
		t.Errorf("the generated commercial %s has no clients", commercial)
	}
	w.fail(exitForbidden, "may not generate", "", "generate", "--clients", "1")

	w.as("admin")
	out := w.ok("", "generate", "--clients", "3")
	if !strings.HasPrefix(out, "Generated 2 collaborators, 3 clients, 0 contracts, 0 events (5 audit entries) in ") {
		t.Errorf("generate printed %q", out)
	}
}
