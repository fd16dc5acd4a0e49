package monitor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const envelopeExt = ".envelope"

// diskQueue keeps envelopes that could not be delivered, one file each (mode 0600) in a
// directory (mode 0700) created on first use. File names are "<time stamp>-<size>-<event id>":
// sorting them gives the oldest first, and listing needs no stat. The queue never holds
// more than maxFiles files or maxBytes bytes: the oldest go first. Several processes may share
// the directory.
type diskQueue struct {
	dir      string
	maxFiles int
	maxBytes int64

	mu   sync.Mutex
	last int64 // last time stamp used, so names stay unique and ordered
}

type queued struct {
	name string
	size int64
}

func newDiskQueue(dir string, maxFiles int, maxBytes int64) *diskQueue {
	return &diskQueue{dir: dir, maxFiles: maxFiles, maxBytes: maxBytes}
}

// put stores an envelope for event id, unless one for that id is already queued, then trims
// the queue to its bounds. An envelope larger than the whole queue is dropped.
func (q *diskQueue) put(id string, envelope []byte) error {
	if int64(len(envelope)) > q.maxBytes {
		return fmt.Errorf("queue envelope: %d bytes is more than the queue holds", len(envelope))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := os.MkdirAll(q.dir, 0o700); err != nil {
		return fmt.Errorf("queue envelope: %w", err)
	}
	entries, err := q.list()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if id != "" && strings.HasSuffix(e.name, "-"+safeID(id)+envelopeExt) {
			return nil
		}
	}
	name, err := q.write(id, envelope)
	if err != nil {
		return err
	}
	q.trim(append(entries, queued{name, int64(len(envelope))}))
	return nil
}

// write creates the file through a temporary name, so readers never see half an envelope.
func (q *diskQueue) write(id string, envelope []byte) (string, error) {
	stamp := max(time.Now().UnixNano(), q.last+1)
	q.last = stamp
	name := fmt.Sprintf("%020d-%d-%s%s", stamp, len(envelope), safeID(id), envelopeExt)
	tmp, err := os.CreateTemp(q.dir, ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("queue envelope: %w", err)
	}
	_, werr := tmp.Write(envelope)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("queue envelope: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(q.dir, name)); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("queue envelope: %w", err)
	}
	return name, nil
}

// trim removes the oldest entries until the queue is within its bounds.
func (q *diskQueue) trim(entries []queued) {
	var total int64
	for _, e := range entries {
		total += e.size
	}
	for len(entries) > 0 && (len(entries) > q.maxFiles || total > q.maxBytes) {
		os.Remove(filepath.Join(q.dir, entries[0].name))
		total -= entries[0].size
		entries = entries[1:]
	}
}

// list returns the queued envelopes, oldest first; none when the directory does not exist.
func (q *diskQueue) list() ([]queued, error) {
	des, err := os.ReadDir(q.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list queue: %w", err)
	}
	var out []queued
	for _, de := range des {
		if de.IsDir() || !strings.HasSuffix(de.Name(), envelopeExt) {
			continue
		}
		size, ok := sizeOf(de)
		if !ok {
			continue // removed meanwhile
		}
		out = append(out, queued{de.Name(), size})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// sizeOf reads an entry's size from its name, or from the file system for a foreign name.
func sizeOf(de fs.DirEntry) (int64, bool) {
	parts := strings.SplitN(de.Name(), "-", 3)
	if len(parts) == 3 {
		if n, err := strconv.ParseInt(parts[1], 10, 64); err == nil {
			return n, true
		}
	}
	info, err := de.Info()
	if err != nil {
		return 0, false
	}
	return info.Size(), true
}

// entries is list under the queue's lock.
func (q *diskQueue) entries() ([]queued, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.list()
}

func (q *diskQueue) read(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(q.dir, name))
}

func (q *diskQueue) remove(name string) {
	os.Remove(filepath.Join(q.dir, name))
}

// removeID removes the envelope queued for event id, if any.
func (q *diskQueue) removeID(id string) {
	if id == "" {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	entries, _ := q.list()
	for _, e := range entries {
		if strings.HasSuffix(e.name, "-"+safeID(id)+envelopeExt) {
			q.remove(e.name)
		}
	}
}

// safeID keeps an event id usable in a file name (ids are 32 hex digits; anything else is
// reduced to its letters and digits).
func safeID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r < 128 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "noid"
	}
	return b.String()
}
