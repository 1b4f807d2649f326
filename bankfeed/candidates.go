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
