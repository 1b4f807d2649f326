package accounting

import (
	"time"

	"github.com/npress/nightly/calendar"
)

// Facts are the records the journal is derived from. Every one of them is written once
// and never changed in what the journal reads, so that an entry exported once comes out
// the same in every later export.
type Facts struct {
	Invoices  []Invoice
	Transfers []Transfer
	Payments  []Payment
	Holds     []Hold
}

// Invoice is an issued invoice.
type Invoice struct {
	Number       string
	Kind         string // new | addition | renewal
	CustomerNo   string
	CustomerName string
	IssueDate    calendar.Date
	DueDate      calendar.Date
	Total        int64 // tax included
	Tax          int64
	// Rates splits Total by tax rate as on the invoice (tax computed once per invoice
	// and rate, SPEC §3.3); empty means all of it at Options.TaxRate.
	Rates    []Rate
	VoidedOn calendar.Date // the day it was voided (SPEC §8.5); zero if it was not
	LapsedOn calendar.Date // the day it lapsed at its contract's suspension (§4.6)
	Replaces string        // the void invoice it replaces
	// ServiceStart is the first day of the service it bills and ServiceMonths the number
	// of monthly cycles, for revenue recognised monthly; ServiceMonths 0 means the
	// revenue is recognised at issue (a perpetual licence), ServiceStart zero with
	// months means the service has not started yet (a new contract not yet activated).
	ServiceStart  calendar.Date
	ServiceMonths int
}

// Rate is the part of an invoice at one tax rate: Amount tax included, Tax within it.
type Rate struct {
	Rate   int // percent
	Amount int64
	Tax    int64
}

// Transfer is a credit received on one of the reseller's bank accounts.
type Transfer struct {
	ID        int64
	Account   string // the bank account as nightly keys it
	Payer     string // 振込依頼人名 as the bank printed it
	ValueDate calendar.Date
	RunDate   calendar.Date // the night that stored and booked it
	Amount    int64
	// ReversedOn is the 勘定日 of the cancellation or 訂正/組戻し that reversed it
	// (SPEC §6.4); zero if it stands.
	ReversedOn calendar.Date
}

// Payment is an amount of a transfer booked against an invoice, whether it is still
// applied, was moved off a void or lapsed invoice, reversed by the bank or taken back by
// staff.
type Payment struct {
	ID      int64
	TxnID   int64
	Invoice string
	Amount  int64 // credited to the invoice, the fee included
	Fee     int64 // the bank fee the customer deducted
	RunDate calendar.Date
	// Staff is set for a payment staff booked (ResolvePayment): it is booked on its
	// RunDate, never on the transfer's 勘定日.
	Staff bool
	// Created orders the payments of one transfer as they were made.
	Created time.Time
	// MovedTo is the replacing invoice's number or "exception:<key>", MovedOn the day.
	MovedTo    string
	MovedOn    calendar.Date
	Reversed   bool
	UnbookedOn calendar.Date // the day staff took it back to book the transfer again
}

// Hold is an exception that holds (or held) yen of a transfer for staff.
type Hold struct {
	Key   string
	Kind  string // unknown, ambiguous, overpayment, voided_paid, lapsed_paid, …
	TxnID int64
	Held  int64
	// MovedFrom is the void or lapsed invoice whose money the hold took, for the holds
	// that moveOff made; empty for a hold made when the transfer arrived.
	MovedFrom  string
	OpenedOn   calendar.Date
	Refund     int64
	RefundedOn calendar.Date
	// Release is how the hold ended without a refund (ReleaseResolved,
	// ReleaseReversed), on ReleasedOn; empty while it holds the money.
	Release    string
	ReleasedOn calendar.Date
}

// How a hold ends without a refund.
const (
	ReleaseResolved = "resolved" // staff booked the transfer
	ReleaseReversed = "reversed" // the bank reversed the transfer
)

// Revenue is when an invoice's sale is recognised.
type Revenue string

// The two ways of recognising revenue (`[accounting] revenue`).
const (
	RevenueAtIssue Revenue = "at_issue" // 売掛金 / 売上高 when the invoice is issued
	RevenueMonthly Revenue = "monthly"  // 売掛金 / 前受金 at issue, 前受金 / 売上高 at each month end of the service
)

// Options are the choices of the configuration that change the entries (the names of
// accounts and tax categories only change how they are written: see Chart).
type Options struct {
	Revenue Revenue
	// TaxRate is the rate of an invoice without Rates and of the bank fees (percent).
	TaxRate int
	// HoldAccounts maps an exception kind to the account its held money is booked in;
	// Suspense (仮受金) when a kind is absent.
	HoldAccounts map[string]Account
	// Today: a month-end recognition entry is only made for a month end before today,
	// so that a void later today cannot take back one already exported.
	Today calendar.Date
}
