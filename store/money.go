package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// ActivePaymentsOfInvoice returns the payments whose money is applied to an invoice
// (neither reversed nor moved off), oldest first.
func ActivePaymentsOfInvoice(ctx context.Context, e sqlx.ExtContext, number string) ([]Payment, error) {
	var ps []Payment
	if err := selectAll(ctx, e, &ps, "SELECT * FROM payments WHERE invoice_number = ? AND reversed = ? AND moved_to = '' ORDER BY id",
		number, false); err != nil {
		return nil, fmt.Errorf("payments of invoice %s: %w", number, err)
	}
	return ps, nil
}

// MarkPaymentMoved records that a payment's money moved off its invoice (voided or
// lapsed) to `to` on day; it reports whether the payment was still applied.
func MarkPaymentMoved(ctx context.Context, e sqlx.ExtContext, id int64, to string, day calendar.Date) (bool, error) {
	n, err := exec(ctx, e, fmt.Sprintf("move payment %d", id),
		"UPDATE payments SET moved_to = ?, moved_on = ? WHERE id = ? AND reversed = ? AND moved_to = ''", to, day, id, false)
	return n == 1, err
}

// OpenExceptionsOfTxn returns the open exceptions about a transfer.
func OpenExceptionsOfTxn(ctx context.Context, e sqlx.ExtContext, txnID int64) ([]Exception, error) {
	var xs []Exception
	if err := selectAll(ctx, e, &xs, "SELECT * FROM exceptions WHERE txn_id = ? AND status = 'open' ORDER BY nkey", txnID); err != nil {
		return nil, fmt.Errorf("exceptions of transfer %d: %w", txnID, err)
	}
	return xs, nil
}

// RecordRefund closes an open exception with the refund staff made of the money it
// held: yen on day, with who and why; it reports whether the exception was open.
func RecordRefund(ctx context.Context, e sqlx.ExtContext, key string, yen int64, on calendar.Date, who, why string, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "record refund of exception "+key,
		`UPDATE exceptions SET status = 'closed', refund = ?, refunded_on = ?, closed_by = ?, closed_why = ?, closed_at = ?
		WHERE nkey = ? AND status = 'open'`, yen, on, who, why, now.UTC(), key)
	return n == 1, err
}

// MoneyGap is one place where the books do not add up (SPEC §4.8): a transfer whose
// amount differs from what it applied, holds and refunded, or an invoice whose paid
// differs from its applied payments.
type MoneyGap struct {
	Kind    string // transfer | invoice | hold
	Subject string // the transfer id or the invoice number
	Want    int64  // the transfer's amount, or the invoice's paid
	Got     int64  // what the payments, holds and refunds add up to
}

// MoneyGaps checks the counting rule of SPEC §4.8 over the whole database and returns
// every gap, in subject order (none when the books add up). For every credit transfer
// of its account's payment source (or of an account the night could not decide) that
// was not reversed: amount = Σ(amount − fee) of its applied payments + Σ held by its
// open exceptions + Σ refunded by its closed ones. For every invoice: paid = Σ amount
// of its applied payments (the fee the customer deducted is part of the amount). A
// void or lapsed invoice has its payments moved off, so its paid is 0. An exception
// that holds money must be about a transfer.
func MoneyGaps(ctx context.Context, e sqlx.ExtContext) ([]MoneyGap, error) {
	var gaps []MoneyGap
	var txns []struct {
		ID     int64 `db:"id"`
		Amount int64 `db:"amount"`
		Got    int64 `db:"got"`
	}
	err := selectAll(ctx, e, &txns, `
		SELECT t.id, t.amount,
		  COALESCE((SELECT SUM(p.amount - p.fee) FROM payments p WHERE p.txn_id = t.id AND p.reversed = ? AND p.moved_to = ''), 0)
		  + COALESCE((SELECT SUM(CASE WHEN x.status = 'open' THEN x.held ELSE x.refund END) FROM exceptions x WHERE x.txn_id = t.id), 0) AS got
		FROM bank_txns t
		LEFT JOIN bank_accounts a ON a.account = t.account
		WHERE t.kind = 'credit' AND t.cancelled = ? AND t.status NOT IN ('reversed', 'reversal', 'ignored')
		  AND (a.source = t.source OR t.account = '')
		ORDER BY t.id`, false, false)
	if err != nil {
		return nil, fmt.Errorf("check transfers: %w", err)
	}
	for _, t := range txns {
		if t.Got != t.Amount {
			gaps = append(gaps, MoneyGap{Kind: "transfer", Subject: fmt.Sprint(t.ID), Want: t.Amount, Got: t.Got})
		}
	}
	var invs []struct {
		Number string `db:"number"`
		Paid   int64  `db:"paid"`
		Got    int64  `db:"got"`
	}
	err = selectAll(ctx, e, &invs, `
		SELECT i.number, i.paid, COALESCE(SUM(p.amount), 0) AS got
		FROM invoices i LEFT JOIN payments p ON p.invoice_number = i.number AND p.reversed = ? AND p.moved_to = ''
		GROUP BY i.number, i.paid, i.status
		HAVING i.paid <> COALESCE(SUM(p.amount), 0) OR (i.status IN ('void', 'lapsed') AND i.paid <> 0)
		ORDER BY i.number`, false)
	if err != nil {
		return nil, fmt.Errorf("check invoices: %w", err)
	}
	for _, i := range invs {
		gaps = append(gaps, MoneyGap{Kind: "invoice", Subject: i.Number, Want: i.Paid, Got: i.Got})
	}
	var holds []struct {
		NKey string `db:"nkey"`
		Held int64  `db:"held"`
	}
	if err := selectAll(ctx, e, &holds, "SELECT nkey, held FROM exceptions WHERE held <> 0 AND txn_id IS NULL ORDER BY nkey"); err != nil {
		return nil, fmt.Errorf("check exceptions: %w", err)
	}
	for _, h := range holds {
		gaps = append(gaps, MoneyGap{Kind: "hold", Subject: h.NKey, Want: 0, Got: h.Held})
	}
	return gaps, nil
}

// RefundedOfTxn returns what staff recorded as refunded from a transfer: that money has
// left, and cannot be booked again.
func RefundedOfTxn(ctx context.Context, e sqlx.ExtContext, txnID int64) (int64, error) {
	var n int64
	if err := get(ctx, e, &n, "SELECT COALESCE(SUM(refund), 0) FROM exceptions WHERE txn_id = ? AND status = 'closed'", txnID); err != nil {
		return 0, fmt.Errorf("refunds of transfer %d: %w", txnID, err)
	}
	return n, nil
}
