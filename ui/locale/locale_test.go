package locale

import (
	"os"
	"testing"
)

func TestClean(t *testing.T) {
	for v, kept := range map[string]bool{"C.UTF-8": false, "C": false, "POSIX": false, "C.utf8": false,
		"fr_FR.UTF-8": true, "en_US": true, "Catalan": true} {
		t.Setenv("LANG", v)
		Clean()
		if got, ok := os.LookupEnv("LANG"); ok != kept || (kept && got != v) {
			t.Errorf("LANG=%q: after Clean %q (set %v)", v, got, ok)
		}
	}
}
