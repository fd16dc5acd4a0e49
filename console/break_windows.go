package console

// Throwaway: a type error that only a Windows build sees, to show that make cross fails.
var windowsOnly int = "not an int"
