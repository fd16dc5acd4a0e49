package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/epicevents/crm/cli"
	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/core/datadir"
)

// The window and the command line export the same records as the same bytes: core's schema of
// each record (core/csvschema.go), RFC 4180 with CRLF, times in RFC 3339 UTC. The window's
// bytes are those its Export CSV writes for the rows of each tab (all rows, in their default
// order); the command line's are those of `epicevents export KIND --csv FILE`, run on a copy of
// the same data directory (same database, same session).
func TestExportCSV_SameBytesAsCLI(t *testing.T) {
	e := newEnv(t, true)
	g := e.startAs(adminEmail)
	l, err := e.svc.ExportLookup(g.actor)
	mustNoErr(t, err)
	window := map[string][]byte{}
	var err2 error
	window["clients"], err2 = csvBytes(g.main.clients.spec.csv(g.main.clients.table.rows, l))
	mustNoErr(t, err2)
	window["contracts"], err2 = csvBytes(g.main.contracts.spec.csv(g.main.contracts.table.rows, l))
	mustNoErr(t, err2)
	window["events"], err2 = csvBytes(g.main.events.spec.csv(g.main.events.table.rows, l))
	mustNoErr(t, err2)

	// The command line on a copy of the database, logged in by itself (the window's session
	// has the test clock's times, long expired for the command line's real clock).
	home := t.TempDir()
	b, err := os.ReadFile(filepath.Join(e.dir, datadir.DatabaseFile))
	mustNoErr(t, err)
	mustNoErr(t, os.WriteFile(filepath.Join(home, datadir.DatabaseFile), b, 0o600))
	var stderr bytes.Buffer
	if code := cli.Main([]string{"login", "--email", adminEmail, "--password-stdin"}, cli.Env{
		Stdin: strings.NewReader(adminPass + "\n"), Stdout: &bytes.Buffer{}, Stderr: &stderr, DataDir: home}); code != 0 {
		t.Fatalf("login: exit %d: %s", code, stderr.String())
	}
	for kind, want := range window {
		if n := bytes.Count(want, []byte("\r\n")); n < 3 {
			t.Fatalf("%s: the window exports %d lines: the tab is not loaded", kind, n)
		}
		file := filepath.Join(t.TempDir(), kind+".csv")
		var stdout, stderr bytes.Buffer
		code := cli.Main([]string{"export", kind, "--csv", file},
			cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, DataDir: home})
		if code != 0 {
			t.Fatalf("export %s: exit %d: %s", kind, code, stderr.String())
		}
		got, err := os.ReadFile(file)
		mustNoErr(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("export %s differs:\nCLI:\n%s\nwindow:\n%s", kind, got, want)
		}
	}
	if !bytes.HasPrefix(window["clients"], []byte(strings.Join(core.ClientCSVHeader, ",")+"\r\n")) {
		t.Errorf("the client export does not start with core's header")
	}
}
