package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// books is the one door for money (SPEC §4.8, DESIGN "Money moves through one door"):
// every yen that enters (a transfer applied to invoices, or held by an exception for
// staff), moves (off a void or lapsed invoice, to its replacement or into an
// exception) or leaves (a bank reversal, a refund) goes through its methods, for the
// night and for staff actions alike, so that each rule is written once and the
// invariant that MoneyGaps checks holds by construction.
type books struct {
	env *Env
	tx  sqlx.ExtContext
	// day is the day the money is confirmed: the night's run date, or the day staff act
	// (SPEC §4.1: a provisioning task counts from it).
	day calendar.Date
	now time.Time
	who string
}

// nightBooks is the door as the night of n uses it.
func nightBooks(n *Night, tx sqlx.ExtContext) books {
	return books{env: n.Env, tx: tx, day: n.Date, now: n.Now, who: "nightly"}
}

// staffBooks is the door as a staff action on today uses it.
func staffBooks(env *Env, tx sqlx.ExtContext, today calendar.Date) books {
	return books{env: env, tx: tx, day: today, now: env.Now(), who: env.Who}
}

// payment is one amount of a transfer to book against an invoice.
type payment struct {
	Invoice  string
	Amount   int64 // what the invoice is credited, the fee included
	Fee      int64 // the bank fee the customer deducted, absorbed by us
	Rule     int
	RuleName string
	Review   bool
}

// apply books p from transfer t: the payment row, the invoice's paid amount and what
// follows from the invoice being paid (settle). It reports false when the transfer had
// already paid that invoice (a rerun).
func (b books) apply(ctx context.Context, t store.BankTxn, p payment) (bool, error) {
	ok, err := store.AddPayment(ctx, b.tx, store.Payment{TxnID: t.ID, InvoiceNumber: p.Invoice, Amount: p.Amount, Fee: p.Fee,
		Rule: p.Rule, RuleName: p.RuleName, Review: p.Review, RunDate: b.day, CreatedBy: b.who, CreatedAt: b.now})
	if err != nil || !ok {
		return ok, err
	}
	if err := store.AddPaid(ctx, b.tx, p.Invoice, p.Amount); err != nil {
		return true, err
	}
	return true, b.settle(ctx, p.Invoice)
}

// hold records exception x about transfer t, holding held yen of it for staff (all of
// an unidentified transfer, an overpayment's excess, …; 0 for a flag). It reports
// whether the exception is new.
func (b books) hold(ctx context.Context, t store.BankTxn, x store.Exception, held int64) (bool, error) {
	x.TxnID.Int64, x.TxnID.Valid = t.ID, true
	x.Held = held
	return store.AddException(ctx, b.tx, x)
}

// reverse takes the money of a transfer that the bank cancelled (SPEC §6.4) off every
// invoice it was applied to, and closes the exceptions about it: the money no longer
// exists. by is the cancellation or 訂正/組戻し record, kept with the transfer so that
// the journal books the reversal on its 勘定日; why says which cancellation did it.
func (b books) reverse(ctx context.Context, txnID int64, by store.BankTxn, why string) error {
	if err := store.RecordReversal(ctx, b.tx, txnID, by.ID, by.ValueDate, b.day); err != nil {
		return err
	}
	ps, err := store.PaymentsOfTxn(ctx, b.tx, txnID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		active := p.Active()
		ok, err := store.MarkPaymentReversed(ctx, b.tx, p.ID)
		if err != nil {
			return err
		}
		if ok && active {
			if err := store.AddPaid(ctx, b.tx, p.InvoiceNumber, -p.Amount); err != nil {
				return err
			}
			if err := b.settle(ctx, p.InvoiceNumber); err != nil {
				return err
			}
		}
	}
	return b.closeAll(ctx, txnID, why, store.ReleaseReversed)
}

// unbook takes back everything booked from a transfer (its applied payments are taken
// out, kept for the journal with the day, its exceptions closed) so that staff can book
// it again (ResolvePayment). It returns the payments it took back.
func (b books) unbook(ctx context.Context, txnID int64, why string) ([]store.Payment, error) {
	ps, err := store.PaymentsOfTxn(ctx, b.tx, txnID)
	if err != nil {
		return nil, err
	}
	var taken []store.Payment
	for _, p := range ps {
		if !p.Active() {
			continue
		}
		if err := store.AddPaid(ctx, b.tx, p.InvoiceNumber, -p.Amount); err != nil {
			return taken, err
		}
		if err := store.UnbookPayment(ctx, b.tx, p, b.day, b.who); err != nil {
			return taken, err
		}
		if err := b.settle(ctx, p.InvoiceNumber); err != nil {
			return taken, err
		}
		taken = append(taken, p)
	}
	return taken, b.closeAll(ctx, txnID, why, store.ReleaseResolved)
}

