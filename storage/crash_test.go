package storage

// The kill test of PRODUCT.md §6: a helper process (this test binary, re-executed with
// $EPICEVENTS_CRASH_DB set) writes through the real store via core.Service and prints one line
// per acknowledged change; the test kills it with SIGKILL at random moments and, after each
// kill, reopens the database and checks that nothing acknowledged is lost and that the indexes
// and the audit trail are in step with the records.

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/epicevents/crm/core"
)

// Environment of the helper process, and of the soak run.
const (
	crashDBEnv         = "EPICEVENTS_CRASH_DB"         // the database the helper writes to
	crashTokenEnv      = "EPICEVENTS_CRASH_TOKEN"      // a management session of that database
	crashCommercialEnv = "EPICEVENTS_CRASH_COMMERCIAL" // the commercial of the clients created
	crashRunEnv        = "EPICEVENTS_CRASH_RUN"        // the run number, to make emails unique
	soakKillsEnv       = "EPICEVENTS_SOAK_KILLS"       // kills of TestCrash_Kill (default 100)
	crashSeedEnv       = "EPICEVENTS_CRASH_SEED"       // replays the random kill moments
)

const (
	defaultKills   = 100
	killsPerDB     = 50                    // a fresh database every so many kills
	crashMaxWrites = 400                   // a helper that is not killed stops after these
	crashPassword  = "Crash-Test-Pass1!"   // of the world's administrator
	crashReadyLine = "ready"               // printed once the helper has opened the database
	crashWait      = 25 * time.Millisecond // kills land within this time after "ready"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashDBEnv); path != "" {
		os.Exit(crashWriter(path))
	}
	os.Exit(m.Run())
}

// crashWorld is an initialised database with a management session and an active commercial.
type crashWorld struct {
	path       string
	token      string
	admin      uuid.UUID
	commercial uuid.UUID
}

// newCrashWorld initialises a database at path through core.Service.
func newCrashWorld(tb testing.TB, path string) crashWorld {
	tb.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	svc := core.NewService(db, core.Options{})
	if _, err := svc.Initialize(core.InitInput{AdminName: "Ada Admin", AdminEmail: "admin@example.com", Password: crashPassword}); err != nil {
		tb.Fatal(err)
	}
	admin, err := svc.Login("admin@example.com", crashPassword)
	if err != nil {
		tb.Fatal(err)
	}
	com, err := svc.CreateUser(admin, core.UserInput{FullName: "Carl Commercial", Email: "carl@example.com", Department: core.Commercial}, crashPassword)
	if err != nil {
		tb.Fatal(err)
	}
	return crashWorld{path: path, token: admin.Token(), admin: admin.ID(), commercial: com.ID}
}

// crashWriter is the helper process: it writes until killed (or crashMaxWrites changes) and
// prints each change once Update has returned. It returns the exit code.
func crashWriter(path string) int {
	db, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: open:", err)
		return 2
	}
	svc := core.NewService(db, core.Options{})
	a, err := svc.Resume(os.Getenv(crashTokenEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: resume:", err)
		return 2
	}
	w := &writer{svc: svc, a: a, run: os.Getenv(crashRunEnv), commercial: uuid.MustParse(os.Getenv(crashCommercialEnv))}
	ack(crashReadyLine)
	for i := range crashMaxWrites {
		line, err := w.step(i)
		if err != nil {
			fmt.Fprintf(os.Stderr, "helper: step %d: %v\n", i, err)
			return 2
		}
		ack(line)
	}
	if err := db.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "helper: close:", err)
		return 2
	}
	return 0
}

// ack writes one line with a single write call, so a kill never leaves half a line.
func ack(line string) { _, _ = os.Stdout.WriteString(line + "\n") }

// writer makes the helper's changes: a cycle of client, contract, signature, event and client
// update, touching every record bucket, every index and the audit trail.
type writer struct {
	svc        *core.Service
	a          *core.Actor
	run        string
	commercial uuid.UUID
	client     core.Client
	contract   core.Contract
}

// step makes change i and returns its acknowledgement line: "<kind> <id> [<detail>]".
func (w *writer) step(i int) (string, error) {
	switch i % 5 {
	case 0:
		c, err := w.svc.CreateClient(w.a, core.ClientInput{FullName: "Client " + w.run, Email: fmt.Sprintf("c%s-%d@example.com", w.run, i),
			Phone: "+33 1 23 45 67 89", CompanyName: "Company " + w.run, Notes: "n0", CommercialID: w.commercial})
		w.client = c
		return fmt.Sprintf("client %s %s", c.ID, c.Email), err
	case 1:
		k, err := w.svc.CreateContract(w.a, core.ContractInput{ClientID: w.client.ID, Total: decimal.NewFromInt(int64(1000 + i))})
		w.contract = k
		return fmt.Sprintf("contract %s %s", k.ID, w.client.ID), err
	case 2:
		k, err := w.svc.SignContract(w.a, w.contract.ID)
		return fmt.Sprintf("sign %s", k.ID), err
	case 3:
		start := w.svc.Now().Add(24*time.Hour + time.Duration(i)*time.Minute)
		e, err := w.svc.CreateEvent(w.a, core.EventInput{ContractID: w.contract.ID, Name: "Event " + w.run, Start: start,
			End: start.Add(2 * time.Hour), Location: "Lyon", Attendees: i})
		return fmt.Sprintf("event %s %s", e.ID, w.contract.ID), err
	}
	notes := fmt.Sprintf("n%d", i)
	c, err := w.svc.UpdateClient(w.a, w.client.ID, core.ClientPatch{Notes: &notes})
	return fmt.Sprintf("update %s %d", c.ID, i), err
}

