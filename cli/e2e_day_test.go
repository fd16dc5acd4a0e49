package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// signedContract returns the id of a signed contract of the demo data.
func (w *e2e) signedContract() string {
	w.t.Helper()
	for _, k := range w.list("contract", "list") {
		if k["status"] == "signed" {
			return k["id"].(string)
		}
	}
	w.t.Fatal("no signed contract in the demo data")
	return ""
}

func TestE2E_EventAgenda(t *testing.T) {
	w := world(t)
	k := w.signedContract()
	create := func(name, start, end string) map[string]any {
		return w.obj("event", "create", k, "--name", name, "--start", start, "--end", end, "--location", "Lyon", "--attendees", "5")
	}
	a := create("Agenda March", "2027-03-31 22:30", "2027-03-31 23:30")
	create("Agenda April", "2027-04-01 00:30", "2027-04-01 02:00")

	month := w.list("event", "agenda", "--month", "--from", "2027-03-15")
	if len(month) != 1 || month[0]["id"] != a["id"] {
		t.Fatalf("March = %s", names(month, "name"))
	}
	// --json prints the objects of event list.
	var listed map[string]any
	for _, e := range w.list("event", "list") {
		if e["id"] == a["id"] {
			listed = e
		}
	}
	if !reflect.DeepEqual(month[0], listed) {
		t.Errorf("agenda object %v\nevent list object %v", month[0], listed)
	}
	if got := names(w.list("event", "agenda", "--from", "2027-03-25"), "name"); got != "Agenda March" {
		t.Errorf("week from 25 March = %q", got)
	}
	if got := names(w.list("event", "agenda", "--week", "--from", "2027-04-01"), "name"); got != "Agenda April" {
		t.Errorf("week from 1 April = %q", got)
	}
	if out := w.ok("", "event", "agenda", "--month", "--from", "2027-04-20"); !strings.Contains(out, "Agenda April") || !strings.Contains(out, "2027-04-01") {
		t.Errorf("April, for people:\n%s", out)
	}
	w.fail(exitUsage, "not both", "", "event", "agenda", "--week", "--month")
	w.fail(exitInvalid, "from: must be a date", "", "event", "agenda", "--from", "March")
}

func TestE2E_ImportClients(t *testing.T) {
	w := world(t)
	var commercial string
	for _, u := range w.list("user", "list") {
		if u["department"] == "commercial" {
			commercial = u["email"].(string)
			break
		}
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clientsBefore := w.list("client", "list")
	auditBefore := len(w.list("audit"))

	// French Excel: BOM, semicolons, CRLF, French headers.
	good := write("fr.csv", "\ufeffNom complet;Courriel;Téléphone;Société;Notes;Commercial\r\n"+
		"Léa Import;lea@import.fr;01 02 03 04 05;Import SA;;"+commercial+"\r\n"+
		"Jo Import;jo@import.fr;'+33 6 11 22 33 44;Import SA;\"deux\r\nlignes\";"+commercial+"\r\n")
	out := w.ok("", "import", "clients", "--csv", good, "--dry-run")
	if !strings.Contains(out, "Dry run, nothing written: 2 to create, 0 to update, 0 unchanged.") {
		t.Errorf("dry run printed %q", out)
	}
	if len(w.list("client", "list")) != len(clientsBefore) || len(w.list("audit")) != auditBefore {
		t.Fatal("the dry run wrote something")
	}

	// One bad line rejects the whole file, with its line number.
	bad := write("bad.csv", "full_name,email,phone,company_name,commercial\n"+
		"Good Line,good@import.fr,0102030405,Good,"+commercial+"\n"+
		"Bad Line,not-an-email,0102030405,Bad,"+commercial+"\n")
	stdout, stderr, code := run(t, w.home, "", "import", "clients", "--csv", bad)
	if code != exitInvalid || !strings.Contains(stderr, "the first on line 3") || !strings.Contains(stdout, "line 3: email: ") {
		t.Fatalf("bad file: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if len(w.list("client", "list")) != len(clientsBefore) {
		t.Fatal("a rejected file wrote clients")
	}

	rep := w.obj("import", "clients", "--csv", good)
	if rep["created"] != 2.0 || rep["written"] != true {
		t.Fatalf("import = %v", rep)
	}
	if got := len(w.list("audit")) - auditBefore; got != 2 {
		t.Errorf("audit entries = %d, want one per client", got)
	}
	jo := w.list("client", "search", "jo import")
	if len(jo) != 1 || jo[0]["phone"] != "+33 6 11 22 33 44" || jo[0]["notes"] != "deux\nlignes" {
		t.Errorf("Jo = %v", jo)
	}

	// Re-importing an export changes nothing.
	export := filepath.Join(dir, "export.csv")
	w.ok("", "export", "clients", "--csv", export)
	before, audit := w.ok("", "client", "list", "--json"), len(w.list("audit"))
	rep = w.obj("import", "clients", "--csv", export)
	if rep["created"] != 0.0 || rep["updated"] != 0.0 || rep["unchanged"] != float64(len(clientsBefore)+2) {
		t.Errorf("re-import of the export = created %v updated %v unchanged %v", rep["created"], rep["updated"], rep["unchanged"])
	}
	if after := w.ok("", "client", "list", "--json"); after != before || len(w.list("audit")) != audit {
		t.Error("re-importing the export changed the clients or the audit trail")
	}

	w.as("lucas")
	w.fail(exitForbidden, "", "", "import", "clients", "--csv", good)
	w.fail(exitInvalid, "cannot read", "", "import", "clients", "--csv", filepath.Join(dir, "missing.csv"))
}
