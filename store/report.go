package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// OverdueRenewal is an unpaid renewal invoice past its due date whose contract will
// stop at term end (SPEC §4.5).
type OverdueRenewal struct {
	Number       string        `db:"number"`
	ContractNo   string        `db:"contract_no"`
	CustomerNo   string        `db:"customer_no"`
	CustomerName string        `db:"customer_name"`
	DueDate      calendar.Date `db:"due_date"`
	Total        int64         `db:"total"`
	Paid         int64         `db:"paid"`
	TermEnd      calendar.Date `db:"term_end"`
	HoldUntil    calendar.Date `db:"hold_until"`
	Reminder     string        `db:"reminder"`
}

// OverdueRenewals lists the renewal invoices unpaid after their due date on day, for
// contracts still active, the earliest stop first.
func OverdueRenewals(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]OverdueRenewal, error) {
	var rs []OverdueRenewal
	err := selectAll(ctx, e, &rs, `
		SELECT i.number, i.contract_no, i.customer_no, cu.name AS customer_name, i.due_date, i.total, i.paid,
		       c.term_end, c.hold_until, COALESCE(n.number, '') AS reminder
		FROM invoices i
		JOIN contracts c ON c.contract_no = i.contract_no AND c.status = 'active' AND i.term_start > c.term_start
		JOIN customers cu ON cu.customer_no = i.customer_no
		LEFT JOIN notices n ON n.invoice_number = i.number AND n.kind = 'reminder'
		WHERE i.kind = 'renewal' AND i.status IN ('open', 'partially_paid') AND i.due_date < ?
		ORDER BY c.term_end, i.number`, day)
	if err != nil {
		return nil, fmt.Errorf("overdue renewals on %s: %w", day, err)
	}
	return rs, nil
}

// AwaitingRenewals lists the contracts whose term ended while their renewal, issued
// late (SPEC §4.3 catch-up), is not yet past its due date: they stay active until the
// day after it (§4.6), and the report lists them ("term ended, renewal due on X").
func AwaitingRenewals(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]OverdueRenewal, error) {
	var rs []OverdueRenewal
	err := selectAll(ctx, e, &rs, `
		SELECT i.number, i.contract_no, i.customer_no, cu.name AS customer_name, i.due_date, i.total, i.paid,
		       c.term_end, c.hold_until, '' AS reminder
		FROM invoices i
		JOIN contracts c ON c.contract_no = i.contract_no AND c.status = 'active' AND i.term_start > c.term_start
		JOIN customers cu ON cu.customer_no = i.customer_no
		WHERE i.kind = 'renewal' AND i.status IN ('open', 'partially_paid') AND c.term_end < ? AND i.due_date >= ?
		ORDER BY i.due_date, i.number`, day, day)
	if err != nil {
		return nil, fmt.Errorf("renewals awaited after term end on %s: %w", day, err)
	}
	return rs, nil
}

// HeldContract is a contract whose suspension staff hold (SPEC §4.6).
type HeldContract struct {
	ContractNo   string        `db:"contract_no"`
	CustomerName string        `db:"customer_name"`
	TermEnd      calendar.Date `db:"term_end"`
	HoldUntil    calendar.Date `db:"hold_until"`
	HoldReason   string        `db:"hold_reason"`
}

// HeldContracts lists active contracts with a hold in force on day.
func HeldContracts(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]HeldContract, error) {
	var hs []HeldContract
	err := selectAll(ctx, e, &hs, `
		SELECT c.contract_no, cu.name AS customer_name, c.term_end, c.hold_until, c.hold_reason
		FROM contracts c JOIN customers cu ON cu.customer_no = c.customer_no
		WHERE c.status = 'active' AND c.hold_until IS NOT NULL AND c.hold_until >= ?
		ORDER BY c.hold_until, c.contract_no`, day)
	if err != nil {
		return nil, fmt.Errorf("held contracts on %s: %w", day, err)
	}
	return hs, nil
}

// ContractEvent is a lifecycle change of a night, read from the audit trail.
type ContractEvent struct {
	Action       string `db:"action"`
	ContractNo   string `db:"subject"`
	CustomerName string `db:"customer_name"`
	FromValue    string `db:"from_value"`
	ToValue      string `db:"to_value"`
	Why          string `db:"why"`
}

