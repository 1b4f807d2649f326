package bankfeed

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

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

// newMatcher builds the matcher's books from in: the settings, the open invoices by
// number, customer and amount, the customers' names, and their learned fees. Customers
// are numbered in the order they are first met: invoices, then payers, then aliases.
func newMatcher(in MatchInput) *matcher {
	m := allocMatcher(in)
	m.configure(in)
	m.indexInvoices(in.Invoices)
	m.indexNames(in.Payers, in.Aliases)
	for no, f := range in.LearnedFees {
		if c, ok := m.custID[no]; ok && f > 0 {
			m.learned[c] = f
		}
	}
	m.prepareNameInfos()
	// Lists of customers in the order of their numbers, whatever the input order.
	byNo := func(a, b int32) int { return strings.Compare(m.custNo[a], m.custNo[b]) }
	for _, idx := range []map[string][]int32{m.byName, m.byAlias, m.byPrefix} {
		for _, cs := range idx {
			slices.SortFunc(cs, byNo)
		}
	}
	return m
}

// allocMatcher returns a matcher with its maps and per-customer slices sized for in.
func allocMatcher(in MatchInput) *matcher {
	nc := len(in.Payers) + len(in.Invoices)/4
	nNames := 0
	for _, p := range in.Payers {
		nNames += len(p.Names)
	}
	return &matcher{
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
}

// configure settles the normalizer, the fee list (positive fees only) and the
// similarity threshold, filling in the defaults that in leaves out.
func (m *matcher) configure(in MatchInput) {
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
}

// indexInvoices keeps the invoices with an amount open (the first of a repeated number)
// by number, customer (oldest first, numbered by seq) and open amount.
func (m *matcher) indexInvoices(invoices []OpenInvoice) {
	states := make([]invState, 0, len(invoices))
	for _, inv := range invoices {
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
}

// indexNames normalizes the payers' registered names and the learned aliases into the
// indexes by name, by alias and by the first two runes, and into each customer's own
// names (for rule 4).
func (m *matcher) indexNames(payers []Payer, aliases []Alias) {
	var lists nameLists
	for _, p := range payers {
		c := m.id(p.CustomerNo)
		for _, raw := range p.Names {
			n := m.norm.Normalize(raw)
			m.addOwnName(&lists, c, n)
			lists.add(m.byName, n, c)
		}
	}
	for _, a := range aliases {
		c := m.id(a.CustomerNo)
		n := m.norm.Normalize(a.Name)
		lists.add(m.byAlias, n, c)
		m.addOwnName(&lists, c, n)
	}
}

// addOwnName records n as one of customer c's names, once, and indexes its prefix.
func (m *matcher) addOwnName(lists *nameLists, c int32, n string) {
	if n != "" && !slices.Contains(m.names[c], n) {
		m.names[c] = append(m.names[c], n)
		lists.add(m.byPrefix, prefix2(n), c)
	}
}

// nameLists adds customers to the lists of a name index. Most names belong to one
// customer: their lists are cut from one slab, capacity 1.
type nameLists struct{ slab []int32 }

// add puts customer c in idx[name], once; an empty name is not indexed.
func (l *nameLists) add(idx map[string][]int32, name string, c int32) {
	if name == "" {
		return
	}
	list, ok := idx[name]
	switch {
	case !ok:
		if len(l.slab) == cap(l.slab) {
			l.slab = make([]int32, 0, arenaChunk)
		}
		l.slab = append(l.slab, c)
		idx[name] = l.slab[len(l.slab)-1 : len(l.slab) : len(l.slab)]
	case !slices.Contains(list, c):
		idx[name] = append(list, c)
	}
}

// prepareNameInfos turns every customer's own names into runes, sorted rune bags and
// signatures for rule 4, all cut from shared arenas, and sizes its per-customer scratch.
func (m *matcher) prepareNameInfos() {
	m.nameInfos = make([][]nameInfo, len(m.names))
	nOwn := 0
	for _, ns := range m.names {
		nOwn += len(ns)
	}
	infos := make([]nameInfo, nOwn)
	m.custMark = make([]int, len(m.names))
	m.custScore = make([]int32, len(m.names))
	var arena runeArena
	var tmp []rune
	for c, ns := range m.names {
		m.nameInfos[c], infos = infos[:len(ns):len(ns)], infos[len(ns):]
		for i, n := range ns {
			tmp = appendRunes(tmp[:0], n)
			ni := &m.nameInfos[c][i]
			ni.runes = arena.keep(tmp)
			ni.sig, ni.dup = runeSignature(tmp)
			slices.Sort(tmp)
			ni.bag = arena.keep(tmp)
		}
	}
}

// runeArena hands out copies of rune slices cut from large shared blocks.
type runeArena struct{ buf []rune }

// keep returns a copy of rs, length and capacity len(rs).
func (a *runeArena) keep(rs []rune) []rune {
	if cap(a.buf)-len(a.buf) < len(rs) {
		a.buf = make([]rune, 0, max(1<<16, len(rs)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, rs...)
	return a.buf[start:len(a.buf):len(a.buf)]
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