// acked is what the helpers acknowledged, accumulated over the runs on one database.
type acked struct {
	clients   map[uuid.UUID]string // id → email
	notes     map[uuid.UUID]int    // id → the step number of the last acknowledged notes update
	contracts map[uuid.UUID]uuid.UUID
	signed    map[uuid.UUID]bool
	events    map[uuid.UUID]uuid.UUID
	audit     map[uuid.UUID][]string // record id → actions acknowledged, in order
	extra     int                    // records committed but never acknowledged, so far
}

func newAcked() *acked {
	return &acked{clients: map[uuid.UUID]string{}, notes: map[uuid.UUID]int{}, contracts: map[uuid.UUID]uuid.UUID{},
		signed: map[uuid.UUID]bool{}, events: map[uuid.UUID]uuid.UUID{}, audit: map[uuid.UUID][]string{}}
}

// add records one acknowledgement line of the helper.
func (ak *acked) add(line string) error {
	f := strings.Fields(line)
	if len(f) < 2 {
		return fmt.Errorf("malformed line %q", line)
	}
	id, err := uuid.Parse(f[1])
	if err != nil || (f[0] != "sign" && len(f) != 3) {
		return fmt.Errorf("malformed line %q", line)
	}
	action := core.ActionCreate
	switch f[0] {
	case "client":
		ak.clients[id] = f[2]
	case "contract":
		ak.contracts[id] = uuid.MustParse(f[2])
	case "sign":
		ak.signed[id], action = true, core.ActionSign
	case "event":
		ak.events[id] = uuid.MustParse(f[2])
	case "update":
		ak.notes[id], _ = strconv.Atoi(f[2])
		action = core.ActionUpdate
	default:
		return fmt.Errorf("unknown line %q", line)
	}
	ak.audit[id] = append(ak.audit[id], action)
	return nil
}

// crashStats are the figures of a kill test.
type crashStats struct {
	kills, beforeReady, finished, acks, unacked int
}

func TestCrash_Kill(t *testing.T) {
	kills := defaultKills
	if testing.Short() {
		kills = 20
	}
	if v := os.Getenv(soakKillsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number", soakKillsEnv, v)
		}
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(crashSeedEnv); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("%d kills, seed %d (%s=%d replays the moments)", kills, seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	template := newCrashWorld(t, filepath.Join(t.TempDir(), "template.db"))
	clean, err := os.ReadFile(template.path)
	if err != nil {
		t.Fatal(err)
	}
	var st crashStats
	start := time.Now()
	for done := 0; done < kills; {
		w := template
		w.path = filepath.Join(t.TempDir(), "epicevents.db")
		if err := os.WriteFile(w.path, clean, 0o600); err != nil {
			t.Fatal(err)
		}
		ak := newAcked()
		for i := 0; i < killsPerDB && done < kills; i, done = i+1, done+1 {
			killOnce(t, w, done, rng, ak, &st)
			verifyAfterKill(t, w, ak, &st)
			if t.Failed() {
				t.Fatalf("kill %d of %d failed (seed %d)", done+1, kills, seed)
			}
		}
	}
	t.Logf("%d kills in %v: %d before the helper was ready, %d runs ended before their kill; "+
		"%d acknowledged writes all found; %d writes committed but killed before their acknowledgement",
		st.kills, time.Since(start).Round(time.Millisecond), st.beforeReady, st.finished, st.acks, st.unacked)
	if st.acks < kills/2 {
		t.Errorf("only %d acknowledged writes for %d kills: the kills do not land during writes", st.acks, kills)
	}
}

// killOnce starts a helper on w, kills it at a random moment and adds its acknowledgements.
func killOnce(t *testing.T, w crashWorld, run int, rng *rand.Rand, ak *acked, st *crashStats) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+w.path, crashTokenEnv+"="+w.token,
		crashCommercialEnv+"="+w.commercial.String(), crashRunEnv+"="+strconv.Itoa(run))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, crashMaxWrites+1)
	go readLines(out, lines)
	early := rng.IntN(10) == 0 // one kill in ten lands while the helper opens the database
	if early {
		time.Sleep(time.Duration(rng.Int64N(int64(15 * time.Millisecond))))
	} else {
		waitReady(t, lines, &stderr)
		time.Sleep(time.Duration(rng.Int64N(int64(crashWait))))
	}
	killed := cmd.Process.Kill() == nil
	werr := cmd.Wait()
	st.kills++
	ready := !early // waitReady took the ready line
	for line := range lines {
		if line == crashReadyLine {
			ready = true
			continue
		}
		if err := ak.add(line); err != nil {
			t.Fatal(err)
		}
		st.acks++
	}
	if !ready {
		st.beforeReady++
	}
	if werr != nil && (!killed || !isKilled(werr)) {
		t.Fatalf("helper: %v\n%s", werr, stderr.String())
	}
	if werr == nil {
		st.finished++
	}
}

