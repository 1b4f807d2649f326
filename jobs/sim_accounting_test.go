package jobs_test

import (
	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/ledger/ledgertest"
)

// The simulator's month ends (issue 17): on the last day of every month, after staff,
// the aging equals what the invoices owe, the journal's 売掛金 and the month's closing
// balance (checkAgree); at the end of the walk, for every month end passed, the aging
// as of it, the balance of its month and the journal through it still agree, with
// everything booked since.

// checkMonthEnd runs checkAgree when tonight is the last day of a month.
func (w *walker) checkMonthEnd() {
	w.t.Helper()
	if w.day.AddDays(1).Day != 1 {
		return
	}
	ledgertest.CheckAgree(w.t, w.env, w.day)
	w.monthEnds = append(w.monthEnds, w.day)
}

// checkMonthEnds checks, at the end of the walk, every month end passed.
func (w *walker) checkMonthEnds() {
	w.t.Helper()
	bk, err := ledger.AccountingBook(w.ctx, w.env, w.day)
	w.must(err)
	for _, d := range w.monthEnds {
		aging := accounting.AgingTotal(bk.Aging(d)).Total
		from := calendar.New(d.Year, d.Month, 1)
		closing := accounting.BalanceTotal(bk.Receivables(from, d)).Closing
		if j := bk.ReceivableBalance(d); aging != closing || aging != j {
			w.t.Errorf("month end %s asked on %s: aging %d, balance of %s closes on %d, journal 売掛金 %d", d, w.day, aging,
				contract.YearMonthOf(d), closing, j)
		}
	}
}
