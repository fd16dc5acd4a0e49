//go:build linux

// Package storagetest helps tests put a database where the system refuses writes: a small
// tmpfs that fills up, a real "disk full" (issue #13).
package storagetest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// MountTmpfs mounts a tmpfs of size bytes for the test — a real file system that fills up —
// and unmounts it at the end. It skips the test when mounting is not allowed (not root, or a
// container without the right).
func MountTmpfs(t testing.TB, size int) string {
	t.Helper()
	dir, err := Tmpfs(t, size)
	if err != nil {
		t.Skipf("no tmpfs: %v", err)
	}
	return dir
}

// Tmpfs is MountTmpfs that says why it cannot mount instead of skipping the test.
func Tmpfs(t testing.TB, size int) (string, error) {
	t.Helper()
	if os.Geteuid() != 0 {
		return "", errors.New("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		return "", fmt.Errorf("mount a tmpfs: %w", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, nil
}

// FillDisk writes a file until the file system of dir has no room left, and returns a function
// that removes it.
func FillDisk(t testing.TB, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for chunk := 1 << 16; chunk > 0; chunk /= 2 {
		buf := make([]byte, chunk)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	if err := f.Close(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}
