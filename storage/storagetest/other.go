//go:build !linux

package storagetest

import (
	"errors"
	"testing"
)

// MountTmpfs skips the test: mounting a tmpfs is Linux's.
func MountTmpfs(t testing.TB, size int) string {
	t.Helper()
	t.Skip("a tmpfs is mounted on Linux only")
	return ""
}

// FillDisk is not reached (MountTmpfs skips).
func FillDisk(t testing.TB, dir string) (free func()) {
	t.Helper()
	t.Skip("a tmpfs is mounted on Linux only")
	return func() {}
}

// Tmpfs says a tmpfs is Linux's.
func Tmpfs(t testing.TB, size int) (string, error) {
	return "", errors.New("a tmpfs is mounted on Linux only")
}
