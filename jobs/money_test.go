package jobs_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
	"github.com/npress/nightly/wording"
)

// Added seats reach the renewal and the roll-over (SPEC §4.2): an addition paid before
// the renewal is billed by it; one ordered and paid after it gets a second, 12-month
// addition invoice; one never paid gets none; the night switches the seats on their
// effective cycle; the month-not-served flag counts from the first billed cycle, never
// the term start; new and addition invoices due on a closed day move to the previous
// business day (§4.1).
func TestAddedSeatsReachRenewalAndRollOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000001", 10, "2026-04-15")

		w.addition("EC-A1", "NP-0000001", 5, "2026-11-20", "2026-12") // cycles from 12-15: 4 months
		w.night("2026-11-21")
		a1 := w.invoice("order:EC-A1")
		if a1.Total != 33000 || a1.DueDate.String() != "2026-12-04" {
			t.Errorf("addition EC-A1: total %d due %s; want ¥33,000 due 2026-12-04 (12-05 is a Saturday)", a1.Total, a1.DueDate)
		}
		w.transfer("2026-11-30", 33000, "ｱｵﾊﾞｼﾖｳｼﾞ", a1.Number)
		w.night("2026-11-30")
		w.books()
		if xs := w.exceptions("addition_late"); len(xs) != 0 {
			t.Errorf("an addition paid before its first billed cycle raised %v", xs)
		}
		if task, err := store.GetTask(w.ctx, db, "add_seats:EC-A1"); err != nil || !strings.Contains(task.Detail, "2026-12-15") {
			t.Errorf("add_seats task %+v, %v; want it effective from 2026-12-15", task, err)
		}
		if w.contractNow("NP-0000001").Seats != 10 {
			t.Error("paying the addition changed the term's seats; it takes effect at its cycle")
		}
		w.must(jobs.CompleteTask(w.ctx, w.env, "add_seats:EC-A1"))
		if w.contractNow("NP-0000001").Seats != 10 {
			t.Error("completing add_seats changed a seat count; it only records who provisioned")
		}
		w.night("2026-12-14")
		if got := w.seatsOn("NP-0000001", "2026-12-14"); got != 10 {
			t.Errorf("seats on 12-14 = %d, want 10", got)
		}
		w.night("2026-12-15")
		if got := w.seatsOn("NP-0000001", "2026-12-15"); got != 15 {
			t.Errorf("seats on 12-15 = %d, want 15", got)
		}
		if as, _ := store.AuditOn(w.ctx, db, calendar.MustParse("2026-12-15"), "seats_effective"); len(as) != 1 || as[0].FromValue != "10" || as[0].ToValue != "15" {
			t.Errorf("the night of 12-15 recorded %+v; want one seats_effective 10 → 15", as)
		}

		w.addition("EC-A2", "NP-0000001", 7, "2026-12-16", "2027-01") // never paid
		w.night("2026-12-17")
		if a2 := w.invoice("order:EC-A2"); a2.DueDate.String() != "2026-12-30" {
			t.Errorf("addition EC-A2 due %s; want 2026-12-30 (12-31 banks are closed)", a2.DueDate)
		}
		w.night("2027-03-15")
		renewal := w.invoice("renewal:NP-0000001:2027-04-15")
		if renewal.Seats != 15 || renewal.Total != 297000 {
			t.Errorf("renewal: %d seats ¥%d; want 15 seats (10 + the paid addition, not the unpaid one) ¥297,000", renewal.Seats, renewal.Total)
		}

		w.addition("EC-A3", "NP-0000001", 3, "2027-03-16", "2027-03") // after the renewal: the last cycle
		w.night("2027-03-17")
		a3 := w.invoice("order:EC-A3")
		w.transfer("2027-03-20", a3.Total, "ｱｵﾊﾞｼﾖｳｼﾞ", a3.Number)
		w.night("2027-03-20")
		w.books()
		next := w.invoice("order:EC-A3:next")
		if next.Total != 59400 || next.Seats != 3 || next.TermStart.String() != "2027-04-15" || next.DueDate.String() != "2027-04-02" {
			t.Errorf("next-term addition %+v; want 3 seats × 12 months ¥59,400 for 2027-04-15, due 2027-04-02 (03-20 + 14 = Saturday)", next)
		}
		for _, k := range []string{"order:EC-A1:next", "order:EC-A2:next"} {
			var n int
			w.must(db.GetContext(w.ctx, &n, "SELECT COUNT(*) FROM invoices WHERE nkey = ?", k))
			if n != 0 {
				t.Errorf("%s issued: an addition the renewal billed, or never paid, gets no second invoice", k)
			}
		}
		if xs := w.exceptions("addition_late"); len(xs) != 1 || !strings.Contains(xs[0].Message, "2027-03-15") {
			t.Errorf("addition_late %v; want one naming the first billed cycle 2027-03-15", xs)
		}
		w.transfer("2027-03-25", renewal.Total, "ｱｵﾊﾞｼﾖｳｼﾞ", "")
		w.transfer("2027-03-26", next.Total, "ｱｵﾊﾞｼﾖｳｼﾞ", next.Number)
		w.night("2027-03-25")
		w.night("2027-03-26")
		w.night("2027-04-15")
		w.books()
		c := w.contractNow("NP-0000001")
		if c.TermStart.String() != "2027-04-15" || c.Seats != 18 {
			t.Errorf("after the roll-over: term %s, %d seats; want 2027-04-15 and 18 (15 renewed + 3 paid for the next term)", c.TermStart, c.Seats)
		}
		if got := w.seatsOn("NP-0000001", "2027-04-20"); got != 18 {
			t.Errorf("seats in effect in the new term = %d, want 18", got)
		}
	})
}

