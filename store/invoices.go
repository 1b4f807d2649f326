package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// ErrAlreadyIssued is returned by IssueInvoice when an invoice with the same natural key
// and revision exists: the night issued it before.
var ErrAlreadyIssued = errors.New("invoice already issued")

var invoiceCols = []string{"number", "year", "seq", "nkey", "revision", "kind", "customer_no", "contract_no",
	"order_no", "term_start", "issue_date", "due_date", "subtotal", "tax", "total", "paid", "status", "replaces",
	"void_reason", "reissue_needed", "short_notice", "seats", "unit_price", "to_name", "to_postal_code",
	"to_address", "pdf_sha256", "pages", "posted_at", "voided_on", "created_at"}

var lineCols = []string{"invoice_number", "line_no", "description", "period_start", "period_end", "quantity",
	"unit_price", "amount", "tax_rate"}

// IssueInvoice stores inv and its lines under the next invoice number of the issue
// date's year (SPEC §2.5, §8.3) and returns the stored invoice. The number is taken in
// the same transaction, after the natural key was found free, so a rolled-back or
// refused invoice never leaves a gap. It returns ErrAlreadyIssued when inv.NKey and
// inv.Revision are taken.
func IssueInvoice(ctx context.Context, e sqlx.ExtContext, inv Invoice, lines []InvoiceLine, now time.Time) (Invoice, error) {
	var n int
	if err := get(ctx, e, &n, "SELECT COUNT(*) FROM invoices WHERE nkey = ? AND revision = ?", fit("invoices", "nkey", inv.NKey), inv.Revision); err != nil {
		return inv, fmt.Errorf("issue invoice %s: %w", inv.NKey, err)
	}
	if n > 0 {
		return inv, fmt.Errorf("issue invoice %s rev %d: %w", inv.NKey, inv.Revision, ErrAlreadyIssued)
	}
	year := inv.IssueDate.Year
	seq, err := nextSeq(ctx, e, year)
	if err != nil {
		return inv, err
	}
	inv.Year, inv.Seq = year, seq
	inv.Number = fmt.Sprintf("%04d-%06d", year, seq)
	inv.CreatedAt = now.UTC()
	if inv.Status == "" {
		inv.Status = InvoiceOpen
	}
	if _, err := namedExec(ctx, e, insertSQL(e, "invoices", invoiceCols, "", nil, nil), inv); err != nil {
		if IsUniqueViolation(err) {
			return inv, fmt.Errorf("issue invoice %s rev %d: %w", inv.NKey, inv.Revision, ErrAlreadyIssued)
		}
		return inv, fmt.Errorf("issue invoice %s: %w", inv.NKey, err)
	}
	for i := range lines {
		lines[i].InvoiceNumber = inv.Number
		lines[i].LineNo = i + 1
		if _, err := namedExec(ctx, e, insertSQL(e, "invoice_lines", lineCols, "", nil, nil), lines[i]); err != nil {
			return inv, fmt.Errorf("store line %d of invoice %s: %w", i+1, inv.Number, err)
		}
	}
	return inv, nil
}

// nextSeq takes the next number of year's gapless sequence. The UPDATE locks the
// counter row until the transaction ends, which serialises
// concurrent issuers; a rolled-back transaction gives its number back.
func nextSeq(ctx context.Context, e sqlx.ExtContext, year int) (int, error) {
	const bump = "UPDATE invoice_counters SET last_seq = last_seq + 1 WHERE year = ?"
	n, err := exec(ctx, e, "take invoice number", bump, year)
	if err != nil {
		return 0, err
	}
	if n == 0 { // the year's first number: create its counter (a racing creator deadlocks and is retried by DB.Tx)
		if _, err := insertIgnore(ctx, e, "invoice_counters", []string{"year", "last_seq"}, []string{"year"},
			map[string]any{"year": year, "last_seq": 0}); err != nil {
			return 0, err
		}
		if _, err := exec(ctx, e, "take invoice number", bump, year); err != nil {
			return 0, err
		}
	}
	var seq int
	if err := get(ctx, e, &seq, "SELECT last_seq FROM invoice_counters WHERE year = ?", year); err != nil {
		return 0, fmt.Errorf("take invoice number: %w", err)
	}
	return seq, nil
}