// closeAll closes every open exception about a transfer; for one that held money it
// records how (store.ReleaseResolved, store.ReleaseReversed) and on which day, for the
// journal.
func (b books) closeAll(ctx context.Context, txnID int64, why, how string) error {
	xs, err := store.OpenExceptionsOfTxn(ctx, b.tx, txnID)
	if err != nil {
		return err
	}
	for _, x := range xs {
		if _, err := store.CloseException(ctx, b.tx, x.NKey, b.who, why, b.now); err != nil {
			return err
		}
		if x.Held != 0 {
			if err := store.RecordRelease(ctx, b.tx, x.NKey, txnID, how, b.day); err != nil {
				return err
			}
		}
	}
	return nil
}

// moveOff takes the money applied to an invoice that was voided or lapsed off it (SPEC
// §4.7, §4.8): to its replacement repl (if any) up to what the replacement still owes,
// the fee the customer deducted going with it first; the rest of each transfer is held
// by an exception of kind for staff to refund, whose message says how much. It returns
// the yen moved to the replacement and the yen held.
func (b books) moveOff(ctx context.Context, inv store.Invoice, repl *store.Invoice, kind, why string) (moved, held int64, err error) {
	ps, err := store.ActivePaymentsOfInvoice(ctx, b.tx, inv.Number)
	if err != nil {
		return 0, 0, err
	}
	open := int64(0)
	if repl != nil {
		open = max(repl.Total-repl.Paid, 0)
	}
	for _, p := range ps {
		to := min(p.Amount, open)
		fee := min(p.Fee, to)
		rest := (p.Amount - p.Fee) - (to - fee) // the cash of this transfer left over
		target := ""
		if to > 0 {
			target = repl.Number
		}
		if rest > 0 {
			key := "moved:" + inv.Number + ":" + fmt.Sprint(p.TxnID)
			if target == "" {
				target = "exception:" + key
			}
			t, err := store.GetBankTxn(ctx, b.tx, p.TxnID)
			if err != nil {
				return moved, held, err
			}
			if _, err := b.hold(ctx, t, store.Exception{NKey: key, RunDate: b.day, Kind: kind, Subject: inv.Number,
				Message: wording.MovedPayment(inv, repl, t, rest, why),
				Action:  "お客様に返金したら `" + wording.RefundCommand(key, rest) + "` で記録して閉じてください。別の請求書に充当する場合は `nightly payments resolve " + fmt.Sprint(p.TxnID) + " --invoice N --why 理由`。"}, rest); err != nil {
				return moved, held, err
			}
			held += rest
		}
		if _, err := store.MarkPaymentMoved(ctx, b.tx, p.ID, target, b.day); err != nil {
			return moved, held, err
		}
		if err := store.AddPaid(ctx, b.tx, inv.Number, -p.Amount); err != nil {
			return moved, held, err
		}
		if to > 0 {
			t := store.BankTxn{ID: p.TxnID}
			if _, err := b.apply(ctx, t, payment{Invoice: repl.Number, Amount: to, Fee: fee, Rule: p.Rule, RuleName: p.RuleName}); err != nil {
				return moved, held, err
			}
			open -= to
			moved += to
		}
	}
	if len(ps) == 0 {
		return 0, 0, nil
	}
	return moved, held, b.settle(ctx, inv.Number)
}

// refund closes an exception that holds money with the refund staff made: yen on day,
// which must be what it holds (SPEC §4.8).
func (b books) refund(ctx context.Context, key string, yen int64, on calendar.Date, why string) error {
	x, err := store.GetException(ctx, b.tx, key)
	if store.IsNoRows(err) {
		return fmt.Errorf("refund %s: no such exception (see `nightly exceptions list`)", key)
	}
	if err != nil {
		return err
	}
	switch {
	case x.Status != "open":
		return fmt.Errorf("refund %s: the exception is already closed", key)
	case x.Held == 0:
		return fmt.Errorf("refund %s: the exception holds no money (%s); close it without --refund", key, x.Kind)
	case yen != x.Held:
		return fmt.Errorf("refund %s: it holds %s, not %s; refund exactly what it holds, or book the money with `nightly payments resolve`", key, wording.Yen(x.Held), wording.Yen(yen))
	}
	if _, err := store.RecordRefund(ctx, b.tx, key, yen, on, b.who, why, b.now); err != nil {
		return err
	}
	return store.Audit(ctx, b.tx, store.AuditEntry{At: b.now.UTC(), Who: b.who, Action: "refunded", Subject: key,
		Field: "refund", ToValue: fmt.Sprint(yen), Why: fmt.Sprintf("%s（返金日 %s）", why, on)})
}

