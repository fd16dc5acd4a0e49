package storage

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"go.etcd.io/bbolt"
)

// A query reads candidate records from a source (a whole bucket or an index range), then
// keeps those that pass every condition of the filter. Conditions look at the parsed fields
// without allocating; only kept records are turned into core records.
//
// Seals: the seal of every record a query returns is checked, and a damaged record (or a
// damaged index entry leading to one) is never returned: the query counts it as hidden. The
// seal is checked after the filter, on the records kept, not on every record looked at: a
// search looks at a hundred times more records than it returns, and checking them all would
// cost a quarter of its time. Parsing an unchecked payload is safe (decoding never panics, and
// is fuzzed); what it cannot tell is a record whose damage makes it fail the filter, which is
// then left out without being counted — Check finds it.

// visitor receives one candidate record: its key and its stored value (payload and seal, the
// seal not checked yet), or a nil value when the index entry that led to it is damaged. It
// returns false to stop the scan.
type visitor func(key, val []byte) (bool, error)

// source calls visit with each candidate record, until visit returns false or an error.
type source func(visit visitor) error

// scanAll visits every record of a table.
func (t *tx) scanAll(tb *table) source {
	return func(visit visitor) error {
		b, err := t.bucket(tb.bucket)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if more, err := visit(k, v); err != nil || !more {
				return err
			}
		}
		return nil
	}
}

// scanPrefixes visits the records that index x lists under each of the prefixes.
func (t *tx) scanPrefixes(tb *table, x *index, prefixes ...[]byte) source {
	return func(visit visitor) error {
		recs, idx, err := t.bucketPair(tb, x)
		if err != nil {
			return err
		}
		c := idx.Cursor()
		for _, p := range prefixes {
			for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
				more, err := t.visitIndexed(recs, tb, x, k, v, visit)
				if err != nil || !more {
					return err
				}
			}
		}
		return nil
	}
}

// scanRange visits the records of index x whose key prefix lies between from and to (both
// included; nil for no bound).
func (t *tx) scanRange(tb *table, x *index, from, to []byte) source {
	return func(visit visitor) error {
		recs, idx, err := t.bucketPair(tb, x)
		if err != nil {
			return err
		}
		c := idx.Cursor()
		k, v := c.First()
		if from != nil {
			k, v = c.Seek(from)
		}
		for ; k != nil; k, v = c.Next() {
			if to != nil && len(k) >= len(to) && bytes.Compare(k[:len(to)], to) > 0 {
				return nil
			}
			more, err := t.visitIndexed(recs, tb, x, k, v, visit)
			if err != nil || !more {
				return err
			}
		}
		return nil
	}
}

func (t *tx) bucketPair(tb *table, x *index) (recs, idx *bbolt.Bucket, err error) {
	if recs, err = t.bucket(tb.bucket); err != nil {
		return nil, nil, err
	}
	idx, err = t.bucket(x.name)
	return recs, idx, err
}

// visitIndexed visits the record an index entry (key k, stored value v) points at, with a nil
// value when the entry's seal fails (an index entry is checked before it is followed). A sound
// entry whose record is gone makes the index out of step.
func (t *tx) visitIndexed(recs *bbolt.Bucket, tb *table, x *index, k, v []byte, visit visitor) (bool, error) {
	p, err := x.seal.open(k, v)
	if err != nil {
		return visit(nil, nil)
	}
	key, ok := x.recordKey(k, p)
	if !ok {
		return false, indexOutOfStep(x, tb)
	}
	rv := recs.Get(key)
	if rv == nil {
		return false, indexOutOfStep(x, tb)
	}
	return visit(key, rv)
}

