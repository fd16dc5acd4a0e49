package core_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

// TestCodes_Texts fails when a code constant of codes.go has no English text, or a text that
// does not fill from its arguments (a stray verb).
func TestCodes_Texts(t *testing.T) {
	consts := codeConstants(t)
	if len(consts) < 50 {
		t.Fatalf("only %d codes found in codes.go: the scan is broken", len(consts))
	}
	known := map[core.Code]bool{}
	for _, c := range core.Codes() {
		known[c] = true
	}
	for name, c := range consts {
		if !known[c] {
			t.Errorf("%s (%q) has no English text in codeTexts", name, c)
			continue
		}
		text := core.Text(c, core.SampleArgs(c)...)
		if strings.TrimSpace(text) == "" || strings.Contains(text, "%!") {
			t.Errorf("%s: English text %q", name, text)
		}
	}
	for c := range known {
		if core.Format(c) == "" {
			t.Errorf("%s: empty English text", c)
		}
	}
}

// TestCodes_ErrorsCarryThem checks that an error built from a code keeps its code, arguments and
// English text, and that a field error names its field.
func TestCodes_ErrorsCarryThem(t *testing.T) {
	err := core.FieldError("notes", core.CodeTooLong, 500)
	if err.Code != core.CodeTooLong || err.Kind != core.Invalid || core.FieldOf(err) != "notes" ||
		err.Error() != "notes: must be at most 500 characters" || len(err.Args) != 1 {
		t.Errorf("got %+v (%q)", err, err.Error())
	}
	if core.CodeOf(err) != core.CodeTooLong || core.CodeOf(nil) != "" {
		t.Error("CodeOf")
	}
	_, err2 := core.ValidatePhone("12")
	if core.CodeOf(err2) != core.CodePhoneDigits {
		t.Errorf("a short phone: %v (code %q)", err2, core.CodeOf(err2))
	}
}

// codeConstants parses codes.go for its Code constants: name → value.
func codeConstants(t *testing.T) map[string]core.Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]core.Code{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(n.Name, "Code") {
					out[n.Name] = core.Code(strings.Trim(lit.Value, `"`))
				}
			}
		}
	}
	return out
}

// TestCodes_NoLiteralCodes fails when code passes a string literal where a Code goes: Go turns
// the literal into a Code that has no text in any language.
func TestCodes_NoLiteralCodes(t *testing.T) {
	literal := regexp.MustCompile(`\b(NewError\(\s*(core\.)?\w+|FieldError\(\s*[^,()]+),\s*"`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllString(string(b), -1) {
			t.Errorf("%s: %s… — use a Code constant of core/codes.go", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
