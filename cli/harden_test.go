package cli

// Regression tests of issue #10 (hardening), run in-process through Main.

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/epicevents/crm/core"
	"github.com/epicevents/crm/storage"
)

// rawControls are the characters that drive a terminal when printed as they are.
const rawControls = "\x1b\r\a\b\u202e\u200b\u009b"

// noRawControls fails unless out holds none of rawControls.
func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, rawControls); i >= 0 {
		t.Errorf("%s prints %q raw: %q", what, out[i:i+1], out)
	}
}

// storeClient puts a client straight into the database of dir, as an older version or a
// damaged file may hold it: its text is not checked by core.
func storeClient(t *testing.T, dir string, c core.Client) {
	t.Helper()
	db, err := storage.Open(filepath.Join(dir, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx core.Tx) error {
		users, err := tx.Users(core.UserFilter{})
		if err != nil {
			return err
		}
		c.CommercialID, c.CreatedAt, c.UpdatedAt = users[0].ID, time.Now(), time.Now()
		return tx.PutClient(&c)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"Kevin Casey":             "Kevin Casey",
		"Zoë 李小龍 Владимир":        "Zoë 李小龍 Владимир",
		"\x1b[2Jgone":             `\x1b[2Jgone`,
		"line\rover":              `line\rover`,
		"two\nlines":              `two\nlines`,
		"bell\a\x7f":              `bell\a\x7f`,
		"csi\u009b31m":            `csi\u009b31m`,
		"Ada \u202eNIMDA":         `Ada \u202eNIMDA`,
		"ada\u200b@epicevents.fr": `ada\u200b@epicevents.fr`,
		"sep\u2028\u2029":         `sep\u2028\u2029`,
		"bad\xffbyte":             `bad\xffbyte`,
	} {
		if got := plain(in); got != want {
			t.Errorf("plain(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMain_EscapesControls: text that reached the database before the text rules, flags and
// paths typed with control characters are all printed escaped — tables, details, messages and
// error lines — and JSON keeps them exact.
func TestMain_EscapesControls(t *testing.T) {
	dir := newAdmin(t, false)
	id := uuid.New()
	storeClient(t, dir, core.Client{ID: id, FullName: "Evil \u202eCorp\x1b[31m", Email: "evil@example.com",
		Phone: "0102030405", CompanyName: "Spoof\rReal Company", Notes: "hello\x1b[2J\x1b[H\rsecret\nline two\a"})
	for _, args := range [][]string{{"client", "list"}, {"client", "view", id.String()}, {"client", "search", "evil"}} {
		out := mustCall(t, dir, "", 0, args...)
		noRawControls(t, strings.Join(args, " "), out)
		if !strings.Contains(out, `\x1b[31m`) {
			t.Errorf("%v: the escape is not shown: %q", args, out)
		}
	}
	view := mustCall(t, dir, "", 0, "client", "view", id.String())
	if !strings.Contains(view, `hello\x1b[2J\x1b[H\rsecret`) || !strings.Contains(view, "line two\\a") {
		t.Errorf("client view notes: %q", view)
	}
	js := mustCall(t, dir, "", 0, "client", "view", id.String(), "--json")
	if !strings.Contains(js, `"notes": "hello\u001b[2J\u001b[H\rsecret\nline two\u0007"`) {
		t.Errorf("JSON changes the notes: %s", js)
	}
	for _, args := range [][]string{
		{"client", "list", "--\x1b[31mred"},
		{"restore", "/nowhere/\x1b[2Jbackup.db"},
		{"client", "view", "\x1b]0;title\a"},
		{"frob\rnicate"},
	} {
		_, errOut, code := call(t, dir, "", args...)
		if code == 0 || !strings.HasPrefix(errOut, "error: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
		noRawControls(t, "the error of "+strings.Join(args, " "), errOut)
	}
}
