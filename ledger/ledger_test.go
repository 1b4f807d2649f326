package ledger_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/jobs/jobstest"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/ledger/ledgertest"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// txnOf returns the id of the transfer from payer.
func txnOf(t *testing.T, db *store.DB, payer string) int64 {
	t.Helper()
	var id int64
	if err := db.GetContext(context.Background(), &id, "SELECT id FROM bank_txns WHERE payer = ? AND kind = 'credit' ORDER BY id LIMIT 1", payer); err != nil {
		t.Fatalf("transfer of %s: %v", payer, err)
	}
	return id
}

// The demo night and three days of staff work (a transfer booked by hand, one booked
// again to another invoice, a refund, a paid invoice voided, an ambiguous transfer
// settled): after each, the aging equals what the invoices owe, the journal's 売掛金 and
// the monthly balance; the aging as of an earlier day stays what it was that day; the
// four formats read back balanced. On SQLite and MariaDB.
func TestAccountsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := jobstest.NewEnv(t, db, dsn, t.TempDir())
		jobstest.SeedBank(t, db, env)
		if s := jobstest.RunNight(t, env, jobs.Options{}); s.Status != "ok" {
			t.Fatalf("night: %s %s", s.Status, s.Error)
		}
		day := demo.Date
		snap := map[calendar.Date][]accounting.AgingRow{day: ledgertest.CheckAgree(t, env, day)}
		staff := func(d string) calendar.Date {
			day = calendar.MustParse(d)
			env.Now = func() time.Time { return time.Date(day.Year, day.Month, day.Day, 11, 0, 0, 0, calendar.Tokyo) }
			return day
		}

		staff("2026-11-25")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(jobs.ResolvePayment(ctx, env, txnOf(t, db, "ﾀﾅｶ ｲﾁﾛｳ"), []string{invoicesOf(t, db, "100005")[0].Number}, 0, "電話で確認"))
		must(jobs.ResolvePayment(ctx, env, txnOf(t, db, "ﾔﾏﾀﾞ ﾊﾅｺ"), []string{invoicesOf(t, db, "100008")[0].Number}, 0, "別の会社の支払いだった"))
		xs, err := store.OpenExceptionsOfTxn(ctx, db, txnOf(t, db, "ﾜｶｸｻｾｲｶ(ｶ"))
		must(err)
		if len(xs) != 1 || xs[0].Held != 1000 {
			t.Fatalf("the overpayment's exception: %+v", xs)
		}
		must(jobs.RefundException(ctx, env, xs[0].NKey, 1000, day, "振込で返金"))
		must(jobs.VoidInvoice(ctx, env, invoicesOf(t, db, "100909")[0].Number, "二重発行", false))
		snap[day] = ledgertest.CheckAgree(t, env, day)

		staff("2026-11-26")
		must(jobs.ResolvePayment(ctx, env, txnOf(t, db, "ｼﾉﾉﾒｼﾖｳﾃﾝ(ｶ"), []string{invoicesOf(t, db, "100910")[1].Number}, 0, "請求書番号を確認"))
		snap[day] = ledgertest.CheckAgree(t, env, day)

		// Later events never change the aging as of an earlier day.
		for d, want := range snap {
			got, err := ledger.Aging(ctx, env, d, day)
			must(err)
			if accounting.AgingTotal(got) != accounting.AgingTotal(want) || len(got) != len(want) {
				t.Errorf("aging as of %s asked on %s: %+v, it was %+v", d, day, accounting.AgingTotal(got), accounting.AgingTotal(want))
			}
		}
		for _, f := range accounting.Formats {
			var b bytes.Buffer
			res, err := ledger.ExportJournal(ctx, env, ledger.JournalOptions{Format: f, From: calendar.MustParse("2026-01-01"), To: day, Today: day}, &b)
			must(err)
			enc := accounting.CP932
			n, err := accounting.Check(f, b.Bytes(), enc)
			if err != nil || n != res.Entries || n == 0 {
				t.Errorf("%s: %d entries read back (%v), %d written", f, n, err, res.Entries)
			}
		}
		bk, err := ledger.AccountingBook(ctx, env, day)
		must(err)
		kinds := map[accounting.Kind]int{}
		for _, e := range bk.Entries {
			kinds[e.Kind]++
		}
		for _, k := range []accounting.Kind{accounting.KindIssue, accounting.KindCredit, accounting.KindResolve, accounting.KindMove,
			accounting.KindVoid, accounting.KindLapse, accounting.KindRefund, accounting.KindReversal} {
			if kinds[k] == 0 {
				t.Errorf("no %s entry in the walk: %v", k, kinds)
			}
		}
	})
}

// invoicesOf returns a customer's invoices in number order.
func invoicesOf(t *testing.T, db *store.DB, customer string) []store.Invoice {
	t.Helper()
	invs, err := store.ListInvoices(context.Background(), db, store.InvoiceFilter{CustomerNo: customer})
	if err != nil || len(invs) == 0 {
		t.Fatalf("invoices of %s: %v (%d)", customer, err, len(invs))
	}
	return invs
}
