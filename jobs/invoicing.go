package jobs

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/issuing"
	"github.com/npress/nightly/store"
)

// invoicingPage is how many contracts, orders or invoices one invoicing transaction
// handles, and how many documents are rendered between two stores: memory stays flat
// however many there are.
const invoicingPage = 300

// Invoicing is the night's invoicing step (SPEC §5.1 #5): it issues the renewal
// invoices whose issue date has come (§4.3), the new and addition invoices of the orders
// received by the run date (§4.1, §4.2, with the second addition invoice for a next term
// already invoiced), voids and reissues the invoices marked for it (§4.4, §8.5, with a
// notice of cancellation for one already posted), each page in its own transaction with
// gapless numbers (§8.3). It renders every invoice and notice that has no stored PDF
// yet, each page of invoices while the next is issued, keeps each as evidence (§7.5,
// §8.2), and writes the day's copies, the print bundle and the dispatch list (§8.4).
func Invoicing(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	iv, err := newIssuer(n)
	if err != nil {
		return res, err
	}
	copies := map[string]bool{}
	p, err := n.pending(ctx, &res, copies)
	if err != nil {
		return res, err
	}
	defer p.Pipe.Stop()
	for _, pg := range []struct {
		what string
		fn   func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error)
	}{
		{"renewals", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
			page, err := store.RenewalCandidates(ctx, tx, n.Date.AddMonths(2), after, invoicingPage)
			if err != nil || len(page) == 0 {
				return "", 0, err
			}
			adds, err := store.SeatAdditionsOfContracts(ctx, tx, issuing.ContractNos(page))
			return eachOf(page, err, func(c store.RenewalCandidate) string { return c.No },
				func(c store.RenewalCandidate) error { return iv.renewal(ctx, tx, c, adds[c.No], &res) })
		}},
		{"orders", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
			page, err := store.ReceivedOrders(ctx, tx, n.Date, after, invoicingPage)
			return eachOf(page, err, func(o store.PendingOrder) string { return o.No }, func(o store.PendingOrder) error { return iv.order(ctx, tx, o, &res) })
		}},
		{"next-term additions", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
			page, err := store.NextTermAdditionsDue(ctx, tx, after, invoicingPage)
			return eachOf(page, err, func(a store.NextTermAdditionDue) string { return a.Key },
				func(a store.NextTermAdditionDue) error { return iv.nextTermAddition(ctx, tx, a, &res) })
		}},
		{"reissues", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
			page, err := store.ReissuePage(ctx, tx, after, invoicingPage)
			return eachOf(page, err, func(inv store.Invoice) string { return inv.Number }, func(inv store.Invoice) error { return iv.reissue(ctx, tx, inv, &res) })
		}},
	} {
		if err := n.invoicePages(ctx, &res, p, pg.what, pg.fn); err != nil {
			return res, err
		}
	}
	if err := p.Finish(); err != nil {
		return res, err
	}
	if n.DryRun {
		return res, nil
	}
	return res, n.writeDocuments(ctx, &res, copies)
}

// invoicePages runs fn page after page, each in its own transaction, until a page is
// short, and feeds p the invoices of each page once it commits. fn returns the key to
// continue after and the size of its page.
func (n *Night) invoicePages(ctx context.Context, res *Result, p *issuing.Pending, what string, fn func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error)) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var last string
		var size int
		err := n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
			var err error
			if last, size, err = fn(ctx, tx, after); err != nil {
				return fmt.Errorf("invoicing %s after %q: %w", what, after, err)
			}
			return n.fault("invoicing.before_commit")
		})
		if err != nil {
			return err
		}
		if err := n.fault("invoicing.after_commit"); err != nil {
			return err
		}
		if err := p.FeedInvoices(); err != nil { // they render while the next page is issued
			return err
		}
		if size < invoicingPage {
			return nil
		}
		after = last
	}
}

