//go:build !linux

package etcdtest

import "syscall"

// childAttr has nothing to add where the kernel cannot kill children with their parent.
func childAttr() *syscall.SysProcAttr { return nil }
