package bankfeed

import (
	"cmp"
	"math"
	"math/bits"
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

// invState is an invoice as the batch goes on.
type invState struct {
	OpenInvoice
	open int64
	cust int32 // customer id
	seq  int   // order among the customer's invoices (due date, number)
	mark int   // the transfer that last made it a candidate (see matcher.gen)
}

type matcher struct {
	norm      *Normalizer
	threshold int // per mille
	fees      []int64
	gen       int // counts transfers, to mark candidates without a set
	budget    int // search steps the transfer being matched may still spend (SPEC §6.9)

	openBuf []*invState // scratch of openOf

	// Arenas that the many small slices of a batch are cut from, each with its capacity
	// equal to its length, so that appending to one never writes into another.
	ptrArena     []*invState
	setArena     [][]*invState
	appliedArena []Applied
	stringArena  []string
	candBuf      []candidate // scratch of similar

	// Customers are numbered (ids) once, so that the work per transfer indexes slices.
	custID     map[string]int32
	custNo     []string
	learned    []int64
	byCustomer [][]*invState // oldest first
	names      [][]string    // normalized names
	nameInfos  [][]nameInfo  // the same as runes, for Similarity
	custMark   []int         // the transfer (gen) for which custScore holds a score
	custScore  []int32

	byNumber map[string]*invState
	replaced map[string]string
	byAmount map[int64][]*invState
	// amountSeen has the bit amountBit(a) set for every key a of byAmount: most amounts
	// plus a fee are no invoice's, and a clear bit says so without a map lookup.
	amountSeen []uint64
	byName     map[string][]int32 // normalized name → customers
	byAlias    map[string][]int32
	byPrefix   map[string][]int32 // first two runes of a name → customers
}

// id returns the id of customer number no, adding it when new.
func (m *matcher) id(no string) int32 {
	if c, ok := m.custID[no]; ok {
		return c
	}
	c := int32(len(m.custNo))
	m.custID[no] = c
	m.custNo = append(m.custNo, no)
	m.learned = append(m.learned, 0)
	m.byCustomer = append(m.byCustomer, nil)
	m.names = append(m.names, nil)
	return c
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

func newMatcher(in MatchInput) *matcher {
	nc := len(in.Payers) + len(in.Invoices)/4
	nNames := 0
	for _, p := range in.Payers {
		nNames += len(p.Names)
	}
	m := &matcher{
		norm:       in.Normalizer,
		fees:       in.FeeList,
		custNo:     make([]string, 0, nc),
		learned:    make([]int64, 0, nc),
		byCustomer: make([][]*invState, 0, nc),
		names:      make([][]string, 0, nc),
		custID:     make(map[string]int32, nc),
		byNumber:   make(map[string]*invState, len(in.Invoices)),
		replaced:   in.Replaced,
		byAmount:   make(map[int64][]*invState, len(in.Invoices)),
		byName:     make(map[string][]int32, nNames),
		byAlias:    make(map[string][]int32, len(in.Aliases)),
		byPrefix:   make(map[string][]int32),
	}
	if m.norm == nil {
		m.norm = defaultNormalizer()
	}
	if m.fees == nil {
		m.fees = DefaultFeeList()
	}
	m.fees = slices.DeleteFunc(slices.Clone(m.fees), func(f int64) bool { return f <= 0 })
	th := in.SimilarityThreshold
	if th <= 0 || th > 1 {
		th = DefaultSimilarityThreshold
	}
	m.threshold = int(math.Round(th * 1000))

	states := make([]invState, 0, len(in.Invoices))
	for _, inv := range in.Invoices {
		if inv.Open <= 0 || m.byNumber[inv.Number] != nil {
			continue
		}
		states = append(states, invState{OpenInvoice: inv, open: inv.Open})
		m.byNumber[inv.Number] = &states[len(states)-1]
	}
	for i := range states {
		st := &states[i]
		if i > 0 && st.CustomerNo == states[i-1].CustomerNo { // books list a customer's invoices together
			st.cust = states[i-1].cust
		} else {
			st.cust = m.id(st.CustomerNo)
		}
		m.byCustomer[st.cust] = append(m.byCustomer[st.cust], st)
		m.byAmount[st.open] = append(m.byAmount[st.open], st)
	}
	m.amountSeen = make([]uint64, 1<<(amountBits-6))
	for a := range m.byAmount {
		m.seeAmount(a)
	}
	for _, list := range m.byCustomer {
		slices.SortFunc(list, byDueThenNumber)
		for i, st := range list {
			st.seq = i
		}
	}
	for _, list := range m.byAmount {
		slices.SortFunc(list, byDueThenNumber)
	}
	// Most names belong to one customer: their lists are cut from one slab, capacity 1.
	var slab []int32
	addName := func(idx map[string][]int32, name string, c int32) {
		if name == "" {
			return
		}
		list, ok := idx[name]
		switch {
		case !ok:
			if len(slab) == cap(slab) {
				slab = make([]int32, 0, arenaChunk)
			}
			slab = append(slab, c)
			idx[name] = slab[len(slab)-1 : len(slab) : len(slab)]
		case !slices.Contains(list, c):
			idx[name] = append(list, c)
		}
	}
	addOwnName := func(c int32, n string) {
		if n != "" && !slices.Contains(m.names[c], n) {
			m.names[c] = append(m.names[c], n)
			addName(m.byPrefix, prefix2(n), c)
		}
	}
	for _, p := range in.Payers {
		c := m.id(p.CustomerNo)
		for _, raw := range p.Names {
			n := m.norm.Normalize(raw)
			addOwnName(c, n)
			addName(m.byName, n, c)
		}
	}
	for _, a := range in.Aliases {
		c := m.id(a.CustomerNo)
		n := m.norm.Normalize(a.Name)
		addName(m.byAlias, n, c)
		addOwnName(c, n)
	}
	for no, f := range in.LearnedFees {
		if c, ok := m.custID[no]; ok && f > 0 {
			m.learned[c] = f
		}
	}
	m.nameInfos = make([][]nameInfo, len(m.names))
	nOwn := 0
	for _, ns := range m.names {
		nOwn += len(ns)
	}
	infos := make([]nameInfo, nOwn)
	m.custMark = make([]int, len(m.names))
	m.custScore = make([]int32, len(m.names))
	var arena []rune
	keep := func(rs []rune) []rune {
		if cap(arena)-len(arena) < len(rs) {
			arena = make([]rune, 0, max(1<<16, len(rs)))
		}
		start := len(arena)
		arena = append(arena, rs...)
		return arena[start:len(arena):len(arena)]
	}
	var tmp []rune
	for c, ns := range m.names {
		m.nameInfos[c], infos = infos[:len(ns):len(ns)], infos[len(ns):]
		for i, n := range ns {
			tmp = appendRunes(tmp[:0], n)
			ni := &m.nameInfos[c][i]
			ni.runes = keep(tmp)
			ni.sig, ni.dup = runeSignature(tmp)
			slices.Sort(tmp)
			ni.bag = keep(tmp)
		}
	}
	// Lists of customers in the order of their numbers, whatever the input order.
	byNo := func(a, b int32) int { return strings.Compare(m.custNo[a], m.custNo[b]) }
	for _, idx := range []map[string][]int32{m.byName, m.byAlias, m.byPrefix} {
		for _, cs := range idx {
			slices.SortFunc(cs, byNo)
		}
	}
	return m
}

func byDueThenNumber(a, b *invState) int {
	return cmp.Or(a.DueDate.Compare(b.DueDate), strings.Compare(a.Number, b.Number))
}

func prefix2(s string) string {
	n := 0
	for i := range s {
		if n == 2 {
			return s[:i]
		}
		n++
	}
	return s
}

// smallCustomer is the number of invoices up to which a customer's invoices are scanned
// directly instead of looked up by amount.
const smallCustomer = 32

// anyone stands for "any customer" where a customer id is expected.
const anyone int32 = -1

// openOf returns the customer's invoices still open, oldest first, in a scratch slice
// that the next call overwrites: callers copy what they keep.
func (m *matcher) openOf(c int32) []*invState {
	out := m.openBuf[:0]
	for _, st := range m.byCustomer[c] {
		if st.open > 0 {
			out = append(out, st)
		}
	}
	m.openBuf = out
	return out
}

const amountBits = 20

func amountBit(a int64) uint64 { return uint64(a) * 0x9E3779B97F4A7C15 >> (64 - amountBits) }

func (m *matcher) seeAmount(a int64) {
	b := amountBit(a)
	m.amountSeen[b>>6] |= 1 << (b & 63)
}

// invoicesOf returns byAmount[a], looked up only when the filter says it may exist.
func (m *matcher) invoicesOf(a int64) []*invState {
	if b := amountBit(a); m.amountSeen[b>>6]&(1<<(b&63)) == 0 {
		return nil
	}
	return m.byAmount[a]
}

// withAmount returns the open invoices whose open amount is exactly amt (of customer
// c, or of anyone when c is anyone).
func (m *matcher) withAmount(amt int64, c int32) []*invState {
	var list []*invState
	if c != anyone && len(m.byCustomer[c]) <= smallCustomer {
		list = m.byCustomer[c]
	} else {
		list = m.invoicesOf(amt)
	}
	n := 0
	for _, st := range list {
		if st.open == amt && (c == anyone || st.cust == c) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := m.ptrs(n)[:0]
	for _, st := range list {
		if st.open == amt && (c == anyone || st.cust == c) {
			out = append(out, st)
		}
	}
	return out
}

func (m *matcher) book(st *invState, amt int64) Applied {
	st.open -= amt
	if st.open > 0 {
		list := m.byAmount[st.open]
		i, _ := slices.BinarySearchFunc(list, st, byDueThenNumber)
		m.byAmount[st.open] = slices.Insert(list, i, st)
		m.seeAmount(st.open)
	}
	return Applied{Invoice: st.Number, Amount: amt}
}

// fit is the outcome of fitting an amount to a customer's open invoices.
type fit struct {
	sets    [][]*invState // one set: a match; several: ambiguous
	fee     int64
	learned bool
	// undecided: the combinations could not all be searched (over MaxCombinedOpen open
	// invoices, or the transfer's SearchBudget spent), so a unique fit cannot be told.
	undecided bool
}

// fitCustomer tries, in order: the open invoices of exactly amt together with the
// exact combinations of 2..MaxCombined of them (SPEC §6.9: one invoice that fits and a
// different combination that fits too are ambiguous); the same for amt plus the
// customer's learned fee; then amt short by a listed fee. The first step that finds
// anything decides (two finds are ambiguous).
func (m *matcher) fitCustomer(cust int32, amt int64) fit {
	open := m.openOf(cust)
	cs := combos{m: m, open: open}
	exact := func(target int64, fee int64, learned bool) (fit, bool) {
		f := fit{sets: m.eachAlone(m.withAmount(target, cust)), fee: fee, learned: learned}
		if len(f.sets) < 2 {
			complete := cs.find(target, target, func(_ int64, set []*invState) bool {
				f.sets = append(f.sets, set)
				return len(f.sets) < 2
			})
			f.undecided = !complete && len(f.sets) < 2
		}
		return f, len(f.sets) > 0 || f.undecided
	}
	if f, ok := exact(amt, 0, false); ok {
		return f
	}
	if fee := m.learned[cust]; fee > 0 {
		if f, ok := exact(amt+fee, fee, true); ok {
			return f
		}
	}
	var found fit
	if len(open) == 0 {
		return found
	}
	if len(m.byCustomer[cust]) <= smallCustomer {
		for _, f := range m.fees { // few invoices: look at each, in fee-list order
			for _, st := range open {
				if st.open-amt == f {
					found.sets, found.fee = append(found.sets, []*invState{st}), f
				}
			}
		}
	} else {
		for _, f := range m.fees {
			for _, st := range m.withAmount(amt+f, cust) {
				found.sets, found.fee = append(found.sets, []*invState{st}), f
			}
		}
	}
	if len(found.sets) == 0 && len(m.fees) > 0 {
		lo, hi := slices.Min(m.fees), slices.Max(m.fees)
		complete := cs.find(amt+lo, amt+hi, func(sum int64, set []*invState) bool {
			if f := sum - amt; slices.Contains(m.fees, f) {
				found.sets, found.fee = append(found.sets, set), f
			}
			return len(found.sets) < 2
		})
		found.undecided = !complete && len(found.sets) < 2
	}
	if len(found.sets) > 1 {
		found.fee = 0 // ambiguous: each suggestion carries its own fee below
	}
	return found
}

// combos searches the combinations of one customer's open invoices (SPEC §6.9), built
// when first needed, spending the transfer's step budget.
type combos struct {
	m     *matcher
	open  []*invState
	x     *subsetSearch
	total int64
}

// find calls fn with every combination of 2..MaxCombined open invoices whose open
// amounts add up to a sum in [lo, hi], until fn returns false. It reports false when it
// could not search them all: more than MaxCombinedOpen open invoices, or the budget is
// spent.
func (c *combos) find(lo, hi int64, fn func(sum int64, set []*invState) bool) bool {
	if len(c.open) < 2 {
		return true
	}
	if len(c.open) > MaxCombinedOpen {
		return false
	}
	if c.x == nil {
		amounts := make([]int64, len(c.open))
		for i, st := range c.open {
			amounts[i] = st.open
			c.total += st.open
		}
		c.x = newSubsetSearch(amounts)
	}
	if c.total < lo {
		return true // all of them together are too little
	}
	return c.x.find(lo, hi, &c.m.budget, func(sum int64, members []int) bool {
		set := make([]*invState, len(members))
		for i, k := range members {
			set[i] = c.open[k]
		}
		return fn(sum, set)
	})
}

func (m *matcher) eachAlone(list []*invState) [][]*invState {
	sets := m.sets(len(list))
	for i := range list {
		sets[i] = list[i : i+1 : i+1]
	}
	return sets
}

const arenaChunk = 4096

// cut returns n elements of *arena (refilled with chunks as needed), length and
// capacity n.
func cut[T any](arena *[]T, n int) []T {
	if cap(*arena)-len(*arena) < n {
		*arena = make([]T, 0, max(arenaChunk, n))
	}
	a := *arena
	start := len(a)
	a = a[:start+n]
	*arena = a
	return a[start : start+n : start+n]
}

func (m *matcher) ptrs(n int) []*invState      { return cut(&m.ptrArena, n) }
func (m *matcher) sets(n int) [][]*invState    { return cut(&m.setArena, n) }
func (m *matcher) applied(n int) []Applied     { return cut(&m.appliedArena, n) }
func (m *matcher) oneString(s string) []string { x := cut(&m.stringArena, 1); x[0] = s; return x }

func setSum(set []*invState) int64 {
	var s int64
	for _, st := range set {
		s += st.open
	}
	return s
}

func numbers(set []*invState) []string {
	out := make([]string, len(set))
	for i, st := range set {
		out[i] = st.Number
	}
	return out
}

// applyFit books a unique fit into r.
func (m *matcher) applyFit(r *Result, f fit, amt int64) {
	set := f.sets[0]
	r.CustomerNo = set[0].CustomerNo
	r.Combined = len(set) > 1
	r.Fee = f.fee
	r.FeeLearned = f.learned
	r.Applied = m.applied(len(set))
	for i, st := range set {
		r.Applied[i] = m.book(st, st.open)
	}
}

// ambiguous records several fitting sets as suggestions, nothing applied.
func (m *matcher) ambiguous(r *Result, sets [][]*invState, amt int64, note string) {
	r.Exception, r.Review, r.Note = ExceptionAmbiguous, true, note
	for _, s := range sets {
		sum := setSum(s)
		r.Suggestions = append(r.Suggestions, Suggestion{Invoices: numbers(s), CustomerNo: s[0].CustomerNo, Amount: sum, Fee: sum - amt, Score: 1000 / len(sets), Reason: "金額が一致"})
	}
}

func (m *matcher) match(r *Result, i int, t Txn, refs refs) {
	r.Index, r.Txn = i, t
	amt := t.Amount
	m.budget = SearchBudget

	// Rule 1: invoice numbers named in EDI or the payer field.
	var refd []*invState
	for _, n := range refs.invoices {
		if st := m.invoice(n); st != nil && st.open > 0 && !slices.Contains(refd, st) {
			refd = append(refd, st)
		}
	}
	if len(refd) > 0 {
		slices.SortFunc(refd, byDueThenNumber)
		r.Rule, r.RuleName, r.By, r.CustomerNo = RuleReference, "invoice-number", "invoice-number", refd[0].CustomerNo
		sum := setSum(refd)
		if fee, learned, ok := m.feeFor(refd[0].cust, sum-amt); sum == amt || ok {
			if sum == amt {
				fee, learned = 0, false
			}
			m.applyFit(r, fit{sets: [][]*invState{refd}, fee: fee, learned: learned}, amt)
			return
		}
		if f := m.fitCustomer(refd[0].cust, amt); len(f.sets) == 1 && !f.undecided {
			m.applyFit(r, f, amt)
			r.Review = true
			r.Note = "the transfer names invoice " + strings.Join(numbers(refd), ", ") + " but its amount fits " + strings.Join(numbers(f.sets[0]), ", ")
			return
		}
		m.shortOrOver(r, refd, amt)
		return
	}

	// Rule 1: a customer number in EDI or the payer field.
	if custs := m.customerRefs(refs); len(custs) == 1 {
		r.Rule, r.RuleName, r.By = RuleReference, "customer-number", "customer-number"
		m.resolveCustomers(r, custs, amt)
		return
	}

	// Rule 2 (and 3): learned alias, then registered payer names.
	if custs := m.byAlias[t.PayerNormalized]; len(custs) > 0 {
		r.Rule, r.RuleName, r.By = RulePayer, "alias", "alias"
		m.resolveCustomers(r, custs, amt)
		return
	}
	if custs := m.byName[t.PayerNormalized]; len(custs) > 0 {
		r.Rule, r.RuleName, r.By = RulePayer, "payer-name", "payer-name"
		m.resolveCustomers(r, custs, amt)
		return
	}

	// Rule 4: a similar name with an invoice of exactly this amount.
	m.similar(r, amt)
}

// invoice returns the open invoice numbered no, or the one that replaced it when no
// is void (a voided invoice may have been replaced more than once).
func (m *matcher) invoice(no string) *invState {
	for hops := 0; hops < 8; hops++ {
		if st := m.byNumber[no]; st != nil {
			return st
		}
		next, ok := m.replaced[no]
		if !ok {
			return nil
		}
		no = next
	}
	return nil
}

// feeFor says whether short is a fee this customer may have deducted: its learned fee,
// else one of the listed fees.
func (m *matcher) feeFor(cust int32, short int64) (int64, bool, bool) {
	if short <= 0 {
		return 0, false, false
	}
	if f := m.learned[cust]; f > 0 && f == short {
		return f, true, true
	}
	if slices.Contains(m.fees, short) {
		return short, false, true
	}
	return 0, false, false
}

// resolveCustomers matches amt against the invoices of the customers the payer was
// identified as (usually one).
func (m *matcher) resolveCustomers(r *Result, custs []int32, amt int64) {
	var fitsBuf [2]fit
	var custsBuf [2]int32
	fits, fitCusts := fitsBuf[:0], custsBuf[:0]
	undecided := false
	for _, c := range custs {
		f := m.fitCustomer(c, amt)
		undecided = undecided || f.undecided
		if len(f.sets) > 0 || f.undecided {
			fits, fitCusts = append(fits, f), append(fitCusts, c)
		}
	}
	switch {
	case undecided:
		var sets [][]*invState
		for _, f := range fits {
			sets = append(sets, f.sets...)
		}
		r.CustomerNo = m.custNo[fitCusts[0]]
		m.ambiguous(r, sets, amt, "combined search incomplete: over 200 open invoices or the search budget spent; staff decide")
		for _, c := range fitCusts {
			for _, st := range firstN(m.openOf(c), 10) {
				r.Suggestions = append(r.Suggestions, Suggestion{Invoices: m.oneString(st.Number), CustomerNo: st.CustomerNo, Amount: st.open, Score: 100, Reason: "このお客様の未入金の請求書"})
			}
		}
	case len(fits) == 1 && len(fits[0].sets) == 1:
		f := fits[0]
		if f.fee > 0 {
			r.Rule = RuleFee
			r.RuleName = "listed-fee"
			if f.learned {
				r.RuleName = "learned-fee"
			}
		}
		m.applyFit(r, f, amt)
	case len(fits) >= 1:
		var sets [][]*invState
		for _, f := range fits {
			sets = append(sets, f.sets...)
		}
		r.CustomerNo = m.custNo[fitCusts[0]]
		if len(fitCusts) > 1 {
			r.CustomerNo = ""
		}
		m.ambiguous(r, sets, amt, "several invoices or sets of invoices fit this amount")
	case len(custs) == 1:
		r.CustomerNo = m.custNo[custs[0]]
		m.shortOrOver(r, m.openOf(custs[0]), amt)
	default:
		r.Rule, r.RuleName = 0, ""
		r.Exception, r.Review = ExceptionUnknown, true
		r.Note = "the payer name belongs to several customers and no invoice of theirs fits the amount"
		for _, c := range custs {
			for _, st := range m.openOf(c) {
				r.Suggestions = append(r.Suggestions, Suggestion{Invoices: m.oneString(st.Number), CustomerNo: st.CustomerNo, Amount: st.open, Score: 500, Reason: "この振込人名のお客様の請求書"})
			}
		}
		rankSuggestions(r.Suggestions)
	}
}

// shortOrOver handles an identified payer whose amount fits no invoice: a partial
// payment of the oldest invoice it does not cover, or an overpayment.
func (m *matcher) shortOrOver(r *Result, open []*invState, amt int64) {
	r.Review = true
	total := setSum(open)
	if amt >= total { // overpayment: settle everything, refund the rest
		r.Exception = ExceptionOverpayment
		r.Refund = amt - total
		for _, st := range open {
			r.Applied = append(r.Applied, m.book(st, st.open))
		}
		r.Combined = len(open) > 1
		if len(open) == 0 {
			r.Note = "nothing is due from this customer: the whole amount is to refund or to hold"
		} else {
			r.Note = "more than is due: the invoices are settled and the surplus is to refund"
		}
		return
	}
	r.Suggestions = make([]Suggestion, len(open))
	for i, st := range open {
		r.Suggestions[i] = Suggestion{Invoices: m.oneString(st.Number), CustomerNo: st.CustomerNo, Amount: st.open, Score: 0, Reason: "このお客様の未入金の請求書"}
	}
	var bigger, smaller []*invState
	for _, st := range open {
		if st.open > amt {
			bigger = append(bigger, st)
		} else {
			smaller = append(smaller, st)
		}
	}
	if len(bigger) > 0 { // partial: the oldest invoice the amount does not cover
		target := bigger[0]
		r.Exception = ExceptionPartial
		r.Note = "less than the invoice: booked as a partial payment"
		r.Applied = []Applied{m.book(target, amt)}
		r.Suggestions = rankFirst(r.Suggestions, target.Number)
		return
	}
	// every invoice is smaller than the amount but all together are more
	largest := smaller[len(smaller)-1]
	for _, st := range smaller {
		if st.open > largest.open || (st.open == largest.open && st.seq < largest.seq) {
			largest = st
		}
	}
	ties := 0
	for _, st := range smaller {
		if st.open == largest.open {
			ties++
		}
	}
	if ties > 1 {
		r.Exception = ExceptionAmbiguous
		r.Note = "more than one invoice and less than all of them: staff decide which"
		return
	}
	r.Exception = ExceptionOverpayment
	r.Refund = amt - largest.open
	r.Note = "more than the largest open invoice: it is settled and the surplus is to refund"
	r.Applied = []Applied{m.book(largest, largest.open)}
	r.Suggestions = rankFirst(r.Suggestions, largest.Number)
}

func rankFirst(s []Suggestion, number string) []Suggestion {
	for i := range s {
		if len(s[i].Invoices) == 1 && s[i].Invoices[0] == number {
			s[i].Score = 1000
		}
	}
	rankSuggestions(s)
	return s
}

func rankSuggestions(s []Suggestion) {
	slices.SortStableFunc(s, func(a, b Suggestion) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), slices.Compare(a.Invoices, b.Invoices))
	})
}

