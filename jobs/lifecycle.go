package jobs

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/store"
)

// lifecyclePage is how many contracts one lifecycle transaction handles: memory stays
// flat however many contracts there are.
const lifecyclePage = 500

// Lifecycle puts paid additions into effect on their effective cycle (SPEC §4.2), rolls
// over paid terms, suspends unpaid ones (unless staff hold them) from the day after
// both the term end and the renewal's due date, ends cancelled ones, and records the
// payment reminders that are due (§4.5, §4.6). Overdue renewals are listed by the
// report from the same data.
func Lifecycle(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	policy := contract.Policy{ReminderDays: n.Config.Invoice.ReminderDays}
	if err := n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error { return n.applyAdditions(ctx, tx, &res) }); err != nil {
		return res, err
	}
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var page []store.LifecycleRow
		err := n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
			var err error
			page, err = store.LifecyclePage(ctx, tx, n.Date, after, lifecyclePage)
			if err != nil {
				return err
			}
			for _, row := range page {
				if err := n.decide(ctx, tx, row, policy, &res); err != nil {
					return err
				}
			}
			return n.fault("lifecycle.before_commit")
		})
		if err != nil {
			return res, err
		}
		if err := n.fault("lifecycle.after_commit"); err != nil {
			return res, err
		}
		if len(page) < lifecyclePage {
			break
		}
		after = page[len(page)-1].No
	}
	// A late request waits for the roll-over of the term it missed: the terms that
	// rolled over tonight take theirs now, not on the next night.
	return res, n.applyPendingRequests(ctx, &res)
}

func (n *Night) decide(ctx context.Context, tx *sqlx.Tx, row store.LifecycleRow, p contract.Policy, res *Result) error {
	res.Seen["contracts"]++
	d := contract.Decide(row.State(), n.Date, p)
	if d.Overdue {
		res.Seen["overdue"]++
	}
	if d.ReminderDue {
		added, err := store.AddNotice(ctx, tx, store.Notice{Number: row.RenewalNumber.String + "-R", Kind: "reminder",
			InvoiceNumber: row.RenewalNumber.String, RunDate: n.Date, CustomerNo: row.CustomerNo}, n.Now)
		if err != nil {
			return err
		}
		if added {
			res.Changes["reminders"]++
		}
	}
	switch d.Action {
	case contract.ActionRollOver:
		return n.rollOver(ctx, tx, row, d, res)
	case contract.ActionSuspend:
		ok, err := store.SetContractStatus(ctx, tx, row.No, store.StatusSuspended, n.Date, n.Now)
		if err != nil || !ok {
			return err
		}
		if err := n.lapse(ctx, tx, row); err != nil {
			return err
		}
		if _, err := store.AddTask(ctx, tx, store.Task{NKey: "stop:" + row.No + ":" + row.TermEnd.String(), Kind: "stop_service",
			ContractNo: row.No, InvoiceNumber: row.RenewalNumber.String, DueDate: n.Date, RunDate: n.Date,
			Detail: fmt.Sprintf("更新請求書 %s が未入金のため %s の契約期間終了で停止", row.RenewalNumber.String, row.TermEnd.Japanese())}); err != nil {
			return err
		}
		res.Changes["suspended"]++
		return n.audit(ctx, tx, "suspended", row.No, "status", store.StatusActive, store.StatusSuspended, d.Reason)
	case contract.ActionEnd:
		ok, err := store.SetContractStatus(ctx, tx, row.No, store.StatusEnded, n.Date, n.Now)
		if err != nil || !ok {
			return err
		}
		res.Changes["ended"]++
		return n.audit(ctx, tx, "ended", row.No, "status", store.StatusActive, store.StatusEnded, d.Reason)
	case contract.ActionHeld:
		res.Seen["held"]++
	case contract.ActionAwaitRenewal:
		res.Seen["awaiting_renewal"]++
	case contract.ActionNoRenewalInvoice:
		return n.exception(ctx, tx, res, store.Exception{NKey: "no_renewal:" + row.No + ":" + row.TermEnd.String(),
			Kind: "no_renewal_invoice", Subject: row.No,
			Message: fmt.Sprintf("契約 %s は %s に期間が終了しましたが、次年度の更新請求書がありません。", row.No, row.TermEnd.Japanese()),
			Action:  "契約データ(期間・自動更新)を確認し、更新請求書を発行するか契約を終了してください。"})
	case contract.ActionInvalid:
		return n.exception(ctx, tx, res, store.Exception{NKey: "invalid_contract:" + row.No + ":" + row.TermEnd.String(),
			Kind: "invalid_contract", Subject: row.No, Message: "契約 " + row.No + " のデータが不正です: " + d.Reason,
			Action: "契約データを修正し、この日付を再実行してください（nightly run --date " + n.Date.String() + "）。"})
	}
	return nil
}