// eachOf runs do on each item of a page read with err, and returns the key of its last
// item and its size, as invoicePages wants.
func eachOf[T any](page []T, err error, key func(T) string, do func(T) error) (string, int, error) {
	if err != nil || len(page) == 0 {
		return "", 0, err
	}
	for _, it := range page {
		if err := do(it); err != nil {
			return "", 0, err
		}
	}
	return key(page[len(page)-1]), len(page), nil
}

// issuer builds and stores the night's invoices.
type issuer struct {
	n *Night
	issuing.Terms
	prices issuing.Prices
}

func newIssuer(n *Night) (*issuer, error) {
	t, err := issuing.NewTerms(n.Config.Invoice.Rounding, n.Config.Invoice.TaxRate)
	if err != nil {
		return nil, err
	}
	return &issuer{n: n, Terms: t, prices: issuing.Prices{}}, nil
}

// renewal issues the renewal invoice of c's next term when its issue date has come
// (SPEC §4.3): the seats after accepted reductions, the price in force on the issue
// date, due next start − 14 days or, caught up with short notice, run date + 14 days.
// Its seats follow the seat arithmetic of §4.2 over the contract's additions adds; the
// additions it counts are marked billed for the next term.
func (iv *issuer) renewal(ctx context.Context, tx *sqlx.Tx, c store.RenewalCandidate, adds []store.SeatAddition, res *Result) error {
	n := iv.n
	ns := contract.NextStart(c.TermStart)
	if contract.RenewalIssueDate(ns).After(n.Date) {
		return nil
	}
	res.Seen["renewals_due"]++
	dates := contract.RenewalDates(n.Calendar, ns, n.Date, n.Config.Invoice.RenewalLeadDays)
	seats, settled, err := renewalSeats(ctx, tx, c.Contract, adds, dates.IssueDate, "")
	if err != nil {
		return err
	}
	if seats < 1 {
		return n.exception(ctx, tx, res, issuing.RenewalSeatsException(c.No, ns, seats))
	}
	price, err := iv.prices.Of(c.PlanCode, dates.IssueDate, func() (int64, error) { return store.PriceOn(ctx, tx, c.PlanCode, dates.IssueDate) })
	if store.IsNoRows(err) {
		return n.exception(ctx, tx, res, issuing.NoPriceException(c.PlanCode, dates.IssueDate, c.No))
	}
	if err != nil {
		return err
	}
	row, inv, err := iv.Renewal(c, ns, dates, price, seats)
	if err != nil {
		return err
	}
	stored, err := iv.store(ctx, tx, row, inv)
	if err != nil {
		return err
	}
	if err := store.MarkSeatAdditionsBilled(ctx, tx, settled, stored.Number); err != nil {
		return err
	}
	res.Changes["renewals"]++
	if dates.ShortNotice {
		res.Changes["short_notice"]++
	}
	return nil
}

// order issues the invoice of a received order: a new contract and its first invoice for
// a new or migration order (SPEC §4.1, §3.5), or the addition invoice(s) (§3.2, §4.2).
// An order that cannot be invoiced is refused: its status becomes "exception" with an
// exception for staff.
func (iv *issuer) order(ctx context.Context, tx *sqlx.Tx, o store.PendingOrder, res *Result) error {
	res.Seen["orders"]++
	refusal := issuing.CheckOrder(o)
	var err error
	if refusal.Message == "" && o.Kind == "addition" {
		refusal, err = iv.addition(ctx, tx, o, res)
	} else if refusal.Message == "" {
		refusal, err = iv.newOrder(ctx, tx, o, res)
	}
	if err != nil {
		return err
	}
	to := "invoiced"
	if refusal.Message != "" {
		to = "exception"
	}
	if _, err := store.SetOrderStatus(ctx, tx, o.No, "received", to, iv.n.Now); err != nil || refusal.Message == "" {
		return err
	}
	return iv.n.exception(ctx, tx, res, refusal.Exception(o.No))
}