// candidate is an invoice considered for an unidentified transfer.
type candidate struct {
	st    *invState
	score int
	fee   int64
}

type rankedCandidate struct {
	c      candidate
	score  int
	reason string
}

// minSimilarity is the similarity (per mille) below which a name is not a candidate.
const minSimilarity = 500

// nameInfo is a registered name prepared for Similarity.
type nameInfo struct {
	runes []rune
	bag   []rune // runes sorted, for bagBound
	sig   uint64 // runeSignature
	dup   int
}

// runeSignature sets one of 64 bits for each rune of rs; dup counts the runes whose
// bit was already set. Two names share at most popcount(sigA&sigB) + min(dupA, dupB)
// runes, a bound on bagBound's count that costs no merge.
func runeSignature(rs []rune) (sig uint64, dup int) {
	for _, r := range rs {
		b := uint64(1) << (uint32(r) * 0x9E3779B1 >> 26)
		if sig&b != 0 {
			dup++
		}
		sig |= b
	}
	return sig, dup
}

// bagBound is an upper bound of Similarity from the runes two names share: the edit
// distance is at least the longer length minus the common runes (bag distance).
func bagBound(a, b []rune) int {
	common, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	longer := max(len(a), len(b))
	if longer == 0 {
		return 0
	}
	return 1000 * common / longer
}

