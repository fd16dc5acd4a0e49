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
	t.Run("OK", func(t *testing.T) {
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
	})
	// RFC 4180: every record ends with CRLF, whatever the system; the line breaks inside a
	// quoted cell are the cell's own and are kept as they are.
	t.Run("OKCRLF", func(t *testing.T) {
		var b bytes.Buffer
		rows := [][]string{{"id", "notes"}, {"1", "two\nlines"}, {"2", "lone\rreturn"}, {"3", "dos\r\nbreak"}, {}}
		if err := WriteCSV(&b, rows); err != nil {
			t.Fatal(err)
		}
		want := "id,notes\r\n1,\"two\nlines\"\r\n2,\"lone\rreturn\"\r\n3,\"dos\r\nbreak\"\r\n\r\n"
		if b.String() != want {
			t.Errorf("WriteCSV wrote\n%q\nwant\n%q", b.String(), want)
		}
	})
}
