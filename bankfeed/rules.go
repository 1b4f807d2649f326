package bankfeed

import (
	"cmp"
	"slices"
	"strings"
)

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
