package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
)

// errCorrupt marks an error caused by stored bytes the program never wrote as they are: a record
// that does not decode, an index entry out of step with its record, a missing bucket. View and
// Update turn an error that carries it into one wrapping ErrDamaged with the database's path, so
// that people are told the database is damaged rather than shown an internal error.
var errCorrupt = errors.New("corrupt data")

// corruptError is an error marked with errCorrupt; its message is the cause's.
type corruptError struct{ cause error }

func (e corruptError) Error() string   { return e.cause.Error() }
func (e corruptError) Unwrap() []error { return []error{e.cause, errCorrupt} }

// corrupt marks err as caused by corrupt data (nil stays nil).
func corrupt(err error) error {
	if err == nil {
		return nil
	}
	return corruptError{cause: err}
}

// The on-disk layout of bbolt's meta pages (go.etcd.io/bbolt/internal/common), read by
// checkFile: a 16-byte page header (id, flags, count, overflow), then the meta fields.
const (
	pageHeaderLen    = 16
	metaMagic        = 0xED0CDAED
	metaVersion      = 2
	metaChecksumAt   = 56 // the checksum is FNV-64a of the meta's first 56 bytes
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0)
)

// fileMeta is what checkFile needs of a valid meta page.
type fileMeta struct {
	pageSize             uint64
	freelist, pgid, txid uint64
}

// checkFile refuses an empty file opened read-only, and a file whose newest valid meta page
// points past the end of the file or at a free list that is not one, as a truncated or
// overwritten file does. bbolt would panic on such
// a file after locking and mapping it; the panic is recovered, but the mapping keeps the file
// and its lock held until the program ends, so the next Open would report the database in use.
// Files without a valid meta page are left to bbolt, which refuses them cleanly.
func checkFile(path string, readOnly bool) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // bbolt reports it
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil
	case fi.Size() == 0 && readOnly:
		// bbolt would try to write a new database into it, and fail: nothing can be read.
		// Opened for writing, an empty file (left by a crash while it was created) becomes a
		// new database, as bbolt makes it.
		return damaged(path, errors.New("the file is empty"))
	case fi.Size() == 0:
		return nil
	}
	m, ok := newestMeta(f)
	if !ok {
		return nil
	}
	size := uint64(fi.Size())
	if m.pgid > size/m.pageSize {
		return damaged(path, fmt.Errorf("the file ends at %d bytes but its pages reach %d", size, m.pgid*m.pageSize))
	}
	if m.freelist == noFreelist {
		return nil
	}
	hdr := make([]byte, pageHeaderLen)
	if m.freelist < 2 || m.freelist >= m.pgid || readAt(f, hdr, m.freelist*m.pageSize) != nil ||
		binary.NativeEndian.Uint16(hdr[8:]) != freelistPageFlag ||
		m.freelist+1+uint64(binary.NativeEndian.Uint32(hdr[12:])) > m.pgid {
		return damaged(path, fmt.Errorf("the free list page %d is not a free list", m.freelist))
	}
	return nil
}

// newestMeta returns the valid meta page with the highest transaction id, as bbolt chooses it.
func newestMeta(f *os.File) (fileMeta, bool) {
	var best fileMeta
	found := false
	for i, at := range []uint64{0, 0} {
		if i == 1 {
			at = uint64(os.Getpagesize())
			if found {
				at = best.pageSize
			}
		}
		m, ok := readMeta(f, at)
		if ok && (!found || m.txid > best.txid) {
			best, found = m, true
		}
	}
	return best, found
}

// readMeta reads the meta page at offset at, reporting whether it is valid.
func readMeta(f *os.File, at uint64) (fileMeta, bool) {
	b := make([]byte, pageHeaderLen+metaChecksumAt+8)
	if readAt(f, b, at) != nil {
		return fileMeta{}, false
	}
	m := b[pageHeaderLen:]
	h := fnv.New64a()
	_, _ = h.Write(m[:metaChecksumAt])
	le := binary.NativeEndian
	if le.Uint32(m[0:]) != metaMagic || le.Uint32(m[4:]) != metaVersion || h.Sum64() != le.Uint64(m[metaChecksumAt:]) {
		return fileMeta{}, false
	}
	meta := fileMeta{pageSize: uint64(le.Uint32(m[8:])), freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	return meta, meta.pageSize >= 1024
}

func readAt(f *os.File, b []byte, at uint64) error {
	if at > math.MaxInt64 {
		return io.ErrUnexpectedEOF
	}
	_, err := f.ReadAt(b, int64(at))
	return err
}
