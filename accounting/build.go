package accounting

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/npress/nightly/calendar"
)

// Book is the journal derived from one set of facts: every entry, by date, with the
// invoices the aging and the monthly balance need.
type Book struct {
	// Entries are sorted by date, then by the order events take in a day, then ID.
	Entries  []Entry
	invoices map[string]*Invoice
	// Names maps customer numbers to names.
	Names map[string]string
}

// builder collects the entries of Build, one per ID.
type builder struct {
	o        Options
	invoices map[string]*Invoice
	entries  map[string]*Entry
	order    []string
}

// Build derives the journal from f. It fails on facts that contradict each other (a
// payment of an invoice or transfer that does not exist, an invoice whose rates do not
// add up to its total), naming the record; every entry it returns balances.
func Build(f Facts, o Options) (*Book, error) {
	if o.Revenue == "" {
		o.Revenue = RevenueAtIssue
	}
	if o.Revenue != RevenueAtIssue && o.Revenue != RevenueMonthly {
		return nil, fmt.Errorf("revenue %q: want %s or %s", o.Revenue, RevenueAtIssue, RevenueMonthly)
	}
	b := &builder{o: o, invoices: make(map[string]*Invoice, len(f.Invoices)), entries: map[string]*Entry{}}
	book := &Book{invoices: b.invoices, Names: map[string]string{}}
	for i := range f.Invoices {
		inv := &f.Invoices[i]
		b.invoices[inv.Number] = inv
		book.Names[inv.CustomerNo] = inv.CustomerName
	}
	for i := range f.Invoices {
		if err := b.invoice(&f.Invoices[i]); err != nil {
			return nil, err
		}
	}
	if err := b.transfers(f); err != nil {
		return nil, err
	}
	book.Entries = make([]Entry, 0, len(b.order))
	for _, id := range b.order {
		e := b.entries[id]
		if len(e.Lines) == 0 {
			continue
		}
		finish(e)
		if d, c := e.Totals(); d != c {
			return nil, fmt.Errorf("journal entry %s of %s does not balance (debit %d, credit %d)", e.ID, e.Date, d, c)
		}
		book.Entries = append(book.Entries, *e)
	}
	sort.SliceStable(book.Entries, func(i, j int) bool {
		a, c := book.Entries[i], book.Entries[j]
		if a.Date != c.Date {
			return a.Date.Before(c.Date)
		}
		if kindOrder[a.Kind] != kindOrder[c.Kind] {
			return kindOrder[a.Kind] < kindOrder[c.Kind]
		}
		return a.ID < c.ID
	})
	return book, nil
}

// finish names in a transfer's entry the invoices whose 売掛金 it moves (those its memo
// does not name yet) and the customer.
func finish(e *Entry) {
	var named []string
	for _, l := range e.Lines {
		if l.Account != Receivable {
			continue
		}
		if e.Customer == "" {
			e.Customer = l.Customer
		}
		if !strings.Contains(e.Memo, l.Invoice) && !slices.Contains(named, l.Invoice) {
			named = append(named, l.Invoice)
		}
	}
	switch {
	case len(named) == 0:
	case e.Kind == KindMove:
		e.Memo += " → " + strings.Join(named, "、")
	case len(named) > 3:
		e.Memo += fmt.Sprintf(" 請求書%s ほか%d件", strings.Join(named[:3], "、"), len(named)-3)
	default:
		e.Memo += " 請求書" + strings.Join(named, "、")
	}
}

// entry returns the entry with id, making it on date with kind and memo when it is new.
func (b *builder) entry(id string, date calendar.Date, kind Kind, memo, customer string) *Entry {
	if e, ok := b.entries[id]; ok {
		return e
	}
	e := &Entry{ID: id, Date: date, Kind: kind, Memo: memo, Customer: customer}
	b.entries[id] = e
	b.order = append(b.order, id)
	return e
}

// rates returns the parts of an invoice by tax rate, checking that they add up.
func (b *builder) rates(inv *Invoice) ([]Rate, error) {
	if len(inv.Rates) == 0 {
		return []Rate{{Rate: b.o.TaxRate, Amount: inv.Total, Tax: inv.Tax}}, nil
	}
	var sum, tax int64
	for _, r := range inv.Rates {
		sum += r.Amount
		tax += r.Tax
	}
	if sum != inv.Total || tax != inv.Tax {
		return nil, fmt.Errorf("invoice %s: its lines by tax rate add up to %d (tax %d), its total is %d (tax %d)", inv.Number, sum, tax, inv.Total, inv.Tax)
	}
	return inv.Rates, nil
}

// deferred reports whether an invoice's revenue waits in 前受金 for its months.
func (b *builder) deferred(inv *Invoice) bool {
	return b.o.Revenue == RevenueMonthly && inv.ServiceMonths > 0
}

