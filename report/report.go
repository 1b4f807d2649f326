// Package report is the morning report (SPEC §9): what it shows, as values, and how it
// is written — report.html from the report template, exceptions.csv for Japanese Excel.
// jobs gathers a night's Data from the database; the report step writes it to the day
// folder and the web UI shows the same Data live, so both are one source.
//
// It reads no database and no clock: Data is built by the caller.
package report

import (
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// Data is everything the morning report shows (SPEC §9.2). It is read from the database
// for the run date, so that a rerun writes the same report.
type Data struct {
	Date    calendar.Date
	DryRun  bool
	ToPrint []store.PrintItem
	// Voided are the invoices voided tonight: their printed copies must not be posted.
	Voided []store.VoidedInvoice
	// ShortNotice are the renewals issued tonight with a shortened notice (SPEC §4.3).
	ShortNotice []store.Invoice
	Exceptions  []store.Exception
	// Invariant are the open `invariant` exceptions: the money check of SPEC §4.8 failed
	// and the report leads with them in red.
	Invariant []store.Exception
	Tasks     []TaskLine
	Overdue   []store.OverdueRenewal
	// Awaiting are contracts past their term end whose late renewal is not yet due
	// (SPEC §4.6): active until the day after its due date.
	Awaiting []store.OverdueRenewal
	Events   []store.ContractEvent
	Held     []store.HeldContract
	// Originals link the exceptions of messages the intake could not read to their
	// original kept as evidence, by exception key (relative to the report's folder).
	Originals map[string]string
	// Requests are the reduction and cancellation requests received tonight and those
	// still awaiting a reply, overdue replies first (SPEC §9.2).
	Requests []RequestLine
	// Bank is the bank feed of the night: payments by rule, fees, files, exceptions.
	Bank Bank
	// Aging is the receivables aging as of Date (issue 17); nil when it was not read.
	Aging     *Aging
	Evidence  EvidenceHead
	Counts    []Count
	Notes     []string
	Timings   []Step
	Generated time.Time
	Standing  // the date in the run ledger, the customers named (morning.go)
}

// Summary is the outcome of one night, printed by `nightly run --json` and shown by the
// web's run page.
type Summary struct {
	RunDate  string  `json:"run_date"`
	Status   string  `json:"status"` // ok | failed | dry-run | invariant (done, but the money check failed)
	Steps    []Step  `json:"steps"`
	Error    string  `json:"error,omitempty"`
	Duration float64 `json:"duration_seconds"`
	// OpenExceptions counts exceptions left for staff after the night.
	OpenExceptions int `json:"open_exceptions"`
}

// Step is one step of a night as the run ledger records it: what it changed and looked
// at, how long it took, and its error.
type Step struct {
	Name     string         `json:"name"`
	Changes  map[string]int `json:"changes"`
	Seen     map[string]int `json:"seen"`
	Duration float64        `json:"duration_seconds"`
	Error    string         `json:"error,omitempty"`
}

// TaskLine is a provisioning task with whether its deadline has passed.
type TaskLine struct {
	store.Task
	Overdue bool
}

// RequestLine is a request as the morning report shows it: what came in, what the
// night decided, by when the desk must answer and what staff must do (SPEC §9.2).
type RequestLine struct {
	store.Request
	// Overdue is set when the reply-by date has passed and the request still waits for
	// the desk.
	Overdue bool
	// Tonight is set for a request received in tonight's run.
	Tonight bool
	// OutcomeName, KindName and Action say in Japanese where it stands, what it asks
	// and what staff must do; Registered lists the customer's registered addresses,
	// shown beside the sender; Reply is the reply draft in the day folder ("" for none);
	// MissingNames and ReasonNames name what it lacks and why it does not match.
	OutcomeName, KindName, Action, Registered, Reply, MissingNames, ReasonNames string
}

// EvidenceHead is the ledger's head hash and row count, printed each morning so that
// cutting rows off the end is caught (SPEC §7.5).
type EvidenceHead struct {
	Hash  string
	Count int64
}

// Count is one line of the night's counts.
type Count struct {
	Label string
	N     int
}

// Bank is the bank feed's part of the morning report: the payments booked tonight and
// by which rule, the fees absorbed, the files read, and the bank exceptions still open
// with their suggestions.
type Bank struct {
	Payments   []store.PaymentRow // applied tonight, reversed ones included
	ByRule     []RuleCount
	Fees       int64 // bank fees absorbed tonight
	Files      []store.BankFile
	Exceptions []store.Exception
}

// RuleCount is how many payments a matching rule made tonight, and their amount.
type RuleCount struct {
	Rule     int
	RuleName string
	N        int
	Amount   int64
}

// CountsOf is the report's count line: what the night changed and what waits for staff.
func CountsOf(d Data) []Count {
	count := map[string]int{}
	for _, e := range d.Events {
		count[e.Action]++
	}
	return []Count{
		{Label: "停止した契約", N: count["suspended"]},
		{Label: "終了した契約", N: count["ended"]},
		{Label: "更新した契約", N: count["rolled_over"]},
		{Label: "支払期限超過の更新請求書", N: len(d.Overdue)},
		{Label: "印刷・郵送待ちの書類", N: len(d.ToPrint)},
		{Label: "未処理の例外", N: len(d.Exceptions)},
		{Label: "未完了の作業", N: len(d.Tasks)},
	}
}
