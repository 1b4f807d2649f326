package jobs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/npress/nightly/store"
)

// BankReport is the bank feed's part of the morning report (SPEC §9.2): the payments
// booked tonight and by which rule, the fees absorbed, the files read, and the bank
// exceptions still open with their suggestions.
type BankReport struct {
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

func (n *Night) bankReport(ctx context.Context) (BankReport, error) {
	q := n.Q()
	var br BankReport
	var err error
	if br.Payments, err = store.PaymentRows(ctx, q, n.Date); err != nil {
		return br, err
	}
	idx := map[string]int{}
	for _, p := range br.Payments {
		if p.Reversed {
			continue
		}
		k := fmt.Sprintf("%d %s", p.Rule, p.RuleName)
		i, ok := idx[k]
		if !ok {
			i = len(br.ByRule)
			idx[k] = i
			br.ByRule = append(br.ByRule, RuleCount{Rule: p.Rule, RuleName: p.RuleName})
		}
		br.ByRule[i].N++
		br.ByRule[i].Amount += p.Amount
		br.Fees += p.Fee
	}
	slices.SortFunc(br.ByRule, func(a, b RuleCount) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), strings.Compare(a.RuleName, b.RuleName))
	})
	if br.Files, err = store.BankFilesOn(ctx, q, n.Date); err != nil {
		return br, err
	}
	xs, err := store.OpenExceptions(ctx, q)
	if err != nil {
		return br, err
	}
	for _, x := range xs {
		if strings.HasPrefix(x.NKey, "bank_txn:") || strings.HasPrefix(x.NKey, "bank_file:") {
			br.Exceptions = append(br.Exceptions, x)
		}
	}
	return br, nil
}
