package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
)

// Bank file statuses (bank_files.status).
const (
	BankFileApplied      = "applied"
	BankFileRejected     = "rejected"
	BankFileEvidenceOnly = "evidence_only"
)

// Bank transfer statuses (bank_txns.status).
const (
	TxnNew       = "new"
	TxnMatched   = "matched"
	TxnException = "exception"
	TxnReversed  = "reversed" // a credit a later cancellation reversed
	TxnReversal  = "reversal" // the cancellation or 訂正/組戻し debit itself
	TxnIgnored   = "ignored"  // a debit that is no reversal
)

// BankFile is a bank file the night has seen, keyed by its SHA-256 (SPEC §6.3).
type BankFile struct {
	SHA256    string         `db:"sha256"`
	Name      string         `db:"name"`
	Format    string         `db:"format"`
	RunDate   calendar.Date  `db:"run_date"`
	Status    string         `db:"status"`
	Detail    BankFileDetail `db:"detail"` // accounts, totals, and for evidence-only accounts the comparison
	Records   int            `db:"records"`
	CreatedAt time.Time      `db:"created_at"`
}

// BankTxn is a stored transfer (or cancellation, or debit) of a bank account's payment
// source; (Account, Source, TKey, Ordinal) is its natural key (SPEC §6.3).
type BankTxn struct {
	ID int64 `db:"id"`
	// Txn is the transfer as the bank file gave it (account, 勘定日, amount, payer, …).
	bankfeed.Txn
	Source     string        `db:"source"`
	TKey       string        `db:"tkey"`
	Ordinal    int           `db:"ordinal"`
	FileSHA256 string        `db:"file_sha256"`
	Status     string        `db:"status"`
	RunDate    calendar.Date `db:"run_date"`
}

// Payment is an amount of a transfer booked against an invoice. Amount includes the
// bank fee the customer deducted (Fee, absorbed by us), so that the amounts of one
// transfer add up to what its invoices were credited.
type Payment struct {
	ID            int64         `db:"id"`
	TxnID         int64         `db:"txn_id"`
	InvoiceNumber string        `db:"invoice_number"`
	Amount        int64         `db:"amount"`
	Fee           int64         `db:"fee"`
	Rule          int           `db:"rule"` // SPEC §6.6 rule 1-4; 0 = staff
	RuleName      string        `db:"rule_name"`
	Review        bool          `db:"review"`
	RunDate       calendar.Date `db:"run_date"`
	Reversed      bool          `db:"reversed"`
	CreatedBy     string        `db:"created_by"`
	CreatedAt     time.Time     `db:"created_at"`
	// MovedTo names where the money went when the invoice was voided or lapsed: the
	// replacing invoice's number, or "exception:<key>" (SPEC §4.7, §4.8); MovedOn is the
	// day. A payment counts as applied only when neither Reversed nor moved.
	MovedTo string        `db:"moved_to"`
	MovedOn calendar.Date `db:"moved_on"`
}

// Active reports whether the payment's money is applied to its invoice: not reversed by
// the bank and not moved off.
func (p Payment) Active() bool { return !p.Reversed && p.MovedTo == "" }

// PayerAlias is a payer name staff once resolved to a customer.
type PayerAlias struct {
	Name       string    `db:"name"` // normalized payer name
	CustomerNo string    `db:"customer_no"`
	LearnedBy  string    `db:"learned_by"`
	LearnedAt  time.Time `db:"learned_at"`
}

var bankFileCols = []string{"sha256", "name", "format", "run_date", "status", "detail", "records", "created_at"}

// AddBankFile records a bank file unless one with its SHA-256 exists; it reports
// whether it was new.
func AddBankFile(ctx context.Context, e sqlx.ExtContext, f BankFile) (bool, error) {
	return insertIgnore(ctx, e, "bank_files", bankFileCols, []string{"sha256"}, f)
}

// GetBankFile returns the bank file with sha; IsNoRows(err) when there is none.
func GetBankFile(ctx context.Context, e sqlx.ExtContext, sha string) (BankFile, error) {
	var f BankFile
	if err := get(ctx, e, &f, "SELECT * FROM bank_files WHERE sha256 = ?", sha); err != nil {
		return f, fmt.Errorf("bank file %s: %w", sha, err)
	}
	return f, nil
}

// BankFilesOn returns the bank files recorded on run date day, by name.
func BankFilesOn(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]BankFile, error) {
	var fs []BankFile
	if err := selectAll(ctx, e, &fs, "SELECT * FROM bank_files WHERE run_date = ? ORDER BY name, sha256", day); err != nil {
		return nil, fmt.Errorf("bank files of %s: %w", day, err)
	}
	return fs, nil
}

