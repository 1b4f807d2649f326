package bankfeed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/npress/nightly/calendar"
)

// parseCSV reads a CSV bank file through profile p.
func parseCSV(name string, data []byte, p CSVProfile, o ParseOptions) (*Statement, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	text, err := decodeCSV(data, p.Encoding)
	if err != nil {
		return nil, &FormatError{File: name, Reason: "cannot decode as " + p.Encoding + ": " + err.Error(), Err: ErrField}
	}
	r := p.reader(text)
	cols, err := p.readColumns(name, r)
	if err != nil {
		return nil, err
	}
	rows := csvRows{file: name, p: p, cols: cols, layouts: p.dateLayouts(), runDate: o.RunDate}
	st := &Statement{Format: formatCSVPrefix + p.Name}
	accounts := map[string]int{}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := r.FieldPos(0)
		if blankRow(row) {
			continue
		}
		t, err := rows.txn(csvRow{cells: row, line: line})
		if err != nil {
			return nil, err
		}
		if t.Kind == Debit {
			st.Ignored++
		}
		st.addCSVTxn(accounts, t)
		st.Txns = append(st.Txns, t)
	}
	return st, nil
}

// csvError turns an error of encoding/csv into a FormatError of file name, with the
// line when the reader gives one.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FormatError{File: name, Record: pe.Line, Reason: pe.Err.Error() + " (CSV)", Err: ErrField}
	}
	return &FormatError{File: name, Reason: err.Error(), Err: ErrField}
}

// readColumns reads the rows up to the header row and resolves the profile's columns
// in it: a file that ends first or lacks a required column is a layout error.
func (p CSVProfile) readColumns(name string, r *csv.Reader) (columns, error) {
	header, err := p.headerRow(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return columns{}, &FormatError{File: name, Reason: fmt.Sprintf("the file ends before the header row (profile %s skips %d rows)", p.Name, p.SkipRows), Err: ErrLayout}
		}
		return columns{}, csvError(name, err)
	}
	cols, missing := p.resolve(header)
	if len(missing) > 0 {
		return columns{}, &FormatError{File: name, Record: p.SkipRows + 1, Reason: fmt.Sprintf("profile %s: the header row has no column %s", p.Name, strings.Join(missing, ", ")), Err: ErrLayout}
	}
	return cols, nil
}

// dateLayouts returns the profile's date layouts, or the usual ones.
func (p CSVProfile) dateLayouts() []string {
	if p.DateLayout != "" {
		return strings.Split(p.DateLayout, "|")
	}
	return defaultDateLayouts
}

// csvRows reads the rows of one CSV bank file: its name (for errors), the profile, the
// columns resolved in its header, the date layouts and the run date.
type csvRows struct {
	file    string
	p       CSVProfile
	cols    columns
	layouts []string
	runDate calendar.Date
}

// csvRow is one row of a CSV bank file and the line it starts on.
type csvRow struct {
	cells []string
	line  int
}

// cell returns column i of the row, trimmed; "" when the row has no such column.
func (r csvRow) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// fail is the error of column i (profile spec) of row: its header text, the cell's
// bytes, why it is refused and the sentinel callers branch on.
func (c *csvRows) fail(row csvRow, i int, spec, reason string, sentinel error) error {
	field := spec
	if i >= 0 && i < len(c.cols.names) {
		field = c.cols.names[i]
	}
	return &FormatError{File: c.file, Record: row.line, Field: field, Bytes: []byte(row.cell(i)), Reason: reason, Err: sentinel}
}

// txn reads the transfer of one row: a plausible value date, a payer that is text, and
// an amount in either the credit or the debit column, never both.
func (c *csvRows) txn(row csvRow) (Txn, error) {
	cols, p := &c.cols, &c.p
	d, ok := parseCSVDate(row.cell(cols.date), c.layouts)
	if !ok {
		return Txn{}, c.fail(row, cols.date, p.Date, "not a date (layouts "+strings.Join(c.layouts, ", ")+")", ErrDate)
	}
	if why := implausibleValueDate(d, c.runDate); why != "" {
		return Txn{}, c.fail(row, cols.date, p.Date, why, ErrDate)
	}
	if payer := row.cell(cols.payer); !utf8.ValidString(payer) || strings.ContainsRune(payer, utf8.RuneError) {
		return Txn{}, c.fail(row, cols.payer, p.Payer, "bytes that are not text in the file's encoding ("+csvEncodingName(p.Encoding)+
			"); ask the bank for the file again as it was sent, or set the profile's encoding", ErrField)
	}
	kind, amount, err := c.amount(row)
	if err != nil {
		return Txn{}, err
	}
	t := Txn{
		Account:   row.cell(cols.account),
		RefNo:     row.cell(cols.ref),
		ValueDate: d,
		Payer:     row.cell(cols.payer),
		EDI:       row.cell(cols.edi),
		Summary:   row.cell(cols.summary),
		Record:    row.line,
		Kind:      kind,
		Amount:    amount,
	}
	if t.Account == "" {
		t.Account = p.DefaultAccount
	}
	return t, nil
}

// amount reads the row's credit and debit columns: exactly one of them has an amount.
func (c *csvRows) amount(row csvRow) (Kind, int64, error) {
	cols, p := &c.cols, &c.p
	credit, ok := parseYen(row.cell(cols.amount))
	if !ok {
		return 0, 0, c.fail(row, cols.amount, p.Amount, "not an amount in yen", ErrAmount)
	}
	debit, ok := parseYen(row.cell(cols.debit))
	if !ok {
		return 0, 0, c.fail(row, cols.debit, p.Debit, "not an amount in yen", ErrAmount)
	}
	switch {
	case credit > 0 && debit > 0:
		return 0, 0, c.fail(row, cols.amount, p.Amount, "both a credit and a debit amount in one row", ErrAmount)
	case credit > 0:
		return Credit, credit, nil
	case debit > 0:
		return Debit, debit, nil
	}
	return 0, 0, c.fail(row, cols.amount, p.Amount, "no amount", ErrAmount)
}

// addCSVTxn counts t in the totals and period of its account, adding the account (in
// the order first met; accounts maps its key to its index) when new.
func (st *Statement) addCSVTxn(accounts map[string]int, t Txn) {
	ai, ok := accounts[t.Account]
	if !ok {
		ai = len(st.Accounts)
		accounts[t.Account] = ai
		st.Accounts = append(st.Accounts, Account{Key: t.Account, Number: t.Account})
	}
	a := &st.Accounts[ai]
	a.Records++
	if t.Kind == Credit {
		a.Credits++
		a.CreditTotal += t.Amount
	} else {
		a.Debits++
		a.DebitTotal += t.Amount
	}
	d := t.ValueDate
	if a.From.IsZero() || d.Before(a.From) {
		a.From = d
	}
	if d.After(a.To) {
		a.To = d
	}
}

// csvEncodingName names a profile's encoding for messages.
func csvEncodingName(enc string) string {
	if enc == "" {
		return "UTF-8 or Shift_JIS, detected"
	}
	return enc
}

func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func parseCSVDate(s string, layouts []string) (calendar.Date, bool) {
	s = width.Narrow.String(s)
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return calendar.Of(t), true
		}
	}
	return calendar.Date{}, false
}

// parseYen reads "12,345", "¥12,345", "12345円" (full or half width); "" is 0.
func parseYen(s string) (int64, bool) {
	s = width.Narrow.String(s)
	s = strings.NewReplacer(",", "", "¥", "", "\\", "", "円", "", " ", "", "+", "").Replace(s)
	if s == "" {
		return 0, true
	}
	if len(s) > 15 {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
