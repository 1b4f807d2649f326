package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
)

// LifecycleRow is an active subscription contract that the lifecycle step must look at
// on a run date, with the renewal invoice of its next term (if any).
type LifecycleRow struct {
	Contract
	RenewalNumber    sql.NullString `db:"r_number"`
	RenewalDue       calendar.Date  `db:"r_due_date"`
	RenewalTotal     sql.NullInt64  `db:"r_total"`
	RenewalPaid      sql.NullInt64  `db:"r_paid"`
	RenewalStatus    sql.NullString `db:"r_status"`
	RenewalSeats     sql.NullInt64  `db:"r_seats"`
	RenewalUnitPrice sql.NullInt64  `db:"r_unit_price"`
	ReminderNumber   sql.NullString `db:"reminder_number"`
}

// LifecyclePage returns, in contract-number order after `after`, up to limit active
// subscription contracts whose term ended before day, or whose next renewal invoice is
// unpaid past its due date (SPEC §4.5, §4.6).
func LifecyclePage(ctx context.Context, e sqlx.ExtContext, day calendar.Date, after string, limit int) ([]LifecycleRow, error) {
	var rows []LifecycleRow
	err := selectAll(ctx, e, &rows, `
		SELECT c.*, i.number AS r_number, i.due_date AS r_due_date, i.total AS r_total, i.paid AS r_paid,
		       i.status AS r_status, i.seats AS r_seats, i.unit_price AS r_unit_price, n.number AS reminder_number
		FROM contracts c
		JOIN plans p ON p.plan_code = c.plan_code AND p.kind = 'subscription'
		LEFT JOIN invoices i ON i.contract_no = c.contract_no AND i.kind = 'renewal'
		     AND i.term_start > c.term_start AND i.status <> 'void'
		LEFT JOIN notices n ON n.invoice_number = i.number AND n.kind = 'reminder'
		WHERE c.status = 'active' AND c.contract_no > ?
		  AND (c.term_end < ? OR (i.status IN ('open', 'partially_paid') AND i.due_date < ?))
		ORDER BY c.contract_no LIMIT ?`, after, day, day, limit)
	if err != nil {
		return nil, fmt.Errorf("contracts due for lifecycle on %s: %w", day, err)
	}
	return rows, nil
}

// RollOver starts the next term of a contract whose renewal was paid: new term, the
// renewal's locked price and seats. It changes nothing (and reports false) when the
// contract is no longer in the term that ended.
func RollOver(ctx context.Context, e sqlx.ExtContext, no string, oldStart, newStart, newEnd calendar.Date, seats int, unitPrice int64, day calendar.Date, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "roll over contract "+no, `UPDATE contracts SET term_start = ?, term_end = ?, seats = ?, unit_price = ?,
		next_seats = NULL, status_changed_on = ?, updated_at = ? WHERE contract_no = ? AND term_start = ? AND status = 'active'`,
		newStart, newEnd, seats, unitPrice, day, now.UTC(), no, oldStart)
	return n == 1, err
}

// SetContractStatus moves an active contract to status (suspended or ended) on day; it
// reports false when the contract was not active.
func SetContractStatus(ctx context.Context, e sqlx.ExtContext, no, status string, day calendar.Date, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "set status of contract "+no,
		"UPDATE contracts SET status = ?, status_changed_on = ?, updated_at = ? WHERE contract_no = ? AND status = 'active'",
		status, day, now.UTC(), no)
	return n == 1, err
}

// State is the row as the values contract.Decide takes.
func (row LifecycleRow) State() contract.State {
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