func (iv *issuer) newOrder(ctx context.Context, tx *sqlx.Tx, o store.PendingOrder, res *Result) (issuing.Refusal, error) {
	n := iv.n
	price, err := iv.prices.Of(o.PlanCode, n.Date, func() (int64, error) { return store.PriceOn(ctx, tx, o.PlanCode, n.Date) })
	if store.IsNoRows(err) {
		return issuing.NoPriceRefusal(o.PlanCode, n.Date), nil
	}
	if err != nil {
		return issuing.Refusal{}, err
	}
	no, err := store.NextContractNo(ctx, tx)
	if err != nil {
		return issuing.Refusal{}, err
	}
	k, row, inv, err := iv.FirstTerm(o, no, price, n.Date, contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays))
	if err != nil {
		return issuing.Refusal{}, err
	}
	if ok, err := store.InsertContract(ctx, tx, k, n.Now); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("contract number %s is taken", no)
		}
		return issuing.Refusal{}, fmt.Errorf("contract for order %s: %w", o.No, err)
	}
	if _, err := iv.store(ctx, tx, row, inv); err != nil {
		return issuing.Refusal{}, err
	}
	res.Changes["contracts"]++
	res.Changes["new"]++
	return issuing.Refusal{}, n.audit(ctx, tx, "contract_created", no, "status", "", store.StatusPending, "注文 "+o.No+" ("+o.Kind+")")
}

func (iv *issuer) addition(ctx context.Context, tx *sqlx.Tx, o store.PendingOrder, res *Result) (issuing.Refusal, error) {
	n := iv.n
	c, err := store.GetContract(ctx, tx, o.ContractNo.String)
	if store.IsNoRows(err) || !o.ContractNo.Valid {
		return issuing.Refusal{Message: "追加先の契約 " + o.ContractNo.String + " がありません。", Action: "契約番号を確認して注文を取り込み直してください。"}, nil
	}
	if err != nil {
		return issuing.Refusal{}, err
	}
	add, refusal := issuing.AdditionCycles(o, c, n.Date)
	if refusal.Message != "" {
		return refusal, nil
	}
	row, inv, err := iv.Addition(o, c, add, n.Date, contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays))
	if err != nil {
		return refusal, err
	}
	stored, err := iv.store(ctx, tx, row, inv)
	if err != nil {
		return refusal, err
	}
	res.Changes["additions"]++
	// The seats take effect when it is paid (§4.2); if the next term's renewal is issued
	// by then, a second addition invoice bills them for that term (nextTermAddition).
	_, err = store.AddSeatAddition(ctx, tx, store.SeatAddition{Key: row.NKey, ContractNo: c.No, OrderNo: o.No, TermStart: c.TermStart,
		Seats: o.Seats, OrderedOn: o.OrderDate, FirstCycle: add.FirstCycle, InvoiceNumber: stored.Number})
	return refusal, err
}

// nextTermAddition issues the second addition invoice of SPEC §4.2: the seats of a paid
// addition that the next term's renewal did not count (ordered or paid after it was
// issued), billed for that whole term at the renewal's unit price, due on the renewal's
// due date or issue date + 14 days if that is later. It records the next term's seat
// addition, which goes into that term's base at the roll-over once paid.
func (iv *issuer) nextTermAddition(ctx context.Context, tx *sqlx.Tx, a store.NextTermAdditionDue, res *Result) error {
	n := iv.n
	o, err := store.GetOrder(ctx, tx, a.OrderNo)
	if err != nil {
		return err
	}
	plan, err := store.GetPlan(ctx, tx, o.PlanCode)
	if err != nil {
		return err
	}
	cust, err := store.GetCustomer(ctx, tx, o.CustomerNo)
	if err != nil {
		return err
	}
	due := contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays)
	if a.RenewalDue.After(due) {
		due = a.RenewalDue
	}
	row, inv, err := iv.NextTermAddition(a, o, plan.Name, issuing.CustomerParty(cust), n.Date, due)
	if err != nil {
		return err
	}
	key := row.NKey
	stored, err := iv.store(ctx, tx, row, inv)
	if err != nil {
		return err
	}
	if _, err := store.AddSeatAddition(ctx, tx, store.SeatAddition{Key: key, ContractNo: a.ContractNo, OrderNo: o.No, TermStart: a.RenewalTermStart,
		Seats: a.Seats, OrderedOn: a.OrderedOn, FirstCycle: a.RenewalTermStart, InvoiceNumber: stored.Number}); err != nil {
		return err
	}
	res.Changes["additions"]++
	return store.MarkSeatAdditionsBilled(ctx, tx, []string{a.Key}, stored.Number)
}

