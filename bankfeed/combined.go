package bankfeed

import "slices"

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
