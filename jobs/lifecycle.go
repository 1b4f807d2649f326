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

// Lifecycle rolls over paid terms, suspends unpaid ones at term end (unless staff hold
// them), ends cancelled ones, and records the payment reminders that are due (SPEC
// §4.5, §4.6). Overdue renewals are listed by the report from the same data.
func Lifecycle(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	policy := contract.Policy{ReminderDays: n.Config.Invoice.ReminderDays}
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

// lifecycleState turns a row into the values contract.Decide takes.
func lifecycleState(row store.LifecycleRow) contract.State {
	s := contract.State{
		Status:     contract.Status(row.Status),
		AutoRenew:  row.AutoRenew,
		TermStart:  row.TermStart,
		TermEnd:    row.TermEnd,
		Cancelled:  row.CancelAtTermEnd,
		HoldUntil:  row.HoldUntil,
		HoldReason: row.HoldReason,
	}
	if row.RenewalNumber.Valid {
		s.Renewal = &contract.RenewalInvoice{
			Number:       row.RenewalNumber.String,
			DueDate:      row.RenewalDue,
			Total:        row.RenewalTotal.Int64,
			Paid:         row.RenewalPaid.Int64,
			ReminderSent: row.ReminderNumber.Valid,
		}
	}
	return s
}

func (n *Night) decide(ctx context.Context, tx *sqlx.Tx, row store.LifecycleRow, p contract.Policy, res *Result) error {
	res.Seen["contracts"]++
	d := contract.Decide(lifecycleState(row), n.Date, p)
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
		next := contract.NextStart(row.TermStart)
		seats := int(row.RenewalSeats.Int64)
		if seats == 0 {
			seats = row.Seats
		}
		price := row.RenewalUnitPrice.Int64
		if price == 0 {
			price = row.UnitPrice
		}
		ok, err := store.RollOver(ctx, tx, row.No, row.TermStart, next, contract.TermEnd(next), seats, price, n.Date, n.Now)
		if err != nil || !ok {
			return err
		}
		res.Changes["rolled_over"]++
		return n.audit(ctx, tx, "rolled_over", row.No, "term_start", row.TermStart.String(), next.String(), d.Reason)
	case contract.ActionSuspend:
		ok, err := store.SetContractStatus(ctx, tx, row.No, store.StatusSuspended, n.Date, n.Now)
		if err != nil || !ok {
			return err
		}
		if _, err := store.SetInvoiceStatus(ctx, tx, row.RenewalNumber.String, row.RenewalStatus.String, store.InvoiceLapsed); err != nil {
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