// reissue voids an invoice marked for reissue and issues its next revision (SPEC §4.4,
// §8.5): a renewal with the seats of §4.2 for that term now (none when the contract is
// cancelled: its next-term additions are voided with it), a new or addition invoice
// with the same lines. The money applied to the void invoice moves to the replacement
// in the same transaction, and what the replacement does not take is held for staff to
// refund (§4.7). A notice of cancellation is recorded when the voided invoice was
// already posted.
func (iv *issuer) reissue(ctx context.Context, tx *sqlx.Tx, old store.Invoice, res *Result) error {
	n := iv.n
	why := old.VoidReason
	if why == "" {
		why = "訂正のため再発行"
	}
	if old.Status != store.InvoiceVoid {
		if _, err := store.VoidInvoice(ctx, tx, old.Number, why, n.Date); err != nil {
			return err
		}
		res.Changes["voided"]++
		if err := n.audit(ctx, tx, "invoice_voided", old.Number, "status", old.Status, store.InvoiceVoid, why); err != nil {
			return err
		}
		old.Status = store.InvoiceVoid
	} else if err := store.ClearReissue(ctx, tx, old.Number); err != nil {
		return err
	}
	row, inv, settled, issue, err := iv.revision(ctx, tx, old)
	if err != nil {
		return err
	}
	var repl *store.Invoice
	if issue {
		stored, err := iv.store(ctx, tx, row, inv)
		if err != nil {
			return err
		}
		repl = &stored
		res.Changes["reissued"]++
		if err := n.audit(ctx, tx, "invoice_reissued", stored.Number, "replaces", "", old.Number, why); err != nil {
			return err
		}
		if err := iv.moveBilling(ctx, tx, old, stored, settled); err != nil {
			return err
		}
	} else if err := iv.voidNextTermAdditions(ctx, tx, old, why, res); err != nil {
		return err
	}
	if _, held, err := nightBooks(n, tx).moveOff(ctx, old, repl, issuing.VoidedKind(repl), why); err != nil {
		return err
	} else if held > 0 {
		res.Changes["exceptions"]++
	}
	if old.PostedAt.Valid {
		added, err := store.AddNotice(ctx, tx, issuing.CancellationOf(old, repl, n.Date), n.Now)
		if err != nil {
			return err
		}
		if added {
			res.Changes["cancellation_notices"]++
		}
	}
	return nil
}