// Limits that keep an unidentified transfer cheap however many invoices share its amount.
const (
	maxAmountCandidates = 64 // invoices of exactly the amount compared by name
	maxPrefixCustomers  = 32 // customers whose name starts like the payer's
	maxFeeCandidates    = 8  // invoices that fit the amount plus a listed fee
	maxSuggestions      = 5
)

// similar applies rule 4 or, failing it, makes the transfer an unknown exception with
// the best candidates.
func (m *matcher) similar(r *Result, amt int64) {
	var buf [64]rune
	name := appendRunes(buf[:0], r.Txn.PayerNormalized)
	type cand = candidate
	cands := m.candBuf[:0]
	defer func() { m.candBuf = cands[:0] }()
	var bagBuf [64]rune
	bag := append(bagBuf[:0], name...)
	sig, dup := runeSignature(name)
	slices.Sort(bag)
	// Similarities under floor count as 0: a name less than half alike is no evidence.
	// The bag bound skips the edit distance of names that cannot reach the floor.
	floor := min(minSimilarity, m.threshold)
	m.gen++
	score := func(c int32) int {
		if m.custMark[c] == m.gen {
			return int(m.custScore[c])
		}
		v := 0
		for i := range m.nameInfos[c] {
			ni := &m.nameInfos[c][i]
			need := max(floor, v+1)
			// The signature bound is at least the bag bound: it skips without a merge.
			if longer := max(len(bag), len(ni.bag)); longer == 0 ||
				1000*min(bits.OnesCount64(sig&ni.sig)+min(dup, ni.dup), len(bag), len(ni.bag))/longer < need {
				continue
			}
			if bagBound(bag, ni.bag) < need {
				continue
			}
			v = max(v, similarityRunes(name, ni.runes))
		}
		if v < floor {
			v = 0
		}
		m.custMark[c], m.custScore[c] = m.gen, int32(v)
		return v
	}
	has := func(st *invState) bool {
		if st.mark == m.gen {
			return true
		}
		st.mark = m.gen
		return false
	}
	for _, st := range m.invoicesOf(amt) {
		if len(cands) == maxAmountCandidates {
			break
		}
		if st.open == amt {
			has(st)
			cands = append(cands, cand{st, score(st.cust), 0})
		}
	}
	best, tops := -1, 0
	for i, c := range cands {
		switch {
		case best < 0 || c.score > cands[best].score:
			best, tops = i, 1
		case c.score == cands[best].score:
			tops++
		}
	}
	if best >= 0 && len(name) > 0 && cands[best].score >= m.threshold && tops == 1 {
		st := cands[best].st
		r.Rule, r.RuleName, r.By, r.CustomerNo, r.Review = RuleSimilarity, "similarity", "similarity", st.CustomerNo, true
		r.Note = "payer name is similar to a registered name, not equal: check, and resolve to learn the alias"
		r.Applied = []Applied{m.book(st, st.open)}
		return
	}
	// unknown: candidates of the same amount, with a similar name, or short by a fee
	for _, c := range firstN(m.byPrefix[prefix2(r.Txn.PayerNormalized)], maxPrefixCustomers) {
		for _, st := range m.openOf(c) {
			if !has(st) {
				cands = append(cands, cand{st, score(c), 0})
			}
		}
	}
	nFee := 0
	for _, f := range m.fees {
		if nFee == maxFeeCandidates {
			break
		}
		for _, st := range m.invoicesOf(amt + f) {
			if nFee == maxFeeCandidates {
				break
			}
			if st.open == amt+f && !has(st) {
				cands = append(cands, cand{st, score(st.cust), f})
				nFee++
			}
		}
	}
	r.Exception, r.Review = ExceptionUnknown, true
	r.Note = "payer not identified"
	type ranked = rankedCandidate
	// The best maxSuggestions by score, then invoice number (a candidate appears once,
	// so the order is total): kept sorted by insertion instead of sorting them all.
	var topBuf [maxSuggestions]ranked
	top := topBuf[:0]
	before := func(a, b *ranked) bool {
		return a.score > b.score || (a.score == b.score && a.c.st.Number < b.c.st.Number)
	}
	for _, c := range cands {
		x := ranked{c, c.score, "振込人名が類似"}
		if c.st.open == amt+c.fee {
			x.score, x.reason = (c.score+1000)/2, "金額が一致" // an amount that fits counts half
			if c.fee > 0 {
				x.score, x.reason = (c.score+900)/2, "振込手数料分の不足"
			}
		}
		if len(top) == maxSuggestions && !before(&x, &top[len(top)-1]) {
			continue
		}
		if len(top) < maxSuggestions {
			top = append(top, x)
		}
		k := len(top) - 1
		for ; k > 0 && before(&x, &top[k-1]); k-- {
			top[k] = top[k-1]
		}
		top[k] = x
	}
	if len(top) > 0 {
		r.Suggestions = make([]Suggestion, 0, len(top))
	}
	for _, x := range top {
		r.Suggestions = append(r.Suggestions, Suggestion{Invoices: m.oneString(x.c.st.Number), CustomerNo: x.c.st.CustomerNo, Amount: x.c.st.open, Fee: x.c.fee, Score: x.score, Reason: x.reason})
	}
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// refs are the numbers written in EDI or the payer field: invoice numbers
// (YYYY-NNNNNN, with any dash or none, in any width) and other 6-digit numbers, which
// may be customer numbers.
type refs struct {
	invoices, sixDigits []string
}

func (m *matcher) refsOf(t Txn) refs {
	var out refs
	for _, s := range []string{t.EDI, t.Payer} {
		if !mayHaveDigits(s) {
			continue
		}
		for _, tok := range digitRuns(m.norm.Fold(s)) {
			switch {
			case tok.invoice != "":
				if !slices.Contains(out.invoices, tok.invoice) {
					out.invoices = append(out.invoices, tok.invoice)
				}
			case len(tok.digits) == 6:
				if !slices.Contains(out.sixDigits, tok.digits) {
					out.sixDigits = append(out.sixDigits, tok.digits)
				}
			}
		}
	}
	return out
}

// mayHaveDigits reports whether s may hold a digit, half or full width (U+FF10–FF19
// is EF BC 90–99 in UTF-8).
func mayHaveDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c >= '0' && c <= '9') || (c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99) {
			return true
		}
	}
	return false
}

