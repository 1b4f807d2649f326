package store

import (
	"database/sql"
	"time"

	"github.com/npress/nightly/calendar"
)

// Customer is a row of customers: a Japanese legal entity that buys subscriptions.
type Customer struct {
	No               string         `db:"customer_no"`
	Name             string         `db:"name"`
	Kana             string         `db:"kana"`
	PayerNames       string         `db:"payer_names"` // registered 振込依頼人名, separated by ";"
	PostalCode       string         `db:"postal_code"`
	Address          string         `db:"address"`
	Contact          string         `db:"contact"`
	Email            string         `db:"email"`
	Country          string         `db:"country"`
	CorporateNo      string         `db:"corporate_no"`
	ParentCustomerNo sql.NullString `db:"parent_customer_no"`
	ParentShare      int            `db:"parent_share"`
	CreatedAt        time.Time      `db:"created_at"`
	UpdatedAt        time.Time      `db:"updated_at"`
}

// Plan is a product of the price list (SKU).
type Plan struct {
	Code      string    `db:"plan_code"`
	Name      string    `db:"name"`
	Kind      string    `db:"kind"` // subscription | perpetual
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// PlanPrice is one validity period of a plan's price per seat per year, tax excluded.
type PlanPrice struct {
	PlanCode  string        `db:"plan_code"`
	ValidFrom calendar.Date `db:"valid_from"`
	ValidTo   calendar.Date `db:"valid_to"` // zero: open
	UnitPrice int64         `db:"unit_price"`
}

// Contract statuses (SPEC §4.6).
const (
	StatusPending   = "pending"
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusEnded     = "ended"
)

// Contract is one plan for one customer tenant with its current term.
type Contract struct {
	No              string         `db:"contract_no"`
	CustomerNo      string         `db:"customer_no"`
	PlanCode        string         `db:"plan_code"`
	Seats           int            `db:"seats"`
	UnitPrice       int64          `db:"unit_price"`
	TermStart       calendar.Date  `db:"term_start"`
	TermEnd         calendar.Date  `db:"term_end"`
	Status          string         `db:"status"`
	AutoRenew       bool           `db:"auto_renew"`
	NextSeats       sql.NullInt64  `db:"next_seats"`
	CancelAtTermEnd bool           `db:"cancel_at_term_end"`
	HoldUntil       calendar.Date  `db:"hold_until"`
	HoldReason      string         `db:"hold_reason"`
	OrderNo         sql.NullString `db:"order_no"`
	StatusChangedOn calendar.Date  `db:"status_changed_on"`
	CreatedAt       time.Time      `db:"created_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
}

// Order is an order from the EC store, keyed by its 注文番号.
type Order struct {
	No           string         `db:"order_no"`
	Kind         string         `db:"kind"` // new | addition | migration
	CustomerNo   string         `db:"customer_no"`
	ContractNo   sql.NullString `db:"contract_no"`
	PlanCode     string         `db:"plan_code"`
	Seats        int            `db:"seats"`
	OrderDate    calendar.Date  `db:"order_date"`
	DesiredStart string         `db:"desired_start"` // YYYY-MM
	Status       string         `db:"status"`
	SourceSHA256 string         `db:"source_sha256"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

// Invoice statuses.
const (
	InvoiceOpen          = "open"
	InvoicePartiallyPaid = "partially_paid"
	InvoicePaid          = "paid"
	InvoiceVoid          = "void"
	InvoiceLapsed        = "lapsed"
)

// Invoice is an issued invoice; it is never changed after issue except for its payment
// state, its void mark and its posting mark (SPEC §8.5).
type Invoice struct {
	Number        string         `db:"number"`
	Year          int            `db:"year"`
	Seq           int            `db:"seq"`
	NKey          string         `db:"nkey"`
	Revision      int            `db:"revision"`
	Kind          string         `db:"kind"`
	CustomerNo    string         `db:"customer_no"`
	ContractNo    string         `db:"contract_no"`
	OrderNo       string         `db:"order_no"`
	TermStart     calendar.Date  `db:"term_start"`
	IssueDate     calendar.Date  `db:"issue_date"`
	DueDate       calendar.Date  `db:"due_date"`
	Subtotal      int64          `db:"subtotal"`
	Tax           int64          `db:"tax"`
	Total         int64          `db:"total"`
	Paid          int64          `db:"paid"`
	Status        string         `db:"status"`
	Replaces      string         `db:"replaces"`
	VoidReason    string         `db:"void_reason"`
	ReissueNeeded bool           `db:"reissue_needed"`
	ShortNotice   bool           `db:"short_notice"`
	Seats         int            `db:"seats"`
	UnitPrice     int64          `db:"unit_price"`
	ToName        string         `db:"to_name"`
	ToPostalCode  string         `db:"to_postal_code"`
	ToAddress     string         `db:"to_address"`
	PDFSHA256     sql.NullString `db:"pdf_sha256"`
	Pages         int            `db:"pages"`
	PostedAt      sql.NullTime   `db:"posted_at"`
	VoidedOn      calendar.Date  `db:"voided_on"`
	CreatedAt     time.Time      `db:"created_at"`
}

// InvoiceLine is one line of an invoice.
type InvoiceLine struct {
	InvoiceNumber string        `db:"invoice_number"`
	LineNo        int           `db:"line_no"`
	Description   string        `db:"description"`
	PeriodStart   calendar.Date `db:"period_start"`
	PeriodEnd     calendar.Date `db:"period_end"`
	Quantity      int           `db:"quantity"`
	UnitPrice     int64         `db:"unit_price"`
	Amount        int64         `db:"amount"`
	TaxRate       int           `db:"tax_rate"`
}

// Task is a provisioning task for staff: activate, add seats, stop service.
type Task struct {
	NKey          string        `db:"nkey"`
	Kind          string        `db:"kind"`
	ContractNo    string        `db:"contract_no"`
	OrderNo       string        `db:"order_no"`
	InvoiceNumber string        `db:"invoice_number"`
	Detail        string        `db:"detail"`
	DueDate       calendar.Date `db:"due_date"`
	RunDate       calendar.Date `db:"run_date"`
	DoneAt        sql.NullTime  `db:"done_at"`
	DoneBy        string        `db:"done_by"`
}

// Exception is something the night could not decide and staff must resolve.
type Exception struct {
	NKey        string        `db:"nkey"`
	RunDate     calendar.Date `db:"run_date"`
	Kind        string        `db:"kind"`
	Subject     string        `db:"subject"`
	Message     string        `db:"message"`
	Action      string        `db:"action"`
	Suggestions Suggestions   `db:"suggestions"`
	Status      string        `db:"status"`
	ClosedBy    string        `db:"closed_by"`
	ClosedWhy   string        `db:"closed_why"`
	ClosedAt    sql.NullTime  `db:"closed_at"`
	// TxnID is the transfer the exception is about (SPEC §4.8), if any.
	TxnID sql.NullInt64 `db:"txn_id"`
	// Held is the yen of that transfer the exception holds while it is open: all of an
	// unidentified or after-suspension transfer, an overpayment's excess, money moved off
	// a void or lapsed invoice; 0 for a flag (review, partial, addition_late).
	Held int64 `db:"held"`
	// Refund is what staff recorded as refunded when closing it, on RefundedOn.
	Refund     int64         `db:"refund"`
	RefundedOn calendar.Date `db:"refunded_on"`
}

// Notice is a reminder (お支払いのお願い) or a notice of cancellation (請求書取消のお知らせ).
type Notice struct {
	Number        string         `db:"number"`
	Kind          string         `db:"kind"` // reminder | cancellation
	InvoiceNumber string         `db:"invoice_number"`
	ReplacedBy    string         `db:"replaced_by"`
	RunDate       calendar.Date  `db:"run_date"`
	CustomerNo    string         `db:"customer_no"`
	PDFSHA256     sql.NullString `db:"pdf_sha256"`
	Pages         int            `db:"pages"`
	PostedAt      sql.NullTime   `db:"posted_at"`
	CreatedAt     time.Time      `db:"created_at"`
}

// Run is a line of the run ledger (SPEC §5.6).
type Run struct {
	ID        int64         `db:"id"`
	RunDate   calendar.Date `db:"run_date"`
	Trigger   string        `db:"trigger_by"`
	Who       string        `db:"who"`
	StartedAt time.Time     `db:"started_at"`
	EndedAt   sql.NullTime  `db:"ended_at"`
	Status    string        `db:"status"`
	Steps     string        `db:"steps"`
	Error     string        `db:"error"`
}

// AuditEntry records who changed what, when and why.
type AuditEntry struct {
	ID         int64         `db:"id"`
	At         time.Time     `db:"at"`
	RunDate    calendar.Date `db:"run_date"`
	Who        string        `db:"who"`
	Action     string        `db:"action"`
	Subject    string        `db:"subject"`
	Field      string        `db:"field"`
	FromValue  string        `db:"from_value"`
	ToValue    string        `db:"to_value"`
	Why        string        `db:"why"`
	FileSHA256 string        `db:"file_sha256"`
}

// EvidenceRow is a row of the evidence ledger.
type EvidenceRow struct {
	Seq          int64         `db:"seq"`
	Kind         string        `db:"kind"`
	Source       string        `db:"source"`
	ReceivedAt   time.Time     `db:"received_at"`
	Size         int64         `db:"size"`
	SHA256       string        `db:"sha256"`
	DocDate      calendar.Date `db:"doc_date"`
	Amount       sql.NullInt64 `db:"amount"`
	Counterparty string        `db:"counterparty"`
	PrevHash     string        `db:"prev_hash"`
	Hash         string        `db:"hash"`
}
