// Package ledgertest checks, for tests of the night and of the ledger, that the
// accountant's three views of the receivables agree with the invoices. It is for tests
// only.
package ledgertest

import (
	"context"
	"testing"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/store"
)

// liveOpen returns what each customer owes now by the invoices table: total − paid of
// its open and partially paid invoices. It is the independent side of the checks: the
// aging and the journal are derived from the facts, this is what the booking door keeps.
func liveOpen(t testing.TB, db *store.DB) map[string]int64 {
	t.Helper()
	m := map[string]int64{}
	for _, status := range []string{store.InvoiceOpen, store.InvoicePartiallyPaid} {
		invs, err := store.ListInvoices(context.Background(), db, store.InvoiceFilter{Status: status})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range invs {
			m[i.CustomerNo] += i.Total - i.Paid
		}
	}
	for c, v := range m {
		if v == 0 {
			delete(m, c)
		}
	}
	return m
}

// CheckAgree asserts, on the day the clock is at, that the aging per customer equals
// what the invoices owe, and that its total equals the journal's 売掛金 balance and the
// closing of the month's balance. It returns the aging.
func CheckAgree(t testing.TB, env *jobs.Env, day calendar.Date) []accounting.AgingRow {
	t.Helper()
	ctx := context.Background()
	rows, err := ledger.Aging(ctx, env, day, day)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOpen(t, env.DB)
	for _, r := range rows {
		if live[r.Customer] != r.Total {
			t.Errorf("%s: aging of %s is %d, its invoices owe %d", day, r.Customer, r.Total, live[r.Customer])
		}
		delete(live, r.Customer)
	}
	for c, v := range live {
		t.Errorf("%s: %s owes %d and is not in the aging", day, c, v)
	}
	bk, err := ledger.AccountingBook(ctx, env, day)
	if err != nil {
		t.Fatal(err)
	}
	total := accounting.AgingTotal(rows).Total
	if j := bk.ReceivableBalance(day); j != total {
		t.Errorf("%s: journal 売掛金 %d, aging %d", day, j, total)
	}
	bal, err := ledger.Receivables(ctx, env, contract.YearMonthOf(day), day)
	if err != nil {
		t.Fatal(err)
	}
	if c := accounting.BalanceTotal(bal).Closing; c != total {
		t.Errorf("%s: monthly balance closes on %d, aging %d", day, c, total)
	}
	for _, e := range bk.Entries {
		if !e.Balanced() {
			t.Errorf("entry %s does not balance", e.ID)
		}
	}
	return rows
}