// AccountSource returns the payment source of a bank account and whether it has one.
func AccountSource(ctx context.Context, e sqlx.ExtContext, account string) (string, bool, error) {
	var s string
	err := get(ctx, e, &s, "SELECT source FROM bank_accounts WHERE account = ?", account)
	if IsNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("payment source of account %s: %w", account, err)
	}
	return s, true, nil
}

// SetAccountSource fixes a bank account's payment source unless it has one (SPEC §6.3:
// the first seen, or the configured one).
func SetAccountSource(ctx context.Context, e sqlx.ExtContext, account, source, era string, now time.Time) error {
	_, err := insertIgnore(ctx, e, "bank_accounts", []string{"account", "source", "era", "created_at"}, []string{"account"},
		map[string]any{"account": account, "source": source, "era": era, "created_at": now.UTC()})
	return err
}

var bankTxnCols = []string{"id", "account", "source", "tkey", "ordinal", "file_sha256", "record", "ref_no", "value_date",
	"amount", "payer", "payer_normalized", "edi", "kind", "cancelled", "status", "run_date"}

// AddBankTxn stores a transfer unless one with its natural key exists, and reports
// whether it was new (then t.ID is set). Ids are taken as the next after the highest,
// inside the caller's transaction (the night holds the run lock), so that a rolled-back
// attempt never shifts the ids of a rerun on either engine.
func AddBankTxn(ctx context.Context, e sqlx.ExtContext, t *BankTxn) (bool, error) {
	var n int
	if err := get(ctx, e, &n, "SELECT COUNT(*) FROM bank_txns WHERE account = ? AND source = ? AND tkey = ? AND ordinal = ?",
		t.Account, t.Source, t.TKey, t.Ordinal); err != nil {
		return false, fmt.Errorf("look up transfer %s: %w", t.TKey, err)
	}
	if n > 0 {
		return false, nil
	}
	if err := get(ctx, e, &t.ID, "SELECT COALESCE(MAX(id), 0) + 1 FROM bank_txns"+forUpdate(e)); err != nil {
		return false, fmt.Errorf("next transfer id: %w", err)
	}
	return insertIgnore(ctx, e, "bank_txns", bankTxnCols, []string{"account", "source", "tkey", "ordinal"}, t)
}

// GetBankTxn returns the transfer with id; IsNoRows(err) when there is none.
func GetBankTxn(ctx context.Context, e sqlx.ExtContext, id int64) (BankTxn, error) {
	var t BankTxn
	if err := get(ctx, e, &t, "SELECT * FROM bank_txns WHERE id = ?", id); err != nil {
		return t, fmt.Errorf("transfer %d: %w", id, err)
	}
	return t, nil
}

// BankTxnOfRecord returns the transfer stored from record rec of the file with sha.
func BankTxnOfRecord(ctx context.Context, e sqlx.ExtContext, sha string, rec int) (BankTxn, error) {
	var t BankTxn
	if err := get(ctx, e, &t, "SELECT * FROM bank_txns WHERE file_sha256 = ? AND record = ? ORDER BY id LIMIT 1", sha, rec); err != nil {
		return t, fmt.Errorf("transfer of record %d: %w", rec, err)
	}
	return t, nil
}

// OriginalCredit finds the credit a cancellation reverses (SPEC §6.4): the latest credit
// of the same account and source with the same amount and normalized payer (any payer
// when payer is empty), booked on or before day and not reversed yet.
func OriginalCredit(ctx context.Context, e sqlx.ExtContext, account, source string, amount int64, payer string, day calendar.Date) (BankTxn, error) {
	q := `SELECT * FROM bank_txns WHERE account = ? AND source = ? AND amount = ? AND kind = 'credit' AND cancelled = ?
		AND status NOT IN ('reversed', 'reversal') AND value_date <= ?`
	args := []any{account, source, amount, false, day}
	if payer != "" {
		q += " AND payer_normalized = ?"
		args = append(args, payer)
	}
	var t BankTxn
	if err := get(ctx, e, &t, q+" ORDER BY value_date DESC, id DESC LIMIT 1", args...); err != nil {
		return t, fmt.Errorf("original of a cancellation of ¥%d: %w", amount, err)
	}
	return t, nil
}

// SetTxnStatus sets a transfer's status.
func SetTxnStatus(ctx context.Context, e sqlx.ExtContext, id int64, status string) error {
	_, err := exec(ctx, e, fmt.Sprintf("set status of transfer %d", id), "UPDATE bank_txns SET status = ? WHERE id = ?", status, id)
	return err
}

// TxnsWithStatus returns the transfers in a status, oldest first.
func TxnsWithStatus(ctx context.Context, e sqlx.ExtContext, status string) ([]BankTxn, error) {
	var ts []BankTxn
	if err := selectAll(ctx, e, &ts, "SELECT * FROM bank_txns WHERE status = ? ORDER BY value_date, id", status); err != nil {
		return nil, fmt.Errorf("transfers %s: %w", status, err)
	}
	return ts, nil
}

