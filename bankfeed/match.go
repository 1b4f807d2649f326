package bankfeed

import (
	"cmp"
	"slices"
	"strings"

	"github.com/npress/nightly/calendar"
)

// OpenInvoice is an invoice that still has an amount due.
type OpenInvoice struct {
	Number     string // 請求書番号, "2026-000123"
	CustomerNo string // お客様番号, 6 digits
	Open       int64  // amount still due
	Total      int64  // invoice total
	DueDate    calendar.Date
}

// Payer is what is known of a customer's names: the katakana reading (フリガナ) of the
// registered name, the registered name itself, and payer names registered for it.
// Any width or kana style: Match normalizes them.
type Payer struct {
	CustomerNo string
	Names      []string
}

// Alias is a payer name that staff once resolved to a customer (`nightly payments
// resolve`), learned for the next time.
type Alias struct {
	Name       string // normalized payer name
	CustomerNo string
}

// DefaultFeeList returns the bank fees tried by rule 3 when none are configured: the
// multiples of 11 yen from 110 to 990, then 145 and 229 (net banks).
func DefaultFeeList() []int64 {
	var fees []int64
	for f := int64(110); f <= 990; f += 11 {
		fees = append(fees, f)
	}
	return append(fees, 145, 229)
}

// DefaultSimilarityThreshold is the rule 4 threshold used when MatchInput leaves it 0.
const DefaultSimilarityThreshold = 0.85

// MatchInput is everything Match needs: the night's transactions and the state of the
// books. Only payments (Txn.IsPayment) are matched.
type MatchInput struct {
	Txns     []Txn
	Invoices []OpenInvoice
	Payers   []Payer
	Aliases  []Alias
	// LearnedFees is the fee each customer deducted before (customer number → yen).
	LearnedFees map[string]int64
	// FeeList is the configured list of bank fees; nil means DefaultFeeList.
	FeeList []int64
	// SimilarityThreshold is the rule 4 threshold in (0, 1]; 0 means the default.
	SimilarityThreshold float64
	// Normalizer normalizes names; nil means the default legal forms.
	Normalizer *Normalizer
	// Replaced maps the number of a void invoice to the invoice that replaced it: a
	// transfer quoting the void number pays the replacement (SPEC §4.7).
	Replaced map[string]string
}

// Rules of SPEC §6.6, recorded in Result.Rule.
const (
	RuleReference  = 1 // invoice or customer number in EDI or payer name
	RulePayer      = 2 // learned alias or registered payer name, amount fits
	RuleFee        = 3 // as rule 2, amount short by a bank fee
	RuleSimilarity = 4 // similar name, exact amount: flagged for review
)

// Exceptions of SPEC §6.7, recorded in Result.Exception.
const (
	ExceptionUnknown     = "unknown"     // payer not identified
	ExceptionPartial     = "partial"     // less than the invoice: applied as a partial payment
	ExceptionOverpayment = "overpayment" // more than due: applied, the rest to refund
	ExceptionAmbiguous   = "ambiguous"   // several invoices or sets fit equally: nothing applied
)

// Applied is an amount booked against an invoice.
type Applied struct {
	Invoice string
	Amount  int64
}

// Suggestion is a candidate for staff: an invoice, or a set of invoices that together
// fit, with a score in per mille (1000 = certain) and why it was suggested.
type Suggestion struct {
	Invoices   []string
	CustomerNo string
	Amount     int64 // the open amount of the invoices together
	Fee        int64 // the fee that would make it fit, if any
	Score      int
	Reason     string
}

// Result is what Match decided for one payment.
type Result struct {
	// Index is the position of the transaction in MatchInput.Txns.
	Index int
	Txn   Txn
	// Rule is the rule of §6.6 that identified the payer or invoice (0: none).
	Rule int
	// RuleName details it: "invoice-number", "customer-number", "alias", "payer-name",
	// "learned-fee", "listed-fee", "similarity".
	RuleName string
	// By says how the payer was identified (rule 3 keeps it: "alias", "payer-name", ...).
	By string
	// Combined is true when one transfer settles several invoices (一括入金).
	Combined bool
	// Applied are the amounts to book, in invoice due-date order. They add up to
	// Txn.Amount + Fee − Refund.
	Applied []Applied
	// Fee is the bank fee the customer deducted (振込手数料), absorbed by us.
	Fee int64
	// FeeLearned is true when Fee is the customer's learned fee.
	FeeLearned bool
	// Refund is the surplus of an overpayment.
	Refund int64
	// Exception is "" for a clean match, else one of the Exception… values.
	Exception string
	// Review is true when staff must look: similarity matches and every exception.
	Review bool
	// Note explains a review or an exception in one sentence.
	Note        string
	Suggestions []Suggestion
	CustomerNo  string
}

