package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/epicevents/crm/core"
)

// maxProblems bounds the problems a check lists.
const maxProblems = 1000

// CheckError lists the problems found by Check or met by Reindex.
type CheckError struct {
	Problems []error
}

// Error returns one line per problem.
func (e *CheckError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "the database has %d problem(s)", len(e.Problems))
	for _, p := range e.Problems {
		sb.WriteString("\n- ")
		sb.WriteString(p.Error())
	}
	return sb.String()
}

// Unwrap returns the problems.
func (e *CheckError) Unwrap() []error { return e.Problems }

// Check verifies the database: bbolt's own page check, then the seal of every value, every
// index against the records, both ways, and the local state. Each damaged record is listed by
// type and id, each damaged index entry by index and the record it belongs to. It returns nil,
// a *CheckError listing each problem, or an error wrapping ErrDamaged when the file cannot be
// read at all.
func (db *DB) Check() error {
	var problems []error
	err := db.boltTx(false, func(tx *bbolt.Tx) error {
		problems = CheckTx(tx)
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &CheckError{Problems: problems}
	}
	return nil
}

// CheckTx runs the checks of Check in tx and returns the problems found. Index checks are
// skipped when bbolt finds the file's pages damaged, since walking them could mislead; keys out
// of order (a damaged key) do not stop them, so that the damaged entry is named.
func CheckTx(tx *bbolt.Tx) []error {
	c := &checker{tx: tx}
	if problems := checkPages(tx); len(problems) > 0 {
		return problems
	}
	order := 0
	for err := range tx.Check() {
		if p, ok := orderProblem(err); ok {
			order++
			err = p
		}
		c.add(err)
	}
	if len(c.problems) > order {
		return c.problems
	}
	c.schema()
	for _, tb := range tables {
		c.records(tb)
		for _, x := range tb.indexes {
			c.index(tb, x)
		}
	}
	c.local()
	return c.problems
}

// orderRE matches bbolt's report of keys out of order, which shows the keys in hexadecimal.
var orderRE = regexp.MustCompile(`on \w+ page\((\d+)\) needs to be`)

// orderProblem rewrites bbolt's report of keys out of order without the keys (an index key
// is personal data: an email); false for any other problem.
func orderProblem(err error) (error, bool) {
	m := orderRE.FindStringSubmatch(err.Error())
	if m == nil {
		return err, false
	}
	return fmt.Errorf("page %s: keys out of order (a damaged key)", m[1]), true
}

type checker struct {
	tx       *bbolt.Tx
	problems []error
	dropped  int
	// named holds the damaged index entries already reported from their record's side.
	named map[string]bool
}

func (c *checker) add(err error) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, err)
		return
	}
	c.dropped++
	if c.dropped == 1 {
		c.problems = append(c.problems, errors.New("more problems are not listed"))
	}
}

func (c *checker) addf(format string, args ...any) { c.add(fmt.Errorf(format, args...)) }

// recordDamage is the problem of a damaged record: its seal fails or it does not decode.
type recordDamage struct {
	ref core.RecordRef
	msg string
}

func (p *recordDamage) Error() string { return p.msg }

// indexDamage is the problem of an index entry damaged or out of step with its record.
type indexDamage struct {
	p   core.IndexProblem
	msg string
}

func (p *indexDamage) Error() string { return p.msg }

// addRecord reports the damaged record k of tb.
func (c *checker) addRecord(tb *table, k []byte, err error) {
	c.add(&recordDamage{ref: refOf(tb, k), msg: fmt.Sprintf("damaged %s %s: %v", tb.record, describeKey(tb, k), err)})
}

// addIndex reports a problem of an entry of x belonging to the record k of tb (nil: unknown).
func (c *checker) addIndex(x *index, tb *table, k []byte, problem, format string, args ...any) {
	ref := core.RecordRef{Type: tb.rt}
	if tb.rt == "" {
		ref.Type = core.AuditRecord
	}
	if k != nil {
		ref = refOf(tb, k)
	}
	if k != nil {
		problem = ref.String() + ": " + problem
	}
	c.add(&indexDamage{p: core.IndexProblem{Index: string(x.name), Record: ref, Problem: problem}, msg: fmt.Sprintf(format, args...)})
}

// refOf names the record of key k of tb.
func refOf(tb *table, k []byte) core.RecordRef {
	if tb.rt == "" {
		ref := core.RecordRef{Type: core.AuditRecord}
		if len(k) == seqLen {
			ref.Seq = binary.BigEndian.Uint64(k)
		}
		return ref
	}
	ref := core.RecordRef{Type: tb.rt}
	if len(k) == idLen {
		ref.ID = uuid.UUID(k)
	}
	return ref
}

// bucket returns a bucket, reporting it when missing.
func (c *checker) bucket(name []byte) *bbolt.Bucket {
	b := c.tx.Bucket(name)
	if b == nil {
		c.addf("bucket %s is missing", name)
	}
	return b
}