// invoice books an invoice's issue, its monthly recognition and its void or lapse.
func (b *builder) invoice(inv *Invoice) error {
	rates, err := b.rates(inv)
	if err != nil {
		return err
	}
	memo := "請求書" + inv.Number + " " + inv.CustomerName
	if inv.Replaces != "" {
		memo += "（" + inv.Replaces + "の差替）"
	}
	e := b.entry("issue:"+inv.Number, inv.IssueDate, KindIssue, memo, inv.CustomerNo)
	b.receivable(e, Debit, inv, inv.Total, Invoiced)
	for _, r := range rates {
		if b.deferred(inv) {
			e.add(Line{Side: Credit, Account: Deferred, Amount: r.Amount, Customer: inv.CustomerNo})
		} else {
			e.add(Line{Side: Credit, Account: Sales, Amount: r.Amount, Tax: r.Tax, Rate: r.Rate, Customer: inv.CustomerNo})
		}
	}
	end, kind, what := inv.VoidedOn, KindVoid, "取消"
	if end.IsZero() && !inv.LapsedOn.IsZero() {
		end, kind, what = inv.LapsedOn, KindLapse, "失効（契約停止）"
	}
	recognised := b.recognise(inv, rates, end)
	if end.IsZero() {
		return nil
	}
	e = b.entry(string(kind)+":"+inv.Number, end, kind, fmt.Sprintf("請求書%s %s %s", inv.Number, what, inv.CustomerName), inv.CustomerNo)
	b.receivable(e, Credit, inv, inv.Total, Other)
	for i, r := range rates {
		if !b.deferred(inv) {
			e.add(Line{Side: Debit, Account: Sales, Amount: r.Amount, Tax: r.Tax, Rate: r.Rate, Customer: inv.CustomerNo})
			continue
		}
		done := recognised[i]
		e.add(Line{Side: Debit, Account: Sales, Amount: done.Amount, Tax: done.Tax, Rate: r.Rate, Customer: inv.CustomerNo})
		e.add(Line{Side: Debit, Account: Deferred, Amount: r.Amount - done.Amount, Customer: inv.CustomerNo})
	}
	return nil
}

// recognise books, for revenue recognised monthly, 前受金 / 売上高 at the end of the
// month each monthly cycle of the service starts in (the month of issue for cycles that
// started before it), for the month ends before end (the void or lapse) and before
// today. The invoice's amount and tax at each rate are spread evenly over the cycles,
// the remainder falling on the later ones. It returns what was recognised per rate.
func (b *builder) recognise(inv *Invoice, rates []Rate, end calendar.Date) []Rate {
	done := make([]Rate, len(rates))
	if !b.deferred(inv) || inv.ServiceStart.IsZero() {
		return done
	}
	n := int64(inv.ServiceMonths)
	issueMonth := inv.IssueDate.Year*12 + int(inv.IssueDate.Month) - 1
	startMonth := inv.ServiceStart.Year*12 + int(inv.ServiceStart.Month) - 1
	for k := int64(0); k < n; k++ {
		m := max(startMonth+int(k), issueMonth)
		day := monthEnd(calendar.New(m/12, calendarMonth(m), 1))
		if !day.Before(b.o.Today) || (!end.IsZero() && !day.Before(end)) {
			break
		}
		ym := fmt.Sprintf("%04d-%02d", day.Year, int(day.Month))
		e := b.entry("recognition:"+inv.Number+":"+ym, day, KindRecognition,
			fmt.Sprintf("請求書%s %d年%d月分 %s", inv.Number, day.Year, int(day.Month), inv.CustomerName), inv.CustomerNo)
		for i, r := range rates {
			amt := r.Amount*(k+1)/n - r.Amount*k/n
			tax := r.Tax*(k+1)/n - r.Tax*k/n
			e.add(Line{Side: Debit, Account: Deferred, Amount: amt, Customer: inv.CustomerNo})
			e.add(Line{Side: Credit, Account: Sales, Amount: amt, Tax: tax, Rate: r.Rate, Customer: inv.CustomerNo})
			done[i].Amount += amt
			done[i].Tax += tax
		}
	}
	return done
}

// receivable adds a 売掛金 line of inv.
func (b *builder) receivable(e *Entry, side Side, inv *Invoice, amount int64, part Part) {
	e.add(Line{Side: side, Account: Receivable, Amount: amount, Customer: inv.CustomerNo, Invoice: inv.Number, Part: part})
}

// Invoice returns the invoice numbered n, if the book has it.
func (bk *Book) Invoice(n string) (Invoice, bool) {
	inv, ok := bk.invoices[n]
	if !ok {
		return Invoice{}, false
	}
	return *inv, true
}
