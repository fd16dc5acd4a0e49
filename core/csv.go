package core

import (
	"bufio"
	"bytes"
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

// WriteCSV writes rows as RFC 4180 CSV, every cell escaped with EscapeCSVCell and every record
// ended by CRLF, on every system. The window and the command line export through it.
//
// encoding/csv's UseCRLF is not used: it also rewrites the line breaks inside quoted cells,
// dropping a lone carriage return. Here each record is written with a plain "\n" terminator
// and only that terminator becomes "\r\n", so a cell's text comes back byte for byte.
func WriteCSV(w io.Writer, rows [][]string) error {
	out := bufio.NewWriter(w)
	var rec bytes.Buffer
	cw := csv.NewWriter(&rec)
	line := []string{}
	for _, r := range rows {
		line = line[:0]
		for _, c := range r {
			line = append(line, EscapeCSVCell(c))
		}
		rec.Reset()
		if err := cw.Write(line); err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		b := rec.Bytes()
		b = append(b[:len(b)-1], '\r', '\n')
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
	return out.Flush()
}