// revision builds the next revision of a void invoice: a renewal with the contract's
// seats for that term now, or a new or addition invoice with the same lines. issue is
// false when nothing replaces it (the contract is cancelled, no longer active, or has
// no seats left for the term). settled are the additions a reissued renewal counts.
func (iv *issuer) revision(ctx context.Context, tx *sqlx.Tx, old store.Invoice) (store.Invoice, invoice.Invoice, []string, bool, error) {
	n := iv.n
	prev, err := printable(ctx, tx, old, iv.Rounding)
	if err != nil {
		return store.Invoice{}, invoice.Invoice{}, nil, false, err
	}
	cust, err := store.GetCustomer(ctx, tx, old.CustomerNo)
	if err != nil {
		return store.Invoice{}, invoice.Invoice{}, nil, false, err
	}
	to := issuing.CustomerParty(cust)
	row := issuing.Revision(old)
	if invoice.Kind(old.Kind) != invoice.KindRenewal {
		inv, err := iv.Correction(old, prev, n.Date, contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays), to)
		return row, inv, nil, err == nil, err
	}
	c, err := store.GetContract(ctx, tx, old.ContractNo)
	if err != nil {
		return row, invoice.Invoice{}, nil, false, err
	}
	adds, err := store.SeatAdditionsOf(ctx, tx, c.No)
	if err != nil {
		return row, invoice.Invoice{}, nil, false, err
	}
	seats, settled, err := renewalSeats(ctx, tx, c, adds, old.IssueDate, old.Number)
	if err != nil {
		return row, invoice.Invoice{}, nil, false, err
	}
	if !old.TermStart.After(c.TermStart) {
		// The term it bills has begun (the contract rolled over into it): a correction
		// of the paper bills the seats it billed, and the additions of the running term
		// stay for the next renewal.
		seats, settled = old.Seats, nil
	}
	if c.CancelAtTermEnd || c.Status != store.StatusActive || seats < 1 {
		return row, invoice.Invoice{}, nil, false, nil
	}
	plan, err := store.GetPlan(ctx, tx, c.PlanCode)
	if err != nil {
		return row, invoice.Invoice{}, nil, false, err
	}
	dates := contract.RenewalDates(n.Calendar, old.TermStart, n.Date, n.Config.Invoice.RenewalLeadDays)
	inv, err := iv.RenewalRevision(old, prev, seats, dates, to, plan.Name)
	if err != nil {
		return row, inv, nil, false, err
	}
	row.Seats, row.ShortNotice = seats, dates.ShortNotice
	return row, inv, settled, true, nil
}

// moveBilling points the seat additions at the revision that replaced a void invoice:
// an addition invoice's own addition, or the additions a renewal bills for the next
// term.
func (iv *issuer) moveBilling(ctx context.Context, tx *sqlx.Tx, old, repl store.Invoice, settled []string) error {
	if old.Kind == string(invoice.KindAddition) {
		if err := store.SetSeatAdditionInvoice(ctx, tx, old.NKey, repl.Number); err != nil {
			return err
		}
	}
	if err := store.RebillSeatAdditions(ctx, tx, old.Number, repl.Number); err != nil {
		return err
	}
	return store.MarkSeatAdditionsBilled(ctx, tx, settled, repl.Number)
}

// voidNextTermAdditions voids the next-term addition invoices of a renewal voided with
// nothing to replace it (a cancellation): there is no next term to add seats to. Their
// money is held for staff to refund.
func (iv *issuer) voidNextTermAdditions(ctx context.Context, tx *sqlx.Tx, renewal store.Invoice, why string, res *Result) error {
	if renewal.Kind != string(invoice.KindRenewal) {
		return nil
	}
	invs, err := store.ListInvoices(ctx, tx, store.InvoiceFilter{ContractNo: renewal.ContractNo})
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.Kind != string(invoice.KindAddition) || inv.TermStart != renewal.TermStart || inv.Status == store.InvoiceVoid {
			continue
		}
		if _, err := store.VoidInvoice(ctx, tx, inv.Number, why, iv.n.Date); err != nil {
			return err
		}
		res.Changes["voided"]++
		if err := iv.n.audit(ctx, tx, "invoice_voided", inv.Number, "status", inv.Status, store.InvoiceVoid, why); err != nil {
			return err
		}
		inv.Status = store.InvoiceVoid
		if _, _, err := nightBooks(iv.n, tx).moveOff(ctx, inv, nil, "voided_paid", why); err != nil {
			return err
		}
	}
	return nil
}

// store issues inv under the next number with its lines and its printable doc.
func (iv *issuer) store(ctx context.Context, tx *sqlx.Tx, row store.Invoice, inv invoice.Invoice) (store.Invoice, error) {
	row, lines := issuing.Rows(row, inv)
	stored, err := store.IssueInvoice(ctx, tx, row, lines, iv.n.Now)
	if err != nil {
		return stored, err
	}
	doc, err := issuing.Doc(inv, stored.Number)
	if err != nil {
		return stored, err
	}
	return stored, store.PutInvoiceDoc(ctx, tx, stored.Number, doc)
}
