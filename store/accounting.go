package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// The accountant's journal (issue 17) is derived from facts that are never changed once
// written; the booking door records here what it would otherwise overwrite or lose
// (migration 00009), and AccountingFacts reads everything the journal, the aging and
// the monthly balance are built from.

// Ways an exception stops holding money without a refund (exception_releases.how).
const (
	ReleaseResolved = "resolved" // staff booked the transfer (ResolvePayment)
	ReleaseReversed = "reversed" // the bank cancelled the transfer
)

var unbookingCols = []string{"id", "txn_id", "invoice_number", "amount", "fee", "rule", "rule_name", "run_date", "created_by",
	"created_at", "unbooked_on", "unbooked_by"}

// UnbookPayment takes a payment out of the payments table so that staff can book its
// transfer again (payments are unique per transfer and invoice), keeping it in
// payment_unbookings with the business day it was taken back and by whom: its journal
// entry was exported and stays, and the taking back is an entry of its own on day.
func UnbookPayment(ctx context.Context, e sqlx.ExtContext, p Payment, day calendar.Date, who string) error {
	row := struct {
		Payment
		UnbookedOn calendar.Date `db:"unbooked_on"`
		UnbookedBy string        `db:"unbooked_by"`
	}{p, day, who}
	row.CreatedAt = row.CreatedAt.UTC()
	if _, err := insertIgnore(ctx, e, "payment_unbookings", unbookingCols, []string{"id"}, row); err != nil {
		return fmt.Errorf("keep payment %d before taking it back: %w", p.ID, err)
	}
	_, err := exec(ctx, e, fmt.Sprintf("delete payment %d", p.ID), "DELETE FROM payments WHERE id = ?", p.ID)
	return err
}

// RecordRelease records that exception key, about transfer txnID, stopped holding its
// money on day because of how (ReleaseResolved, ReleaseReversed). A second record of
// the same exception is ignored.
func RecordRelease(ctx context.Context, e sqlx.ExtContext, key string, txnID int64, how string, day calendar.Date) error {
	_, err := insertIgnore(ctx, e, "exception_releases", []string{"nkey", "txn_id", "how", "released_on"}, []string{"nkey"},
		map[string]any{"nkey": key, "txn_id": txnID, "how": how, "released_on": day})
	if err != nil {
		return fmt.Errorf("record release of exception %s: %w", key, err)
	}
	return nil
}

// RecordReversal records that the credit txnID was reversed by the cancellation or
// 訂正/組戻し record reversalID of 勘定日 valueDate, on the night of runDate.
func RecordReversal(ctx context.Context, e sqlx.ExtContext, txnID, reversalID int64, valueDate, runDate calendar.Date) error {
	_, err := insertIgnore(ctx, e, "txn_reversals", []string{"txn_id", "reversal_id", "value_date", "run_date"}, []string{"txn_id"},
		map[string]any{"txn_id": txnID, "reversal_id": reversalID, "value_date": valueDate, "run_date": runDate})
	if err != nil {
		return fmt.Errorf("record reversal of transfer %d: %w", txnID, err)
	}
	return nil
}

// AcctInvoice is an invoice as the journal reads it, with its customer's name.
type AcctInvoice struct {
	Number       string        `db:"number"`
	Kind         string        `db:"kind"`
	CustomerNo   string        `db:"customer_no"`
	CustomerName string        `db:"customer_name"`
	ContractNo   string        `db:"contract_no"`
	IssueDate    calendar.Date `db:"issue_date"`
	DueDate      calendar.Date `db:"due_date"`
	Subtotal     int64         `db:"subtotal"`
	Tax          int64         `db:"tax"`
	Total        int64         `db:"total"`
	Status       string        `db:"status"`
	Replaces     string        `db:"replaces"`
	VoidReason   string        `db:"void_reason"`
	VoidedOn     calendar.Date `db:"voided_on"`
	// PlanKind is the kind of its contract's plan (subscription, perpetual), if known.
	PlanKind string `db:"plan_kind"`
}

// AcctRate is the sum of an invoice's lines at one tax rate (tax excluded), with the
// service period they cover (zero when the lines carry none).
type AcctRate struct {
	InvoiceNumber string        `db:"invoice_number"`
	TaxRate       int           `db:"tax_rate"`
	Amount        int64         `db:"amount"`
	PeriodStart   calendar.Date `db:"period_start"`
	PeriodEnd     calendar.Date `db:"period_end"`
}

// AcctTransfer is a credit transfer that the money rule of SPEC §4.8 counts, or that
// paid an invoice; ReversedOn is the 勘定日 of the record that reversed it, if recorded.
type AcctTransfer struct {
	ID         int64         `db:"id"`
	Account    string        `db:"account"`
	Payer      string        `db:"payer"`
	ValueDate  calendar.Date `db:"value_date"`
	RunDate    calendar.Date `db:"run_date"`
	Amount     int64         `db:"amount"`
	Status     string        `db:"status"`
	ReversedOn calendar.Date `db:"reversed_on"`
}

// AcctPayment is a payment, in the payments table or taken back by staff (UnbookedOn).
type AcctPayment struct {
	ID            int64         `db:"id"`
	TxnID         int64         `db:"txn_id"`
	InvoiceNumber string        `db:"invoice_number"`
	Amount        int64         `db:"amount"`
	Fee           int64         `db:"fee"`
	RuleName      string        `db:"rule_name"`
	RunDate       calendar.Date `db:"run_date"`
	Reversed      bool          `db:"reversed"`
	CreatedAt     time.Time     `db:"created_at"`
	MovedTo       string        `db:"moved_to"`
	MovedOn       calendar.Date `db:"moved_on"`
	UnbookedOn    calendar.Date `db:"unbooked_on"`
}