// GetInvoice returns the invoice with number; IsNoRows(err) when there is none.
func GetInvoice(ctx context.Context, e sqlx.ExtContext, number string) (Invoice, error) {
	var inv Invoice
	if err := get(ctx, e, &inv, "SELECT * FROM invoices WHERE number = ?", number); err != nil {
		return inv, fmt.Errorf("invoice %s: %w", number, err)
	}
	return inv, nil
}

// InvoiceLines returns the lines of an invoice in order.
func InvoiceLines(ctx context.Context, e sqlx.ExtContext, number string) ([]InvoiceLine, error) {
	var ls []InvoiceLine
	if err := selectAll(ctx, e, &ls, "SELECT * FROM invoice_lines WHERE invoice_number = ? ORDER BY line_no", number); err != nil {
		return nil, fmt.Errorf("lines of invoice %s: %w", number, err)
	}
	return ls, nil
}

// InvoiceFilter selects invoices for ListInvoices; zero fields select everything.
type InvoiceFilter struct {
	IssueDate  calendar.Date
	ContractNo string
	CustomerNo string
	Status     string
}

// ListInvoices returns the invoices that pass f, in number order.
func ListInvoices(ctx context.Context, e sqlx.ExtContext, f InvoiceFilter) ([]Invoice, error) {
	q := "SELECT * FROM invoices WHERE 1=1"
	var args []any
	if !f.IssueDate.IsZero() {
		q += " AND issue_date = ?"
		args = append(args, f.IssueDate)
	}
	if f.ContractNo != "" {
		q += " AND contract_no = ?"
		args = append(args, f.ContractNo)
	}
	if f.CustomerNo != "" {
		q += " AND customer_no = ?"
		args = append(args, f.CustomerNo)
	}
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	var out []Invoice
	if err := selectAll(ctx, e, &out, q+" ORDER BY number", args...); err != nil {
		return nil, fmt.Errorf("list invoices: %w", err)
	}
	return out, nil
}

// NextRenewal returns the renewal invoice for the term after the contract's current
// one (not void), or IsNoRows(err) when none was issued.
func NextRenewal(ctx context.Context, e sqlx.ExtContext, contractNo string, currentTermStart calendar.Date) (Invoice, error) {
	var inv Invoice
	err := get(ctx, e, &inv, `SELECT * FROM invoices WHERE contract_no = ? AND kind = 'renewal'
		AND term_start > ? AND status <> 'void' ORDER BY term_start, revision DESC LIMIT 1`, contractNo, currentTermStart)
	if err != nil {
		return inv, fmt.Errorf("renewal invoice of %s: %w", contractNo, err)
	}
	return inv, nil
}

// SetInvoiceStatus changes an invoice's status from one value to another; it reports
// whether the invoice was in state `from` (so a rerun changes nothing).
func SetInvoiceStatus(ctx context.Context, e sqlx.ExtContext, number, from, to string) (bool, error) {
	n, err := exec(ctx, e, "set status of invoice "+number, "UPDATE invoices SET status = ? WHERE number = ? AND status = ?", to, number, from)
	return n == 1, err
}

// AddPaid adds amount (negative for a reversal) to what was paid on an invoice and sets
// its status from the result: open, partially_paid or paid. A void or lapsed invoice
// keeps its status. status is assigned before paid because MySQL evaluates SET
// assignments left to right with the new values, SQLite with the old ones.
func AddPaid(ctx context.Context, e sqlx.ExtContext, number string, amount int64) error {
	_, err := exec(ctx, e, "record payment on invoice "+number, `UPDATE invoices SET
		status = CASE WHEN status IN ('void', 'lapsed') THEN status
		              WHEN paid + ? >= total THEN 'paid'
		              WHEN paid + ? > 0 THEN 'partially_paid'
		              ELSE 'open' END,
		paid = paid + ?
		WHERE number = ?`, amount, amount, amount, number)
	return err
}

// SetInvoicePDF records the stored PDF (its evidence SHA-256) and page count of an
// invoice; an invoice's PDF is set once.
func SetInvoicePDF(ctx context.Context, e sqlx.ExtContext, number, sha string, pages int) error {
	_, err := exec(ctx, e, "record PDF of invoice "+number,
		"UPDATE invoices SET pdf_sha256 = ?, pages = ? WHERE number = ? AND pdf_sha256 IS NULL", sha, pages, number)
	return err
}