var paymentCols = []string{"txn_id", "invoice_number", "amount", "fee", "rule", "rule_name", "review", "run_date", "reversed",
	"created_by", "created_at", "moved_to", "moved_on"}

// AddPayment records a payment unless the transfer already paid that invoice; it
// reports whether it was new.
func AddPayment(ctx context.Context, e sqlx.ExtContext, p Payment) (bool, error) {
	p.CreatedAt = p.CreatedAt.UTC()
	return insertIgnore(ctx, e, "payments", paymentCols, []string{"txn_id", "invoice_number"}, p)
}

// PaymentsOfTxn returns the payments made from a transfer, reversed ones included.
func PaymentsOfTxn(ctx context.Context, e sqlx.ExtContext, txnID int64) ([]Payment, error) {
	var ps []Payment
	if err := selectAll(ctx, e, &ps, "SELECT * FROM payments WHERE txn_id = ? ORDER BY id", txnID); err != nil {
		return nil, fmt.Errorf("payments of transfer %d: %w", txnID, err)
	}
	return ps, nil
}

// MarkPaymentReversed marks a payment reversed; it reports whether it was not yet.
func MarkPaymentReversed(ctx context.Context, e sqlx.ExtContext, id int64) (bool, error) {
	n, err := exec(ctx, e, fmt.Sprintf("reverse payment %d", id), "UPDATE payments SET reversed = ? WHERE id = ? AND reversed = ?", true, id, false)
	return n == 1, err
}

// DeletePayment takes a payment back out of the table so that staff can book the
// transfer again (ResolvePayment): payments are unique per (transfer, invoice).
func DeletePayment(ctx context.Context, e sqlx.ExtContext, id int64) error {
	_, err := exec(ctx, e, fmt.Sprintf("delete payment %d", id), "DELETE FROM payments WHERE id = ?", id)
	return err
}

// PaymentRow is a payment with its transfer, for the report and `nightly payments list`.
type PaymentRow struct {
	Payment
	ValueDate  calendar.Date `db:"value_date"`
	Account    string        `db:"account"`
	Payer      string        `db:"payer"`
	TxnAmount  int64         `db:"txn_amount"`
	CustomerNo string        `db:"customer_no"`
}

// PaymentRows returns payments with their transfers: those made on run date day, or
// every one when day is zero.
func PaymentRows(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]PaymentRow, error) {
	q := `SELECT p.*, t.value_date, t.account, t.payer, t.amount AS txn_amount, COALESCE(i.customer_no, '') AS customer_no
		FROM payments p JOIN bank_txns t ON t.id = p.txn_id LEFT JOIN invoices i ON i.number = p.invoice_number`
	var args []any
	if !day.IsZero() {
		q += " WHERE p.run_date = ?"
		args = append(args, day)
	}
	var ps []PaymentRow
	if err := selectAll(ctx, e, &ps, q+" ORDER BY t.value_date, p.txn_id, p.invoice_number", args...); err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	return ps, nil
}

// MatchableInvoices returns the invoices a transfer may pay or name: open, partially
// paid, and lapsed (a payment after suspension is found, then refused: SPEC §4.7).
func MatchableInvoices(ctx context.Context, e sqlx.ExtContext) ([]Invoice, error) {
	var out []Invoice
	if err := selectAll(ctx, e, &out, "SELECT * FROM invoices WHERE status IN ('open', 'partially_paid', 'lapsed') ORDER BY number"); err != nil {
		return nil, fmt.Errorf("open invoices: %w", err)
	}
	return out, nil
}

// Replacements maps the number of every replaced invoice to the number of the revision
// that replaced it, so that a transfer quoting a void number pays its replacement
// (SPEC §4.7).
func Replacements(ctx context.Context, e sqlx.ExtContext) (map[string]string, error) {
	var rows []struct {
		Replaces string `db:"replaces"`
		Number   string `db:"number"`
	}
	if err := selectAll(ctx, e, &rows, "SELECT replaces, number FROM invoices WHERE replaces <> '' ORDER BY number"); err != nil {
		return nil, fmt.Errorf("replaced invoices: %w", err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Replaces] = r.Number
	}
	return m, nil
}

// PayerAliases returns every learned alias.
func PayerAliases(ctx context.Context, e sqlx.ExtContext) ([]PayerAlias, error) {
	var as []PayerAlias
	if err := selectAll(ctx, e, &as, "SELECT * FROM payer_aliases ORDER BY name"); err != nil {
		return nil, fmt.Errorf("payer aliases: %w", err)
	}
	return as, nil
}

