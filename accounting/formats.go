package accounting

import (
	"fmt"
	"io"
)

// Format is an import format of an accounting software.
type Format string

// The formats `nightly export journal --format` writes.
const (
	FormatYayoi        Format = "yayoi"         // 弥生会計: 弥生インポート形式 (仕訳日記帳)
	FormatMF           Format = "mf"            // マネーフォワード クラウド会計: 仕訳帳インポート
	FormatFreee        Format = "freee"         // freee会計: 取引インポート (invoices as unsettled 取引)
	FormatFreeeJournal Format = "freee-journal" // freee会計: 仕訳インポート (振替伝票)
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatYayoi, FormatMF, FormatFreee, FormatFreeeJournal}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("format %q: want yayoi, mf, freee or freee-journal", s)
}

// YayoiMaxAmount is the largest amount 弥生 imports (9 digits).
const YayoiMaxAmount = 999_999_999

// yayoiTail are the last columns of a 弥生 row after 仕訳メモ: 付箋1, 付箋2, 調整.
var yayoiTail = []cell{raw("0"), raw("0"), raw("no")}

// WriteYayoi writes entries in the 弥生インポート形式: 25 columns, no header row, in
// Shift_JIS (CP932) with CRLF, dates YYYY/MM/DD, integer amounts; 識別フラグ 2000 for
// an entry of one line, 2110, 2100 … 2101 for the lines of a longer one, which share its
// date. A side left empty has amount 0. 仕訳メモ carries the entry's ID, so that the
// accountant can tell an entry imported twice.
func WriteYayoi(w io.Writer, entries []Entry, c Chart, names map[string]string) (Stats, error) {
	return writeLines(w, CP932, nil, entries, c, names, func(e Entry, dr, cr []Row, i, n, _ int) ([]cell, error) {
		flag := "2000"
		switch {
		case n == 1:
		case i == 0:
			flag = "2110"
		case i == n-1:
			flag = "2101"
		default:
			flag = "2100"
		}
		row := []cell{raw(flag), raw(""), raw(""), slashDate(e.Date)}
		for _, side := range [][]Row{dr, cr} {
			cells, err := yayoiSide(e, side, i)
			if err != nil {
				return nil, err
			}
			row = append(row, cells...)
		}
		row = append(row, text(e.Memo), raw(""), raw(""), raw("0"), raw(""), text(e.ID))
		return append(row, yayoiTail...), nil
	})
}

// writeLines writes header (none when nil), then one row per line of every entry
// that has lines, as line builds it: line i of the entry's n lines, the entry being
// the no-th written to the file. It is the loop the journal formats share.
func writeLines(w io.Writer, enc Encoding, header []string, entries []Entry, c Chart, names map[string]string,
	line func(e Entry, dr, cr []Row, i, n, no int) ([]cell, error)) (Stats, error) {
	s, err := newSheet(w, enc)
	if err != nil {
		return Stats{}, err
	}
	if header != nil {
		if err := s.write(headerCells(header), false); err != nil {
			return s.stats, err
		}
	}
	for _, e := range entries {
		dr, cr, err := c.Rows(e, names)
		if err != nil {
			return s.stats, err
		}
		n := max(len(dr), len(cr))
		if n == 0 {
			continue
		}
		s.stats.Entries++
		for i := range n {
			row, err := line(e, dr, cr, i, n, s.stats.Entries)
			if err != nil {
				return s.stats, err
			}
			if err := s.write(row, true); err != nil {
				return s.stats, err
			}
		}
	}
	return s.finish()
}

// yayoiSide returns the six cells of one side (勘定科目, 補助科目, 部門, 税区分, 金額,
// 税金額) of line i of an entry: empty with amount 0 when the side has no line i.
func yayoiSide(e Entry, rows []Row, i int) ([]cell, error) {
	if i >= len(rows) {
		return []cell{raw(""), raw(""), raw(""), raw(""), raw("0"), raw("")}, nil
	}
	r := rows[i]
	if r.Amount > YayoiMaxAmount {
		return nil, fmt.Errorf("journal entry %s (%s): %s ¥%d is more than the 9 digits 弥生 imports; book it by hand", e.ID, e.Date, r.Account, r.Amount)
	}
	return []cell{text(r.Account), text(r.Sub), raw(""), text(r.TaxCategory), num(r.Amount), taxCell(r)}, nil
}

// taxCell is the tax amount of a taxed row, else empty.
func taxCell(r Row) cell {
	if !r.Taxed {
		return raw("")
	}
	return num(r.Tax)
}

// MFHeader is the header row of マネーフォワード クラウド会計's 仕訳帳 import (27
// columns, A–AA), written unchanged.
var MFHeader = []string{"取引No", "取引日", "借方勘定科目", "借方補助科目", "借方部門", "借方取引先", "借方税区分", "借方インボイス",
	"借方金額(円)", "借方税額", "貸方勘定科目", "貸方補助科目", "貸方部門", "貸方取引先", "貸方税区分", "貸方インボイス", "貸方金額(円)",
	"貸方税額", "摘要", "仕訳メモ", "タグ", "MF仕訳タイプ", "決算整理仕訳", "作成日時", "作成者", "最終更新日時", "最終更新者"}

// WriteMF writes entries as マネーフォワード クラウド会計's 仕訳帳 import: the header
// row, then every line of an entry under one 取引No (numbered from 1 in the file),
// dates YYYY/MM/DD, CRLF, in enc. A side left empty is left blank.
func WriteMF(w io.Writer, entries []Entry, c Chart, names map[string]string, enc Encoding) (Stats, error) {
	return writeLines(w, enc, MFHeader, entries, c, names, func(e Entry, dr, cr []Row, i, _, no int) ([]cell, error) {
		row := []cell{num(int64(no)), slashDate(e.Date)}
		row = append(row, mfSide(dr, i)...)
		row = append(row, mfSide(cr, i)...)
		return append(row, text(e.Memo), text(e.ID), raw(""), raw(""), raw(""), raw(""), raw(""), raw(""), raw("")), nil
	})
}

// mfSide returns the eight cells of one side of line i (勘定科目, 補助科目, 部門,
// 取引先, 税区分, インボイス, 金額, 税額).
func mfSide(rows []Row, i int) []cell {
	if i >= len(rows) {
		return []cell{raw(""), raw(""), raw(""), raw(""), raw(""), raw(""), raw(""), raw("")}
	}
	r := rows[i]
	return []cell{text(r.Account), text(r.Sub), raw(""), raw(""), text(r.TaxCategory), raw(""), num(r.Amount), taxCell(r)}
}

func headerCells(h []string) []cell {
	cells := make([]cell, len(h))
	for i, v := range h {
		cells[i] = text(v)
	}
	return cells
}