func isKilled(err error) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && !ee.Exited()
}

// readLines sends each complete line of r, then closes lines.
func readLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return // a line without its newline was not acknowledged
		}
		lines <- strings.TrimSuffix(line, "\n")
	}
}

// waitReady waits for the helper's first line, which must be the ready line.
func waitReady(t *testing.T, lines <-chan string, stderr *strings.Builder) {
	t.Helper()
	select {
	case line, ok := <-lines:
		if !ok || line != crashReadyLine {
			t.Fatalf("helper did not start: %q\n%s", line, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("helper did not start within 30s")
	}
}

// verifyAfterKill reopens the database as the program would after a crash and checks it.
func verifyAfterKill(t *testing.T, w crashWorld, ak *acked, st *crashStats) {
	t.Helper()
	db, err := Open(w.path, Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("check after kill: %v", err)
	}
	err = db.View(func(tx core.Tx) error {
		if err := verifyRecords(t, tx, ak); err != nil {
			return err
		}
		n, err := extraRecords(tx, ak)
		if err != nil {
			return err
		}
		st.unacked += n - ak.extra
		ak.extra = n
		return verifyAudit(t, tx, ak)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// verifyRecords checks that every acknowledged record is there, reachable through its indexes.
func verifyRecords(t *testing.T, tx core.Tx, ak *acked) error {
	t.Helper()
	verifyClients(t, tx, ak)
	verifyContracts(t, tx, ak)
	for id, contract := range ak.events {
		byContract, _, err := tx.Events(core.EventFilter{ContractID: contract})
		if err != nil || !slices.ContainsFunc(byContract, func(e core.Event) bool { return e.ID == id }) {
			t.Errorf("acknowledged event %s is not listed under its contract: %v", id, err)
		}
	}
	return nil
}

func verifyClients(t *testing.T, tx core.Tx, ak *acked) {
	t.Helper()
	for id, email := range ak.clients {
		c, err := tx.ClientByEmail(email)
		if err != nil || c.ID != id {
			t.Errorf("acknowledged client %s (%s): %v", id, email, err)
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(c.Notes, "n")); err != nil || n < ak.notes[id] {
			t.Errorf("client %s has notes %q, want the acknowledged n%d or later", id, c.Notes, ak.notes[id])
		}
	}
}

func verifyContracts(t *testing.T, tx core.Tx, ak *acked) {
	t.Helper()
	for id, client := range ak.contracts {
		k, err := tx.Contract(id)
		if err != nil || k.ClientID != client || (ak.signed[id] && k.Status != core.Signed) {
			t.Errorf("acknowledged contract %s: %+v, %v", id, k, err)
			continue
		}
		byClient, _, err := tx.Contracts(core.ContractFilter{ClientID: client})
		if err != nil || !slices.ContainsFunc(byClient, func(c core.Contract) bool { return c.ID == id }) {
			t.Errorf("contract %s is not listed under its client: %v", id, err)
		}
	}
}

// extraRecords counts records committed by a helper but not acknowledged (killed in between).
func extraRecords(tx core.Tx, ak *acked) (int, error) {
	clients, _, err := tx.Clients(core.ClientFilter{})
	if err != nil {
		return 0, err
	}
	contracts, _, err := tx.Contracts(core.ContractFilter{})
	if err != nil {
		return 0, err
	}
	events, _, err := tx.Events(core.EventFilter{})
	if err != nil {
		return 0, err
	}
	return len(clients) + len(contracts) + len(events) - len(ak.clients) - len(ak.contracts) - len(ak.events), nil
}

// verifyAudit checks that the trail of each acknowledged record begins with the acknowledged
// actions, in order (a change committed but not acknowledged may follow them).
func verifyAudit(t *testing.T, tx core.Tx, ak *acked) error {
	t.Helper()
	trail, _, err := tx.Audit(core.AuditFilter{})
	if err != nil {
		return err
	}
	got := map[uuid.UUID][]string{}
	for _, e := range trail {
		got[e.RecordID] = append(got[e.RecordID], e.Action)
	}
	for id, want := range ak.audit {
		have := got[id]
		if len(have) < len(want) || !slices.Equal(have[:len(want)], want) {
			t.Errorf("audit trail of %s is %v, want it to begin with %v", id, have, want)
		}
	}
	return nil
}
