//go:build !unix

package storage

import "errors"

// Windows has neither FIFOs nor device nodes in its file system: the tests that need them skip.

func mkfifo(string) error    { return errors.ErrUnsupported }
func mknodNull(string) error { return errors.ErrUnsupported }
