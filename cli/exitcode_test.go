package cli

import (
	"errors"
	"testing"

	"github.com/epicevents/crm/core"
)

// TestExitCode_Unavailable: a cluster that cannot be reached exits with 8 (PRODUCT.md §9).
func TestExitCode_Unavailable(t *testing.T) {
	if got := exitCode(core.UnavailableError(errors.New("dial"))); got != exitUnavailable || exitUnavailable != 8 {
		t.Fatalf("exit code = %d, want 8", got)
	}
}