// A paid renewal that is voided keeps nothing (SPEC §4.7): its money moves to the
// replacement in the same transaction and the rest is an overpayment for staff; the
// customer is not reminded or suspended. A transfer quoting a void number pays its
// replacement. Money held for staff leaves only by a recorded refund.
func TestPaymentsFollowReplacements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000002", 10, "2026-01-10")
		w.contract("NP-0000003", 4, "2026-01-12")
		w.night("2026-12-12")
		r2, r3 := w.invoice("renewal:NP-0000002:2027-01-10"), w.invoice("renewal:NP-0000003:2027-01-12")
		w.transfer("2026-12-13", r2.Total, "ｱｵﾊﾞｼﾖｳｼﾞ", "")
		w.night("2026-12-13")
		if got := w.invoice(r2.NKey); got.Status != store.InvoicePaid {
			t.Fatalf("renewal %s: %s, want paid", got.Number, got.Status)
		}
		// A reduction to 8 seats accepted after the renewal was paid, and a correction of
		// NP-0000003's renewal.
		_, err := store.SetContractNextTerm(w.ctx, db, "NP-0000002", sqlInt(8), false, fixedNow)
		w.must(err)
		w.at(calendar.MustParse("2026-12-13"), 11)
		w.must(jobs.VoidInvoice(w.ctx, w.env, r2.Number, "減数のご依頼（10→8）", true))
		w.must(jobs.VoidInvoice(w.ctx, w.env, r3.Number, "宛名の訂正", true))
		w.night("2026-12-14")
		w.books()
		repl := w.invoice(r2.NKey)
		if repl.Replaces != r2.Number || repl.Seats != 8 || repl.Status != store.InvoicePaid || repl.Paid != repl.Total {
			t.Errorf("replacement %+v; want 8 seats, paid in full by the money moved off %s", repl, r2.Number)
		}
		over := w.exceptions("overpayment")
		excess := r2.Total - repl.Total
		if len(over) != 1 || over[0].Held != excess || !strings.Contains(over[0].Message, wording.Yen(excess)) {
			t.Fatalf("overpayment exceptions %+v; want one holding %s and saying so", over, wording.Yen(excess))
		}
		// A transfer quoting NP-0000003's void number pays its replacement.
		repl3 := w.invoice(r3.NKey)
		w.transfer("2026-12-20", repl3.Total, "ｼﾗﾅｲｶｲｼﾔ", r3.Number)
		w.night("2026-12-20")
		if got := w.invoice(r3.NKey); got.Number != repl3.Number || got.Status != store.InvoicePaid {
			t.Errorf("the transfer quoting void %s: replacement %s is %s, want paid", r3.Number, got.Number, got.Status)
		}
		// Past the due date and the term end: no reminder, no suspension, a roll-over.
		w.night("2026-12-31")
		w.night("2027-01-11")
		w.night("2027-01-13")
		w.books()
		var reminders int
		w.must(db.GetContext(w.ctx, &reminders, "SELECT COUNT(*) FROM notices WHERE kind = 'reminder'"))
		for _, no := range []string{"NP-0000002", "NP-0000003"} {
			if c := w.contractNow(no); c.Status != store.StatusActive || c.TermStart.Year != 2027 {
				t.Errorf("%s: %s from %s; a paid customer rolls over", no, c.Status, c.TermStart)
			}
		}
		if reminders != 0 {
			t.Errorf("%d reminders to customers who paid", reminders)
		}
		if c := w.contractNow("NP-0000002"); c.Seats != 8 {
			t.Errorf("NP-0000002 renewed with %d seats, want 8", c.Seats)
		}
		// The excess leaves only by a recorded refund.
		w.at(calendar.MustParse("2027-01-13"), 11)
		if err := jobs.CloseException(w.ctx, w.env, over[0].NKey, "返金済み"); err == nil || !strings.Contains(err.Error(), "refund") {
			t.Errorf("closing a money-holding exception without a refund: %v; want refused", err)
		}
		if err := jobs.RefundException(w.ctx, w.env, over[0].NKey, excess-1, calendar.MustParse("2027-01-12"), "振込で返金"); err == nil {
			t.Error("a refund of less than held was accepted")
		}
		w.must(jobs.RefundException(w.ctx, w.env, over[0].NKey, excess, calendar.MustParse("2027-01-12"), "振込で返金"))
		w.books()
	})
}

