package accounting

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// Check reads a written file back as its importer would and checks it: the encoding,
// CRLF line ends, the header row (弥生: none), the number of columns of every row,
// 弥生's 識別フラグ, dates and integer amounts, and that the debits and credits of every
// entry are equal. It returns the number of entries (freee: 取引 rows). The export
// checks what it wrote before handing it over; the tests check every format with it.
func Check(f Format, data []byte, enc Encoding) (int, error) {
	rows, err := readRows(data, enc)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", f, err)
	}
	switch f {
	case FormatYayoi:
		return checkYayoi(rows)
	case FormatMF:
		return checkGrouped(rows, MFHeader, 0, 8, 16)
	case FormatFreeeJournal:
		return checkGrouped(rows, FreeeJournalHeader, 1, 7, 13)
	case FormatFreee:
		return checkDeals(rows)
	}
	return 0, fmt.Errorf("check: %w", errors.New("unknown format "+string(f)))
}

// readRows decodes data and splits it into CSV rows, requiring CRLF after every row.
func readRows(data []byte, enc Encoding) ([][]string, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) || bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
		return nil, errors.New("line ends are not all CRLF")
	}
	text := data
	switch enc {
	case CP932:
		var err error
		if text, err = japanese.ShiftJIS.NewDecoder().Bytes(data); err != nil {
			return nil, fmt.Errorf("not Shift_JIS: %w", err)
		}
	case UTF8:
		if !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			return nil, errors.New("not UTF-8 without a byte order mark")
		}
	default:
		return nil, fmt.Errorf("encoding %q", enc)
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

// checkYayoi checks a 弥生 file: 25 columns, no header, flags 2000 or 2110 2100… 2101,
// the date shared by the lines of an entry, each entry balanced.
func checkYayoi(rows [][]string) (int, error) {
	entries, open := 0, false
	var debit, credit int64
	var date string
	for i, row := range rows {
		at := fmt.Sprintf("yayoi row %d", i+1)
		if len(row) != 25 {
			return entries, fmt.Errorf("%s: %d columns, want 25", at, len(row))
		}
		dr, err := amount(row[8], at+" 借方金額")
		if err != nil {
			return entries, err
		}
		cr, err := amount(row[14], at+" 貸方金額")
		if err != nil {
			return entries, err
		}
		if _, err := parseSlashDate(row[3]); err != nil {
			return entries, fmt.Errorf("%s 取引日付: %w", at, err)
		}
		switch flag := row[0]; {
		case flag == "2000" && !open:
			if dr != cr {
				return entries, fmt.Errorf("%s: a one-line entry of %d / %d does not balance", at, dr, cr)
			}
			entries++
		case flag == "2110" && !open:
			open, debit, credit, date = true, dr, cr, row[3]
		case (flag == "2100" || flag == "2101") && open:
			if row[3] != date {
				return entries, fmt.Errorf("%s: date %s, the entry's first line has %s", at, row[3], date)
			}
			debit, credit = debit+dr, credit+cr
			if flag == "2101" {
				if debit != credit {
					return entries, fmt.Errorf("%s: the entry ending here does not balance (%d / %d)", at, debit, credit)
				}
				open = false
				entries++
			}
		default:
			return entries, fmt.Errorf("%s: 識別フラグ %q out of order (a header row, or an entry not closed by 2101?)", at, flag)
		}
	}
	if open {
		return entries, errors.New("yayoi: the last entry has no 2101 line")
	}
	return entries, nil
}

// checkGrouped checks a file with a header whose entries are the consecutive rows of
// one number in column group; debitCol and creditCol are the amounts.
func checkGrouped(rows [][]string, header []string, group, debitCol, creditCol int) (int, error) {
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return 0, errors.New("the header row is missing or changed")
	}
	entries := 0
	var debit, credit int64
	key := ""
	closeEntry := func(at string) error {
		if key != "" && debit != credit {
			return fmt.Errorf("%s: entry %s does not balance (%d / %d)", at, key, debit, credit)
		}
		return nil
	}
	for i, row := range rows[1:] {
		at := fmt.Sprintf("row %d", i+2)
		if len(row) != len(header) {
			return entries, fmt.Errorf("%s: %d columns, want %d", at, len(row), len(header))
		}
		if row[group] != key {
			if err := closeEntry(at); err != nil {
				return entries, err
			}
			key, debit, credit = row[group], 0, 0
			entries++
		}
		for col, sum := range map[int]*int64{debitCol: &debit, creditCol: &credit} {
			if row[col] == "" {
				continue
			}
			v, err := amount(row[col], at+" "+header[col])
			if err != nil {
				return entries, err
			}
			*sum += v
		}
	}
	return entries, closeEntry("end of file")
}

// checkDeals checks a freee 取引 file: the header, 21 columns, 収入 rows with a date
// and an integer amount.
func checkDeals(rows [][]string) (int, error) {
	if len(rows) == 0 || !slices.Equal(rows[0], FreeeDealsHeader) {
		return 0, errors.New("freee: the header row is missing or changed")
	}
	for i, row := range rows[1:] {
		at := fmt.Sprintf("freee row %d", i+2)
		if len(row) != len(FreeeDealsHeader) {
			return i, fmt.Errorf("%s: %d columns, want %d", at, len(row), len(FreeeDealsHeader))
		}
		if row[0] != "収入" {
			return i, fmt.Errorf("%s: 収支区分 %q", at, row[0])
		}
		if _, err := parseSlashDate(row[2]); err != nil {
			return i, fmt.Errorf("%s 発生日: %w", at, err)
		}
		if _, err := strconv.ParseInt(row[8], 10, 64); err != nil {
			return i, fmt.Errorf("%s 金額 %q: not an integer", at, row[8])
		}
	}
	return len(rows) - 1, nil
}

// amount reads a non-negative integer amount.
func amount(s, at string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s %q: not a non-negative integer", at, s)
	}
	return v, nil
}

func parseSlashDate(s string) (time.Time, error) {
	t, err := time.Parse("2006/01/02", s)
	if err != nil {
		return t, fmt.Errorf("%q is not a date YYYY/MM/DD", s)
	}
	return t, nil
}
