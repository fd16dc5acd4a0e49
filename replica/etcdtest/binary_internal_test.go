package etcdtest

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fatalTB records the message of Fatalf and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestStartBinary_ErrMissing(t *testing.T) {
	old := binaryPath
	binaryPath = filepath.Join(t.TempDir(), "etcd")
	defer func() { binaryPath = old }()
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		StartBinary(f, 1, Options{})
		f.msg = "StartBinary returned"
	}()
	<-done
	if !strings.Contains(f.msg, "is missing") || !strings.Contains(f.msg, "apt-get install etcd-server") {
		t.Fatalf("message %q", f.msg)
	}
}