// A renewal caught up late, due after the term end, keeps the contract active and
// listed until the day after its due date (SPEC §4.6); once paid the new term starts
// the day after the old term's end, whatever the payment date.
func TestLateRenewalWaitsForItsDueDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000004", 5, "2025-12-01") // imported late: the term ends 11-30
		w.contract("NP-0000005", 6, "2025-12-01")
		w.night("2026-12-01")
		r4 := w.invoice("renewal:NP-0000004:2026-12-01")
		if r4.DueDate.String() != "2026-12-15" || !r4.ShortNotice {
			t.Fatalf("caught-up renewal due %s (short %v); want 2026-12-15", r4.DueDate, r4.ShortNotice)
		}
		w.night("2026-12-02")
		for _, no := range []string{"NP-0000004", "NP-0000005"} {
			if c := w.contractNow(no); c.Status != store.StatusActive {
				t.Errorf("%s %s on 12-02, days before its renewal's due date", no, c.Status)
			}
		}
		rep, err := os.ReadFile(filepath.Join(w.env.Config.OutDir, "2026-12-02", "report.html"))
		w.must(err)
		if !strings.Contains(string(rep), "期間終了後も支払期限待ち") || !strings.Contains(string(rep), "NP-0000004") {
			t.Error("the report does not list the contracts whose term ended while their renewal is not yet due")
		}
		w.transfer("2026-12-10", w.invoice("renewal:NP-0000005:2026-12-01").Total, "ｱｵﾊﾞｼﾖｳｼﾞ", w.invoice("renewal:NP-0000005:2026-12-01").Number)
		w.night("2026-12-10")
		if c := w.contractNow("NP-0000005"); c.TermStart.String() != "2026-12-01" || c.TermEnd.String() != "2027-11-30" {
			t.Errorf("paid late: term %s–%s, want 2026-12-01–2027-11-30", c.TermStart, c.TermEnd)
		}
		w.night("2026-12-15")
		if c := w.contractNow("NP-0000004"); c.Status != store.StatusActive {
			t.Errorf("suspended on the due date itself (%s)", c.Status)
		}
		w.night("2026-12-16")
		if c := w.contractNow("NP-0000004"); c.Status != store.StatusSuspended {
			t.Errorf("still %s the day after the due date, unpaid", c.Status)
		}
		w.books()
	})
}

