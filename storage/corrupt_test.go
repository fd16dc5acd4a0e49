package storage

// Bit flips inside stored values (issue #13): copies of a real database are damaged only inside
// record values and index entries — located in the file's live leaf pages, not in free pages
// or page headers — thousands of times. Every flip must be detected by Check, no damaged value
// may come back as data from any read or list, and nothing may panic.

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/epicevents/crm/core"
)

const (
	corruptFlipsEnv = "EPICEVENTS_FLIPS" // number of damaged copies (default corruptFlips)
	corruptFlips    = 3000
	corruptSeedEnv  = "EPICEVENTS_FLIP_SEED"
)

// flipTarget is one stored key‖value of a bucket, located in the file.
type flipTarget struct {
	bucket     string
	tb         *table // the record table, or the table an index follows
	idx        *index // nil for a record or audit entry
	key        []byte
	off        int64 // offset of key‖value in the file
	klen, vlen int
}

// flipTruth is the database's content before any flip.
type flipTruth struct {
	users     map[uuid.UUID]core.User
	clients   map[uuid.UUID]core.Client
	contracts map[uuid.UUID]core.Contract
	events    map[uuid.UUID]core.Event
	audit     map[uint64]core.AuditEntry
}

// flipTally counts what the flips did.
type flipTally struct {
	flips, records, audits, entries   int
	detected, shownAsData, crashes    int
	hiddenInLists, damagedDirectReads int
	listsShortUnreported              int // index flips that left a list short without a count
}

