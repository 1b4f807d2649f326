// Package csvsafe keeps the text nightly writes into CSV and .xlsx cells from being taken
// for a formula when staff open the file in Excel (CSV or formula injection, as OWASP
// describes it): a cell that starts with =, +, -, @, a tab or a carriage return, and is
// not a number, gets a leading apostrophe. Restore takes that apostrophe away again when
// such a file is imported, so that export → import gives back the text exactly.
//
// Every writer of a CSV or .xlsx file goes through Cell (directly or through Writer):
// print/dispatch.csv, exceptions.csv, `nightly export` and the accounting exports.
package csvsafe

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// number is a number as a spreadsheet reads it and as nightly writes amounts: a sign,
// digits (with thousands separators) and decimals. It stays as it is.
var number = regexp.MustCompile(`^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$`)

// risky reports whether s, written as it is, would start a formula: its first character
// after any apostrophes is =, +, -, @, a tab or a carriage return, and it is not a plain
// number. Text that already starts with apostrophes before such a character counts as
// risky too, so that Restore never strips an apostrophe the text itself had.
func risky(s string) bool {
	t := strings.TrimLeft(s, "'")
	if t == "" {
		return false
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return false
	}
	return len(t) != len(s) || !number.MatchString(s)
}

// Cell returns s as it may be written into a cell: with a leading apostrophe when it
// would start a formula, else unchanged.
func Cell(s string) string {
	if risky(s) {
		return "'" + s
	}
	return s
}

// Row returns the cells of a record passed through Cell (a new slice).
func Row(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Cell(c)
	}
	return out
}

// Restore undoes Cell on a cell read back from a file: Restore(Cell(s)) == s for every s.
func Restore(s string) string {
	if strings.HasPrefix(s, "'") && risky(s[1:]) {
		return s[1:]
	}
	return s
}

// Writer is a csv.Writer whose Write and WriteAll pass every cell through Cell.
type Writer struct {
	*csv.Writer
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{csv.NewWriter(w)} }

// Write writes one record, each cell through Cell.
func (w *Writer) Write(record []string) error { return w.Writer.Write(Row(record)) }

// WriteAll writes the records, each cell through Cell, and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
