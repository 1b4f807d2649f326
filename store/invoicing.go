package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// Recipient is where a document goes: the customer's name and postal address, and the
// person to print under the name.
type Recipient struct {
	CustomerName string `db:"customer_name"`
	PostalCode   string `db:"postal_code"`
	Address      string `db:"address"`
	Contact      string `db:"contact"`
}

// RenewalCandidate is an active subscription contract whose next term has no renewal
// invoice yet, with what its renewal invoice needs.
type RenewalCandidate struct {
	Contract
	PlanName string `db:"plan_name"`
	Recipient
}

// RenewalCandidates returns, in contract-number order after `after`, up to limit active
// subscription contracts that renew automatically (auto_renew, not cancelled at term
// end), whose term ends before endBefore, and that have no renewal invoice (of any
// revision or status) for a term after the current one. The caller decides from the
// dates whether the renewal is due (SPEC §4.3).
func RenewalCandidates(ctx context.Context, e sqlx.ExtContext, endBefore calendar.Date, after string, limit int) ([]RenewalCandidate, error) {
	var rs []RenewalCandidate
	err := selectAll(ctx, e, &rs, `
		SELECT c.*, p.name AS plan_name, cu.name AS customer_name, cu.postal_code, cu.address, cu.contact
		FROM contracts c
		JOIN plans p ON p.plan_code = c.plan_code AND p.kind = 'subscription'
		JOIN customers cu ON cu.customer_no = c.customer_no
		WHERE c.status = 'active' AND c.auto_renew = ? AND c.cancel_at_term_end = ?
		  AND c.term_start IS NOT NULL AND c.term_end < ? AND c.contract_no > ?
		  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.contract_no = c.contract_no
		                  AND i.kind = 'renewal' AND i.term_start > c.term_start)
		ORDER BY c.contract_no LIMIT ?`, true, false, endBefore, after, limit)
	if err != nil {
		return nil, fmt.Errorf("contracts due for renewal before %s: %w", endBefore, err)
	}
	return rs, nil
}

// PendingOrder is a received order to invoice, with its plan and customer.
type PendingOrder struct {
	Order
	PlanName string `db:"plan_name"`
	PlanKind string `db:"plan_kind"`
	Recipient
}

// ReceivedOrders returns, in order-number order after `after`, up to limit orders with
// status 'received' dated on or before day (received before the night's cutoff).
func ReceivedOrders(ctx context.Context, e sqlx.ExtContext, day calendar.Date, after string, limit int) ([]PendingOrder, error) {
	var os []PendingOrder
	err := selectAll(ctx, e, &os, `
		SELECT o.*, COALESCE(p.name, '') AS plan_name, COALESCE(p.kind, '') AS plan_kind,
		       COALESCE(cu.name, '') AS customer_name, COALESCE(cu.postal_code, '') AS postal_code,
		       COALESCE(cu.address, '') AS address, COALESCE(cu.contact, '') AS contact
		FROM orders o
		LEFT JOIN plans p ON p.plan_code = o.plan_code
		LEFT JOIN customers cu ON cu.customer_no = o.customer_no
		WHERE o.status = 'received' AND o.order_date <= ? AND o.order_no > ?
		ORDER BY o.order_no LIMIT ?`, day, after, limit)
	if err != nil {
		return nil, fmt.Errorf("orders received by %s: %w", day, err)
	}
	return os, nil
}

// SetOrderStatus moves an order from one status to another; it reports whether the
// order was in state `from`.
func SetOrderStatus(ctx context.Context, e sqlx.ExtContext, no, from, to string, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "set status of order "+no, "UPDATE orders SET status = ?, updated_at = ? WHERE order_no = ? AND status = ?",
		to, now.UTC(), no, from)
	return n == 1, err
}

// NextContractNo returns the next free contract number: NP- and 7 digits, one above the
// highest NP- number in use (NP-0000001 for the first). Call it in the transaction that
// inserts the contract.
func NextContractNo(ctx context.Context, e sqlx.ExtContext) (string, error) {
	var max sql.NullString
	if err := get(ctx, e, &max, "SELECT MAX(contract_no) FROM contracts WHERE contract_no LIKE 'NP-%' AND LENGTH(contract_no) = 10"); err != nil {
		return "", fmt.Errorf("next contract number: %w", err)
	}
	n := 0
	if max.Valid {
		v, err := strconv.Atoi(strings.TrimPrefix(max.String, "NP-"))
		if err != nil {
			return "", fmt.Errorf("next contract number: the highest number %q is not NP- and 7 digits", max.String)
		}
		n = v
	}
	if n >= 9999999 {
		return "", fmt.Errorf("next contract number: NP-9999999 is taken, the numbering is exhausted")
	}
	return fmt.Sprintf("NP-%07d", n+1), nil
}

