package core

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestEscapeCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+33 6 12": "'+33 6 12", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "plain": "plain", "": "", "a=b": "a=b",
	} {
		if got := EscapeCSVCell(in); got != want {
			t.Errorf("EscapeCSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	rows := [][]string{{"name", "phone"}, {"=HYPERLINK(\"x\")", "+33 6 12 34 56 78"}, {"a,b", "say \"hi\""}}
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	back, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"name", "phone"}, {"'=HYPERLINK(\"x\")", "'+33 6 12 34 56 78"}, {"a,b", "say \"hi\""}}
	for i := range want {
		for j := range want[i] {
			if back[i][j] != want[i][j] {
				t.Errorf("row %d cell %d = %q, want %q", i, j, back[i][j], want[i][j])
			}
		}
	}
}