func TestDB_BitFlips(t *testing.T) {
	n := corruptFlips
	if v := os.Getenv(corruptFlipsEnv); v != "" {
		n, _ = strconv.Atoi(v)
	} else if testing.Short() || raceEnabled {
		n = 300
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(corruptSeedEnv); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (%s=%d replays the same flips)", seed, corruptSeedEnv, seed)
	r := rand.New(rand.NewPCG(seed, 2))
	path := flipWorld(t)
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	truth := readTruth(t, path)
	targets, ambiguous := locateTargets(t, path, clean)
	t.Logf("database of %d bytes: %d values located (%d left out: their bytes occur more than once)", len(clean), len(targets), ambiguous)
	var tally flipTally
	for range n {
		tg := targets[r.IntN(len(targets))]
		data := bytes.Clone(clean)
		what := flip(r, data, tg)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		flipOnce(t, path, tg, truth, &tally)
		if t.Failed() {
			kept := filepath.Join(os.TempDir(), fmt.Sprintf("epicevents-flipped-%d.db", seed))
			_ = os.WriteFile(kept, data, 0o600)
			t.Fatalf("flip %d in %s %x (%s) failed; the copy is kept as %s", tally.flips, tg.bucket, tg.key, what, kept)
		}
	}
	t.Logf("%d flips: %d in records, %d in audit entries, %d in index entries; detected by Check %d (%.1f%%); "+
		"shown as data %d; crashes %d; damaged records hidden from lists %d times, refused on direct read %d times; "+
		"index flips that left a list short without a count %d",
		tally.flips, tally.records, tally.audits, tally.entries, tally.detected, 100*float64(tally.detected)/float64(tally.flips),
		tally.shownAsData, tally.crashes, tally.hiddenInLists, tally.damagedDirectReads, tally.listsShortUnreported)
	if tally.detected != tally.flips || tally.shownAsData != 0 || tally.crashes != 0 {
		t.Fatal("every flip must be detected, none shown as data, none crash")
	}
}

// flipWorld generates a real database: collaborators, clients, contracts of every status,
// events assigned or not, with their audit entries and indexes.
func flipWorld(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "epicevents.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(db, core.Options{})
	if _, err := svc.Initialize(core.InitInput{AdminName: "Ada Admin", AdminEmail: "ada@example.com", Password: localPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Generate(GenerateOptions{Clients: 120, Contracts: 160, Events: 120, Commercials: 3, Supports: 3,
		PasswordHash: weakPHC("x"), Now: time.Now(), Seed: 11}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func readTruth(t *testing.T, path string) flipTruth {
	t.Helper()
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tr flipTruth
	mustView(t, db, func(tx core.Tx) error {
		us, _, err := tx.Users(core.UserFilter{})
		cs, _, err2 := tx.Clients(core.ClientFilter{})
		ks, _, err3 := tx.Contracts(core.ContractFilter{})
		es, _, err4 := tx.Events(core.EventFilter{})
		as, _, err5 := tx.Audit(core.AuditFilter{})
		tr = flipTruth{users: byKey(us, userID), clients: byKey(cs, clientID), contracts: byKey(ks, contractID),
			events: byKey(es, eventID), audit: byKey(as, func(a core.AuditEntry) uint64 { return a.Seq })}
		return errors.Join(err, err2, err3, err4, err5)
	})
	return tr
}

// byKey maps records by key.
func byKey[K comparable, R any](rs []R, key func(R) K) map[K]R {
	m := make(map[K]R, len(rs))
	for _, r := range rs {
		m[key(r)] = r
	}
	return m
}

// locateTargets finds, for every record, audit entry and index entry, where its key‖value lies
// in the file: bbolt keeps a leaf element's key and value side by side. Only values found
// exactly once, inside a leaf page in use, are kept.
func locateTargets(t *testing.T, path string, data []byte) ([]flipTarget, int) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var targets []flipTarget
	ambiguous := 0
	err = bdb.View(func(btx *bbolt.Tx) error {
		leaf := liveLeafPages(btx)
		ps := int64(bdb.Info().PageSize)
		add := func(tb *table, x *index, name []byte) {
			_ = btx.Bucket(name).ForEach(func(k, v []byte) error {
				at := uniqueOffset(data, append(bytes.Clone(k), v...), ps, leaf)
				if at < 0 {
					ambiguous++
					return nil
				}
				targets = append(targets, flipTarget{bucket: string(name), tb: tb, idx: x, key: bytes.Clone(k), off: at, klen: len(k), vlen: len(v)})
				return nil
			})
		}
		for _, tb := range tables {
			add(tb, nil, tb.bucket)
			for _, x := range tb.indexes {
				add(tb, x, x.name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return targets, ambiguous
}

// liveLeafPages marks the pages that belong to a leaf page in use (overflow included).
func liveLeafPages(btx *bbolt.Tx) map[int64]bool {
	leaf := map[int64]bool{}
	high := int(btx.Size() / int64(btx.DB().Info().PageSize))
	for id := 2; id < high; {
		info, err := btx.Page(id)
		if err != nil || info == nil {
			break
		}
		n := 1 + info.OverflowCount
		if info.Type == "free" {
			n = 1
		}
		for p := id; p < id+n; p++ {
			leaf[int64(p)] = info.Type == "leaf"
		}
		id += n
	}
	return leaf
}

// uniqueOffset returns the one offset of needle inside live leaf pages, or -1.
func uniqueOffset(data, needle []byte, ps int64, leaf map[int64]bool) int64 {
	found := int64(-1)
	for from := 0; ; {
		i := bytes.Index(data[from:], needle)
		if i < 0 {
			return found
		}
		at := int64(from + i)
		if leaf[at/ps] && leaf[(at+int64(len(needle))-1)/ps] {
			if found >= 0 {
				return -1
			}
			found = at
		}
		from += i + 1
	}
}

// flip changes 1 to 3 distinct bytes of the target: in the value of a record or audit entry, anywhere
// in key‖value of an index entry.
func flip(r *rand.Rand, data []byte, tg flipTarget) string {
	from, n := tg.off+int64(tg.klen), tg.vlen
	if tg.idx != nil {
		from, n = tg.off, tg.klen+tg.vlen
	}
	var spots []string
	seen := map[int64]bool{}
	for range 1 + r.IntN(3) {
		at := from + int64(r.IntN(n))
		if seen[at] { // the same byte twice could undo the change
			continue
		}
		seen[at] = true
		x := byte(1 + r.IntN(255))
		if r.IntN(2) == 0 {
			x = 1 << r.IntN(8) // a single bit
		}
		data[at] ^= x
		spots = append(spots, fmt.Sprintf("%d^%#x", at, x))
	}
	return strings.Join(spots, ",")
}

// flipOnce opens a damaged copy read-only and checks, reads and lists everything.
func flipOnce(t *testing.T, path string, tg flipTarget, tr flipTruth, tally *flipTally) {
	tally.flips++
	switch {
	case tg.idx != nil:
		tally.entries++
	case tg.tb == auditTable:
		tally.audits++
	default:
		tally.records++
	}
	defer func() {
		if p := recover(); p != nil {
			tally.crashes++
			t.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Errorf("open: %v", err)
		return
	}
	defer db.Close()
	if flipDetected(db, tg) {
		tally.detected++
	} else {
		t.Errorf("check did not detect the flip: %v", db.Check())
	}
	v := &flipVerifier{t: t, tr: tr, tg: tg, tally: tally}
	if err := db.View(v.all); err != nil {
		t.Errorf("reads: %v", err)
	}
}

// flipDetected reports whether Check names the damaged value: the record by type and id, the
// audit entry by sequence, the index entry by its index.
func flipDetected(db *DB, tg flipTarget) bool {
	var ce *CheckError
	if err := db.Check(); !errors.As(err, &ce) {
		return false
	}
	want := string(tg.bucket) + ":"
	switch {
	case tg.idx != nil:
		want = string(tg.idx.name)
	default:
		want = "damaged " + tg.tb.record + " " + describeKey(tg.tb, tg.key)
	}
	for _, p := range ce.Problems {
		if strings.Contains(p.Error(), want) {
			return true
		}
	}
	return false
}

// flipVerifier reads a damaged copy and compares whatever comes back with the truth.
type flipVerifier struct {
	t     *testing.T
	tr    flipTruth
	tg    flipTarget
	tally *flipTally
	tx    core.Tx
}

// damagedID is the id of the damaged record (uuid.Nil for an index entry or audit entry).
func (v *flipVerifier) damagedID() uuid.UUID {
	if v.tg.idx == nil && v.tg.tb != auditTable {
		return uuid.UUID(v.tg.key)
	}
	return uuid.Nil
}

func (v *flipVerifier) all(tx core.Tx) error {
	v.tx = tx
	v.directReads()
	v.lookups()
	return v.lists()
}

// shown fails when a returned record differs from the truth.
func (v *flipVerifier) shown(what string, got, want any, ok bool) {
	if !ok || !reflect.DeepEqual(got, want) {
		v.tally.shownAsData++
		v.t.Errorf("%s came back as data: %+v, truth %+v (known %v)", what, got, want, ok)
	}
}

// read checks one direct read: the truth, or (for the damaged record only) a Damaged error.
func (v *flipVerifier) read(rt core.RecordType, id uuid.UUID, got, want any, err error) {
	switch {
	case err == nil:
		v.shown(fmt.Sprintf("%s %s", rt, id), got, want, true)
	case id == v.damagedID():
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Kind != core.Damaged || ce.ID != id || ce.Record != rt {
			v.t.Errorf("damaged %s %s: %v, want a Damaged error naming it", rt, id, err)
		}
		v.tally.damagedDirectReads++
	default:
		v.t.Errorf("%s %s: %v", rt, id, err)
	}
	if err == nil && id == v.damagedID() {
		v.t.Errorf("damaged %s %s read without error", rt, id)
	}
}

func (v *flipVerifier) directReads() {
	readEach(v, core.UserRecord, v.tr.users, core.Tx.User, nil)
	readEach(v, core.ClientRecord, v.tr.clients, core.Tx.Client, nil)
	readEach(v, core.ContractRecord, v.tr.contracts, core.Tx.Contract, sameContract)
	readEach(v, core.EventRecord, v.tr.events, core.Tx.Event, nil)
}

// readEach reads every record of truth by id with get; same (nil: equal values) says when a
// record read is its truth.
func readEach[R any](v *flipVerifier, rt core.RecordType, truth map[uuid.UUID]R, get func(core.Tx, uuid.UUID) (R, error), same func(a, b R) bool) {
	for id, want := range truth {
		got, err := get(v.tx, id)
		if err == nil && same != nil && same(got, want) {
			got = want
		}
		v.read(rt, id, got, want, err)
	}
}

// lookups go through the unique indexes: the right record, or an error — never another one.
func (v *flipVerifier) lookups() {
	for id, u := range v.tr.users {
		for _, get := range []func() (core.User, error){
			func() (core.User, error) { return v.tx.UserByEmail(u.Email) },
			func() (core.User, error) { return v.tx.UserByEmployeeNumber(u.EmployeeNumber) },
		} {
			if got, err := get(); err == nil {
				v.shown("user by unique value", got, v.tr.users[id], got.ID == id)
			}
		}
	}
	for id, c := range v.tr.clients {
		if got, err := v.tx.ClientByEmail(c.Email); err == nil {
			v.shown("client by email", got, v.tr.clients[id], got.ID == id)
		}
	}
}

// lists runs filters of every kind (full scans and index scans) and checks each record
// returned; a full scan of the damaged record's table must count it as hidden.
func (v *flipVerifier) lists() error {
	var owners, supports, clientIDs, contractIDs []uuid.UUID
	for id, u := range v.tr.users {
		if u.Department == core.Commercial {
			owners = append(owners, id)
		} else if u.Department == core.Support {
			supports = append(supports, id)
		}
	}
	for id := range v.tr.clients {
		clientIDs = append(clientIDs, id)
	}
	for id := range v.tr.contracts {
		contractIDs = append(contractIDs, id)
	}
	if err := listEach(v, listing[core.UserFilter, core.User]{
		what: "user", rt: core.UserRecord, filters: []core.UserFilter{{}}, list: core.Tx.Users, id: userID, truth: v.tr.users,
		matches: func(core.UserFilter, core.User) bool { return true },
		expect:  func(core.UserFilter) int { return len(v.tr.users) },
		full:    func(core.UserFilter) bool { return true },
	}); err != nil {
		return err
	}
	if err := listEach(v, listing[core.ClientFilter, core.Client]{
		what: "client", rt: core.ClientRecord, filters: append([]core.ClientFilter{{}}, clientFilters(owners)...),
		list: core.Tx.Clients, id: clientID, truth: v.tr.clients,
		matches: func(f core.ClientFilter, c core.Client) bool {
			return f.CommercialID == uuid.Nil || c.CommercialID == f.CommercialID
		},
		expect: v.expectClients,
		full:   func(f core.ClientFilter) bool { return f == (core.ClientFilter{}) },
	}); err != nil {
		return err
	}
	if err := listEach(v, listing[core.ContractFilter, core.Contract]{
		what: "contract", rt: core.ContractRecord, filters: contractFilters(owners, clientIDs),
		list: core.Tx.Contracts, id: contractID, truth: v.tr.contracts, matches: contractMatches, same: sameContract,
		expect: v.expectContracts,
		full:   func(f core.ContractFilter) bool { return f == (core.ContractFilter{}) },
	}); err != nil {
		return err
	}
	if err := listEach(v, listing[core.EventFilter, core.Event]{
		what: "event", rt: core.EventRecord, filters: eventFilters(supports, contractIDs),
		list: core.Tx.Events, id: eventID, truth: v.tr.events, matches: eventMatches,
		expect: v.expectEvents,
		full:   func(f core.EventFilter) bool { return reflect.DeepEqual(f, core.EventFilter{}) },
	}); err != nil {
		return err
	}
	as, h, err := v.tx.Audit(core.AuditFilter{})
	if err != nil {
		return err
	}
	for _, a := range as {
		want, ok := v.tr.audit[a.Seq]
		v.shown("listed audit entry", a, want, ok && sameAudit(a, want))
	}
	if v.tg.tb == auditTable && v.tg.idx == nil && h != 1 {
		v.t.Errorf("audit: %d hidden, want the damaged entry counted", h)
	}
	v.tally.hiddenInLists += h
	return nil
}

// listing is one record type's part of lists: the filters to run, and what each may return.
type listing[F, R any] struct {
	what    string
	rt      core.RecordType
	filters []F
	list    func(core.Tx, F) ([]R, int, error)
	id      func(R) uuid.UUID
	truth   map[uuid.UUID]R
	matches func(f F, truth R) bool // whether f may return the record
	same    func(a, b R) bool       // when a record listed is its truth; nil: equal values
	expect  func(f F) int           // how many records f should return
	full    func(f F) bool          // whether f reads the whole table
}

// listEach runs the filters of l and checks every record returned and the count of hidden
// records; it stops at the first error of a list.
func listEach[F, R any](v *flipVerifier, l listing[F, R]) error {
	for _, f := range l.filters {
		rs, hidden, err := l.list(v.tx, f)
		if err != nil {
			return err
		}
		for _, r := range rs {
			want, ok := l.truth[l.id(r)]
			if ok && l.same != nil && l.same(r, want) {
				r = want
			}
			v.shown("listed "+l.what, r, want, ok && l.matches(f, want))
		}
		v.tally.hiddenInLists += hidden
		if l.full(f) && v.damagedID() != uuid.Nil && v.tg.tb.rt == l.rt && hidden != 1 {
			v.t.Errorf("%ss: %d hidden, want the damaged record counted", l.what, hidden)
		}
		if v.tg.idx != nil && hidden == 0 && len(rs) < l.expect(f) {
			v.tally.listsShortUnreported++
		}
	}
	return nil
}

func clientFilters(owners []uuid.UUID) []core.ClientFilter {
	var fs []core.ClientFilter
	for _, o := range owners {
		fs = append(fs, core.ClientFilter{CommercialID: o})
	}
	return append(fs, core.ClientFilter{Search: "ma"})
}

func contractFilters(owners, clients []uuid.UUID) []core.ContractFilter {
	fs := []core.ContractFilter{{}, {Unsigned: true}, {Unpaid: true}, {Search: "ma"}}
	for _, o := range owners {
		fs = append(fs, core.ContractFilter{CommercialID: o}, core.ContractFilter{CommercialID: o, Unpaid: true})
	}
	for _, c := range clients[:min(len(clients), 20)] {
		fs = append(fs, core.ContractFilter{ClientID: c})
	}
	return fs
}

func eventFilters(supports, contracts []uuid.UUID) []core.EventFilter {
	now := time.Now()
	fs := []core.EventFilter{{}, {Unassigned: true}, {StartFrom: now, StartTo: now.AddDate(0, 3, 0)}, {Search: "ma"}}
	for _, s := range supports {
		fs = append(fs, core.EventFilter{SupportID: s})
	}
	for _, k := range contracts[:min(len(contracts), 20)] {
		fs = append(fs, core.EventFilter{ContractID: k})
	}
	return fs
}

func contractMatches(f core.ContractFilter, k core.Contract) bool {
	switch {
	case f.ClientID != uuid.Nil && k.ClientID != f.ClientID:
		return false
	case f.CommercialID != uuid.Nil && k.CommercialID != f.CommercialID:
		return false
	case f.Unsigned && k.Status != core.Draft:
		return false
	case f.Unpaid && !unpaid(k.Due.Sign(), string(k.Status)):
		return false
	}
	return true
}

func eventMatches(f core.EventFilter, e core.Event) bool {
	switch {
	case f.ContractID != uuid.Nil && e.ContractID != f.ContractID:
		return false
	case f.SupportID != uuid.Nil && e.SupportID != f.SupportID:
		return false
	case f.Unassigned && e.SupportID != uuid.Nil:
		return false
	case !f.StartFrom.IsZero() && e.Start.Before(f.StartFrom):
		return false
	case !f.StartTo.IsZero() && e.Start.After(f.StartTo):
		return false
	}
	return true
}

// countWhere counts the records of m that keep accepts.
func countWhere[R any](m map[uuid.UUID]R, keep func(R) bool) int {
	n := 0
	for _, r := range m {
		if keep(r) {
			n++
		}
	}
	return n
}

func (v *flipVerifier) expectClients(f core.ClientFilter) int {
	return countWhere(v.tr.clients, func(c core.Client) bool {
		return (f.CommercialID == uuid.Nil || c.CommercialID == f.CommercialID) && (f.Search == "" || contains(c.FullName, f.Search) ||
			contains(c.Email, f.Search) || contains(c.CompanyName, f.Search) || contains(c.Phone, f.Search))
	})
}

func (v *flipVerifier) expectContracts(f core.ContractFilter) int {
	return countWhere(v.tr.contracts, func(k core.Contract) bool {
		c := v.tr.clients[k.ClientID]
		return contractMatches(f, k) && (f.Search == "" || contains(c.FullName, f.Search) || contains(c.CompanyName, f.Search))
	})
}

func (v *flipVerifier) expectEvents(f core.EventFilter) int {
	return countWhere(v.tr.events, func(e core.Event) bool {
		c := v.tr.clients[e.ClientID]
		return eventMatches(f, e) && (f.Search == "" || contains(e.Name, f.Search) || contains(e.Location, f.Search) || contains(c.FullName, f.Search))
	})
}
