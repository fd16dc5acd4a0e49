//go:build !race

package core_test

// raceOn reports whether the tests run under the race detector (argon2id is then ten times
// slower).
const raceOn = false
