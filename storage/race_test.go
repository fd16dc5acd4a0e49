//go:build race

package storage

// raceEnabled is set under the race detector, where long randomised tests run fewer rounds.
const raceEnabled = true
