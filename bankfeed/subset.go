package bankfeed

import (
	"cmp"
	"math/bits"
	"slices"
	"sort"
)

// MaxCombined is the largest number of invoices one combined payment (一括入金) may
// settle (SPEC §6.6 rule 2).
const MaxCombined = 20

// MaxCombinedOpen is the largest number of a payer's open invoices a combined payment is
// searched among (SPEC §6.9); a payer with more gets an exception with suggestions.
const MaxCombinedOpen = 200

// SearchBudget is the fixed number of search steps one transfer may spend looking for
// combinations (SPEC §6.9): about 100 ms, counted in steps so that a result never
// depends on how loaded the machine is. A transfer that runs out is an exception.
const SearchBudget = 2_000_000

// subsetSearch finds the subsets of 2..MaxCombined of a payer's open amounts whose sum
// lies in a range. Up to MaxCombined amounts it meets in the middle (the subset sums of
// each half, at most 2^10 each, listed once and binary-searched: never all 2^20
// subsets); above that, up to MaxCombinedOpen, it walks the amounts largest first with
// the sums still reachable as a bound, spending the transfer's step budget.
type subsetSearch struct {
	amounts []int64
	// meet in the middle (len(amounts) <= MaxCombined)
	left, right []halfSum
	split       int
	// depth first (more amounts)
	order  []int   // indices of amounts, largest first
	suffix []int64 // suffix[k]: the sum of amounts[order[k:]]
}

// halfSum is one subset of half of the amounts: its sum and which amounts (bits).
type halfSum struct {
	sum  int64
	mask uint32
}

func newSubsetSearch(amounts []int64) *subsetSearch {
	x := &subsetSearch{amounts: amounts}
	if len(amounts) <= MaxCombined {
		x.split = len(amounts) / 2
		x.left = halfSums(amounts[:x.split], 0)
		x.right = halfSums(amounts[x.split:], x.split)
		sort.Slice(x.right, func(i, j int) bool {
			return cmp.Or(cmp.Compare(x.right[i].sum, x.right[j].sum), cmp.Compare(x.right[i].mask, x.right[j].mask)) < 0
		})
		return x
	}
	x.order = make([]int, len(amounts))
	for i := range x.order {
		x.order[i] = i
	}
	slices.SortStableFunc(x.order, func(a, b int) int { return cmp.Compare(amounts[b], amounts[a]) })
	x.suffix = make([]int64, len(amounts)+1)
	for k := len(amounts) - 1; k >= 0; k-- {
		x.suffix[k] = x.suffix[k+1] + amounts[x.order[k]]
	}
	return x
}

func halfSums(amounts []int64, shift int) []halfSum {
	out := make([]halfSum, 1, 1<<len(amounts))
	for i, a := range amounts {
		for _, h := range out[:len(out)] {
			out = append(out, halfSum{h.sum + a, h.mask | 1<<(shift+i)})
		}
	}
	return out
}

// find calls fn with the members (indices into the amounts, ascending) of every subset
// of 2..MaxCombined amounts whose sum lies in [lo, hi], in a deterministic order, until
// fn returns false. It spends steps from *budget and reports false when the budget ran
// out before the search was complete.
func (x *subsetSearch) find(lo, hi int64, budget *int, fn func(sum int64, members []int) bool) bool {
	if x.order == nil {
		return x.meet(lo, hi, budget, fn)
	}
	w := walk{x: x, lo: lo, hi: hi, budget: budget, fn: fn}
	w.step(0, 0)
	return !w.exhausted
}

func (x *subsetSearch) meet(lo, hi int64, budget *int, fn func(sum int64, members []int) bool) bool {
	var members []int
	for _, l := range x.left {
		if *budget <= 0 {
			return false
		}
		*budget--
		if l.sum > hi {
			continue
		}
		i := sort.Search(len(x.right), func(i int) bool { return x.right[i].sum >= lo-l.sum })
		for ; i < len(x.right) && x.right[i].sum <= hi-l.sum; i++ {
			*budget--
			mask := l.mask | x.right[i].mask
			if bits.OnesCount32(mask) < 2 {
				continue
			}
			members = members[:0]
			for m := mask; m != 0; m &= m - 1 {
				members = append(members, bits.TrailingZeros32(m))
			}
			if !fn(l.sum+x.right[i].sum, members) {
				return true
			}
		}
	}
	return true
}

// walk is one depth-first search of a subsetSearch over more than MaxCombined amounts.
type walk struct {
	x         *subsetSearch
	lo, hi    int64
	budget    *int
	fn        func(sum int64, members []int) bool
	chosen    []int
	stopped   bool
	exhausted bool
}

// step decides about the amounts from position k of the largest-first order on, with
// sum already chosen.
func (w *walk) step(k int, sum int64) {
	if w.stopped {
		return
	}
	if *w.budget <= 0 {
		w.stopped, w.exhausted = true, true
		return
	}
	*w.budget--
	if sum >= w.lo && sum <= w.hi && len(w.chosen) >= 2 {
		members := slices.Sorted(slices.Values(w.chosen))
		if !w.fn(sum, members) {
			w.stopped = true
			return
		}
	}
	if len(w.chosen) == MaxCombined || k == len(w.x.order) || sum+w.x.suffix[k] < w.lo {
		return
	}
	for j := k; j < len(w.x.order) && !w.stopped; j++ {
		if sum+w.x.suffix[j] < w.lo { // what is left cannot reach the range
			return
		}
		a := w.x.amounts[w.x.order[j]]
		if sum+a > w.hi {
			continue // too big; a smaller amount further on may fit
		}
		w.chosen = append(w.chosen, w.x.order[j])
		w.step(j+1, sum+a)
		w.chosen = w.chosen[:len(w.chosen)-1]
	}
}
