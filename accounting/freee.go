package accounting

import (
	"io"
)

// FreeeJournalHeader is the header row of the freee 仕訳インポート file; freee maps the
// columns by their names when the file is imported.
var FreeeJournalHeader = []string{"日付", "伝票番号", "決算整理仕訳", "借方勘定科目", "借方補助科目", "借方取引先", "借方税区分",
	"借方金額", "借方税額", "貸方勘定科目", "貸方補助科目", "貸方取引先", "貸方税区分", "貸方金額", "貸方税額", "摘要"}

// WriteFreeeJournal writes entries as freee 仕訳 (振替伝票): the header row, then every
// line of an entry under one 伝票番号 (numbered from 1 in the file) and its date, in
// enc with CRLF. The customer of a 売掛金 line is its 取引先. freee's receivables
// report does not read 振替伝票: for it, import the invoices with WriteFreeeDeals.
func WriteFreeeJournal(w io.Writer, entries []Entry, c Chart, names map[string]string, enc Encoding) (Stats, error) {
	return writeLines(w, enc, FreeeJournalHeader, entries, c, names, func(e Entry, dr, cr []Row, i, _, no int) ([]cell, error) {
		row := []cell{slashDate(e.Date), num(int64(no)), raw("")}
		row = append(row, freeeSide(dr, i)...)
		row = append(row, freeeSide(cr, i)...)
		return append(row, text(e.Memo)), nil
	})
}

// freeeSide returns the six cells of one side of line i (勘定科目, 補助科目, 取引先,
// 税区分, 金額, 税額).
func freeeSide(rows []Row, i int) []cell {
	if i >= len(rows) {
		return []cell{raw(""), raw(""), raw(""), raw(""), raw(""), raw("")}
	}
	r := rows[i]
	sub := r.Sub
	if r.account == Receivable {
		sub = ""
	}
	return []cell{text(r.Account), text(sub), text(r.Partner), text(r.TaxCategory), num(r.Amount), taxCell(r)}
}

// FreeeDealsHeader is the header row of freee's 取引インポート (21 columns).
var FreeeDealsHeader = []string{"収支区分", "管理番号", "発生日", "決済期日", "取引先コード", "取引先", "勘定科目", "税区分", "金額",
	"税計算区分", "税額", "備考", "品目", "部門", "メモタグ（複数指定可、カンマ区切り）", "セグメント1", "セグメント2", "セグメント3",
	"決済日", "決済口座", "決済金額"}

// WriteFreeeDeals writes the invoices issued, voided and lapsed among entries as freee
// 取引 (収入): one unsettled 取引 per invoice issued (決済日 and 決済口座 left empty,
// so that freee counts it as an open receivable) and one negative 取引 per void or
// lapse, 管理番号 the invoice number (with 取消 or 失効 for the negative one), dated
// with the event. Payments are left to freee's own bank matching (自動で経理), which
// settles these 取引. Tax is 内税: the amount includes the tax shown.
func WriteFreeeDeals(w io.Writer, bk *Book, entries []Entry, c Chart, enc Encoding) (Stats, error) {
	s, err := newSheet(w, enc)
	if err != nil {
		return Stats{}, err
	}
	if err := s.write(headerCells(FreeeDealsHeader), false); err != nil {
		return s.stats, err
	}
	for _, e := range entries {
		suffix := map[Kind]string{KindIssue: "", KindVoid: "取消", KindLapse: "失効"}
		sfx, ok := suffix[e.Kind]
		if !ok {
			continue
		}
		inv, ok := bk.invoices[invoiceOf(e)]
		if !ok {
			continue
		}
		dr, cr, err := c.Rows(e, bk.Names)
		if err != nil {
			return s.stats, err
		}
		s.stats.Entries++
		for _, r := range append(cr, dr...) {
			if r.account == Receivable {
				continue
			}
			sign := int64(1)
			if e.Kind != KindIssue {
				sign = -1
			}
			calc := raw("")
			if r.Taxed {
				calc = text("内税")
			}
			row := []cell{text("収入"), text(inv.Number + sfx), slashDate(e.Date), slashDate(inv.DueDate), text(inv.CustomerNo),
				text(inv.CustomerName), text(r.Account), text(r.TaxCategory), num(sign * r.Amount), calc}
			if r.Taxed {
				row = append(row, num(sign*r.Tax))
			} else {
				row = append(row, raw(""))
			}
			row = append(row, text(e.Memo))
			for range 9 {
				row = append(row, raw(""))
			}
			if err := s.write(row, true); err != nil {
				return s.stats, err
			}
		}
	}
	return s.finish()
}

// invoiceOf returns the invoice an issue, void or lapse entry is about.
func invoiceOf(e Entry) string {
	for _, l := range e.Lines {
		if l.Account == Receivable {
			return l.Invoice
		}
	}
	return ""
}