// ContractEventsOn lists the suspensions, endings and roll-overs the night of day made.
func ContractEventsOn(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]ContractEvent, error) {
	var es []ContractEvent
	err := selectAll(ctx, e, &es, `
		SELECT a.action, a.subject, COALESCE(cu.name, '') AS customer_name, a.from_value, a.to_value, a.why
		FROM audit a
		LEFT JOIN contracts c ON c.contract_no = a.subject
		LEFT JOIN customers cu ON cu.customer_no = c.customer_no
		WHERE a.run_date = ? AND a.who = 'nightly' AND a.action IN ('suspended', 'ended', 'rolled_over')
		ORDER BY a.action, a.subject, a.id`, day)
	if err != nil {
		return nil, fmt.Errorf("contract changes on %s: %w", day, err)
	}
	return es, nil
}

// PrintItem is a document to print and post: an invoice or notice not yet marked posted.
type PrintItem struct {
	Number       string        `db:"number"`
	Kind         string        `db:"kind"`
	CustomerNo   string        `db:"customer_no"`
	CustomerName string        `db:"customer_name"`
	PostalCode   string        `db:"postal_code"`
	Address      string        `db:"address"`
	Contact      string        `db:"contact"`
	Total        int64         `db:"total"` // a reminder: what it asks for, the total less what was paid
	IssueDate    calendar.Date `db:"issue_date"`
	Pages        int           `db:"pages"`
	PDFSHA256    string        `db:"pdf_sha256"` // the stored PDF; "" until it is rendered
}

// HasPDF reports whether the document has its stored PDF (it is in the print bundle).
func (p PrintItem) HasPDF() bool { return p.PDFSHA256 != "" }

// ToPrint lists every invoice and notice issued on or before day, not void and not yet
// marked posted, in postal-code order for bulk mail (SPEC §8.4), one recipient's
// documents together.
func ToPrint(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]PrintItem, error) {
	var ps []PrintItem
	err := selectAll(ctx, e, &ps, `
		SELECT * FROM (
		  SELECT i.number, i.kind, i.customer_no, cu.name AS customer_name, cu.postal_code, cu.address, cu.contact, i.total,
		         i.issue_date, i.pages, COALESCE(i.pdf_sha256, '') AS pdf_sha256
		  FROM invoices i JOIN customers cu ON cu.customer_no = i.customer_no
		  WHERE i.posted_at IS NULL AND i.status <> 'void' AND i.issue_date <= ?
		  UNION ALL
		  SELECT n.number, n.kind, n.customer_no, cu.name, cu.postal_code, cu.address, cu.contact, COALESCE(CASE WHEN n.kind = 'reminder' THEN i.total - i.paid ELSE i.total END, 0),
		         n.run_date, n.pages, COALESCE(n.pdf_sha256, '')
		  FROM notices n JOIN customers cu ON cu.customer_no = n.customer_no
		  LEFT JOIN invoices i ON i.number = n.invoice_number
		  WHERE n.posted_at IS NULL AND n.run_date <= ?
		) docs ORDER BY postal_code, customer_no, number`, day, day)
	if err != nil {
		return nil, fmt.Errorf("documents to print on %s: %w", day, err)
	}
	return ps, nil
}

// EvidenceCount returns the number of rows in the evidence ledger.
func EvidenceCount(ctx context.Context, e sqlx.ExtContext) (int64, error) {
	var n int64
	if err := get(ctx, e, &n, "SELECT COUNT(*) FROM evidence"); err != nil {
		return 0, fmt.Errorf("count evidence: %w", err)
	}
	return n, nil
}

// PaymentLine is one payment applied to an invoice, with the transfer it came from,
// for the accountant's export.
type PaymentLine struct {
	ValueDate     calendar.Date `db:"value_date"`
	Account       string        `db:"account"`
	RefNo         string        `db:"ref_no"`
	Payer         string        `db:"payer"`
	TxnAmount     int64         `db:"txn_amount"`
	InvoiceNumber string        `db:"invoice_number"`
	CustomerNo    string        `db:"customer_no"`
	Amount        int64         `db:"amount"`
	Fee           int64         `db:"fee"`
	RuleName      string        `db:"rule_name"`
	Reversed      bool          `db:"reversed"`
	RunDate       calendar.Date `db:"run_date"`
}

// ListPayments returns every payment with its transfer, by value date.
func ListPayments(ctx context.Context, e sqlx.ExtContext) ([]PaymentLine, error) {
	var ps []PaymentLine
	err := selectAll(ctx, e, &ps, `
		SELECT t.value_date, t.account, t.ref_no, t.payer, t.amount AS txn_amount, p.invoice_number,
		       COALESCE(i.customer_no, '') AS customer_no, p.amount, p.fee, p.rule_name, p.reversed, p.run_date
		FROM payments p JOIN bank_txns t ON t.id = p.txn_id
		LEFT JOIN invoices i ON i.number = p.invoice_number
		ORDER BY t.value_date, t.id, p.invoice_number`)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	return ps, nil
}
