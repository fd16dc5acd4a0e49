package cli

import "testing"

// TestToCSV checks the bytes of an export: the JSON names as header, nil pointers empty,
// formula-like cells escaped, and every record ended by CRLF (RFC 4180) on every system.
func TestToCSV(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		notes := "first\nsecond"
		rows := []csvRow{{Name: "=cmd", Notes: &notes, Phone: "+33 6"}, {Name: "Ann", Notes: nil, Phone: ""}}
		data, n, err := toCSV(rows, nil)
		if err != nil || n != 2 {
			t.Fatalf("toCSV: %d rows, %v", n, err)
		}
		want := "full_name,notes,phone\r\n'=cmd,\"first\nsecond\",'+33 6\r\nAnn,,\r\n"
		if string(data) != want {
			t.Errorf("toCSV wrote\n%q\nwant\n%q", data, want)
		}
	})
}
