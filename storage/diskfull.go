package storage

import (
	"errors"
	"strings"
	"syscall"
)

// noRoom lists the system errors of a write that found no room; diskfull_windows.go adds the
// codes of Windows.
var noRoom = []error{syscall.ENOSPC, syscall.EFBIG}

// diskFull reports whether err comes from a full disk or a file at its size limit. bbolt formats
// some causes into its message rather than wrapping them ("file resize error: truncate …: file
// too large"), so the system's text of each error counts too.
func diskFull(err error) bool {
	for _, e := range noRoom {
		if errors.Is(err, e) || strings.Contains(err.Error(), e.Error()) {
			return true
		}
	}
	return false
}