// rollOver starts the next term of a contract whose renewal is paid (SPEC §4.6): the
// day after the old term's end whatever the payment date, at the renewal's locked price,
// with the renewal's seats plus the paid next-term additions (§4.2), which go into the
// new term's base.
func (n *Night) rollOver(ctx context.Context, tx *sqlx.Tx, row store.LifecycleRow, d contract.Decision, res *Result) error {
	next := contract.NextStart(row.TermStart)
	renewal := int(row.RenewalSeats.Int64)
	if renewal == 0 {
		renewal = row.Seats
	}
	price := row.RenewalUnitPrice.Int64
	if price == 0 {
		price = row.UnitPrice
	}
	rows, err := store.SeatAdditionsOf(ctx, tx, row.No)
	if err != nil {
		return err
	}
	seats, inBase := contract.RollOverSeats(renewal, next, store.SeatArithmetic(rows, ""))
	ok, err := store.RollOver(ctx, tx, row.No, row.TermStart, next, contract.TermEnd(next), seats, price, n.Date, n.Now)
	if err != nil || !ok {
		return err
	}
	if err := store.MarkSeatAdditionsInBase(ctx, tx, inBase, n.Date); err != nil {
		return err
	}
	res.Changes["rolled_over"]++
	if err := n.audit(ctx, tx, "rolled_over", row.No, "term_start", row.TermStart.String(), next.String(), d.Reason); err != nil {
		return err
	}
	if seats == row.Seats {
		return nil
	}
	return n.audit(ctx, tx, "rollover_seats", row.No, "seats", fmt.Sprint(row.Seats), fmt.Sprint(seats),
		fmt.Sprintf("次期の数量: 継続請求書の %d ライセンスと入金済みの次期分の追加 %d ライセンス", renewal, seats-renewal))
}

// lapse marks the renewal of a suspended contract lapsed, with the next-term addition
// invoices of that term (there is no next term to add seats to), and moves the money
// paid on them into exceptions for staff to refund (SPEC §4.7, §4.8).
func (n *Night) lapse(ctx context.Context, tx *sqlx.Tx, row store.LifecycleRow) error {
	invs, err := store.ListInvoices(ctx, tx, store.InvoiceFilter{ContractNo: row.No})
	if err != nil {
		return err
	}
	b := nightBooks(n, tx)
	for _, inv := range invs {
		lapses := inv.Number == row.RenewalNumber.String ||
			(inv.Kind == "addition" && inv.TermStart == contract.NextStart(row.TermStart) && inv.Status != store.InvoiceVoid)
		if !lapses || inv.Status == store.InvoiceLapsed {
			continue
		}
		if _, err := store.SetInvoiceStatus(ctx, tx, inv.Number, inv.Status, store.InvoiceLapsed); err != nil {
			return err
		}
		inv.Status = store.InvoiceLapsed
		if _, _, err := b.moveOff(ctx, inv, nil, "lapsed_paid", "契約の停止により失効"); err != nil {
			return err
		}
	}
	return nil
}

// exception records an exception of this night unless it was recorded before.
func (n *Night) exception(ctx context.Context, tx sqlx.ExtContext, res *Result, x store.Exception) error {
	x.RunDate = n.Date
	added, err := store.AddException(ctx, tx, x)
	if err != nil {
		return err
	}
	if added {
		res.Changes["exceptions"]++
	}
	return nil
}

// audit records a change the night made, under the night's run date so that the report
// and a rerun read the same history.
func (n *Night) audit(ctx context.Context, tx sqlx.ExtContext, action, subject, field, from, to, why string) error {
	return store.Audit(ctx, tx, store.AuditEntry{At: n.Now, RunDate: n.Date, Who: "nightly", Action: action,
		Subject: subject, Field: field, FromValue: from, ToValue: to, Why: why})
}