// customerRefs returns the known customers whose number the transfer names.
func (m *matcher) customerRefs(r refs) []int32 {
	var out []int32
	for _, d := range r.sixDigits {
		if c, ok := m.custID[d]; ok && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

type digitToken struct {
	digits  string
	invoice string // "YYYY-NNNNNN" when the token reads as an invoice number
}

// digitRuns splits folded text into runs of digits, joining "YYYY" + one separator +
// "NNNNNN" (and a bare 10-digit run) into invoice numbers.
func digitRuns(s string) []digitToken {
	var runs []struct {
		d        string
		start    int
		end      int
		joinable bool // followed by exactly one separator, then digits
	}
	isSep := func(c rune) bool { return c == longVowel || c == '/' || c == ' ' || c == '.' || c == '_' || c == '#' }
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if rs[i] < '0' || rs[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		runs = append(runs, struct {
			d          string
			start, end int
			joinable   bool
		}{string(rs[i:j]), i, j, j+1 < len(rs) && isSep(rs[j]) && rs[j+1] >= '0' && rs[j+1] <= '9'})
		i = j
	}
	var out []digitToken
	for k := 0; k < len(runs); k++ {
		r := runs[k]
		if len(r.d) == 4 && r.joinable && k+1 < len(runs) && len(runs[k+1].d) == 6 && runs[k+1].start == r.end+1 {
			out = append(out, digitToken{digits: r.d + runs[k+1].d, invoice: r.d + "-" + runs[k+1].d})
			k++
			continue
		}
		if len(r.d) == 10 && (r.d[:2] == "20") {
			out = append(out, digitToken{digits: r.d, invoice: r.d[:4] + "-" + r.d[4:]})
			continue
		}
		out = append(out, digitToken{digits: r.d})
	}
	return out
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
