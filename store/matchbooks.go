package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
)

// MatchBooks reads the books the matcher needs from q: matchable invoices, customers'
// names, learned aliases and fees, and the replacements of void invoices. The caller
// adds the configured fee list, threshold and normalizer.
func MatchBooks(ctx context.Context, q sqlx.ExtContext) (bankfeed.MatchInput, error) {
	invs, err := MatchableInvoices(ctx, q)
	if err != nil {
		return bankfeed.MatchInput{}, err
	}
	var in bankfeed.MatchInput
	for _, inv := range invs {
		in.Invoices = append(in.Invoices, bankfeed.OpenInvoice{Number: inv.Number, CustomerNo: inv.CustomerNo, Open: inv.Total - inv.Paid,
			Total: inv.Total, DueDate: inv.DueDate})
	}
	custs, err := ListCustomers(ctx, q)
	if err != nil {
		return in, err
	}
	for _, c := range custs {
		names := []string{c.Kana, c.Name}
		for _, p := range strings.Split(c.PayerNames, ";") {
			if p = strings.TrimSpace(p); p != "" {
				names = append(names, p)
			}
		}
		in.Payers = append(in.Payers, bankfeed.Payer{CustomerNo: c.No, Names: names})
	}
	aliases, err := PayerAliases(ctx, q)
	if err != nil {
		return in, err
	}
	for _, a := range aliases {
		in.Aliases = append(in.Aliases, bankfeed.Alias{Name: a.Name, CustomerNo: a.CustomerNo})
	}
	if in.LearnedFees, err = LearnedFees(ctx, q); err != nil {
		return in, err
	}
	if in.Replaced, err = Replacements(ctx, q); err != nil {
		return in, err
	}
	return in, nil
}
