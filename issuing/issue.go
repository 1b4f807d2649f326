package issuing

import (
	"encoding/json"
	"fmt"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
)

// Terms are what every invoice of a night shares: the tax rate and the rounding of the
// tax (SPEC §8.1).
type Terms struct {
	Rounding invoice.Rounding
	TaxRate  int
}

// NewTerms reads the configured rounding name and tax rate.
func NewTerms(rounding string, taxRate int) (Terms, error) {
	r, err := invoice.ParseRounding(rounding)
	if err != nil {
		return Terms{}, fmt.Errorf("configuration invoice.rounding: %w", err)
	}
	return Terms{Rounding: r, TaxRate: taxRate}, nil
}

// Common returns the fields an invoice issued on issue, due on due, to to for product
// shares with every other.
func (t Terms) Common(issue, due calendar.Date, to invoice.Party, product string) invoice.Common {
	return invoice.Common{IssueDate: issue, DueDate: due, To: to, Product: product, TaxRate: t.TaxRate, Rounding: t.Rounding}
}

// Party is the addressee of an invoice to the customer customerNo at r.
func Party(customerNo string, r store.Recipient) invoice.Party {
	return invoice.Party{CustomerNo: customerNo, Name: r.CustomerName, PostalCode: r.PostalCode, Address: r.Address, Contact: r.Contact}
}

// CustomerParty is the addressee of an invoice to c.
func CustomerParty(c store.Customer) invoice.Party {
	return invoice.Party{CustomerNo: c.No, Name: c.Name, PostalCode: c.PostalCode, Address: c.Address, Contact: c.Contact}
}

// Rows returns the invoice row and its lines as stored for inv: row's keys with inv's
// dates, amounts and addressee.
func Rows(row store.Invoice, inv invoice.Invoice) (store.Invoice, []store.InvoiceLine) {
	row.IssueDate, row.DueDate = inv.IssueDate, inv.DueDate
	row.Subtotal, row.Tax, row.Total = inv.Subtotal, inv.Tax, inv.Total
	row.ToName, row.ToPostalCode, row.ToAddress = inv.To.Name, inv.To.PostalCode, inv.To.Address
	lines := make([]store.InvoiceLine, len(inv.Lines))
	for i, l := range inv.Lines {
		lines[i] = store.InvoiceLine{Description: l.Description, PeriodStart: l.Period.From, PeriodEnd: l.Period.To,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, Amount: l.Amount, TaxRate: l.TaxRate}
	}
	return row, lines
}

// Doc returns the printable doc recorded with inv once it has its number.
func Doc(inv invoice.Invoice, number string) (string, error) {
	inv.Number = number
	doc, err := json.Marshal(inv)
	if err != nil {
		return "", fmt.Errorf("invoice %s: %w", number, err)
	}
	return string(doc), nil
}

// FromDoc returns the invoice recorded as doc when row was issued.
func FromDoc(row store.Invoice, doc string) (invoice.Invoice, error) {
	var inv invoice.Invoice
	if err := json.Unmarshal([]byte(doc), &inv); err != nil {
		return inv, fmt.Errorf("doc of invoice %s: %w", row.Number, err)
	}
	return inv, nil
}