// Match matches the payments among in.Txns to open invoices (SPEC §6.6, §6.7). It is
// pure and deterministic: transfers that name an invoice number are matched first, then
// the others, each group ordered by value date, account, 照会番号 and record; an invoice
// settled by one transfer is no longer open for the next. Lookups go through maps by
// invoice number, customer, amount and normalized name: no transfer is compared with
// every invoice. Results come in processing order, one per payment.
func Match(in MatchInput) []Result {
	return NewMatcher(in).Match(in.Txns)
}

// Matcher is Match over a file too big to hold: built once from the books (invoices,
// payers, aliases, fees), it matches one chunk of transfers at a time and remembers
// what each chunk booked, so that an invoice settled by a transfer of one chunk is no
// longer open for the next. Within a chunk the order is Match's; across chunks it is
// the order of the chunks. A Matcher is not safe for concurrent use.
type Matcher struct{ m *matcher }

// NewMatcher builds a Matcher from the books in in; in.Txns is not read.
func NewMatcher(in MatchInput) *Matcher {
	in.Txns = nil
	return &Matcher{m: newMatcher(in)}
}

// Match matches the payments among txns as Match does, against the invoices as the
// earlier chunks left them. Result.Index is the position in txns.
func (mt *Matcher) Match(txns []Txn) []Result {
	m := mt.m
	// The sort keys are copied into the jobs, the account as its rank among the
	// accounts of txns, so that sorting reads no Txn.
	type job struct {
		named  bool // names an invoice number: matched before the others
		date   calendar.Date
		acct   int
		refKey int64 // refNo as a number when that orders as the strings do, else 0
		refNo  string
		record int
		i      int
		refs   refs
	}
	acctRank := map[string]int{}
	for _, t := range txns {
		acctRank[t.Account] = 0
	}
	accts := make([]string, 0, len(acctRank))
	for a := range acctRank {
		accts = append(accts, a)
	}
	slices.Sort(accts)
	for k, a := range accts {
		acctRank[a] = k
	}
	jobs := make([]job, 0, len(txns))
	for i := range txns {
		t := &txns[i]
		if !t.IsPayment() || t.Amount <= 0 {
			continue
		}
		refs := m.refsOf(*t)
		jobs = append(jobs, job{len(refs.invoices) > 0, t.ValueDate, acctRank[t.Account], 0, t.RefNo, t.Record, i, refs})
	}
	// 照会番号 of one length, all digits (and empty ones, first), compare as numbers.
	if digitsLen := sameLengthDigits(jobs, func(j job) string { return j.refNo }); digitsLen > 0 {
		for k := range jobs {
			jobs[k].refKey = refNumber(jobs[k].refNo)
		}
	}
	slices.SortFunc(jobs, func(a, b job) int {
		if a.named != b.named {
			if a.named {
				return -1
			}
			return 1
		}
		return cmp.Or(a.date.Compare(b.date), cmp.Compare(a.acct, b.acct), cmp.Compare(a.refKey, b.refKey),
			strings.Compare(a.refNo, b.refNo), cmp.Compare(a.record, b.record), cmp.Compare(a.i, b.i))
	})
	// A payer usually sends several transfers: each distinct payer text is normalized once.
	normalized := make(map[string]string)
	results := make([]Result, len(jobs))
	for k, j := range jobs {
		t := txns[j.i]
		if t.PayerNormalized == "" {
			n, ok := normalized[t.Payer]
			if !ok {
				n = m.norm.Normalize(t.Payer)
				normalized[t.Payer] = n
			}
			t.PayerNormalized = n
		}
		m.match(&results[k], j.i, t, j.refs)
	}
	return results
}

// sameLengthDigits returns the length of the non-empty keys of list when they all have
// that length, at most 18, and are all ASCII digits; else 0. Such keys order as their
// numbers do, and "" before them all.
func sameLengthDigits[T any](list []T, key func(T) string) int {
	n := 0
	for _, x := range list {
		k := key(x)
		if k == "" {
			continue
		}
		if n == 0 {
			n = len(k)
		}
		if len(k) != n || n > 18 {
			return 0
		}
		for i := 0; i < len(k); i++ {
			if k[i] < '0' || k[i] > '9' {
				return 0
			}
		}
	}
	return n
}

// refNumber is the value of an all-digit key, -1 for "".
func refNumber(k string) int64 {
	if k == "" {
		return -1
	}
	var v int64
	for i := 0; i < len(k); i++ {
		v = v*10 + int64(k[i]-'0')
	}
	return v
}

// RuleNameJapanese is how the morning report names a match rule for staff.
func RuleNameJapanese(name string) string {
	switch name {
	case "invoice-number":
		return "請求書番号"
	case "customer-number":
		return "お客様番号"
	case "alias":
		return "学習済みの振込人名"
	case "payer-name":
		return "登録済みの振込人名"
	case "learned-fee":
		return "学習済みの振込手数料"
	case "listed-fee":
		return "振込手数料（一覧）"
	case "similarity":
		return "振込人名の類似"
	case "", "staff":
		return "担当者の判断"
	}
	return name
}
