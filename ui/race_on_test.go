//go:build race

package ui

// raceBuild is true when the tests run with -race, where timings mean nothing.
const raceBuild = true
