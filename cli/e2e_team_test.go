package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/epicevents/crm/replica/etcdtest"
)

// teamWorld is a real etcd cluster, management's data directory (hq, the demo database, in
// the team) and a commercial's laptop (road) that joined it with its own identity.
type teamWorld struct {
	c        *etcdtest.Cluster
	hq, road *e2e
	ep       string
	files    string // CA and certificate files
}

func (tw *teamWorld) connFlags(cert string) []string {
	return []string{"--endpoints", tw.ep, "--cacert", tw.c.CAFile(),
		"--cert", filepath.Join(tw.files, cert+".crt"), "--key", filepath.Join(tw.files, cert+".key")}
}

// startTeam starts a cluster of n members with start, client certificates required, and the
// team of newTeamWorld on it; skipped with -short, before any member starts.
func startTeam(t *testing.T, start func(testing.TB, int, etcdtest.Options) *etcdtest.Cluster, n int) (*etcdtest.Cluster, *teamWorld) {
	t.Helper()
	if binary == "" {
		t.Skip("end-to-end tests are skipped with -short")
	}
	c := start(t, n, etcdtest.Options{ClientCertAuth: true})
	return c, newTeamWorld(t, c)
}

// newClient creates a client with the phone 0102030405 and returns its id.
func (w *e2e) newClient(name, email, company string) string {
	w.t.Helper()
	cl := w.obj("client", "create", "--name", name, "--email", email, "--phone", "0102030405", "--company", company)
	return cl["id"].(string)
}