// settle brings what follows from an invoice's payment state up to date after its paid
// amount changed: a fully paid new invoice gets its activation task, a fully paid
// addition is confirmed (its seats take effect at the next monthly cycle, SPEC §4.2)
// with its provisioning task, and an addition no longer paid (the bank reversed the
// transfer) is unconfirmed. It is idempotent.
func (b books) settle(ctx context.Context, number string) error {
	inv, err := store.GetInvoice(ctx, b.tx, number)
	if err != nil {
		return err
	}
	switch {
	case inv.Kind == "addition":
		return b.settleAddition(ctx, inv)
	case inv.Kind == "new" && inv.Status == store.InvoicePaid && inv.OrderNo != "":
		_, err := store.AddTask(ctx, b.tx, store.Task{Kind: "activate", NKey: "activate:" + inv.OrderNo, ContractNo: inv.ContractNo,
			OrderNo: inv.OrderNo, InvoiceNumber: inv.Number, DueDate: contract.ProvisioningDue(b.env.Calendar, b.day), RunDate: b.day,
			Detail: fmt.Sprintf("請求書 %s の入金確認（%s）: 開通してください", inv.Number, b.day)})
		return err
	}
	return nil
}

// settleAddition confirms or unconfirms the seat addition an addition invoice bills.
func (b books) settleAddition(ctx context.Context, inv store.Invoice) error {
	a, err := store.SeatAdditionOfInvoice(ctx, b.tx, inv.Number)
	if store.IsNoRows(err) {
		if a, err = b.recordAddition(ctx, inv); err != nil || a.Key == "" {
			return err
		}
	} else if err != nil {
		return err
	}
	if inv.Status != store.InvoicePaid { // reversed by the bank, or voided with nothing replacing it
		_, err = store.UnconfirmSeatAddition(ctx, b.tx, a.Key)
		return err
	}
	if !a.ConfirmedOn.IsZero() {
		return nil
	}
	eff := contract.EffectiveCycle(a.TermStart, a.FirstCycle, b.day)
	if _, err := store.ConfirmSeatAddition(ctx, b.tx, a.Key, b.day, eff); err != nil {
		return err
	}
	t := store.Task{Kind: "add_seats", NKey: "add_seats:" + inv.OrderNo, ContractNo: inv.ContractNo, OrderNo: inv.OrderNo,
		InvoiceNumber: inv.Number, DueDate: contract.ProvisioningDue(b.env.Calendar, b.day), RunDate: b.day,
		Detail: fmt.Sprintf("請求書 %s の入金確認（%s）: %d シートを追加してください（%s から有効）", inv.Number, b.day, a.Seats, eff)}
	if a.Key != "order:"+inv.OrderNo {
		t.NKey = "add_seats:" + inv.OrderNo + ":next"
	}
	if eff.After(a.FirstCycle) {
		t.Detail += fmt.Sprintf("。請求した初回サイクル %s より後の開始です", a.FirstCycle)
		if _, err := store.AddException(ctx, b.tx, store.Exception{NKey: "addition_late:" + inv.Number, RunDate: b.day, Kind: "addition_late",
			Subject: inv.ContractNo, Message: fmt.Sprintf("追加請求書 %s は %s からの利用分を請求していますが、入金確認が %s のため追加シートは %s から有効になります。お客様は提供されない期間の料金を支払っています。",
				inv.Number, a.FirstCycle, b.day, eff),
			Action: "差額の返金（返還インボイス）または次回請求での調整をお客様と決め、対応後に閉じてください。"}); err != nil {
			return err
		}
	}
	_, err = store.AddTask(ctx, b.tx, t)
	return err
}

// recordAddition records the seat addition of an addition invoice stored without one
// (issued by an earlier version, or put in by hand): the term it adds to is the
// contract's term that contains its first billed cycle. It returns a zero value when
// that cannot be told (the contract has no term).
func (b books) recordAddition(ctx context.Context, inv store.Invoice) (store.SeatAddition, error) {
	c, err := store.GetContract(ctx, b.tx, inv.ContractNo)
	if err != nil || c.TermStart.IsZero() || inv.TermStart.IsZero() {
		return store.SeatAddition{}, err
	}
	term := c.TermStart
	for !inv.TermStart.Before(contract.NextStart(term)) {
		term = contract.NextStart(term)
	}
	for inv.TermStart.Before(term) {
		term = term.AddMonths(-contract.MonthsPerTerm)
	}
	ordered := inv.IssueDate
	if o, err := store.GetOrder(ctx, b.tx, inv.OrderNo); err == nil {
		ordered = o.OrderDate
	} else if !store.IsNoRows(err) {
		return store.SeatAddition{}, err
	}
	a := store.SeatAddition{Key: inv.NKey, ContractNo: c.No, OrderNo: inv.OrderNo, TermStart: term, Seats: inv.Seats,
		OrderedOn: ordered, FirstCycle: inv.TermStart, InvoiceNumber: inv.Number}
	_, err = store.AddSeatAddition(ctx, b.tx, a)
	return a, err
}

