package jobs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
)

// bankReport reads the bank feed's part of the morning report.
func (n *Night) bankReport(ctx context.Context) (report.Bank, error) {
	q := n.Q()
	var br report.Bank
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
			br.ByRule = append(br.ByRule, report.RuleCount{Rule: p.Rule, RuleName: p.RuleName})
		}
		br.ByRule[i].N++
		br.ByRule[i].Amount += p.Amount
		br.Fees += p.Fee
	}
	slices.SortFunc(br.ByRule, func(a, b report.RuleCount) int {
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
