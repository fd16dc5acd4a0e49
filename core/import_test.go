package core_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/epicevents/crm/core"
)

func (e *env) clientCount() int {
	e.t.Helper()
	l, _, err := e.svc.ListClients(e.admin, core.ClientQuery{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(l)
}

func importText(e *env, a *core.Actor, text string, dry bool) (core.ImportReport, error) {
	return e.svc.ImportClients(a, strings.NewReader(text), core.ImportOptions{DryRun: dry})
}

// What spreadsheets write: a byte-order mark, CRLF, the export's English names, and French
// Excel's semicolons and French names; management names the commercial per line.
func TestService_ImportClients_Formats(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	before := e.trailLen()
	en := "\ufefffull_name,email,phone,company_name,notes,commercial\r\n" +
		"Léa Martin,lea@acme.fr,01 23 45 67 89,Acme,\"two\r\nlines\",Bob Commercial\r\n" +
		"Jo Blanc,jo@acme.fr,'+33 6 12 34 56 78,Acme,,BOB@x.io\r\n"
	en = strings.Replace(en, "BOB@x.io", bob.Email(), 1)
	rep, err := importText(e, e.admin, en, false)
	if err != nil || rep.Created != 2 || !rep.Written {
		t.Fatalf("English: %+v, %v", rep, err)
	}
	c, _, err := e.svc.ListClients(e.admin, core.ClientQuery{Search: "jo blanc"})
	if err != nil || len(c) != 1 || c[0].Phone != "+33 6 12 34 56 78" || c[0].CommercialID != bob.ID() {
		t.Fatalf("Jo Blanc = %+v, %v (the escaped + comes back without its quote)", c, err)
	}
	l, _, _ := e.svc.ListClients(e.admin, core.ClientQuery{Search: "léa"})
	if len(l) != 1 || l[0].Notes != "two\nlines" {
		t.Fatalf("Léa's notes = %q", l)
	}
	if got := e.trailLen() - before; got != 2 {
		t.Errorf("audit entries = %d, want one per client", got)
	}

	fr := "Nom complet;Courriel;Téléphone;Société;Notes\n" +
		"Anne Roux;anne@roux.fr;04 11 22 33 44;Roux SA;\n"
	rep, err = importText(e, bob, fr, false)
	if err != nil || rep.Created != 1 {
		t.Fatalf("French as a commercial: %+v, %v", rep, err)
	}
	if l, _, _ := e.svc.ListClients(bob, core.ClientQuery{Mine: true}); len(l) != 3 {
		t.Errorf("bob's clients = %d, want 3 (his import is his)", len(l))
	}
	// Lines are numbered as the file has them, a quoted line break counting.
	rep, err = importText(e, e.admin, "nom;e-mail;tel;entreprise;notes;commercial\n"+
		"Paul Noir;paul@noir.fr;0611223344;Noir;\"a\nb\";\n", true)
	if core.KindOf(err) != core.Invalid || rep.Rows[0].Line != 2 || codeOf(rep.Rows[0].Err) != core.CodeImportNeedsOwner {
		t.Errorf("management without a commercial: %+v, %v", rep.Rows, err)
	}
}

// A bad line rejects the whole file, naming every bad line; a dry run writes nothing.
func TestService_ImportClients_AllOrNothing(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	before, audit := e.clientCount(), e.trailLen()
	text := "full_name,email,phone,company_name\n" +
		"Good One,good@one.fr,0102030405,One\n" +
		"Bad Mail,not-an-email,0102030405,Two\n" +
		"Good Two,good@two.fr,0102030405,Two\n" +
		"Again,GOOD@one.fr,0102030405,Three\n" +
		"Short,short@x.fr\n"
	rep, err := importText(e, bob, text, false)
	if core.KindOf(err) != core.Invalid || codeOf(err) != core.CodeImportRejected || rep.Written {
		t.Fatalf("err = %v, report %+v", err, rep)
	}
	if !strings.Contains(err.Error(), "first on line 3") || rep.Failed != 3 {
		t.Errorf("err = %v, failed %d", err, rep.Failed)
	}
	wantLine := map[int]string{3: "email", 5: "email", 6: ""}
	for _, r := range rep.Rows {
		field, bad := wantLine[r.Line]
		if bad != (r.Err != nil) {
			t.Errorf("line %d: err %v", r.Line, r.Err)
		}
		var ce *core.Error
		if bad && (!asCoreError(r.Err, &ce) || ce.Field != field) {
			t.Errorf("line %d: field of %v, want %q", r.Line, r.Err, field)
		}
	}
	if e.clientCount() != before || e.trailLen() != audit {
		t.Fatal("a rejected file wrote something")
	}
	good := "full_name,email,phone,company_name\nGood One,good@one.fr,0102030405,One\n"
	rep, err = importText(e, bob, good, true)
	if err != nil || rep.Created != 1 || rep.Written || e.clientCount() != before || e.trailLen() != audit {
		t.Fatalf("dry run: %+v, %v; it must write nothing", rep, err)
	}
	if _, err := importText(e, e.user("Sue Support", core.Support), good, true); core.KindOf(err) != core.Forbidden {
		t.Errorf("support imports: %v", err)
	}
}

// Updates by email change only what differs, within the caller's rights; an export imports
// back without a change.
func TestService_ImportClients_UpdateAndRoundTrip(t *testing.T) {
	e := mustEnv(t)
	bob := e.user("Bob Commercial", core.Commercial)
	cid := e.user("Cid Commercial", core.Commercial)
	mine, theirs := e.client(bob), e.client(cid)
	notes := "=SUM(A1)\n- call back"
	if _, err := e.svc.UpdateClient(e.admin, mine.ID, core.ClientPatch{Notes: &notes, Phone: ptr("+33 1 02 03 04 05")}); err != nil {
		t.Fatal(err)
	}
	list, _, _ := e.svc.ListClients(e.admin, core.ClientQuery{})
	rows := [][]string{{"id", "full_name", "email", "phone", "company_name", "commercial_contact_id", "commercial_contact_name", "notes", "created_at", "updated_at"}}
	for _, c := range list {
		rows = append(rows, []string{c.ID.String(), c.FullName, c.Email, c.Phone, c.CompanyName, c.CommercialID.String(), "x", c.Notes, "2026-01-01T00:00:00Z", ""})
	}
	var buf bytes.Buffer
	if err := core.WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	audit := e.trailLen()
	for _, a := range []*core.Actor{e.admin, bob} {
		rep, err := importText(e, a, buf.String(), false)
		if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import of an export by %s: %+v, %v", a.FullName(), rep, err)
		}
	}
	if e.trailLen() != audit {
		t.Fatal("re-importing an export wrote audit entries")
	}
	after, _, _ := e.svc.ListClients(e.admin, core.ClientQuery{})
	for i := range after {
		if after[i] != list[i] {
			t.Errorf("client changed: %+v → %+v", list[i], after[i])
		}
	}

	upd := "email,company_name\n" + mine.Email + ",New Name SA\n"
	rep, err := importText(e, bob, upd, false)
	if err != nil || rep.Updated != 1 || len(rep.Rows[0].Fields) != 1 || rep.Rows[0].Fields[0] != "company_name" {
		t.Fatalf("update: %+v, %v", rep, err)
	}
	if got, _ := e.svc.GetClient(bob, mine.ID); got.CompanyName != "New Name SA" || got.Notes != notes {
		t.Errorf("after update: %+v", got)
	}
	if e.trailLen() != audit+1 {
		t.Errorf("audit entries = %d, want one more", e.trailLen()-audit)
	}
	_, err = importText(e, bob, "email,company_name\n"+theirs.Email+",Mine Now\n", false)
	if core.KindOf(err) != core.Invalid {
		t.Fatalf("bob updates cid's client: %v", err)
	}
	rep, _ = importText(e, bob, "email,company_name\n"+theirs.Email+",Mine Now\n", true)
	if core.KindOf(rep.Rows[0].Err) != core.Forbidden {
		t.Errorf("row error = %v, want Forbidden", rep.Rows[0].Err)
	}
	rep, _ = importText(e, e.admin, "email,commercial\n"+theirs.Email+","+bob.Email()+"\n", true)
	if codeOf(rep.Rows[0].Err) != core.CodeImportReassign {
		t.Errorf("a changed commercial: %v", rep.Rows[0].Err)
	}
}

func TestService_ImportClients_FileErrors(t *testing.T) {
	e := mustEnv(t)
	for _, c := range []struct{ name, text, code, msg string }{
		{"empty", "\ufeff\r\n", core.CodeCSVEmpty, "empty"},
		{"header only", "full_name,email\r\n", core.CodeCSVEmpty, "empty"},
		{"unknown column", "full_name,email,fax\nA B,a@b.fr,1\n", core.CodeCSVColumnUnknown, `"fax"`},
		{"twice", "nom,full_name,email\n", core.CodeCSVColumnTwice, "twice"},
		{"no email", "nom;tel\nA B;0102030405\n", core.CodeCSVColumnMissing, "email"},
		{"quotes", "full_name,email\nA B,a@b.fr\n\"A B,a@b.fr\nx\"y,z\n", core.CodeCSVMalformed, "line 3"},
		{"latin-1", "full_name,email\nA B,a@b.fr\nL\xe9a,l@b.fr\n", core.CodeCSVEncoding, "line 3"},
	} {
		_, err := importText(e, e.admin, c.text, true)
		if codeOf(err) != c.code || core.KindOf(err) != core.Invalid || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v (code %q), want %s mentioning %q", c.name, err, codeOf(err), c.code, c.msg)
		}
	}
}

func codeOf(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return string(e.Code)
	}
	return ""
}

func asCoreError(err error, e **core.Error) bool { return errors.As(err, e) }