// collect runs a query on the records of tb: keep parses and filters one record, returning
// false to skip it, or an error wrapping errDamagedValue for a record that does not decode.
// limit > 0 stops after that many records. It returns the records kept, their seals checked,
// and the number of damaged records met among them.
func collect[R any](tb *table, src source, limit int, keep keepFunc[R]) ([]R, int, error) {
	out := make([]R, 0)
	hidden := 0
	err := src(func(k, v []byte) (bool, error) {
		r, ok, err := keepSealed(tb, k, v, keep)
		switch {
		case errors.Is(err, errDamagedValue):
			hidden++
		case err != nil:
			return false, err
		case ok:
			out = append(out, r)
		}
		return limit <= 0 || len(out) < limit, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, hidden, nil
}

// keepSealed calls keep with the payload of a stored value and checks the seal of a record it
// keeps. A nil value (a damaged index entry), one too short for a seal, or a kept record whose
// seal fails gives errDamagedValue.
func keepSealed[R any](tb *table, k, v []byte, keep keepFunc[R]) (R, bool, error) {
	var zero R
	if len(v) < sealLen {
		return zero, false, errDamagedValue
	}
	r, ok, err := keep(k, v[:len(v)-sealLen:len(v)-sealLen])
	if err != nil || !ok {
		return r, ok, err
	}
	if _, err := tb.seal.open(k, v); err != nil {
		return zero, false, errDamagedValue
	}
	return r, true, nil
}

// damagedValue marks the error of a payload that does not decode: the record is treated as
// damaged.
func damagedValue(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", errDamagedValue, err)
}

// matcher matches an already lower-cased search text as a substring of the lower-cased form of
// stored fields, the same as strings.Contains(strings.ToLower(field), text), reusing one
// buffer instead of allocating a lower-cased copy per field. A nil matcher matches everything.
type matcher struct {
	needle []byte
	buf    []byte
	ascii  bool // the needle is ASCII: see containsFoldASCII
}

func newMatcher(search string) *matcher {
	if search == "" {
		return nil
	}
	ascii := true
	for i := 0; i < len(search); i++ {
		ascii = ascii && search[i] < utf8.RuneSelf
	}
	return &matcher{needle: []byte(search), buf: make([]byte, 0, 256), ascii: ascii}
}

// any reports whether one of the fields contains the text.
func (m *matcher) any(fields ...[]byte) bool {
	if m == nil {
		return true
	}
	for _, f := range fields {
		if m.contains(f) {
			return true
		}
	}
	return false
}

func (m *matcher) contains(field []byte) bool {
	if m.ascii && !lowersToASCII(field) {
		return containsFoldASCII(field, m.needle)
	}
	m.buf = appendLower(m.buf[:0], field)
	return bytes.Contains(m.buf, m.needle)
}

// lowersToASCII reports whether s holds one of the two non-ASCII characters whose lower case
// is ASCII: U+0130 (İ → i) and U+212A (Kelvin sign → k).
func lowersToASCII(s []byte) bool {
	return bytes.Contains(s, []byte("\u0130")) || bytes.Contains(s, []byte("\u212a"))
}

// containsFoldASCII reports whether the lower-case form of s contains needle, an ASCII text
// already in lower case, when s holds neither character of lowersToASCII. Then every other
// non-ASCII character lower-cases to non-ASCII bytes, which no byte of needle equals: a match
// can only be a run of ASCII bytes of s, compared with A–Z folded, without copying s.
func containsFoldASCII(s, needle []byte) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	first, firstUpper := needle[0], needle[0]
	if 'a' <= first && first <= 'z' {
		firstUpper -= 'a' - 'A'
	}
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; (c == first || c == firstUpper) && equalFoldASCII(s[i+1:i+n], needle[1:]) {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether s, with A–Z lower-cased, equals lower.
func equalFoldASCII(s, lower []byte) bool {
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// appendLower appends the lower-case form of s, as strings.ToLower computes it, to dst.
func appendLower(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return appendLowerRunes(dst, s[i:])
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendLowerRunes is the general case: like strings.Map(unicode.ToLower, s), invalid UTF-8
// becomes U+FFFD. ASCII bytes between the other characters (most of a French name) take the
// quick way.
func appendLowerRunes(dst, s []byte) []byte {
	for len(s) > 0 {
		if c := s[0]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRune(s)
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		s = s[n:]
	}
	return dst
}
