package bankfeed

import (
	"math/bits"
	"slices"
)

// candidate is an invoice considered for an unidentified transfer.
type candidate struct {
	st    *invState
	score int
	fee   int64
}

// rankedCandidate is a candidate with the score and reason it is suggested with.
type rankedCandidate struct {
	c      candidate
	score  int
	reason string
}

// minSimilarity is the similarity (per mille) below which a name is not a candidate.
const minSimilarity = 500

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
	var buf, bagBuf [64]rune
	p := payerName{runes: appendRunes(buf[:0], r.Txn.PayerNormalized)}
	p.bag = append(bagBuf[:0], p.runes...)
	p.sig, p.dup = runeSignature(p.runes)
	slices.Sort(p.bag)
	// Similarities under floor count as 0: a name less than half alike is no evidence.
	// The bag bound skips the edit distance of names that cannot reach the floor.
	p.floor = min(minSimilarity, m.threshold)
	cands := m.candBuf[:0]
	defer func() { m.candBuf = cands[:0] }()
	m.gen++
	cands = m.sameAmount(cands, &p, amt)
	if best, ok := uniqueBest(cands); ok && len(p.runes) > 0 && best.score >= m.threshold {
		st := best.st
		r.Rule, r.RuleName, r.By, r.CustomerNo, r.Review = RuleSimilarity, "similarity", "similarity", st.CustomerNo, true
		r.Note = "payer name is similar to a registered name, not equal: check, and resolve to learn the alias"
		r.Applied = []Applied{m.book(st, st.open)}
		return
	}
	// unknown: candidates of the same amount, with a similar name, or short by a fee
	cands = m.samePrefix(cands, &p, r.Txn.PayerNormalized)
	cands = m.shortByFee(cands, &p, amt)
	r.Exception, r.Review = ExceptionUnknown, true
	r.Note = "payer not identified"
	r.Suggestions = m.suggestions(cands, amt)
}

// payerName is the payer's normalized name as rule 4 compares it with the registered
// names: its runes, their sorted bag and signature (see nameInfo), and the floor of
// similarity under which a name counts as not alike.
type payerName struct {
	runes []rune
	bag   []rune
	sig   uint64
	dup   int
	floor int
}

// nameScore is the best similarity of the payer's name to customer c's names, 0 under
// the floor; it is computed once per transfer and customer.
func (m *matcher) nameScore(p *payerName, c int32) int {
	if m.custMark[c] == m.gen {
		return int(m.custScore[c])
	}
	v := 0
	for i := range m.nameInfos[c] {
		ni := &m.nameInfos[c][i]
		need := max(p.floor, v+1)
		// The signature bound is at least the bag bound: it skips without a merge.
		if longer := max(len(p.bag), len(ni.bag)); longer == 0 ||
			1000*min(bits.OnesCount64(p.sig&ni.sig)+min(p.dup, ni.dup), len(p.bag), len(ni.bag))/longer < need {
			continue
		}
		if bagBound(p.bag, ni.bag) < need {
			continue
		}
		v = max(v, similarityRunes(p.runes, ni.runes))
	}
	if v < p.floor {
		v = 0
	}
	m.custMark[c], m.custScore[c] = m.gen, int32(v)
	return v
}

// seen marks st as a candidate of the transfer being matched and reports whether it
// already was one.
func (m *matcher) seen(st *invState) bool {
	if st.mark == m.gen {
		return true
	}
	st.mark = m.gen
	return false
}

// sameAmount adds to cands the invoices whose open amount is exactly amt, at most
// maxAmountCandidates, scored by name.
func (m *matcher) sameAmount(cands []candidate, p *payerName, amt int64) []candidate {
	for _, st := range m.invoicesOf(amt) {
		if len(cands) == maxAmountCandidates {
			break
		}
		if st.open == amt {
			m.seen(st)
			cands = append(cands, candidate{st, m.nameScore(p, st.cust), 0})
		}
	}
	return cands
}

// uniqueBest returns the candidate with the highest score, and false when there is none
// or another candidate has the same score.
func uniqueBest(cands []candidate) (candidate, bool) {
	best, tops := -1, 0
	for i, c := range cands {
		switch {
		case best < 0 || c.score > cands[best].score:
			best, tops = i, 1
		case c.score == cands[best].score:
			tops++
		}
	}
	if best < 0 || tops != 1 {
		return candidate{}, false
	}
	return cands[best], true
}

// samePrefix adds to cands the open invoices, not yet candidates, of the first
// maxPrefixCustomers customers whose name starts as the payer's does.
func (m *matcher) samePrefix(cands []candidate, p *payerName, payer string) []candidate {
	for _, c := range firstN(m.byPrefix[prefix2(payer)], maxPrefixCustomers) {
		for _, st := range m.openOf(c) {
			if !m.seen(st) {
				cands = append(cands, candidate{st, m.nameScore(p, c), 0})
			}
		}
	}
	return cands
}

// shortByFee adds to cands the invoices, not yet candidates, whose open amount is amt
// plus a listed fee, at most maxFeeCandidates, in fee-list order.
func (m *matcher) shortByFee(cands []candidate, p *payerName, amt int64) []candidate {
	nFee := 0
	for _, f := range m.fees {
		if nFee == maxFeeCandidates {
			break
		}
		for _, st := range m.invoicesOf(amt + f) {
			if nFee == maxFeeCandidates {
				break
			}
			if st.open == amt+f && !m.seen(st) {
				cands = append(cands, candidate{st, m.nameScore(p, st.cust), f})
				nFee++
			}
		}
	}
	return cands
}

// suggestions returns the best maxSuggestions candidates for staff, nil when there are
// none. A candidate whose amount fits counts its name half; one short by a fee, a
// little less.
func (m *matcher) suggestions(cands []candidate, amt int64) []Suggestion {
	// The best by score, then invoice number (a candidate appears once, so the order is
	// total): kept sorted by insertion instead of sorting them all.
	var topBuf [maxSuggestions]rankedCandidate
	top := topBuf[:0]
	for _, c := range cands {
		x := rankedCandidate{c, c.score, "振込人名が類似"}
		if c.st.open == amt+c.fee {
			x.score, x.reason = (c.score+1000)/2, "金額が一致" // an amount that fits counts half
			if c.fee > 0 {
				x.score, x.reason = (c.score+900)/2, "振込手数料分の不足"
			}
		}
		top = insertRanked(top, x)
	}
	if len(top) == 0 {
		return nil
	}
	out := make([]Suggestion, 0, len(top))
	for _, x := range top {
		out = append(out, Suggestion{Invoices: m.oneString(x.c.st.Number), CustomerNo: x.c.st.CustomerNo, Amount: x.c.st.open, Fee: x.c.fee, Score: x.score, Reason: x.reason})
	}
	return out
}

// insertRanked puts x in its place in top, which is sorted best first and holds at
// most maxSuggestions (the last one falls out when it is full), and returns top.
func insertRanked(top []rankedCandidate, x rankedCandidate) []rankedCandidate {
	if len(top) == maxSuggestions && !rankedBefore(&x, &top[len(top)-1]) {
		return top
	}
	if len(top) < maxSuggestions {
		top = append(top, x)
	}
	k := len(top) - 1
	for ; k > 0 && rankedBefore(&x, &top[k-1]); k-- {
		top[k] = top[k-1]
	}
	top[k] = x
	return top
}

// rankedBefore orders suggestions by score, best first, then by invoice number.
func rankedBefore(a, b *rankedCandidate) bool {
	return a.score > b.score || (a.score == b.score && a.c.st.Number < b.c.st.Number)
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}
