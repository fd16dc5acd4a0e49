package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestTranslations_Complete(t *testing.T) {
	mustNoErr(t, LoadTranslations()) // go-i18n refuses some keys ("Id", "Other"…)
	files, err := filepath.Glob("*.go")
	mustNoErr(t, err)
	call := regexp.MustCompile(`\btr(?:Later)?\("((?:[^"\\]|\\.)*)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		mustNoErr(t, err)
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(`"` + m[1] + `"`)
			mustNoErr(t, err)
			used[s] = true
		}
	}
	if len(used) < 100 {
		t.Fatalf("only %d translated strings found: the scan is broken", len(used))
	}
	placeholder := regexp.MustCompile(`{{\.\w+}}`)
	for _, lang := range []string{"en", "fr"} {
		b, err := translations.ReadFile("translations/" + lang + ".json")
		mustNoErr(t, err)
		var tr map[string]string
		mustNoErr(t, json.Unmarshal(b, &tr))
		for k := range used {
			v, ok := tr[k]
			if !ok || v == "" {
				t.Errorf("%s.json: no translation for %q", lang, k)
				continue
			}
			if strings.Join(placeholder.FindAllString(k, -1), " ") != strings.Join(placeholder.FindAllString(v, -1), " ") {
				t.Errorf("%s.json: %q loses a placeholder in %q", lang, k, v)
			}
		}
	}
}

func TestFormat_French(t *testing.T) {
	inFrench(t)
	if !french {
		t.Fatal("LANG=fr_FR.UTF-8 should select French")
	}
	for got, want := range map[string]string{
		fmtMoney(mustAmount(t, "15000")):    "15\u00a0000,00\u00a0€",
		fmtMoney(mustAmount(t, "8500.5")):   "8\u00a0500,50\u00a0€",
		fmtInt(1200):                        "1\u00a0200",
		fmtDate(fixedNow):                   "02/03/2026",
		fmtDateTime(fixedNow):               "02/03/2026 09:30",
		moneyInput(mustAmount(t, "2500.5")): "2500,50",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestFrench_LoginAndMain(t *testing.T) {
	inFrench(t)
	e := newEnv(t, true)
	g := e.start()
	if g.login.submit.Text != "Se connecter" {
		t.Errorf("login button %q", g.login.submit.Text)
	}
	typeLogin(g, adminEmail, "Mauvais!mdp1")
	if got := g.login.message.Text; got != "e-mail ou mot de passe invalide" {
		t.Errorf("message %q", got)
	}
	g.login.email.SetText("")
	g.login.password.SetText("")
	e.login(g, adminEmail)
	if want := "Epic Events CRM — Ada Admin (gestion)"; g.win.Title() != want {
		t.Errorf("title %q, want %q", g.win.Title(), want)
	}
	if got := strings.Join(tabTitles(g), " "); got != "Accueil Agenda Clients Contrats Événements Collaborateurs Activité" {
		t.Errorf("tabs %q", got)
	}
	k := g.main.contracts
	row := rowOf(t, k, 0, "Kevin Casey")
	if got := k.table.cols[3].Value(k.table.rows[row]); got != "15\u00a0000,00\u00a0€" {
		t.Errorf("total shown as %q", got)
	}
	if got := k.status.Text; got != "4 sur 4 affichés" {
		t.Errorf("status %q", got)
	}
}
