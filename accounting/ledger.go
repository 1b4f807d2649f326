package accounting

import (
	"sort"

	"github.com/npress/nightly/calendar"
)

// Journal returns the entries dated from from to to, both included.
func (bk *Book) Journal(from, to calendar.Date) []Entry {
	i := sort.Search(len(bk.Entries), func(i int) bool { return !bk.Entries[i].Date.Before(from) })
	j := sort.Search(len(bk.Entries), func(i int) bool { return bk.Entries[i].Date.After(to) })
	if i >= j {
		return nil
	}
	return bk.Entries[i:j]
}

// through returns the entries dated on or before day.
func (bk *Book) through(day calendar.Date) []Entry {
	return bk.Entries[:sort.Search(len(bk.Entries), func(i int) bool { return bk.Entries[i].Date.After(day) })]
}

// ReceivableBalance returns the balance of 売掛金 in the journal through day: its
// debits less its credits on or before day.
func (bk *Book) ReceivableBalance(day calendar.Date) int64 {
	var sum int64
	for _, e := range bk.through(day) {
		for _, l := range e.Lines {
			if l.Account == Receivable {
				sum += l.Signed()
			}
		}
	}
	return sum
}

// OpenInvoice is an invoice with money owed on it as of a day.
type OpenInvoice struct {
	Number      string
	Customer    string
	IssueDate   calendar.Date
	DueDate     calendar.Date
	Total       int64
	Open        int64 // owed as of the day
	DaysPastDue int   // days after the due date (0 or less: not due yet)
}

// OpenInvoices returns the receivables as of asOf, by customer and number: every
// invoice issued on or before it, neither void nor lapsed on it, with the 売掛金 the
// journal has on it through that day (payments, voids and everything else after asOf
// not counted) when it is not zero. A void or lapsed invoice is no receivable.
func (bk *Book) OpenInvoices(asOf calendar.Date) []OpenInvoice {
	open := map[string]int64{}
	for _, e := range bk.through(asOf) {
		for _, l := range e.Lines {
			if l.Account == Receivable {
				open[l.Invoice] += l.Signed()
			}
		}
	}
	var out []OpenInvoice
	for no, yen := range open {
		inv, ok := bk.invoices[no]
		if !ok || yen == 0 || endedBy(inv.VoidedOn, asOf) || endedBy(inv.LapsedOn, asOf) {
			continue
		}
		out = append(out, OpenInvoice{Number: no, Customer: inv.CustomerNo, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
			Total: inv.Total, Open: yen, DaysPastDue: inv.DueDate.DaysUntil(asOf)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Customer != out[j].Customer {
			return out[i].Customer < out[j].Customer
		}
		return out[i].Number < out[j].Number
	})
	return out
}

func endedBy(end, day calendar.Date) bool { return !end.IsZero() && !end.After(day) }

// AgingRow is one customer's line of the receivables aging (売掛金年齢表): what is open
// by days past its due date.
type AgingRow struct {
	Customer string
	Name     string
	NotDue   int64 // 期日前
	D1to30   int64 // 1–30日
	D31to60  int64 // 31–60日
	D61to90  int64 // 61–90日
	D91Plus  int64 // 91日以上
	Total    int64 // 合計
}

// Aging returns the aging as of asOf, one row per customer with anything open, by
// customer number.
func (bk *Book) Aging(asOf calendar.Date) []AgingRow {
	var rows []AgingRow
	for _, o := range bk.OpenInvoices(asOf) {
		if len(rows) == 0 || rows[len(rows)-1].Customer != o.Customer {
			rows = append(rows, AgingRow{Customer: o.Customer, Name: bk.Names[o.Customer]})
		}
		r := &rows[len(rows)-1]
		switch d := o.DaysPastDue; {
		case d <= 0:
			r.NotDue += o.Open
		case d <= 30:
			r.D1to30 += o.Open
		case d <= 60:
			r.D31to60 += o.Open
		case d <= 90:
			r.D61to90 += o.Open
		default:
			r.D91Plus += o.Open
		}
		r.Total += o.Open
	}
	return rows
}

// AgingTotal adds up aging rows (Customer and Name left empty).
func AgingTotal(rows []AgingRow) AgingRow {
	var t AgingRow
	for _, r := range rows {
		t.NotDue += r.NotDue
		t.D1to30 += r.D1to30
		t.D31to60 += r.D31to60
		t.D61to90 += r.D61to90
		t.D91Plus += r.D91Plus
		t.Total += r.Total
	}
	return t
}

// BalanceRow is one customer's line of the monthly balance (売掛金残高一覧表):
// Closing = Opening + Invoiced − Collected − Fees + Other.
type BalanceRow struct {
	Customer  string
	Name      string
	Opening   int64 // 前月残高: the balance at the end of the day before the period
	Invoiced  int64 // 当月売上: invoices issued
	Collected int64 // 当月回収: money applied (less money staff took back)
	Fees      int64 // 振込手数料: bank fees customers deducted
	Other     int64 // その他: voids and lapses, money moved between invoices, bank reversals (signed)
	Closing   int64 // 当月残高
}

// Receivables returns the balance per customer for the period from..to (a month), by
// customer number, leaving out customers with nothing in it. The closing total is the
// journal's 売掛金 balance through to.
func (bk *Book) Receivables(from, to calendar.Date) []BalanceRow {
	by := map[string]*BalanceRow{}
	for _, e := range bk.through(to) {
		for _, l := range e.Lines {
			if l.Account != Receivable {
				continue
			}
			r := by[l.Customer]
			if r == nil {
				r = &BalanceRow{Customer: l.Customer, Name: bk.Names[l.Customer]}
				by[l.Customer] = r
			}
			v := l.Signed()
			r.Closing += v
			switch {
			case e.Date.Before(from):
				r.Opening += v
			case l.Part == Invoiced:
				r.Invoiced += v
			case l.Part == Collected:
				r.Collected -= v
			case l.Part == Fees:
				r.Fees -= v
			default:
				r.Other += v
			}
		}
	}
	var rows []BalanceRow
	for _, r := range by {
		if *r != (BalanceRow{Customer: r.Customer, Name: r.Name}) {
			rows = append(rows, *r)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Customer < rows[j].Customer })
	return rows
}

// BalanceTotal adds up balance rows (Customer and Name left empty).
func BalanceTotal(rows []BalanceRow) BalanceRow {
	var t BalanceRow
	for _, r := range rows {
		t.Opening += r.Opening
		t.Invoiced += r.Invoiced
		t.Collected += r.Collected
		t.Fees += r.Fees
		t.Other += r.Other
		t.Closing += r.Closing
	}
	return t
}
