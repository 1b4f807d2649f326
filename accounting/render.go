package accounting

import (
	"fmt"
)

// Chart is how one accounting software names things, from the configuration: account
// names, tax categories (税区分) and sub-accounts (補助科目). Names must equal what
// the company registered in its software, or the import stops at a matching screen.
type Chart struct {
	Names map[Account]string
	// SalesTax is the tax category of 売上高 lines, FeeTax that of the fee account's,
	// NoTax that of every other line (対象外).
	SalesTax, FeeTax, NoTax string
	// TaxRate is the rate the tax category names are for; a line at another rate is an
	// error, never a silently wrong category.
	TaxRate int
	// CustomerSub is the 補助科目 of 売掛金: "name" (the customer's name), "code" (the
	// お客様番号) or "none".
	CustomerSub string
	// BankSubs maps a bank account (as nightly keys it) to the 補助科目 of its 普通預金
	// lines; an account not listed has none.
	BankSubs map[string]string
	// PerCustomer writes one 売掛金 line per customer in an entry instead of one per
	// invoice.
	PerCustomer bool
}

// Row is one side of a written line: an account, its sub-account and partner, its tax
// category and the amount (tax included) with the tax within it.
type Row struct {
	Account     string
	Sub         string
	Partner     string // the customer's name on 売掛金 lines (取引先)
	TaxCategory string
	Taxed       bool // Tax is meaningful (a sales or fee line)
	Amount      int64
	Tax         int64
	Invoice     string
	account     Account
}

// rowKey is what makes two lines of an entry one written line.
type rowKey struct {
	account     Account
	sub, tax    string
	partner     string
	invoice     string
	bankAccount string
	rate        int
}

// Rows writes entry e in chart c: the lines of one account, sub-account and tax
// category (and invoice, unless PerCustomer) netted into one, debits then credits in
// the order they first appear, zero ones left out. names maps customer numbers to
// names.
func (c Chart) Rows(e Entry, names map[string]string) (debits, credits []Row, err error) {
	type acc struct {
		row Row
		yen int64
		tax int64
	}
	by := map[rowKey]*acc{}
	var order []rowKey
	for _, l := range e.Lines {
		if l.Rate != 0 && l.Rate != c.TaxRate && (l.Account == Sales || l.Account == Fee) {
			return nil, nil, fmt.Errorf("journal entry %s (%s): a line at %d%% tax, but the configured tax categories are for %d%%", e.ID, e.Date, l.Rate, c.TaxRate)
		}
		k := rowKey{account: l.Account, rate: l.Rate, bankAccount: l.BankAccount}
		r := Row{Account: c.Names[l.Account], account: l.Account, TaxCategory: c.NoTax}
		switch l.Account {
		case Receivable:
			r.Partner = names[l.Customer]
			switch c.CustomerSub {
			case "code":
				r.Sub = l.Customer
			case "name":
				r.Sub = names[l.Customer]
			}
			k.partner = l.Customer
			if !c.PerCustomer {
				k.invoice, r.Invoice = l.Invoice, l.Invoice
			}
		case Bank:
			r.Sub = c.BankSubs[l.BankAccount]
		case Sales:
			r.TaxCategory, r.Taxed = c.SalesTax, true
		case Fee:
			r.TaxCategory, r.Taxed = c.FeeTax, true
		}
		k.sub, k.tax = r.Sub, r.TaxCategory
		a := by[k]
		if a == nil {
			a = &acc{row: r}
			by[k] = a
			order = append(order, k)
		}
		a.yen += l.Signed()
		a.tax += int64(l.Side) * l.Tax
	}
	for _, k := range order {
		a := by[k]
		r := a.row
		switch {
		case a.yen > 0:
			r.Amount, r.Tax = a.yen, a.tax
			debits = append(debits, r)
		case a.yen < 0:
			r.Amount, r.Tax = -a.yen, -a.tax
			credits = append(credits, r)
		}
	}
	return debits, credits, nil
}