// AcctHold is an exception that holds (or held) money of a transfer, with how it
// stopped holding it: a refund, or a release recorded by the booking door.
type AcctHold struct {
	NKey       string        `db:"nkey"`
	Kind       string        `db:"kind"`
	TxnID      int64         `db:"txn_id"`
	Held       int64         `db:"held"`
	RunDate    calendar.Date `db:"run_date"`
	Status     string        `db:"status"`
	Refund     int64         `db:"refund"`
	RefundedOn calendar.Date `db:"refunded_on"`
	ClosedAt   sql.NullTime  `db:"closed_at"`
	How        string        `db:"how"`
	ReleasedOn calendar.Date `db:"released_on"`
}

// AcctEvent is an audit row the journal dates events by: a suspension (the day its
// renewal lapsed), an activation (the day a new contract's service began) or a bank
// reversal recorded before migration 00009.
type AcctEvent struct {
	Action  string        `db:"action"`
	Subject string        `db:"subject"`
	RunDate calendar.Date `db:"run_date"`
	ToValue string        `db:"to_value"`
}

// AcctSuspension is a suspended contract with the day its status last changed (the
// demo and imports put suspended contracts in without an audit row).
type AcctSuspension struct {
	ContractNo string        `db:"contract_no"`
	ChangedOn  calendar.Date `db:"status_changed_on"`
}

// AcctFacts is everything the journal is derived from.
type AcctFacts struct {
	Invoices    []AcctInvoice
	Rates       []AcctRate
	Transfers   []AcctTransfer
	Payments    []AcctPayment
	Holds       []AcctHold
	Events      []AcctEvent
	Suspensions []AcctSuspension
}

// AccountingFacts reads the facts of the journal; call it inside one transaction so
// that they are read as of one moment.
func AccountingFacts(ctx context.Context, e sqlx.ExtContext) (AcctFacts, error) {
	var f AcctFacts
	queries := []struct {
		what string
		dest any
		q    string
		args []any
	}{
		{"invoices", &f.Invoices, `SELECT i.number, i.kind, i.customer_no, COALESCE(c.name, i.to_name) AS customer_name, i.contract_no,
			i.issue_date, i.due_date, i.subtotal, i.tax, i.total, i.status, i.replaces, i.void_reason, i.voided_on,
			COALESCE(pl.kind, '') AS plan_kind
			FROM invoices i LEFT JOIN customers c ON c.customer_no = i.customer_no
			LEFT JOIN contracts k ON k.contract_no = i.contract_no LEFT JOIN plans pl ON pl.plan_code = k.plan_code
			ORDER BY i.number`, nil},
		{"invoice lines", &f.Rates, `SELECT invoice_number, tax_rate, SUM(amount) AS amount, MIN(period_start) AS period_start,
			MAX(period_end) AS period_end FROM invoice_lines GROUP BY invoice_number, tax_rate ORDER BY invoice_number, tax_rate`, nil},
		{"transfers", &f.Transfers, `SELECT t.id, t.account, t.payer, t.value_date, t.run_date, t.amount, t.status, r.value_date AS reversed_on
			FROM bank_txns t LEFT JOIN bank_accounts a ON a.account = t.account LEFT JOIN txn_reversals r ON r.txn_id = t.id
			WHERE t.kind = 'credit' AND t.cancelled = ? AND t.status NOT IN ('reversal', 'ignored')
			  AND (a.source = t.source OR t.account = '' OR EXISTS (SELECT 1 FROM payments p WHERE p.txn_id = t.id)
			       OR EXISTS (SELECT 1 FROM payment_unbookings u WHERE u.txn_id = t.id))
			ORDER BY t.id`, []any{false}},
		{"payments", &f.Payments, `SELECT id, txn_id, invoice_number, amount, fee, rule_name, run_date, reversed, created_at, moved_to, moved_on,
			NULL AS unbooked_on FROM payments
			UNION ALL SELECT id, txn_id, invoice_number, amount, fee, rule_name, run_date, ?, created_at, '', NULL, unbooked_on
			FROM payment_unbookings ORDER BY id`, []any{false}},
		{"exceptions", &f.Holds, `SELECT x.nkey, x.kind, x.txn_id, x.held, x.run_date, x.status, x.refund, x.refunded_on, x.closed_at,
			COALESCE(r.how, '') AS how, r.released_on
			FROM exceptions x LEFT JOIN exception_releases r ON r.nkey = x.nkey
			WHERE x.txn_id IS NOT NULL AND x.held <> 0 ORDER BY x.nkey`, nil},
		{"audit", &f.Events, `SELECT action, subject, run_date, to_value FROM audit
			WHERE action IN ('suspended', 'activated', 'payment_reversed') ORDER BY id`, nil},
		{"suspended contracts", &f.Suspensions, `SELECT contract_no, status_changed_on FROM contracts WHERE status = 'suspended' ORDER BY contract_no`, nil},
	}
	for _, q := range queries {
		if err := selectAll(ctx, e, q.dest, q.q, q.args...); err != nil {
			return f, fmt.Errorf("accounting facts, %s: %w", q.what, err)
		}
	}
	return f, nil
}
