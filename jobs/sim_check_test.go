package jobs_test

import (
	"fmt"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// runChecked runs tonight, checks what must hold after every night, and reruns it: the
// rerun must change nothing (SPEC §5.2).
func (w *walker) runChecked() {
	w.t.Helper()
	w.at(w.day, 2)
	sums, err := jobs.Run(w.ctx, w.env, jobs.Options{Date: w.day})
	if err != nil {
		w.t.Fatalf("night %s: %v", w.day, err)
	}
	if s := sums[len(sums)-1]; s.Status != "ok" {
		w.t.Fatalf("night %s: %s %s", w.day, s.Status, s.Error)
	}
	w.checkNight()
	again, err := jobs.Run(w.ctx, w.env, jobs.Options{Date: w.day})
	if err != nil {
		w.t.Fatalf("rerun of %s: %v", w.day, err)
	}
	if c := nonZero(changes(again[len(again)-1])); len(c) != 0 {
		w.t.Fatalf("the rerun of %s changed %v", w.day, c)
	}
}

// checkNight asserts, after the night: gapless invoice numbers (SPEC §8.3); no reminder
// for a paid invoice and no suspension of a paid contract, nor before the day after
// its renewal's due date (§4.5–§4.7); every renewal issued tonight bills the seats of
// §4.2.
func (w *walker) checkNight() {
	w.t.Helper()
	var years []struct {
		Year int `db:"year"`
		N    int `db:"n"`
		Min  int `db:"mn"`
		Max  int `db:"mx"`
	}
	w.must(w.db.SelectContext(w.ctx, &years, "SELECT year, COUNT(*) AS n, MIN(seq) AS mn, MAX(seq) AS mx FROM invoices GROUP BY year"))
	for _, y := range years {
		if y.Min != 1 || y.Max != y.N {
			w.t.Errorf("%s: invoice numbers of %d are not gapless: %d numbers from %d to %d", w.day, y.Year, y.N, y.Min, y.Max)
		}
	}
	var reminded []store.Invoice
	w.must(w.db.SelectContext(w.ctx, &reminded, `SELECT i.* FROM notices n JOIN invoices i ON i.number = n.invoice_number
		WHERE n.kind = 'reminder' AND n.run_date = ?`, w.day))
	for _, inv := range reminded {
		if inv.Paid >= inv.Total || inv.DueDate.AddDays(7).After(w.day) {
			w.t.Errorf("%s: reminder for %s (paid %d of %d, due %s)", w.day, inv.Number, inv.Paid, inv.Total, inv.DueDate)
		}
	}
	suspended, err := store.AuditOn(w.ctx, w.db, w.day, "suspended")
	w.must(err)
	for _, a := range suspended {
		var lapsed []struct {
			Number string        `db:"number"`
			Total  int64         `db:"total"`
			Due    calendar.Date `db:"due_date"`
			Got    int64         `db:"got"`
		}
		w.must(w.db.SelectContext(w.ctx, &lapsed, `SELECT i.number, i.total, i.due_date,
			COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.invoice_number = i.number AND p.reversed = ?), 0) AS got
			FROM invoices i WHERE i.contract_no = ? AND i.kind = 'renewal' AND i.status = 'lapsed'`, false, a.Subject))
		for _, l := range lapsed {
			if l.Got >= l.Total || !w.day.After(l.Due) {
				w.t.Errorf("%s: %s suspended with renewal %s paid %d of %d, due %s", w.day, a.Subject, l.Number, l.Got, l.Total, l.Due)
			}
		}
	}
	w.checkRenewalSeats()
}

// checkRenewalSeats recomputes, from the stored facts and the words of SPEC §4.2, what
// each renewal issued tonight must bill: the target of an accepted reduction plus the
// paid additions ordered since its request, else the term's seats plus every addition
// paid by the issue date.
func (w *walker) checkRenewalSeats() {
	var issued []store.Invoice
	w.must(w.db.SelectContext(w.ctx, &issued, "SELECT * FROM invoices WHERE kind = 'renewal' AND revision = 0 AND issue_date = ?", w.day))
	for _, inv := range issued {
		c := w.contractNow(inv.ContractNo)
		want, since := c.Seats, calendar.Date{}
		if c.NextSeats.Valid {
			want = int(c.NextSeats.Int64)
			rs, err := store.RequestsOfContract(w.ctx, w.db, c.No)
			w.must(err)
			for _, r := range rs {
				if r.Applied && r.Kind == string(mailintake.KindReduction) && r.TermStart == inv.TermStart &&
					(r.Status == store.RequestAccepted || r.Status == store.RequestLate) {
					since = calendar.InTokyo(r.ReceivedAt)
				}
			}
		}
		adds, err := store.SeatAdditionsOf(w.ctx, w.db, c.No)
		w.must(err)
		for _, a := range adds {
			paidBy := !a.ConfirmedOn.IsZero() && !a.ConfirmedOn.After(inv.IssueDate)
			if a.TermStart == c.TermStart && paidBy && !a.InBase && (!c.NextSeats.Valid || !a.OrderedOn.Before(since)) {
				want += a.Seats
			}
		}
		if inv.Seats != want {
			var b strings.Builder
			fmt.Fprintf(&b, "contract: term %s seats %d next_seats %v reduction since %s", c.TermStart, c.Seats, c.NextSeats, since)
			for _, a := range adds {
				fmt.Fprintf(&b, "\n  addition %s term %s seats %d ordered %s confirmed %s effective %s in_base %v billed_by %q",
					a.Key, a.TermStart, a.Seats, a.OrderedOn, a.ConfirmedOn, a.EffectiveOn, a.InBase, a.BilledBy)
			}
			invs, _ := store.ListInvoices(w.ctx, w.db, store.InvoiceFilter{ContractNo: c.No})
			for _, i := range invs {
				fmt.Fprintf(&b, "\n  invoice %s %s rev %d term %s issued %s seats %d status %s replaces %q", i.Number, i.Kind, i.Revision, i.TermStart, i.IssueDate, i.Seats, i.Status, i.Replaces)
			}
			w.t.Errorf("%s: renewal %s of %s bills %d seats, §4.2 gives %d\n%s", w.day, inv.Number, c.No, inv.Seats, want, b.String())
		}
	}
}

// staff acts in the morning as staff would: activates paid orders, provisions, books
// or refunds what the night left, closes flags, sometimes corrects an invoice.
func (w *walker) staff() {
	w.t.Helper()
	w.at(w.day, 11)
	tasks, err := store.OpenTasks(w.ctx, w.db)
	w.must(err)
	for _, t := range tasks {
		if w.rng.IntN(100) < 60 {
			w.must(jobs.CompleteTask(w.ctx, w.env, t.NKey))
		}
	}
	xs, err := store.OpenExceptions(w.ctx, w.db)
	w.must(err)
	for _, x := range xs {
		if w.rng.IntN(100) >= 40 {
			continue
		}
		switch {
		case x.Kind == "invariant":
			w.t.Fatalf("%s: the money check failed: %s", w.day, x.Message)
		case x.Held > 0 && (x.Kind == "unknown" || x.Kind == "account_unknown" || x.Kind == "ambiguous"):
			w.resolve(x)
		case x.Held > 0:
			w.must(jobs.RefundException(w.ctx, w.env, x.NKey, x.Held, w.day, "振込で返金"))
		default:
			w.must(jobs.CloseException(w.ctx, w.env, x.NKey, "確認済み"))
		}
	}
	if w.rng.IntN(100) < 4 {
		w.correctRenewal()
	}
}

// resolve books a transfer the night could not place: to the invoice it was meant for
// when staff find out, else to the first suggestion; when neither takes it, it is
// refunded.
func (w *walker) resolve(x store.Exception) {
	t, err := store.GetBankTxn(w.ctx, w.db, x.TxnID.Int64)
	w.must(err)
	var candidates [][]string
	if no, ok := w.meant[t.Payer]; ok {
		candidates = append(candidates, []string{no})
	}
	for _, s := range x.Suggestions {
		candidates = append(candidates, s.Invoices)
	}
	for _, invs := range candidates {
		if err := jobs.ResolvePayment(w.ctx, w.env, t.ID, invs, 0, "お客様に確認"); err == nil {
			return
		} else if !refusal(err) {
			w.t.Fatalf("%s: resolve transfer %d to %v: %v", w.day, t.ID, invs, err)
		}
	}
	w.must(jobs.RefundException(w.ctx, w.env, x.NKey, x.Held, w.day, "該当する請求書がないため返金"))
}

// refusal reports whether err is ResolvePayment refusing a booking that does not fit
// (too much for the invoices, a void or lapsed invoice), not a failure.
func refusal(err error) bool {
	s := err.Error()
	return strings.Contains(s, "を超えています") || strings.Contains(s, "取り消されています") || strings.Contains(s, "失効") ||
		strings.Contains(s, "お客様が違います")
}

// correctRenewal voids an issued renewal for reissue (a typo in the address, say): the
// next night reissues it and its money follows.
func (w *walker) correctRenewal() {
	var open []store.Invoice
	w.must(w.db.SelectContext(w.ctx, &open, `SELECT * FROM invoices WHERE kind = 'renewal' AND status IN ('open', 'partially_paid', 'paid')
		AND reissue_needed = ? ORDER BY number`, false))
	if len(open) == 0 {
		return
	}
	inv := open[w.rng.IntN(len(open))]
	if err := jobs.VoidInvoice(w.ctx, w.env, inv.Number, fmt.Sprintf("宛名の訂正（%s）", w.day), true); err != nil {
		w.t.Fatalf("%s: void %s: %v", w.day, inv.Number, err)
	}
}
