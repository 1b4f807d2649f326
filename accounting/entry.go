package accounting

import (
	"fmt"
	"time"

	"github.com/npress/nightly/calendar"
)

// Account is the role an account plays in an entry; what the accounting software calls
// it comes from the configuration (Chart).
type Account int

// The accounts of the journal.
const (
	Receivable Account = iota // 売掛金, per customer (補助科目)
	Sales                     // 売上高
	Deferred                  // 前受金: revenue billed for months not yet served
	Bank                      // 普通預金, per bank account
	Suspense                  // 仮受金: money received whose purpose is not settled
	Deposits                  // 預り金: money to be returned
	Fee                       // the bank fee a customer deducted: 売上値引 or 支払手数料
)

var accountKeys = [...]string{"receivable", "sales", "deferred", "bank", "suspense", "deposits", "fee"}

// String returns the account's configuration key (receivable, sales, …).
func (a Account) String() string {
	if a >= 0 && int(a) < len(accountKeys) {
		return accountKeys[a]
	}
	return fmt.Sprintf("account(%d)", int(a))
}

// ParseAccount reads an account's configuration key.
func ParseAccount(s string) (Account, error) {
	for i, k := range accountKeys {
		if k == s {
			return Account(i), nil
		}
	}
	return 0, fmt.Errorf("account %q: want one of %v", s, accountKeys)
}

// Side is the debit (借方) or the credit (貸方) side of a line.
type Side int8

// The two sides.
const (
	Debit  Side = 1
	Credit Side = -1
)

// Part says what a 売掛金 line does to the balance, for the monthly balance.
type Part int8

// The parts of the monthly balance (売掛金残高一覧表).
const (
	Invoiced  Part = iota + 1 // an invoice issued
	Collected                 // money applied (or taken back by staff)
	Fees                      // the bank fees customers deducted
	Other                     // voids, lapses, money moved between invoices, bank reversals
)

// Kind is the business event an entry books.
type Kind string

// The kinds of entries (machine-facing: they appear in 仕訳メモ).
const (
	KindIssue       Kind = "issue"       // an invoice issued
	KindRecognition Kind = "recognition" // a month of service recognised (revenue monthly)
	KindCredit      Kind = "credit"      // a transfer received, on its 勘定日
	KindApplication Kind = "application" // a transfer applied after its 勘定日 (to an invoice issued later)
	KindResolve     Kind = "resolve"     // staff booked a transfer (and took back what was booked)
	KindMove        Kind = "move"        // money moved off a void or lapsed invoice
	KindVoid        Kind = "void"        // an invoice voided
	KindLapse       Kind = "lapse"       // a renewal lapsed at suspension
	KindRefund      Kind = "refund"      // held money refunded
	KindReversal    Kind = "reversal"    // a transfer reversed by the bank
)

// Kinds lists every kind of entry.
var Kinds = []Kind{KindIssue, KindRecognition, KindCredit, KindApplication, KindResolve, KindMove, KindVoid, KindLapse, KindRefund, KindReversal}

// ParseKind reads the name of a kind of entry.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("kind of entry %q: want one of %v", s, Kinds)
}

// kindOrder orders the entries of one day as the day's events happen: invoices before
// the money that pays them, month-end recognition last.
var kindOrder = map[Kind]int{KindIssue: 0, KindCredit: 1, KindApplication: 2, KindResolve: 3, KindVoid: 4, KindLapse: 4,
	KindMove: 5, KindRefund: 6, KindReversal: 7, KindRecognition: 8}

// Line is one line of an entry. Amounts are tax included and positive.
type Line struct {
	Side    Side
	Account Account
	Amount  int64
	Tax     int64 // the consumption tax within Amount (sales and fee lines)
	Rate    int   // its rate in percent; 0 for a line without tax
	// Customer and Invoice name what a 売掛金 line is about (Customer also on other
	// lines when known); BankAccount the account of a 普通預金 line.
	Customer    string
	Invoice     string
	BankAccount string
	Part        Part // 売掛金 lines only
}

// Signed returns the line's amount with debits positive.
func (l Line) Signed() int64 { return int64(l.Side) * l.Amount }

// Entry is one journal entry (仕訳): one business event on one day.
type Entry struct {
	// ID names the event, stable across exports (issue:2026-000123, credit:57, …).
	ID   string
	Date calendar.Date
	Kind Kind
	Memo string // 摘要, for staff
	// Customer is the customer the entry is about, when there is one.
	Customer string
	Lines    []Line
}

// Totals returns the sums of the debit and the credit lines.
func (e Entry) Totals() (debit, credit int64) {
	for _, l := range e.Lines {
		if l.Side == Debit {
			debit += l.Amount
		} else {
			credit += l.Amount
		}
	}
	return debit, credit
}

// Balanced reports whether the entry's debits equal its credits.
func (e Entry) Balanced() bool {
	d, c := e.Totals()
	return d == c
}

// add appends a line, turning a negative amount into the other side and leaving out a
// zero one.
func (e *Entry) add(l Line) {
	if l.Amount < 0 {
		l.Side, l.Amount, l.Tax = -l.Side, -l.Amount, -l.Tax
	}
	if l.Amount == 0 && l.Tax == 0 {
		return
	}
	e.Lines = append(e.Lines, l)
}

// taxIn returns the consumption tax within amount (tax included) at rate, rounded down.
func taxIn(amount int64, rate int) int64 {
	if rate <= 0 {
		return 0
	}
	return amount * int64(rate) / int64(100+rate)
}

// monthEnd returns the last day of d's month.
func monthEnd(d calendar.Date) calendar.Date {
	return calendar.New(d.Year, d.Month, calendar.DaysIn(d.Year, d.Month))
}

// calendarMonth returns the month of a month index (year × 12 + month − 1).
func calendarMonth(index int) time.Month { return time.Month(index%12 + 1) }