// PutInvoiceDoc records the printable value of an issued invoice (JSON of
// invoice.Invoice), in the transaction that issues it; an existing doc is kept.
func PutInvoiceDoc(ctx context.Context, e sqlx.ExtContext, number, doc string) error {
	_, err := insertIgnore(ctx, e, "invoice_docs", []string{"invoice_number", "doc"}, []string{"invoice_number"},
		map[string]any{"invoice_number": number, "doc": doc})
	return err
}

// InvoiceDoc returns the printable value recorded for an invoice; ok is false when none
// was (an invoice issued before invoicing recorded docs).
func InvoiceDoc(ctx context.Context, e sqlx.ExtContext, number string) (doc string, ok bool, err error) {
	err = get(ctx, e, &doc, "SELECT doc FROM invoice_docs WHERE invoice_number = ?", number)
	if IsNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("doc of invoice %s: %w", number, err)
	}
	return doc, true, nil
}

// ReissuePage returns, in number order after `after`, up to limit invoices marked
// reissue_needed (by mail intake or `invoices void --reissue`).
func ReissuePage(ctx context.Context, e sqlx.ExtContext, after string, limit int) ([]Invoice, error) {
	var is []Invoice
	if err := selectAll(ctx, e, &is, "SELECT * FROM invoices WHERE reissue_needed = ? AND number > ? ORDER BY number LIMIT ?",
		true, after, limit); err != nil {
		return nil, fmt.Errorf("invoices to reissue: %w", err)
	}
	return is, nil
}

// VoidInvoice voids an invoice on day with a reason and clears its reissue mark; it
// reports whether the invoice was not void before. An issued invoice is otherwise never
// changed (SPEC §8.5).
func VoidInvoice(ctx context.Context, e sqlx.ExtContext, number, why string, day calendar.Date) (bool, error) {
	n, err := exec(ctx, e, "void invoice "+number,
		"UPDATE invoices SET status = 'void', voided_on = ?, void_reason = ?, reissue_needed = ? WHERE number = ? AND status <> 'void'",
		day, why, false, number)
	return n == 1, err
}

// ClearReissue removes the reissue mark of an invoice once its replacement is issued.
func ClearReissue(ctx context.Context, e sqlx.ExtContext, number string) error {
	_, err := exec(ctx, e, "clear reissue mark of invoice "+number, "UPDATE invoices SET reissue_needed = ? WHERE number = ?", false, number)
	return err
}

// MarkReissue marks an invoice to be voided and reissued by the next night, with why; it
// reports whether the invoice was open to it (not void, not already marked).
func MarkReissue(ctx context.Context, e sqlx.ExtContext, number, why string) (bool, error) {
	n, err := exec(ctx, e, "mark invoice "+number+" for reissue",
		"UPDATE invoices SET reissue_needed = ?, void_reason = ? WHERE number = ? AND status <> 'void' AND reissue_needed = ?",
		true, why, number, false)
	return n == 1, err
}

// Replacement returns the number of the invoice that replaces number (empty when none).
func Replacement(ctx context.Context, e sqlx.ExtContext, number string) (string, error) {
	var r string
	err := get(ctx, e, &r, "SELECT number FROM invoices WHERE replaces = ? ORDER BY number LIMIT 1", number)
	if IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("replacement of invoice %s: %w", number, err)
	}
	return r, nil
}

// InvoiceToRender is an invoice without a stored PDF and the printable doc recorded when
// it was issued (not Valid for one issued before docs were recorded).
type InvoiceToRender struct {
	Invoice
	Doc sql.NullString `db:"doc"`
}

// InvoicesToRender returns, in number order after `after`, up to limit invoices without a
// stored PDF with their docs, in one query.
func InvoicesToRender(ctx context.Context, e sqlx.ExtContext, after string, limit int) ([]InvoiceToRender, error) {
	var is []InvoiceToRender
	if err := selectAll(ctx, e, &is, `SELECT i.*, d.doc FROM invoices i LEFT JOIN invoice_docs d ON d.invoice_number = i.number
		WHERE i.pdf_sha256 IS NULL AND i.number > ? ORDER BY i.number LIMIT ?`, after, limit); err != nil {
		return nil, fmt.Errorf("invoices to render: %w", err)
	}
	return is, nil
}

