package cli

import (
	"errors"
	"io"
	"strings"
)

// readTerminalLine reads one line typed at a terminal or console, a byte at a time so that
// nothing after it is consumed, and returns it without its line ending (at most maxLine bytes).
//
// A line ends at "\n". With crEnds it also ends at a lone "\r": a Unix terminal whose Enter
// key sends "\r" untranslated. A Windows console sends "\r\n": there the line ends at the "\n"
// and the "\r" is dropped, so that a second prompt ("Repeat the password") does not read the
// "\n" left behind as an empty line.
func readTerminalLine(r io.Reader, crEnds bool) (string, error) {
	var buf []byte
	b := make([]byte, 1)
	for len(buf) <= maxLine {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' || (crEnds && b[0] == '\r') {
				return strings.TrimSuffix(string(buf), "\r"), nil
			}
			buf = append(buf, b[0])
			continue
		}
		if err != nil {
			if len(buf) > 0 {
				return strings.TrimSuffix(string(buf), "\r"), nil
			}
			return "", &cliError{code: exitUsage, msg: "password required: nothing was typed"}
		}
	}
	return "", errors.New("the password typed is too long")
}

// Windows console input modes (SetConsoleMode), as in <wincon.h>.
const (
	consoleProcessedInput = 0x1 // ENABLE_PROCESSED_INPUT: Ctrl+C is a signal, not a character
	consoleLineInput      = 0x2 // ENABLE_LINE_INPUT: a read returns a whole line, after Enter
	consoleEchoInput      = 0x4 // ENABLE_ECHO_INPUT: typed characters are shown
)

// secretConsoleMode is the Windows console input mode to type a password in, from the current
// mode: no echo, whole lines (with the console's own editing: backspace), Ctrl+C still
// interrupting; the other bits (mouse, quick edit, virtual terminal input) are kept.
func secretConsoleMode(mode uint32) uint32 {
	return mode&^consoleEchoInput | consoleLineInput | consoleProcessedInput
}