// A bank CSV without an account column belongs to default_account, else to the only
// account known; when that cannot be decided its transfers are stored and held for
// staff, never reported applied and dropped (SPEC §6.1).
func TestBankCSVWithoutAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000006", 2, "2026-01-20")
		w.night("2026-12-20")
		inv := w.invoice("renewal:NP-0000006:2027-01-20")
		// No account known yet, none configured: held for staff.
		w.csv("2026-12-21", false, "2026-12-20,"+itoa(inv.Total)+",ｱｵﾊﾞｼﾖｳｼﾞ,")
		s := w.night("2026-12-21")
		held := w.exceptions("account_unknown")
		if len(held) != 1 || held[0].Held != inv.Total || changes(s)["bankfeed.transfers"] != 1 {
			t.Fatalf("a CSV row without account: exceptions %+v, changes %v; want it stored and held", held, changes(s))
		}
		w.books()
		w.at(calendar.MustParse("2026-12-21"), 11)
		w.must(jobs.ResolvePayment(w.ctx, w.env, held[0].TxnID.Int64, []string{inv.Number}, 0, "口座 1234567 への入金と確認"))
		if got := w.invoice(inv.NKey); got.Status != store.InvoicePaid {
			t.Errorf("resolved: invoice %s", got.Status)
		}
		// One account seen: rows without an account are its.
		w.contract("NP-0000007", 3, "2026-01-22")
		w.night("2026-12-22")
		inv7 := w.invoice("renewal:NP-0000007:2027-01-22")
		w.transfer("2026-12-23", 1000, "ﾄｸﾒｲ", "") // with the account column
		w.csv("2026-12-24", false, "2026-12-23,"+itoa(inv7.Total)+",ｱｵﾊﾞｼﾖｳｼﾞ,")
		w.night("2026-12-23")
		w.night("2026-12-24")
		if got := w.invoice(inv7.NKey); got.Status != store.InvoicePaid {
			t.Errorf("a row without account, one account known: invoice %s, want paid", got.Status)
		}
		w.books()
	})
}

// A shortfall matched by the fee list is learned as the customer's fee (SPEC §6.9).
func TestListedFeeIsLearned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000008", 10, "2026-01-25")
		w.night("2026-12-25")
		inv := w.invoice("renewal:NP-0000008:2027-01-25")
		w.transfer("2026-12-28", inv.Total-440, "ｱｵﾊﾞｼﾖｳｼﾞ", "")
		w.night("2026-12-28")
		fees, err := store.LearnedFees(w.ctx, db)
		w.must(err)
		if fees["100001"] != 440 {
			t.Errorf("learned fees %v; want 100001 → 440 after a listed-fee match", fees)
		}
		if got := w.invoice(inv.NKey); got.Status != store.InvoicePaid {
			t.Errorf("invoice %s, want paid with the fee", got.Status)
		}
		w.books()
	})
}

// When the books do not add up, the night's work stays committed, an open `invariant`
// exception names the difference, the report shows a red banner, the run exits with
// ErrMoneyInvariant, and the next night runs; once fixed, the exception closes (§4.8).
func TestMoneyCheckFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000009", 1, "2026-01-26")
		w.night("2026-12-26")
		inv := w.invoice("renewal:NP-0000009:2027-01-26")
		_, err := db.ExecContext(w.ctx, "UPDATE invoices SET paid = paid + 1 WHERE number = ?", inv.Number)
		w.must(err)
		w.at(calendar.MustParse("2026-12-27"), 2)
		sums, err := jobs.Run(w.ctx, w.env, jobs.Options{Date: calendar.MustParse("2026-12-27")})
		if !errors.Is(err, jobs.ErrMoneyInvariant) || len(sums) != 1 || sums[0].Status != "invariant" {
			t.Fatalf("run: %v %+v; want status invariant and ErrMoneyInvariant", err, sums)
		}
		xs := w.exceptions("invariant")
		if len(xs) != 1 || !strings.Contains(xs[0].Message, inv.Number) {
			t.Fatalf("invariant exceptions %+v", xs)
		}
		rep, _ := os.ReadFile(filepath.Join(w.env.Config.OutDir, "2026-12-27", "report.html"))
		if !strings.Contains(string(rep), "金額の検算が一致しません") {
			t.Error("no red banner in the report")
		}
		if s := w.night("2026-12-28"); s.Status != "invariant" || len(s.Steps) != len(jobs.Steps) {
			t.Errorf("the next night: %s with %d steps; want every step run", s.Status, len(s.Steps))
		}
		_, err = db.ExecContext(w.ctx, "UPDATE invoices SET paid = paid - 1 WHERE number = ?", inv.Number)
		w.must(err)
		if s := w.night("2026-12-29"); s.Status != "ok" {
			t.Errorf("after the fix: %s", s.Status)
		}
		if xs := w.exceptions("invariant"); len(xs) != 0 {
			t.Errorf("the invariant exception stays open after the books add up: %+v", xs)
		}
	})
}