// bookResult books what the matcher decided for the stored transfer t (SPEC §6.6,
// §6.7): the payments, or the exception that holds the money for staff. A transfer that
// pays an invoice of a suspended contract, or a lapsed one, is never applied (§4.7): it
// is held whole. It returns the payments and exceptions it recorded.
func (b books) bookResult(ctx context.Context, t store.BankTxn, r bankfeed.Result) (int, int, error) {
	invs := make(map[string]store.Invoice, len(r.Applied))
	for _, a := range r.Applied {
		inv, err := store.GetInvoice(ctx, b.tx, a.Invoice)
		if err != nil {
			return 0, 0, err
		}
		invs[a.Invoice] = inv
		stopped, err := b.stopped(ctx, inv)
		if err != nil {
			return 0, 0, err
		}
		if stopped {
			x := wording.AfterSuspension(t, inv, r)
			x.RunDate = b.day
			nx, err := b.holdWhole(ctx, t, x)
			return 0, nx, err
		}
	}
	np := 0
	for i, a := range r.Applied {
		p := payment{Invoice: a.Invoice, Amount: a.Amount, Rule: r.Rule, RuleName: r.RuleName, Review: r.Review}
		if i == 0 {
			p.Fee = r.Fee
		}
		ok, err := b.apply(ctx, t, p)
		if err != nil {
			return np, 0, err
		}
		if ok {
			np++
		}
	}
	if r.Fee > 0 && !r.FeeLearned && r.CustomerNo != "" && r.Exception == "" {
		// A fee matched by the fee list is learned as this customer's, as a staff-resolved
		// one is (SPEC §6.9).
		if err := store.PutLearnedFee(ctx, b.tx, r.CustomerNo, r.Fee, b.who, b.now); err != nil {
			return np, 0, err
		}
	}
	if r.Exception == bankfeed.ExceptionUnknown && len(r.Suggestions) == 0 {
		near, err := store.NearestOpenInvoices(ctx, b.tx, t.Amount, 3)
		if err != nil {
			return np, 0, err
		}
		for _, inv := range near {
			r.Suggestions = append(r.Suggestions, bankfeed.Suggestion{Invoices: []string{inv.Number}, CustomerNo: inv.CustomerNo,
				Amount: inv.Total - inv.Paid, Score: 100, Reason: fmt.Sprintf("未入金額が振込額に近い（差 %s）", wording.Yen(abs64(inv.Total-inv.Paid-t.Amount)))})
		}
	}
	x, held := wording.MatchException(t, r, invs)
	status := store.TxnMatched
	if r.Exception != "" {
		status = store.TxnException
	}
	if err := store.SetTxnStatus(ctx, b.tx, t.ID, status); err != nil {
		return np, 0, err
	}
	nx := 0
	if x != nil {
		x.RunDate = b.day
		if _, err := b.hold(ctx, t, *x, held); err != nil {
			return np, 0, err
		}
		nx = 1
	}
	if len(r.Applied) == 0 {
		return np, nx, nil
	}
	return np, nx, store.Audit(ctx, b.tx, store.AuditEntry{At: b.now.UTC(), RunDate: b.day, Who: b.who, Action: "payment_applied",
		Subject: fmt.Sprintf("bank_txn:%d", t.ID), Field: "invoices", ToValue: wording.AppliedList(r.Applied),
		Why: fmt.Sprintf("rule %d %s, fee %d", r.Rule, r.RuleName, r.Fee)})
}

// holdWhole holds all of transfer t by exception x, nothing applied.
func (b books) holdWhole(ctx context.Context, t store.BankTxn, x store.Exception) (int, error) {
	if err := store.SetTxnStatus(ctx, b.tx, t.ID, store.TxnException); err != nil {
		return 0, err
	}
	_, err := b.hold(ctx, t, x, t.Amount)
	return 1, err
}

// stopped reports whether inv may not take money: lapsed, or of a suspended contract
// (SPEC §4.7).
func (b books) stopped(ctx context.Context, inv store.Invoice) (bool, error) {
	if inv.Status == store.InvoiceLapsed {
		return true, nil
	}
	if inv.ContractNo == "" {
		return false, nil
	}
	c, err := store.GetContract(ctx, b.tx, inv.ContractNo)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil && c.Status == store.StatusSuspended, err
}