// PutPayerAlias learns (or relearns) that a normalized payer name is a customer's.
func PutPayerAlias(ctx context.Context, e sqlx.ExtContext, a PayerAlias) error {
	a.LearnedAt = a.LearnedAt.UTC()
	_, err := namedExec(ctx, e, insertSQL(e, "payer_aliases", []string{"name", "customer_no", "learned_by", "learned_at"}, "update",
		[]string{"name"}, []string{"customer_no", "learned_by", "learned_at"}), a)
	if err != nil {
		return fmt.Errorf("learn payer alias %s: %w", a.Name, err)
	}
	return nil
}

// LearnedFees returns the bank fee each customer deducted before (customer → yen).
func LearnedFees(ctx context.Context, e sqlx.ExtContext) (map[string]int64, error) {
	var rows []struct {
		CustomerNo string    `db:"customer_no"`
		Fee        int64     `db:"fee"`
		LearnedBy  string    `db:"learned_by"`
		LearnedAt  time.Time `db:"learned_at"`
	}
	if err := selectAll(ctx, e, &rows, "SELECT * FROM learned_fees"); err != nil {
		return nil, fmt.Errorf("learned fees: %w", err)
	}
	m := make(map[string]int64, len(rows))
	for _, r := range rows {
		m[r.CustomerNo] = r.Fee
	}
	return m, nil
}

// PutLearnedFee learns the fee a customer deducts.
func PutLearnedFee(ctx context.Context, e sqlx.ExtContext, customerNo string, fee int64, who string, now time.Time) error {
	_, err := namedExec(ctx, e, insertSQL(e, "learned_fees", []string{"customer_no", "fee", "learned_by", "learned_at"}, "update",
		[]string{"customer_no"}, []string{"fee", "learned_by", "learned_at"}),
		map[string]any{"customer_no": customerNo, "fee": fee, "learned_by": who, "learned_at": now.UTC()})
	if err != nil {
		return fmt.Errorf("learn fee of customer %s: %w", customerNo, err)
	}
	return nil
}

// GetException returns the exception with key; IsNoRows(err) when there is none.
func GetException(ctx context.Context, e sqlx.ExtContext, key string) (Exception, error) {
	var x Exception
	if err := get(ctx, e, &x, "SELECT * FROM exceptions WHERE nkey = ?", fit("exceptions", "nkey", key)); err != nil {
		return x, fmt.Errorf("exception %s: %w", key, err)
	}
	return x, nil
}

// NearestOpenInvoices returns the open or partially paid invoices whose open amount is
// nearest to amount (the best candidates for a transfer from an unknown payer).
func NearestOpenInvoices(ctx context.Context, e sqlx.ExtContext, amount int64, limit int) ([]Invoice, error) {
	var out []Invoice
	if err := selectAll(ctx, e, &out, `SELECT * FROM invoices WHERE status IN ('open', 'partially_paid')
		ORDER BY ABS(total - paid - ?), number LIMIT ?`, amount, limit); err != nil {
		return nil, fmt.Errorf("invoices near ¥%d: %w", amount, err)
	}
	return out, nil
}

// AccountKeyByNumber returns the key of the one known account whose number is number
// ("1234567" → "0005-001-1-1234567"), so that a bank's CSV export, which prints only
// the number, is recognised as the account of its Zengin files; "" when none or
// several are known.
func AccountKeyByNumber(ctx context.Context, e sqlx.ExtContext, number string) (string, error) {
	var keys []string
	if err := selectAll(ctx, e, &keys, "SELECT account FROM bank_accounts WHERE account LIKE ? ORDER BY account", "%-"+number); err != nil {
		return "", fmt.Errorf("account %s: %w", number, err)
	}
	if len(keys) != 1 {
		return "", nil
	}
	return keys[0], nil
}

// AccountKeys returns every bank account the night has seen, in order.
func AccountKeys(ctx context.Context, e sqlx.ExtContext) ([]string, error) {
	var keys []string
	if err := selectAll(ctx, e, &keys, "SELECT account FROM bank_accounts ORDER BY account"); err != nil {
		return nil, fmt.Errorf("bank accounts: %w", err)
	}
	return keys, nil
}

// InSource reports whether an account's payment source holds a credit of the same
// 勘定日, amount and normalized payer as t, for comparing a file of another kind for
// that account (SPEC §6.3).
func InSource(ctx context.Context, e sqlx.ExtContext, source string, t bankfeed.Txn) (bool, error) {
	var c int
	err := get(ctx, e, &c, `SELECT COUNT(*) FROM bank_txns WHERE account = ? AND source = ? AND value_date = ?
		AND amount = ? AND payer_normalized = ? AND kind = 'credit'`, t.Account, source, t.ValueDate, t.Amount, t.PayerNormalized)
	if err != nil {
		return false, fmt.Errorf("look up a credit of %s in source %s: %w", t.Account, source, err)
	}
	return c > 0, nil
}
