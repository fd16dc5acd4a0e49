package etcdtest

import (
	"context"
	"testing"
	"time"
)

// Starter starts a cluster of n members of one kind: StartEmbedded or StartBinary.
type Starter func(tb testing.TB, n int, o Options) *Cluster

// Kinds are the two ways to run members. A test that talks to etcd runs against both (with
// ForEachKind), showing that the product works with etcd 3.7 (embedded) and 3.4 (Debian's binary).
var Kinds = []struct {
	Name  string
	Start Starter
}{
	{"embedded", StartEmbedded},
	{"binary", StartBinary},
}

// ForEachKind runs f as one subtest per kind, named after it.
func ForEachKind(t *testing.T, f func(t *testing.T, start Starter)) {
	for _, k := range Kinds {
		t.Run(k.Name, func(t *testing.T) { f(t, k.Start) })
	}
}

// Context returns a context that ends after d, or when the test ends.
func Context(tb testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return c
}