// NoticeToRender is a notice without a stored PDF, with the invoice it is about, the
// contract's term end and its recipient.
type NoticeToRender struct {
	Notice
	Recipient
	TermEnd calendar.Date `db:"term_end"`
}

// UnrenderedNotices returns, in number order after `after`, up to limit notices without
// a stored PDF.
func UnrenderedNotices(ctx context.Context, e sqlx.ExtContext, after string, limit int) ([]NoticeToRender, error) {
	var ns []NoticeToRender
	err := selectAll(ctx, e, &ns, `
		SELECT n.*, cu.name AS customer_name, cu.postal_code, cu.address, cu.contact, c.term_end
		FROM notices n
		JOIN customers cu ON cu.customer_no = n.customer_no
		LEFT JOIN invoices i ON i.number = n.invoice_number
		LEFT JOIN contracts c ON c.contract_no = i.contract_no
		WHERE n.pdf_sha256 IS NULL AND n.number > ? ORDER BY n.number LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("notices to render: %w", err)
	}
	return ns, nil
}

// SetNoticePDF records the stored PDF (its evidence SHA-256) and page count of a
// notice; a notice's PDF is set once.
func SetNoticePDF(ctx context.Context, e sqlx.ExtContext, number, sha string, pages int) error {
	_, err := exec(ctx, e, "record PDF of notice "+number,
		"UPDATE notices SET pdf_sha256 = ?, pages = ? WHERE number = ? AND pdf_sha256 IS NULL", sha, pages, number)
	return err
}

// StoredPDF is the stored PDF of an invoice or notice: its number, SHA-256 and pages.
type StoredPDF struct {
	Number, SHA256 string
	Pages          int
	Notice         bool
}

// SetPDFs records the stored PDFs of invoices and notices, as SetInvoicePDF and
// SetNoticePDF do one, a few hundred a statement.
func SetPDFs(ctx context.Context, e sqlx.ExtContext, ds []StoredPDF) error {
	var invs, nts []StoredPDF
	for _, d := range ds {
		if d.Notice {
			nts = append(nts, d)
		} else {
			invs = append(invs, d)
		}
	}
	if err := setPDFs(ctx, e, "invoices", invs); err != nil {
		return err
	}
	return setPDFs(ctx, e, "notices", nts)
}

func setPDFs(ctx context.Context, e sqlx.ExtContext, table string, ds []StoredPDF) error {
	for i := 0; i < len(ds); i += bulkRows {
		part := ds[i:min(i+bulkRows, len(ds))]
		var sha, pages strings.Builder
		var shaArgs, pageArgs, nums []any
		for _, d := range part {
			sha.WriteString(" WHEN ? THEN ?")
			pages.WriteString(" WHEN ? THEN ?")
			shaArgs = append(shaArgs, d.Number, d.SHA256)
			pageArgs = append(pageArgs, d.Number, d.Pages)
			nums = append(nums, d.Number)
		}
		q := "UPDATE " + table + " SET pdf_sha256 = CASE number" + sha.String() + " END, pages = CASE number" + pages.String() +
			" END WHERE number IN (?" + strings.Repeat(", ?", len(part)-1) + ") AND pdf_sha256 IS NULL"
		args := append(append(shaArgs, pageArgs...), nums...)
		if _, err := e.ExecContext(ctx, e.Rebind(q), args...); err != nil {
			return fmt.Errorf("record the PDFs of %d %s: %w", len(part), table, err)
		}
	}
	return nil
}

// GetNotice returns the notice with number; IsNoRows(err) when there is none.
func GetNotice(ctx context.Context, e sqlx.ExtContext, number string) (Notice, error) {
	var n Notice
	if err := get(ctx, e, &n, "SELECT * FROM notices WHERE number = ?", number); err != nil {
		return n, fmt.Errorf("notice %s: %w", number, err)
	}
	return n, nil
}

// MarkInvoicePosted records that staff posted an invoice; it reports whether it was not
// marked before.
func MarkInvoicePosted(ctx context.Context, e sqlx.ExtContext, number string, at time.Time) (bool, error) {
	n, err := exec(ctx, e, "mark invoice "+number+" posted", "UPDATE invoices SET posted_at = ? WHERE number = ? AND posted_at IS NULL", at.UTC(), number)
	return n == 1, err
}

// MarkNoticePosted records that staff posted a notice; it reports whether it was not
// marked before.
func MarkNoticePosted(ctx context.Context, e sqlx.ExtContext, number string, at time.Time) (bool, error) {
	n, err := exec(ctx, e, "mark notice "+number+" posted", "UPDATE notices SET posted_at = ? WHERE number = ? AND posted_at IS NULL", at.UTC(), number)
	return n == 1, err
}

// VoidedInvoice is an invoice voided on a night: it must not be posted (SPEC §4.4).
type VoidedInvoice struct {
	Number       string       `db:"number"`
	ContractNo   string       `db:"contract_no"`
	CustomerName string       `db:"customer_name"`
	Total        int64        `db:"total"`
	VoidReason   string       `db:"void_reason"`
	PostedAt     sql.NullTime `db:"posted_at"`
	ReplacedBy   string       `db:"replaced_by"`
	Notice       string       `db:"notice"`
}

// VoidedOn lists the invoices voided on day, with what replaces them and the notice of
// cancellation recorded for a posted one.
func VoidedOn(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]VoidedInvoice, error) {
	var vs []VoidedInvoice
	err := selectAll(ctx, e, &vs, `
		SELECT i.number, i.contract_no, cu.name AS customer_name, i.total, i.void_reason, i.posted_at,
		       COALESCE((SELECT MIN(r.number) FROM invoices r WHERE r.replaces = i.number), '') AS replaced_by,
		       COALESCE((SELECT MIN(n.number) FROM notices n WHERE n.invoice_number = i.number AND n.kind = 'cancellation'), '') AS notice
		FROM invoices i JOIN customers cu ON cu.customer_no = i.customer_no
		WHERE i.status = 'void' AND i.voided_on = ?
		ORDER BY i.number`, day)
	if err != nil {
		return nil, fmt.Errorf("invoices voided on %s: %w", day, err)
	}
	return vs, nil
}

// ShortNoticeOn lists the renewal invoices issued on day with a shortened notice
// (caught up: due run date + 14 days, SPEC §4.3).
func ShortNoticeOn(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]Invoice, error) {
	var is []Invoice
	if err := selectAll(ctx, e, &is, "SELECT * FROM invoices WHERE issue_date = ? AND short_notice = ? ORDER BY number", day, true); err != nil {
		return nil, fmt.Errorf("short-notice renewals of %s: %w", day, err)
	}
	return is, nil
}

// DocumentFile is an invoice or notice with a stored PDF: what the night writes to its
// folder.
type DocumentFile struct {
	Number    string        `db:"number"`
	Kind      string        `db:"kind"`
	IsNotice  bool          `db:"is_notice"`
	PDFSHA256 string        `db:"pdf_sha256"`
	Pages     int           `db:"pages"`
	Date      calendar.Date `db:"doc_date"`
}

// DocumentsOn returns the invoices issued on day and the notices recorded on day that
// have a stored PDF, in number order.
func DocumentsOn(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]DocumentFile, error) {
	var ds []DocumentFile
	err := selectAll(ctx, e, &ds, `
		SELECT * FROM (
		  SELECT number, kind, 0 AS is_notice, pdf_sha256, pages, issue_date AS doc_date FROM invoices
		  WHERE issue_date = ? AND pdf_sha256 IS NOT NULL
		  UNION ALL
		  SELECT number, kind, 1, pdf_sha256, pages, run_date FROM notices
		  WHERE run_date = ? AND pdf_sha256 IS NOT NULL
		) d ORDER BY number`, day, day)
	if err != nil {
		return nil, fmt.Errorf("documents of %s: %w", day, err)
	}
	return ds, nil
}

// DocumentPDF returns the stored PDF SHA-256 of an invoice or notice by number; ok is
// false when there is no such document or it has no PDF yet.
func DocumentPDF(ctx context.Context, e sqlx.ExtContext, number string) (sha string, ok bool, err error) {
	var s sql.NullString
	err = get(ctx, e, &s, `SELECT pdf_sha256 FROM invoices WHERE number = ?
		UNION ALL SELECT pdf_sha256 FROM notices WHERE number = ?`, number, number)
	if IsNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("PDF of %s: %w", number, err)
	}
	return s.String, s.Valid, nil
}
