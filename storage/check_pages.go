package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"go.etcd.io/bbolt"
)

// bbolt's page layout (go.etcd.io/bbolt/internal/common): a 16-byte header, then 16-byte
// elements whose key (and value) lie pos bytes after the element itself.
const (
	elemLen        = 16
	bucketLeafFlag = 0x01 // a leaf element whose value is a nested bucket
	bucketHeadLen  = 16   // a bucket value: root page id and sequence, then an inline page
)

// checkPages verifies, before bbolt's own check, that every page in use keeps its elements, keys
// and values inside the page and points only at pages below the high-water mark. bbolt's check
// follows such pointers on a goroutine of its own, where a memory fault ends the program; the
// pages are read here from the file, never through the memory map. It returns the problems
// found, at most one per page.
func checkPages(tx *bbolt.Tx) []error {
	f, err := os.Open(tx.DB().Path())
	if err != nil {
		return []error{fmt.Errorf("read pages: %w", err)}
	}
	defer f.Close()
	ps := tx.DB().Info().PageSize
	high := int(tx.Size() / int64(ps))
	var problems []error
	refs := make(bitset, high/64+1)
	for id := 2; id < high; {
		info, err := tx.Page(id)
		if err != nil || info == nil {
			return append(problems, fmt.Errorf("page %d: cannot be read: %v", id, err))
		}
		n := 1 + info.OverflowCount
		switch info.Type {
		case "free":
			n = 1
		case "branch", "leaf", "freelist":
			if id+n > high {
				return append(problems, fmt.Errorf("page %d: its %d overflow pages run past the end", id, info.OverflowCount))
			}
		default:
			return append(problems, fmt.Errorf("page %d: type %s", id, info.Type))
		}
		if info.Type != "free" && info.Type != "freelist" {
			if err := readPage(f, id, n, ps, high, refs); err != nil {
				problems = append(problems, fmt.Errorf("page %d: %w", id, err))
			}
		}
		id += n
	}
	return problems
}

// readPage reads page id and its n-1 overflow pages, checks its elements and marks the pages
// they point at in refs: a page pointed at twice makes a cycle or a shared subtree, which bbolt's
// check would follow until the stack overflows.
func readPage(f *os.File, id, n, ps, high int, refs bitset) error {
	buf := make([]byte, n*ps)
	if _, err := f.ReadAt(buf, int64(id)*int64(ps)); err != nil {
		return err
	}
	if err := checkElements(buf, high, 0); err != nil {
		return err
	}
	for _, r := range pageRefs(buf, 0) {
		if !refs.mark(r) {
			return fmt.Errorf("points at page %d, which another page points at too", r)
		}
	}
	return nil
}

// bitset holds a bit per page.
type bitset []uint64

// mark sets the bit of id and reports whether it was clear.
func (b bitset) mark(id uint64) bool {
	was := b[id/64]&(1<<(id%64)) != 0
	b[id/64] |= 1 << (id % 64)
	return !was
}

// pageRefs returns the pages that a checked page points at: the children of a branch page, the
// roots of the buckets stored in a leaf page (those of inline buckets included).
func pageRefs(buf []byte, depth int) []uint64 {
	le := binary.LittleEndian
	var refs []uint64
	for i := range int(le.Uint16(buf[10:])) {
		e := buf[pageHeaderLen+i*elemLen:]
		switch {
		case le.Uint16(buf[8:]) == 0x01:
			refs = append(refs, le.Uint64(e[8:]))
		case le.Uint32(e[0:])&bucketLeafFlag != 0 && depth <= maxTreeDepth:
			start := uint64(pageHeaderLen+i*elemLen) + uint64(le.Uint32(e[4:])) + uint64(le.Uint32(e[8:]))
			v := buf[start : start+uint64(le.Uint32(e[12:]))]
			if root := le.Uint64(v); root != 0 {
				refs = append(refs, root)
			} else {
				refs = append(refs, pageRefs(v[bucketHeadLen:], depth+1)...)
			}
		}
	}
	return refs
}

// checkElements checks the elements of the page in buf (a stored page, or an inline bucket's).
func checkElements(buf []byte, high, depth int) error {
	if len(buf) < pageHeaderLen || depth > 64 {
		return fmt.Errorf("page of %d bytes", len(buf))
	}
	le := binary.LittleEndian
	flags, count := le.Uint16(buf[8:]), int(le.Uint16(buf[10:]))
	if pageHeaderLen+count*elemLen > len(buf) {
		return fmt.Errorf("%d elements do not fit", count)
	}
	for i := range count {
		at := pageHeaderLen + i*elemLen
		e := buf[at : at+elemLen]
		switch flags {
		case 0x01: // branch: pos, ksize, child page id
			if end := uint64(at) + uint64(le.Uint32(e[0:])) + uint64(le.Uint32(e[4:])); end > uint64(len(buf)) {
				return fmt.Errorf("element %d: key ends at %d, past the page", i, end)
			}
			if child := le.Uint64(e[8:]); child < 2 || child >= uint64(high) {
				return fmt.Errorf("element %d: child page %d out of range", i, child)
			}
		case 0x02: // leaf: flags, pos, ksize, vsize
			if err := checkLeaf(buf, at, e, high, depth); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		default:
			return fmt.Errorf("flags %#x", flags)
		}
	}
	return nil
}