func newTeamWorld(t *testing.T, c *etcdtest.Cluster) *teamWorld {
	tw := &teamWorld{c: c, hq: world(t), ep: strings.Join(c.Endpoints(), ","), files: t.TempDir()}
	root, err := c.CA().IssueClient(etcdtest.RootUser)
	if err != nil {
		t.Fatal(err)
	}
	if err := root.Save(filepath.Join(tw.files, "root.crt"), filepath.Join(tw.files, "root.key")); err != nil {
		t.Fatal(err)
	}
	if err := c.CA().Save(filepath.Join(tw.files, "ca.crt"), filepath.Join(tw.files, "ca.key")); err != nil {
		t.Fatal(err)
	}
	hq := tw.hq
	hq.ok("", append([]string{"team", "create"}, tw.connFlags("root")...)...)
	// Management issues Jean's identity; Jean joins from an empty laptop.
	out := hq.ok("", "team", "identity", "jean.dupont@epicevents.com", "--ca-cert", filepath.Join(tw.files, "ca.crt"),
		"--ca-key", filepath.Join(tw.files, "ca.key"), "--out-cert", filepath.Join(tw.files, "jean.crt"),
		"--out-key", filepath.Join(tw.files, "jean.key"), "--json")
	var ident map[string]string
	if err := json.Unmarshal([]byte(out), &ident); err != nil || ident["department"] != "commercial" {
		t.Fatalf("identity: %s %v", out, err)
	}
	if fi, err := os.Stat(filepath.Join(tw.files, "jean.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	tw.road = &e2e{t: t, home: filepath.Join(t.TempDir(), "road")}
	if err := os.MkdirAll(tw.road.home, 0o700); err != nil {
		t.Fatal(err)
	}
	tw.road.ok("", append([]string{"team", "join"}, tw.connFlags("jean")...)...)
	jean := template.users["jean"]
	tw.road.ok(jean.password+"\n", "login", "--email", jean.email, "--password-stdin")
	return tw
}

func syncJSON(t *testing.T, w *e2e) map[string]float64 {
	t.Helper()
	var r map[string]float64
	out := w.ok("", "sync", "--json")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("sync --json: %q: %v", out, err)
	}
	for _, k := range []string{"pushed", "pulled", "conflicts", "revision"} {
		if _, ok := r[k]; !ok {
			t.Fatalf("sync --json lacks %q: %s", k, out)
		}
	}
	return r
}

// TestE2E_Team: the commands of §9 with the real binary and a real etcd (3.7 embedded, then
// Debian's 3.4): create, identity, join, propagation both ways, one conflict resolved, status,
// and exit code 8 with the cluster down.
func TestE2E_Team(t *testing.T) {
	for name, start := range map[string]func(testing.TB, int, etcdtest.Options) *etcdtest.Cluster{
		"embedded": etcdtest.StartEmbedded, "binary": etcdtest.StartBinary,
	} {
		t.Run(name, func(t *testing.T) {
			c, tw := startTeam(t, start, 1)
			hq, road := tw.hq, tw.road
			// road → hq
			id := road.newClient("Road Client", "road@client.io", "Road SA")
			if r := syncJSON(t, road); r["pushed"] < 1 {
				t.Fatalf("road sync: %v", r)
			}
			syncJSON(t, hq)
			if got := hq.obj("client", "view", id); got["company_name"] != "Road SA" {
				t.Fatalf("hq sees %v", got)
			}
			// The same field on both: one conflict, resolved --mine.
			road.ok("", "client", "update", id, "--notes", "from the road")
			hq.ok("", "client", "update", id, "--notes", "from hq")
			syncJSON(t, hq)
			if r := syncJSON(t, road); r["conflicts"] != 1 {
				t.Fatalf("road sync: %v, want one conflict", r)
			}
			cs := road.list("sync", "conflicts")
			if len(cs) != 1 || cs[0]["record_id"] != id || cs[0]["kind"] != "field" {
				t.Fatalf("conflicts: %v", cs)
			}
			mine, theirs := cs[0]["mine"].(map[string]any), cs[0]["theirs"].(map[string]any)
			if mine["notes"] != "from the road" || theirs["notes"] != "from hq" {
				t.Fatalf("conflict values: %v / %v", mine, theirs)
			}
			road.fail(exitUsage, "exactly one", "", "sync", "resolve", cs[0]["id"].(string), "--mine", "--theirs")
			road.ok("", "sync", "resolve", cs[0]["id"].(string)[:8], "--mine")
			syncJSON(t, road)
			syncJSON(t, hq)
			if got := hq.obj("client", "view", id); got["notes"] != "from the road" {
				t.Fatalf("hq notes after --mine: %v", got["notes"])
			}
			st := road.obj("sync", "status")
			if st["mode"] != "team" || st["connected"] != true || st["outbox"] != float64(0) || st["conflicts"] != float64(0) || st["last_sync"] == nil {
				t.Fatalf("status: %v", st)
			}
			// A commercial may not create a team nor take the laptop out of it.
			road.fail(exitForbidden, "", "", append([]string{"team", "create"}, tw.connFlags("jean")...)...)
			road.fail(exitForbidden, "", "", "team", "leave")
			// A second join on a laptop with a database is refused.
			hq.fail(exitConflict, "already has a database", "", append([]string{"team", "join"}, tw.connFlags("root")...)...)
			// Cluster down: exit 8 within the bound, the change kept.
			road.ok("", "client", "update", id, "--phone", "0908070605")
			c.Stop(0)
			began := time.Now()
			road.fail(8, "local changes are kept", "", "sync")
			if took := time.Since(began); took > 15*time.Second {
				t.Fatalf("sync took %v to give up", took)
			}
			if st := road.obj("sync", "status"); st["connected"] != false || st["outbox"] != float64(1) {
				t.Fatalf("offline status: %v", st)
			}
			c.Start(0)
			syncJSON(t, road)
			syncJSON(t, hq)
			if got := hq.obj("client", "view", id); got["phone"] != "0908070605" {
				t.Fatalf("hq phone: %v", got["phone"])
			}
			// Back to solo: hq keeps its copy.
			hq.ok("", "team", "leave")
			if st := hq.obj("sync", "status"); st["mode"] != "solo" {
				t.Fatalf("after leave: %v", st)
			}
			hq.fail(exitConflict, "not in a team", "", "sync")
		})
	}
}

// TestE2E_SoloSync: without team settings nothing touches the network.
func TestE2E_SoloSync(t *testing.T) {
	w := world(t)
	if st := w.obj("sync", "status"); st["mode"] != "solo" || st["connected"] != false {
		t.Fatalf("solo status: %v", st)
	}
	w.fail(exitConflict, "solo mode", "", "sync")
	w.fail(exitInvalid, "endpoints", "", "team", "create", "--endpoints", "ftp://x")
	w.fail(exitUsage, "missing flag --endpoints", "", "team", "create")
}
