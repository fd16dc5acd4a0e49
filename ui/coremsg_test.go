package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

// TestCoreCodes_French fails when a code of core has no French text, or a French text that does
// not fill from the English text's arguments.
func TestCoreCodes_French(t *testing.T) {
	codes := core.Codes()
	if len(codes) < 50 {
		t.Fatalf("only %d codes", len(codes))
	}
	for _, c := range codes {
		en := core.Format(c)
		if en == "" {
			t.Errorf("%s: no English text", c)
		}
		fr, ok := frCodes[c]
		if !ok || strings.TrimSpace(fr) == "" {
			t.Errorf("%s: no French text in frCodes", c)
			continue
		}
		if got := fmt.Sprintf(fr, core.SampleArgs(c)...); strings.Contains(got, "%!") {
			t.Errorf("%s: the French text does not take the English arguments: %q", c, got)
		}
	}
	for c := range frCodes {
		if core.Format(c) == "" {
			t.Errorf("frCodes has %s, which core does not know", c)
		}
	}
}

// duplicateClient types a client whose email Kevin Casey (demo data) already has and saves it.
func duplicateClient(t *testing.T) (*GUI, *clientForm) {
	e := newEnv(t, true)
	g := e.startAs(jean)
	f := typeNewClient(g, "Kevin Again", "Dup", "kevin@startup.io", "0612345678")
	saveForm(g, f.dlg)
	return g, f
}

// The duplicate email, the most common conflict, reads in French in a French window: core's
// code, not its English sentence, picks the text.
func TestFrench_DuplicateEmail(t *testing.T) {
	inFrench(t)
	g, _ := duplicateClient(t)
	if got := strings.ToLower(dialogTexts(g)); !strings.Contains(got, "cette adresse e-mail est déjà utilisée par un autre client") {
		t.Errorf("the dialog says %q", got)
	}
}

// The English window shows core's text of the code, as the command line does (cli's
// e2e_records_test expects the same core.Text on standard error).
func TestEnglish_DuplicateEmailAsCore(t *testing.T) {
	g, _ := duplicateClient(t)
	if got := strings.ToLower(dialogTexts(g)); !strings.Contains(got, core.Text(core.CodeEmailTaken)) {
		t.Errorf("the dialog says %q, want %q", got, core.Text(core.CodeEmailTaken))
	}
}

// A field error is shown under its input in French with the arguments of core.
func TestFrench_FieldErrorWithArgs(t *testing.T) {
	inFrench(t)
	e := &core.Error{}
	*e = *core.FieldError("notes", core.CodeTooLong, 500)
	if got := coreMessage(e); got != "doit faire au plus 500 caractères" {
		t.Errorf("got %q", got)
	}
	if got := errText(core.NewError(core.Internal, core.CodeDiskFull)); !strings.HasPrefix(got, "le disque est plein") {
		t.Errorf("disk full: %q", got)
	}
}
