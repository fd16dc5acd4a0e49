package console

// Throwaway: a type error that only a macOS build sees, to show that make cross fails.
var darwinOnly int = "not an int"