// Staff correcting the paper of a renewal whose term has begun (the contract rolled
// over into it) get a revision that bills the same seats, and the additions of the
// running term stay for the next renewal (found by the simulator, seeds 1004 and 1008).
func TestReissueOfARunningTermKeepsItsSeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000010", 10, "2025-12-15") // renewed for 2026-12-15, issued 11-15
		w.night("2026-11-16")
		r := w.invoice("renewal:NP-0000010:2026-12-15")
		w.transfer("2026-11-20", r.Total, "ｱｵﾊﾞｼﾖｳｼﾞ", r.Number)
		w.night("2026-11-20")
		w.night("2026-12-15") // rolled over: the term 2026-12-15 runs
		if c := w.contractNow("NP-0000010"); c.TermStart.String() != "2026-12-15" {
			t.Fatalf("not rolled over: %s", c.TermStart)
		}
		w.addition("EC-R1", "NP-0000010", 4, "2026-12-16", "2027-01")
		w.night("2026-12-17")
		a := w.invoice("order:EC-R1")
		w.transfer("2026-12-21", a.Total, "ｱｵﾊﾞｼﾖｳｼﾞ", a.Number)
		w.night("2026-12-21")
		w.at(calendar.MustParse("2026-12-21"), 11)
		w.must(jobs.VoidInvoice(w.ctx, w.env, r.Number, "宛名の訂正", true))
		w.night("2026-12-22")
		w.at(calendar.MustParse("2026-12-22"), 11) // corrected twice: the revision was issued after the addition was paid
		w.must(jobs.VoidInvoice(w.ctx, w.env, w.invoice(r.NKey).Number, "宛名の再訂正", true))
		w.night("2026-12-23")
		repl := w.invoice(r.NKey)
		if repl.Revision != 2 || repl.Seats != r.Seats || repl.Status != store.InvoicePaid {
			t.Errorf("the corrected renewal of the running term: %+v; want %d seats, paid by the money moved", repl, r.Seats)
		}
		w.night("2027-11-15")
		next := w.invoice("renewal:NP-0000010:2027-12-15")
		if next.Seats != 14 {
			t.Errorf("the next renewal bills %d seats, want 14: the term's 10 and the 4 added and paid in it", next.Seats)
		}
		w.books()
	})
}

// A transfer part of which was refunded books only what is left when staff book it again
// (the refunded money has left the books, SPEC §4.8).
func TestResolveAfterARefundBooksWhatIsLeft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		w := newWorld(t, db, dsn)
		w.contract("NP-0000011", 2, "2026-01-18")
		w.contract("NP-0000012", 1, "2026-01-19")
		w.night("2026-12-19")
		r11, r12 := w.invoice("renewal:NP-0000011:2027-01-18"), w.invoice("renewal:NP-0000012:2027-01-19")
		w.transfer("2026-12-21", r11.Total+r12.Total+5000, "ｱｵﾊﾞｼﾖｳｼﾞ", "") // both and ¥5,000 too much
		w.night("2026-12-21")
		over := w.exceptions("overpayment")
		if len(over) != 1 {
			t.Fatalf("overpayment exceptions %+v", over)
		}
		w.at(calendar.MustParse("2026-12-21"), 11)
		w.must(jobs.RefundException(w.ctx, w.env, over[0].NKey, over[0].Held, calendar.MustParse("2026-12-21"), "超過分を返金"))
		w.books()
		// Staff then book the transfer again over both invoices: what is left, not the whole.
		w.must(jobs.ResolvePayment(w.ctx, w.env, over[0].TxnID.Int64, []string{r11.Number, r12.Number}, 0, "2件分の入金と確認"))
		w.books()
		for _, inv := range []store.Invoice{r11, r12} {
			if got := w.invoice(inv.NKey); got.Status != store.InvoicePaid {
				t.Errorf("%s: %s, want paid", inv.Number, got.Status)
			}
		}
	})
}