func (c *checker) schema() {
	if b := c.bucket(bucketMeta); b != nil && b.Get([]byte(metaSchemaSeal)) == nil {
		c.addf("meta: the schema version has no seal")
	}
	v, err := schemaVersion(c.tx)
	switch {
	case err != nil:
		c.add(err)
	case v != SchemaVersion:
		c.addf("schema version is %d, want %d", v, SchemaVersion)
	}
}

// records checks that each record's seal holds, that it decodes, and that it has each of its
// index entries.
func (c *checker) records(tb *table) {
	b := c.bucket(tb.bucket)
	if b == nil {
		return
	}
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if v == nil {
			c.addf("%s: unexpected nested bucket %x", tb.bucket, k)
			continue
		}
		if len(k) != tb.keyLen {
			c.addf("%s: key %x has %d bytes, want %d", tb.bucket, k, len(k), tb.keyLen)
			continue
		}
		p, err := tb.seal.open(k, v)
		if err == nil {
			var entries []entry
			if entries, err = tb.entries(k, p); err == nil {
				for _, e := range entries {
					c.expect(tb, k, e)
				}
				continue
			}
		}
		c.addRecord(tb, k, err)
	}
}

// expect checks that an index holds the entry of record k.
func (c *checker) expect(tb *table, k []byte, e entry) {
	b := c.bucket(e.idx.name)
	if b == nil {
		return
	}
	got := b.Get(e.key)
	if got == nil {
		if e.idx.unique {
			c.addIndex(e.idx, tb, k, "its entry is missing", "%s %s: its entry is missing from %s", tb.record, describeKey(tb, k), e.idx.name)
		} else {
			c.addIndex(e.idx, tb, k, "its entry is missing", "%s %s: its entry %x is missing from %s", tb.record, describeKey(tb, k), e.key, e.idx.name)
		}
		return
	}
	p, err := e.idx.seal.open(e.key, got)
	if err != nil {
		c.addIndex(e.idx, tb, k, "its entry is damaged", "%s %s: its entry in %s is damaged", tb.record, describeKey(tb, k), e.idx.name)
		c.name(e.idx, e.key)
		return
	}
	if e.idx.unique && !bytes.Equal(p, e.val) {
		c.addIndex(e.idx, tb, k, "its value is held by another record (duplicate or stale entry)",
			"%s %s: its value in %s is held by %s %s (duplicate or stale entry)",
			tb.record, describeKey(tb, k), e.idx.name, tb.record, describeKey(tb, p))
	}
}

// name remembers a damaged index entry reported from its record's side.
func (c *checker) name(x *index, key []byte) {
	if c.named == nil {
		c.named = make(map[string]bool)
	}
	c.named[string(x.name)+"\x00"+string(key)] = true
}

func (c *checker) wasNamed(x *index, key []byte) bool {
	return c.named[string(x.name)+"\x00"+string(key)]
}

// index checks that each entry of x is sound and belongs to an existing record whose fields
// give it. Entries of unique indexes are not shown: their keys are personal data.
func (c *checker) index(tb *table, x *index) {
	ib, recs := c.bucket(x.name), c.tx.Bucket(tb.bucket)
	if ib == nil || recs == nil {
		return
	}
	cur := ib.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		shown := fmt.Sprintf("%x", k)
		p, err := x.seal.open(k, v)
		if err != nil {
			if !c.wasNamed(x, k) {
				var rec []byte
				if !x.unique && len(k) == x.prefixLen+x.keyLen {
					rec = k[x.prefixLen:]
				}
				c.addIndex(x, tb, rec, "damaged entry", "%s: damaged entry %s", x.name, c.damagedEntry(tb, x, k))
			}
			continue
		}
		if x.unique {
			shown = "of " + describeKey(tb, p)
		}
		key, ok := x.recordKey(k, p)
		if !ok {
			c.addIndex(x, tb, nil, "malformed entry", "%s: malformed entry %s", x.name, shown)
			continue
		}
		rec := recs.Get(key)
		if rec == nil {
			c.addIndex(x, tb, key, "entry of a missing record", "%s: entry %s points at a missing %s %s", x.name, shown, tb.record, describeKey(tb, key))
			continue
		}
		rp, err := tb.seal.open(key, rec)
		if err != nil {
			continue // reported by records
		}
		entries, err := tb.entries(key, rp)
		if err != nil {
			continue // reported by records
		}
		if !containsEntry(entries, entry{idx: x, key: k, val: p}) {
			c.addIndex(x, tb, key, "entry out of step with its record", "%s: entry %s does not match %s %s", x.name, shown, tb.record, describeKey(tb, key))
		}
	}
}