// FromRows rebuilds the printable invoice of row, issued before docs were recorded, from
// its stored lines ls; it must give the stored totals.
func FromRows(row store.Invoice, ls []store.InvoiceLine, r invoice.Rounding) (invoice.Invoice, error) {
	if len(ls) == 0 {
		return invoice.Invoice{}, fmt.Errorf("invoice %s has no lines", row.Number)
	}
	lines := make([]invoice.Line, len(ls))
	for i, l := range ls {
		lines[i] = invoice.Line{Description: l.Description, Period: invoice.Period{From: l.PeriodStart, To: l.PeriodEnd},
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, Amount: l.Amount, TaxRate: l.TaxRate}
	}
	cm := invoice.Common{Number: row.Number, IssueDate: row.IssueDate, DueDate: row.DueDate, ContractNo: row.ContractNo,
		OrderNo: row.OrderNo, Replaces: row.Replaces, Product: ls[0].Description, Rounding: r,
		To: invoice.Party{CustomerNo: row.CustomerNo, Name: row.ToName, PostalCode: row.ToPostalCode, Address: row.ToAddress}}
	if row.Kind == string(invoice.KindRenewal) && !row.TermStart.IsZero() {
		cm.NextTermStart = contract.NextStart(row.TermStart)
		cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	}
	inv, err := invoice.Build(invoice.Kind(row.Kind), cm, lines)
	if err != nil {
		return inv, fmt.Errorf("invoice %s: %w", row.Number, err)
	}
	if inv.Total != row.Total || inv.Tax != row.Tax {
		return inv, fmt.Errorf("invoice %s: its lines give total %d, tax %d, but it was issued with total %d, tax %d; it cannot be printed again from its rows",
			row.Number, inv.Total, inv.Tax, row.Total, row.Tax)
	}
	return inv, nil
}

// Revision is the row of the next revision of the void invoice old, with old's keys and
// seats; the caller sets what changes.
func Revision(old store.Invoice) store.Invoice {
	return store.Invoice{NKey: old.NKey, Revision: old.Revision + 1, Kind: old.Kind, CustomerNo: old.CustomerNo, ContractNo: old.ContractNo,
		OrderNo: old.OrderNo, TermStart: old.TermStart, Replaces: old.Number, Seats: old.Seats, UnitPrice: old.UnitPrice}
}

// Correction is the next revision of a void new or addition invoice old, printed as
// prev: the same lines, issued on issue and due on due, to to.
func (t Terms) Correction(old store.Invoice, prev invoice.Invoice, issue, due calendar.Date, to invoice.Party) (invoice.Invoice, error) {
	cm := t.Common(issue, due, to, prev.Lines[0].Description)
	cm.ContractNo, cm.OrderNo, cm.Replaces, cm.Subject = prev.ContractNo, prev.OrderNo, old.Number, prev.Subject
	cm.NextTermStart, cm.RequestDeadline = prev.NextTermStart, prev.RequestDeadline
	inv, err := invoice.Build(invoice.Kind(old.Kind), cm, prev.Lines)
	if err != nil {
		return inv, fmt.Errorf("reissue of invoice %s: %w", old.Number, err)
	}
	inv.Perpetual = prev.Perpetual
	return inv, nil
}

// VoidedKind is the kind of the exception that holds money moved off a void invoice:
// the excess over its replacement is an overpayment, money of an invoice nothing
// replaces is held as voided_paid.
func VoidedKind(repl *store.Invoice) string {
	if repl != nil {
		return "overpayment"
	}
	return "voided_paid"
}

// ContractNos returns the numbers of the renewal candidates cs.
func ContractNos(cs []store.RenewalCandidate) []string {
	nos := make([]string, len(cs))
	for i, c := range cs {
		nos[i] = c.No
	}
	return nos
}

// CancellationOf is the notice of cancellation (SPEC §4.4) of the posted invoice old,
// voided on day and replaced by repl (nil: by nothing).
func CancellationOf(old store.Invoice, repl *store.Invoice, day calendar.Date) store.Notice {
	nt := store.Notice{Number: old.Number + "-C", Kind: "cancellation", InvoiceNumber: old.Number, RunDate: day, CustomerNo: old.CustomerNo}
	if repl != nil {
		nt.ReplacedBy = repl.Number
	}
	return nt
}

// Prices remembers the prices read during a night's invoicing, which writes none: a
// page of renewals reads each plan's price once, not once per invoice.
type Prices map[string]int64

// Of returns the price of plan on day, read with read the first time it is asked for.
func (p Prices) Of(plan string, day calendar.Date, read func() (int64, error)) (int64, error) {
	key := plan + "@" + day.String()
	if v, ok := p[key]; ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		p[key] = v
	}
	return v, err
}
