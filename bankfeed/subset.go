package bankfeed

import (
	"math/bits"
	"sort"
)

// MaxCombined is the largest number of one customer's open invoices that a combined
// payment (一括入金) is searched among (SPEC §6.6 rule 2): the oldest ones by due date.
const MaxCombined = 20

// halfSum is one subset of half of the invoices: its sum and which invoices (bits).
type halfSum struct {
	sum  int64
	mask uint32
}

// subsetIndex finds the subsets of up to MaxCombined amounts that add up to a target,
// meet-in-the-middle: the subset sums of each half (at most 2^10 each) are listed and
// sorted once, and a target is found by walking the left sums and binary-searching the
// right ones, never by trying all 2^20 subsets.
type subsetIndex struct {
	amounts     []int64
	left, right []halfSum
	split       int
}

func newSubsetIndex(amounts []int64) *subsetIndex {
	if len(amounts) > MaxCombined {
		amounts = amounts[:MaxCombined]
	}
	x := &subsetIndex{amounts: amounts, split: len(amounts) / 2}
	x.left = halfSums(amounts[:x.split], 0)
	x.right = halfSums(amounts[x.split:], x.split)
	sort.Slice(x.right, func(i, j int) bool {
		if x.right[i].sum != x.right[j].sum {
			return x.right[i].sum < x.right[j].sum
		}
		return x.right[i].mask < x.right[j].mask
	})
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

// find calls fn for every subset of at least minSize amounts whose sum lies in
// [lo, hi], in a deterministic order, until fn returns false.
func (x *subsetIndex) find(lo, hi int64, minSize int, fn func(sum int64, mask uint32) bool) {
	for _, l := range x.left {
		if l.sum > hi {
			continue
		}
		i := sort.Search(len(x.right), func(i int) bool { return x.right[i].sum >= lo-l.sum })
		for ; i < len(x.right) && x.right[i].sum <= hi-l.sum; i++ {
			mask := l.mask | x.right[i].mask
			if bits.OnesCount32(mask) < minSize {
				continue
			}
			if !fn(l.sum+x.right[i].sum, mask) {
				return
			}
		}
	}
}
