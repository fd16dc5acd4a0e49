// Package locale clears a "C.UTF-8"-style locale from the environment before Fyne reads it.
//
// Fyne loads its translations while its packages initialise and parses the language of LANG,
// LC_MESSAGES and LC_ALL; "C.UTF-8" (the default of many Debian machines and containers) is not
// a language tag, so every start, including each headless command, would print "Fyne error:
// Error parsing user locale C" on standard error. "C" and "POSIX" mean "no locale", exactly as
// an unset variable does, so this package unsets them. main imports it: Go initialises the
// packages that are ready in import-path order, and this path sorts before Fyne's locale
// dependency (github.com/jeandeaual/go-locale), which needs the same packages as this one.
package locale

import (
	"os"
	"strings"
)

func init() { Clean() }

// Clean unsets the locale variables whose value is the C or POSIX locale, with or without a
// codeset ("C.UTF-8", "POSIX.utf8").
func Clean() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		lang, _, _ := strings.Cut(v, ".")
		if v != "" && (lang == "C" || lang == "POSIX") {
			_ = os.Unsetenv(k)
		}
	}
}
