package etcdtest

import "syscall"

// childAttr makes a member process die with the test process, even when the test binary is
// killed (a timed-out `go test`): the kernel sends it SIGKILL when its parent goes.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
