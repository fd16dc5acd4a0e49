package core

import (
	"encoding/csv"
	"io"
	"strings"
)

// EscapeCSVCell neutralises a cell that a spreadsheet would run as a formula (PRODUCT.md §8):
// a cell beginning with =, +, -, @, tab or carriage return gets a leading single quote.
func EscapeCSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes rows as CSV, every cell escaped with EscapeCSVCell. The window and the
// command line export through it.
func WriteCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	line := []string{}
	for _, r := range rows {
		line = line[:0]
		for _, c := range r {
			line = append(line, EscapeCSVCell(c))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