func checkLeaf(buf []byte, at int, e []byte, high, depth int) error {
	le := binary.LittleEndian
	start := uint64(at) + uint64(le.Uint32(e[4:])) + uint64(le.Uint32(e[8:]))
	end := start + uint64(le.Uint32(e[12:]))
	if end > uint64(len(buf)) {
		return fmt.Errorf("value ends at %d, past the page", end)
	}
	if le.Uint32(e[0:])&bucketLeafFlag == 0 {
		return nil
	}
	v := buf[start:end]
	if len(v) < bucketHeadLen {
		return fmt.Errorf("bucket value of %d bytes", len(v))
	}
	if root := le.Uint64(v); root != 0 {
		if root < 2 || root >= uint64(high) {
			return fmt.Errorf("bucket root page %d out of range", root)
		}
		return nil
	}
	// An inline bucket is one leaf page inside its parent's value. A branch there would send
	// bbolt's cursor back to the same inline page (page id 0) for ever.
	inline := v[bucketHeadLen:]
	if len(inline) < pageHeaderLen || le.Uint16(inline[8:]) != 0x02 {
		return errors.New("an inline bucket whose page is not a leaf")
	}
	return checkElements(inline, high, depth+1)
}

// maxTreeDepth bounds the depth of a bucket's tree: bbolt's trees are a few levels deep, a
// longer path is a cycle.
const maxTreeDepth = 64

// verifyTree walks the branch pages of the root bucket and of every top-level bucket, reading
// them from the file, and refuses a tree whose pages point outside the file, at pages that are
// neither branch nor leaf, or back at a page already met: bbolt's cursors would follow such a
// cycle forever, and the program would hang on its first listing. Only branch pages are read,
// so the walk costs little at every Open. Errors wrap ErrDamaged.
func verifyTree(tx *bbolt.Tx, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	w := &treeWalk{tx: tx, f: f, ps: tx.DB().Info().PageSize, high: uint64(tx.Size()) / uint64(tx.DB().Info().PageSize),
		seen: make(bitset, uint64(tx.Size())/uint64(tx.DB().Info().PageSize)/64+1)}
	// The root bucket's leaves are read too: they hold the inline buckets (small buckets,
	// such as the local ones, live inside their parent's page).
	w.readLeaves = true
	if err := w.walk(uint64(tx.Cursor().Bucket().Root()), 0); err != nil {
		return damaged(path, fmt.Errorf("root bucket: %w", err))
	}
	w.readLeaves = false
	return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		if root := uint64(b.Root()); root != 0 { // 0: an inline bucket, inside its parent's page
			if err := w.walk(root, 0); err != nil {
				return damaged(path, fmt.Errorf("bucket %q: %w", name, err))
			}
		}
		return nil
	})
}

// treeWalk is one walk of verifyTree.
type treeWalk struct {
	tx   *bbolt.Tx
	f    *os.File
	ps   int
	high uint64
	seen bitset
	// readLeaves asks for the leaves to be read and checked too.
	readLeaves bool
}

func (w *treeWalk) walk(id uint64, depth int) error {
	if err := w.visit(id, depth); err != nil {
		return err
	}
	info, err := w.tx.Page(int(id))
	if err != nil || info == nil {
		return fmt.Errorf("page %d cannot be read: %v", id, err)
	}
	switch info.Type {
	case "leaf":
		return w.leaf(id, 1+uint64(info.OverflowCount))
	case "branch":
	default:
		return fmt.Errorf("page %d is a %s page inside a tree", id, info.Type)
	}
	children, err := w.children(id, 1+uint64(info.OverflowCount))
	if err != nil {
		return err
	}
	// The children of a branch page are all at one level. Leaves are not read (that would
	// touch every page of the file); their ids are only marked, so that a pointer back into
	// the tree is still caught.
	if first, err := w.tx.Page(int(children[0])); !w.readLeaves && err == nil && first != nil && first.Type == "leaf" {
		for _, c := range children {
			if err := w.visit(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range children {
		if err := w.walk(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// leaf reads and checks the leaf page id (n pages with its overflow) when the walk reads
// leaves.
func (w *treeWalk) leaf(id, n uint64) error {
	if !w.readLeaves {
		return nil
	}
	if id+n > w.high {
		return fmt.Errorf("page %d runs past the end", id)
	}
	buf := make([]byte, n*uint64(w.ps))
	if _, err := w.f.ReadAt(buf, int64(id)*int64(w.ps)); err != nil {
		return fmt.Errorf("page %d: %w", id, err)
	}
	if err := checkElements(buf, int(w.high), 0); err != nil {
		return fmt.Errorf("page %d: %w", id, err)
	}
	return nil
}

// visit marks page id as reached, refusing a page outside the file, reached before, or too
// deep.
func (w *treeWalk) visit(id uint64, depth int) error {
	switch {
	case id < 2 || id >= w.high:
		return fmt.Errorf("page %d is outside the file", id)
	case depth > maxTreeDepth:
		return fmt.Errorf("tree deeper than %d pages", maxTreeDepth)
	case !w.seen.mark(id):
		return fmt.Errorf("page %d is reached twice", id)
	}
	return nil
}

// children reads the branch page id (n pages with its overflow) from the file and returns the
// ids of its children, after checking its elements.
func (w *treeWalk) children(id, n uint64) ([]uint64, error) {
	if id+n > w.high {
		return nil, fmt.Errorf("page %d runs past the end", id)
	}
	buf := make([]byte, n*uint64(w.ps))
	if _, err := w.f.ReadAt(buf, int64(id)*int64(w.ps)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	if err := checkElements(buf, int(w.high), 0); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	le := binary.LittleEndian
	count := int(le.Uint16(buf[10:]))
	if count == 0 {
		return nil, fmt.Errorf("page %d: a branch without elements", id)
	}
	ids := make([]uint64, count)
	for i := range ids {
		ids[i] = le.Uint64(buf[pageHeaderLen+i*elemLen+8:])
	}
	return ids, nil
}