// damagedEntry describes a damaged index entry by the record it names, as far as its key
// tells (a unique index's key is personal data: not shown).
func (c *checker) damagedEntry(tb *table, x *index, k []byte) string {
	if !x.unique && len(k) == x.prefixLen+x.keyLen {
		return fmt.Sprintf("%x (of %s %s)", k, tb.record, describeKey(tb, k[x.prefixLen:]))
	}
	if x.unique {
		return "(its " + tb.record + " is not known; reindex rebuilds it)"
	}
	return fmt.Sprintf("%x", k)
}

// local checks the seal and the encoding of every value of the local buckets.
func (c *checker) local() {
	for _, name := range localBuckets {
		b := c.bucket(name)
		if b == nil {
			continue
		}
		n := 0
		_ = b.ForEach(func(k, v []byte) error {
			n++
			if err := checkLocal(name, k, v); err != nil {
				c.add(&localDamage{msg: fmt.Sprintf("%s entry %d: %v", name, n, err)})
			}
			return nil
		})
	}
}

// checkLocal checks the seal and the encoding of a value of the local bucket name.
func checkLocal(name, k, v []byte) error {
	p, err := open(name, k, v)
	if err != nil {
		return err
	}
	switch string(name) {
	case string(bucketLocalSessions):
		_, err = decodeSession(p)
	case string(bucketLocalThrottle):
		_, err = decodeThrottle(p)
	case string(bucketLocalOutbox):
		_, err = decodeChange(p)
	case string(bucketLocalShadow):
		err = json.Unmarshal(p, new(core.Shadow))
	case string(bucketLocalConflicts):
		err = json.Unmarshal(p, new(core.SyncConflict))
	}
	return err
}

// describeKey shows a record key: a UUID, or an audit sequence number.
func describeKey(tb *table, k []byte) string {
	switch {
	case tb.keyLen == idLen && len(k) == idLen:
		return uuid.UUID(k).String()
	case tb.keyLen == seqLen && len(k) == seqLen:
		return fmt.Sprintf("#%d", binary.BigEndian.Uint64(k))
	}
	return fmt.Sprintf("%x", k)
}

// Reindex rebuilds every index from the records, in one write transaction. It changes nothing
// and returns a *CheckError when records are damaged or share a unique value.
func (db *DB) Reindex() error {
	return db.boltTx(true, func(tx *bbolt.Tx) error {
		if err := createBuckets(tx); err != nil {
			return err
		}
		c := &checker{tx: tx}
		for _, tb := range tables {
			if err := reindexTable(tx, tb, c); err != nil {
				return err
			}
		}
		if len(c.problems) > 0 {
			return &CheckError{Problems: c.problems}
		}
		return nil
	})
}

// reindexTable rebuilds the indexes of tb. The entries are gathered from the records first and
// put in key order: bbolt splits the nodes a transaction grows only at commit, so keys put in
// random order (an index of emails) move in-memory nodes quadratically — 137 s for the indexes
// of 100k records, against seconds in order.
func reindexTable(tx *bbolt.Tx, tb *table, c *checker) error {
	for _, x := range tb.indexes {
		if err := tx.DeleteBucket(x.name); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return fmt.Errorf("reindex %s: %w", x.name, err)
		}
		if _, err := tx.CreateBucket(x.name); err != nil {
			return fmt.Errorf("reindex %s: %w", x.name, err)
		}
	}
	type owned struct {
		e   entry
		rec []byte
	}
	pending := map[*index][]owned{}
	cur := tx.Bucket(tb.bucket).Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		p, err := tb.seal.open(k, v)
		if err == nil {
			var entries []entry
			if entries, err = tb.entries(k, p); err == nil {
				rec := bytes.Clone(k)
				for _, e := range entries {
					e.key, e.val = bytes.Clone(e.key), bytes.Clone(e.val)
					pending[e.idx] = append(pending[e.idx], owned{e: e, rec: rec})
				}
				continue
			}
		}
		c.addf("damaged %s %s: %v", tb.record, describeKey(tb, k), err)
	}
	for _, x := range tb.indexes {
		es := pending[x]
		// Stable: of two records sharing a unique value, the first in key order keeps it.
		slices.SortStableFunc(es, func(a, b owned) int { return bytes.Compare(a.e.key, b.e.key) })
		b := tx.Bucket(x.name)
		b.FillPercent = 0.9 // keys arrive in order: pages may be filled up
		for i, o := range es {
			if x.unique && i > 0 && bytes.Equal(es[i-1].e.key, o.e.key) {
				if !bytes.Equal(es[i-1].e.val, o.e.val) {
					c.addf("%s %s: shares its value in %s with %s %s", tb.record, describeKey(tb, o.rec), x.name, tb.record, describeKey(tb, es[i-1].e.val))
				}
				es[i] = es[i-1] // the holder stays the first
				continue
			}
			if err := b.Put(o.e.key, x.seal.seal(o.e.key, o.e.val)); err != nil {
				return fmt.Errorf("reindex %s: %w", x.name, err)
			}
		}
	}
	return nil
}
