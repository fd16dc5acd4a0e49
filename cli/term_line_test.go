package cli

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReadTerminalLine reads lines as a Unix terminal (crEnds) and a Windows console send them,
// and checks what is left for the next read.
func TestReadTerminalLine(t *testing.T) {
	for _, c := range []struct {
		name, in     string
		crEnds       bool
		want, remain string
	}{
		{"OKUnixNewline", "s3cret!\nnext", true, "s3cret!", "next"},
		{"OKUnixReturn", "s3cret!\rnext", true, "s3cret!", "next"},
		{"OKWindowsCRLF", "s3cret!\r\nAgain\r\n", false, "s3cret!", "Again\r\n"},
		{"OKWindowsReturnInside", "a\rb\r\n", false, "a\rb", ""},
		{"OKEndOfInput", "s3cret!", false, "s3cret!", ""},
		{"OKEndOfInputAfterReturn", "s3cret!\r", false, "s3cret!", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := strings.NewReader(c.in)
			got, err := readTerminalLine(r, c.crEnds)
			rest, _ := io.ReadAll(r)
			if err != nil || got != c.want || string(rest) != c.remain {
				t.Errorf("readTerminalLine(%q, %v) = %q, %v, left %q; want %q, left %q", c.in, c.crEnds, got, err, rest, c.want, c.remain)
			}
		})
	}
	t.Run("ErrNothingTyped", func(t *testing.T) {
		_, err := readTerminalLine(strings.NewReader(""), false)
		var ce *cliError
		if !errors.As(err, &ce) || ce.code != exitUsage {
			t.Errorf("empty input: %v, want a usage error", err)
		}
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		if _, err := readTerminalLine(strings.NewReader(strings.Repeat("x", maxLine+2)+"\n"), false); err == nil {
			t.Error("a line longer than maxLine was accepted")
		}
	})
}

// TestSecretConsoleMode checks the Windows console mode used to type a password: echo off,
// line input and Ctrl+C processing on, every other bit kept.
func TestSecretConsoleMode(t *testing.T) {
	const quickEdit, vtInput = 0x40, 0x200
	for in, want := range map[uint32]uint32{
		0x1f7:                   0x1f3, // cmd.exe's usual mode: only the echo bit goes
		consoleEchoInput:        consoleLineInput | consoleProcessedInput,
		0:                       consoleLineInput | consoleProcessedInput,
		quickEdit | vtInput | 7: quickEdit | vtInput | consoleLineInput | consoleProcessedInput,
	} {
		if got := secretConsoleMode(in); got != want {
			t.Errorf("secretConsoleMode(%#x) = %#x, want %#x", in, got, want)
		}
	}
}
