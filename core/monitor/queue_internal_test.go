package monitor

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func mustPut(t *testing.T, q *diskQueue, id string, b []byte) {
	t.Helper()
	if err := q.put(id, b); err != nil {
		t.Fatal(err)
	}
}

func TestDiskQueue_Put(t *testing.T) {
	t.Run("OK at most 500 files, oldest dropped", func(t *testing.T) {
		q := newDiskQueue(filepath.Join(t.TempDir(), QueueDir), DefaultMaxQueueFiles, DefaultMaxQueueBytes)
		for i := range DefaultMaxQueueFiles + 10 {
			mustPut(t, q, fmt.Sprintf("%032x", i), []byte(fmt.Sprintf("envelope %d\n", i)))
		}
		entries, _ := q.entries()
		if len(entries) != DefaultMaxQueueFiles {
			t.Fatalf("%d files, want %d", len(entries), DefaultMaxQueueFiles)
		}
		first, _ := q.read(entries[0].name)
		if string(first) != "envelope 10\n" {
			t.Errorf("oldest kept is %q, want envelope 10", first)
		}
	})
	t.Run("OK at most 5 MiB, oldest dropped", func(t *testing.T) {
		q := newDiskQueue(filepath.Join(t.TempDir(), QueueDir), DefaultMaxQueueFiles, DefaultMaxQueueBytes)
		big := bytes.Repeat([]byte("x"), 512<<10)
		for i := range 12 {
			mustPut(t, q, fmt.Sprintf("%032x", i), append([]byte{byte('a' + i)}, big...))
		}
		entries, _ := q.entries()
		var total int64
		for _, e := range entries {
			total += e.size
		}
		if total > DefaultMaxQueueBytes || len(entries) != 9 {
			t.Fatalf("%d files, %d bytes; want 9 files within %d bytes", len(entries), total, DefaultMaxQueueBytes)
		}
		if first, _ := q.read(entries[0].name); first[0] != 'a'+3 {
			t.Errorf("oldest kept starts with %q, want %q", first[0], 'a'+3)
		}
	})
	t.Run("OK one file per event id", func(t *testing.T) {
		q := newDiskQueue(filepath.Join(t.TempDir(), QueueDir), 10, 1<<20)
		mustPut(t, q, "abc", []byte("one"))
		mustPut(t, q, "abc", []byte("two"))
		if entries, _ := q.entries(); len(entries) != 1 {
			t.Errorf("%d files, want 1", len(entries))
		}
		q.removeID("abc")
		if entries, _ := q.entries(); len(entries) != 0 {
			t.Errorf("%d files after removeID, want 0", len(entries))
		}
	})
	t.Run("ErrTooBig", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), QueueDir)
		q := newDiskQueue(dir, 10, 8)
		if err := q.put("abc", []byte("more than eight bytes")); err == nil {
			t.Error("no error for an envelope larger than the queue")
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("queue directory created for nothing: %v", err)
		}
	})
}
