//go:build linux || darwin || freebsd || netbsd || openbsd || windows

package cli

import (
	"os"
	"os/signal"
)

// guardTerminal keeps a terminal whose state readSecret changed from staying so: restore puts
// the state back when the returned function is called (deferred, once the line is read), or
// sooner when one of sigs arrives during the read — the signal's handling is then given back
// and interrupted ends the program as the signal would have.
func guardTerminal(restore func(), interrupted func(os.Signal), sigs ...os.Signal) (done func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, sigs...)
	stop := make(chan struct{})
	go func() {
		select {
		case s := <-sig:
			restore()
			signal.Stop(sig)
			interrupted(s)
		case <-stop:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(stop)
		restore()
	}
}
