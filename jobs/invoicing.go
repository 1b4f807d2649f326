package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
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
// gapless numbers (§8.3). After those commit it renders every invoice and notice that
// has no stored PDF yet, keeps each as evidence (§7.5, §8.2), and writes the day's
// copies, the print bundle and the dispatch list from the stored bytes (§8.4).
func Invoicing(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	iv, err := newIssuer(n)
	if err != nil {
		return res, err
	}
	if err := n.invoicePages(ctx, &res, "renewals", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
		page, err := store.RenewalCandidates(ctx, tx, n.Date.AddMonths(2), after, invoicingPage)
		if err != nil || len(page) == 0 {
			return "", 0, err
		}
		nos := make([]string, len(page))
		for i, c := range page {
			nos[i] = c.No
		}
		adds, err := store.SeatAdditionsOfContracts(ctx, tx, nos)
		if err != nil {
			return "", 0, err
		}
		for _, c := range page {
			if err := iv.renewal(ctx, tx, c, adds[c.No], &res); err != nil {
				return "", 0, err
			}
		}
		return page[len(page)-1].No, len(page), nil
	}); err != nil {
		return res, err
	}
	if err := n.invoicePages(ctx, &res, "orders", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
		page, err := store.ReceivedOrders(ctx, tx, n.Date, after, invoicingPage)
		if err != nil || len(page) == 0 {
			return "", 0, err
		}
		for _, o := range page {
			if err := iv.order(ctx, tx, o, &res); err != nil {
				return "", 0, err
			}
		}
		return page[len(page)-1].No, len(page), nil
	}); err != nil {
		return res, err
	}
	if err := n.invoicePages(ctx, &res, "next-term additions", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
		page, err := store.NextTermAdditionsDue(ctx, tx, after, invoicingPage)
		if err != nil || len(page) == 0 {
			return "", 0, err
		}
		for _, a := range page {
			if err := iv.nextTermAddition(ctx, tx, a, &res); err != nil {
				return "", 0, err
			}
		}
		return page[len(page)-1].Key, len(page), nil
	}); err != nil {
		return res, err
	}
	if err := n.invoicePages(ctx, &res, "reissues", func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error) {
		page, err := store.ReissuePage(ctx, tx, after, invoicingPage)
		if err != nil || len(page) == 0 {
			return "", 0, err
		}
		for _, inv := range page {
			if err := iv.reissue(ctx, tx, inv, &res); err != nil {
				return "", 0, err
			}
		}
		return page[len(page)-1].Number, len(page), nil
	}); err != nil {
		return res, err
	}
	if err := n.renderPending(ctx, &res); err != nil {
		return res, err
	}
	if n.DryRun {
		return res, nil
	}
	return res, n.writeDocuments(ctx, &res)
}

// invoicePages runs fn page after page, each in its own transaction, until a page is
// short. fn returns the key to continue after and the size of its page.
func (n *Night) invoicePages(ctx context.Context, res *Result, what string, fn func(ctx context.Context, tx *sqlx.Tx, after string) (string, int, error)) error {
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
		if size < invoicingPage {
			return nil
		}
		after = last
	}
}

// issuer builds and stores the night's invoices.
type issuer struct {
	n        *Night
	rounding invoice.Rounding
	taxRate  int
}

func newIssuer(n *Night) (*issuer, error) {
	r, err := invoice.ParseRounding(n.Config.Invoice.Rounding)
	if err != nil {
		return nil, fmt.Errorf("configuration invoice.rounding: %w", err)
	}
	return &issuer{n: n, rounding: r, taxRate: n.Config.Invoice.TaxRate}, nil
}

func partyOf(customerNo string, r store.Recipient) invoice.Party {
	return invoice.Party{CustomerNo: customerNo, Name: r.CustomerName, PostalCode: r.PostalCode, Address: r.Address, Contact: r.Contact}
}

func (iv *issuer) common(issue, due calendar.Date, to invoice.Party, product string) invoice.Common {
	return invoice.Common{IssueDate: issue, DueDate: due, To: to, Product: product, TaxRate: iv.taxRate, Rounding: iv.rounding}
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
		return n.exception(ctx, tx, res, store.Exception{NKey: "renewal_seats:" + c.No + ":" + ns.String(), Kind: "renewal_invalid",
			Subject: c.No, Message: fmt.Sprintf("契約 %s の次年度（%s〜）の数量が %d のため、更新請求書を発行できません。", c.No, ns.Japanese(), seats),
			Action: "解約であれば cancel_at_term_end を設定し、そうでなければ次年度の数量を直して再実行してください。"})
	}
	price, err := store.PriceOn(ctx, tx, c.PlanCode, dates.IssueDate)
	if store.IsNoRows(err) {
		return n.exception(ctx, tx, res, store.Exception{NKey: "no_price:" + c.PlanCode + ":" + dates.IssueDate.String(), Kind: "no_price",
			Subject: c.PlanCode, Message: fmt.Sprintf("プラン %s の %s 時点の価格がないため、契約 %s の更新請求書を発行できません。", c.PlanCode, dates.IssueDate.Japanese(), c.No),
			Action: "価格表を取り込み（nightly import prices）、この日付を再実行してください。"})
	}
	if err != nil {
		return err
	}
	cm := iv.common(dates.IssueDate, dates.DueDate, partyOf(c.CustomerNo, c.Recipient), c.PlanName)
	cm.ContractNo = c.No
	cm.NextTermStart = contract.NextStart(ns)
	cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	inv, err := invoice.NewRenewal(cm, price, seats, invoice.Period{From: ns, To: contract.TermEnd(ns)})
	if err != nil {
		return fmt.Errorf("renewal invoice of contract %s: %w", c.No, err)
	}
	row := store.Invoice{NKey: "renewal:" + c.No + ":" + ns.String(), Kind: string(invoice.KindRenewal), CustomerNo: c.CustomerNo,
		ContractNo: c.No, TermStart: ns, ShortNotice: dates.ShortNotice, Seats: seats, UnitPrice: price}
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
func (iv *issuer) order(ctx context.Context, tx *sqlx.Tx, o store.PendingOrder, res *Result) error {
	res.Seen["orders"]++
	refuse := func(msg, action string) error {
		if _, err := store.SetOrderStatus(ctx, tx, o.No, "received", "exception", iv.n.Now); err != nil {
			return err
		}
		return iv.n.exception(ctx, tx, res, store.Exception{NKey: "order_invalid:" + o.No, Kind: "order_invalid", Subject: o.No,
			Message: "注文 " + o.No + ": " + msg, Action: action})
	}
	if o.CustomerName == "" {
		return refuse("お客様番号 "+o.CustomerNo+" が登録されていません。", "顧客データを取り込み、注文の状態を received に戻して再実行してください。")
	}
	if o.PlanName == "" {
		return refuse("プラン "+o.PlanCode+" が価格表にありません。", "プランを取り込み、注文の状態を received に戻して再実行してください。")
	}
	if o.Seats < 1 {
		return refuse(fmt.Sprintf("数量 %d は 1 以上でなければなりません。", o.Seats), "注文を直して取り込み直してください。")
	}
	var err error
	switch o.Kind {
	case "new", "migration":
		err = iv.newOrder(ctx, tx, o, res, refuse)
	case "addition":
		err = iv.addition(ctx, tx, o, res, refuse)
	default:
		return refuse("種類 "+o.Kind+" の注文は請求できません。", "注文の種類（new, addition, migration）を確認してください。")
	}
	if err != nil {
		return err
	}
	_, err = store.SetOrderStatus(ctx, tx, o.No, "received", "invoiced", iv.n.Now)
	return err
}

func (iv *issuer) newOrder(ctx context.Context, tx *sqlx.Tx, o store.PendingOrder, res *Result, refuse func(msg, action string) error) error {
	n := iv.n
	price, err := store.PriceOn(ctx, tx, o.PlanCode, n.Date)
	if store.IsNoRows(err) {
		return refuse(fmt.Sprintf("プラン %s の %s 時点の価格がありません。", o.PlanCode, n.Date.Japanese()), "価格表を取り込み、注文の状態を received に戻して再実行してください。")
	}
	if err != nil {
		return err
	}
	perpetual := o.PlanKind == "perpetual"
	no, err := store.NextContractNo(ctx, tx)
	if err != nil {
		return err
	}
	k := store.Contract{No: no, CustomerNo: o.CustomerNo, PlanCode: o.PlanCode, Seats: o.Seats, UnitPrice: price,
		Status: store.StatusPending, AutoRenew: !perpetual, OrderNo: nullString(o.No)}
	if ok, err := store.InsertContract(ctx, tx, k, n.Now); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("contract number %s is taken", no)
		}
		return fmt.Errorf("contract for order %s: %w", o.No, err)
	}
	cm := iv.common(n.Date, contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays), partyOf(o.CustomerNo, o.Recipient), o.PlanName)
	cm.ContractNo, cm.OrderNo = no, o.No
	inv, err := invoice.NewFirstTerm(cm, price, o.Seats, perpetual)
	if err != nil {
		return fmt.Errorf("invoice of order %s: %w", o.No, err)
	}
	row := store.Invoice{NKey: "order:" + o.No, Kind: string(invoice.KindNew), CustomerNo: o.CustomerNo, ContractNo: no,
		OrderNo: o.No, Seats: o.Seats, UnitPrice: price}
	if _, err := iv.store(ctx, tx, row, inv); err != nil {
		return err
	}
	res.Changes["contracts"]++
	res.Changes["new"]++
	return n.audit(ctx, tx, "contract_created", no, "status", "", store.StatusPending, "注文 "+o.No+" ("+o.Kind+")")
}

func (iv *issuer) addition(ctx context.Context, tx *sqlx.Tx, o store.PendingOrder, res *Result, refuse func(msg, action string) error) error {
	n := iv.n
	c, err := store.GetContract(ctx, tx, o.ContractNo.String)
	if store.IsNoRows(err) || !o.ContractNo.Valid {
		return refuse("追加先の契約 "+o.ContractNo.String+" がありません。", "契約番号を確認して注文を取り込み直してください。")
	}
	if err != nil {
		return err
	}
	if c.Status != store.StatusActive || c.TermStart.IsZero() {
		return refuse("追加先の契約 "+c.No+" は利用中ではありません（"+c.Status+"）。", "契約の状態を確認し、お客様に連絡してください。")
	}
	desired := contract.YearMonthOf(n.Date)
	if o.DesiredStart != "" {
		if desired, err = contract.ParseYearMonth(o.DesiredStart); err != nil {
			return refuse("利用開始希望月 "+o.DesiredStart+" が読めません。", "注文を直して取り込み直してください。")
		}
	}
	add, err := contract.BillAddition(c.TermStart, desired)
	if err != nil {
		return refuse(fmt.Sprintf("利用開始希望月 %s は契約期間（%s〜%s）の中にありません。", desired.Japanese(), c.TermStart.Japanese(), c.TermEnd.Japanese()),
			"お客様に希望月を確認し、注文を直して取り込み直してください。")
	}
	to := partyOf(o.CustomerNo, o.Recipient)
	cm := iv.common(n.Date, contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays), to, o.PlanName)
	cm.ContractNo, cm.OrderNo = c.No, o.No
	cm.NextTermStart = contract.NextStart(c.TermStart)
	cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	inv, err := invoice.NewAddition(cm, c.UnitPrice, o.Seats, add.FirstCycle, c.TermEnd, add.Months)
	if err != nil {
		return fmt.Errorf("addition invoice of order %s: %w", o.No, err)
	}
	row := store.Invoice{NKey: "order:" + o.No, Kind: string(invoice.KindAddition), CustomerNo: o.CustomerNo, ContractNo: c.No,
		OrderNo: o.No, TermStart: add.FirstCycle, Seats: o.Seats, UnitPrice: c.UnitPrice}
	stored, err := iv.store(ctx, tx, row, inv)
	if err != nil {
		return err
	}
	res.Changes["additions"]++
	// The seats take effect when it is paid (§4.2); if the next term's renewal is issued
	// by then, a second addition invoice bills them for that term (nextTermAddition).
	_, err = store.AddSeatAddition(ctx, tx, store.SeatAddition{Key: row.NKey, ContractNo: c.No, OrderNo: o.No, TermStart: c.TermStart,
		Seats: o.Seats, OrderedOn: o.OrderDate, FirstCycle: add.FirstCycle, InvoiceNumber: stored.Number})
	return err
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
	to := invoice.Party{CustomerNo: cust.No, Name: cust.Name, PostalCode: cust.PostalCode, Address: cust.Address, Contact: cust.Contact}
	cm := iv.common(n.Date, due, to, plan.Name)
	cm.ContractNo, cm.OrderNo = a.ContractNo, o.No
	cm.Subject = plan.Name + " ライセンス追加料金（" + a.RenewalTermStart.Japanese() + "からの次年度分）"
	cm.NextTermStart = contract.NextStart(a.RenewalTermStart)
	cm.RequestDeadline = contract.RequestDeadline(cm.NextTermStart)
	inv, err := invoice.NewAddition(cm, a.RenewalUnitPrice, a.Seats, a.RenewalTermStart, contract.TermEnd(a.RenewalTermStart), contract.MonthsPerTerm)
	if err != nil {
		return fmt.Errorf("next-term addition invoice of order %s: %w", o.No, err)
	}
	key := a.Key + ":next"
	row := store.Invoice{NKey: key, Kind: string(invoice.KindAddition), CustomerNo: o.CustomerNo, ContractNo: a.ContractNo,
		OrderNo: o.No, TermStart: a.RenewalTermStart, Seats: a.Seats, UnitPrice: a.RenewalUnitPrice}
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
	if _, held, err := nightBooks(n, tx).moveOff(ctx, old, repl, voidedKind(repl), why); err != nil {
		return err
	} else if held > 0 {
		res.Changes["exceptions"]++
	}
	if old.PostedAt.Valid {
		replacedBy := ""
		if repl != nil {
			replacedBy = repl.Number
		}
		added, err := store.AddNotice(ctx, tx, store.Notice{Number: old.Number + "-C", Kind: "cancellation", InvoiceNumber: old.Number,
			ReplacedBy: replacedBy, RunDate: n.Date, CustomerNo: old.CustomerNo}, n.Now)
		if err != nil {
			return err
		}
		if added {
			res.Changes["cancellation_notices"]++
		}
	}
	return nil
}

// voidedKind is the kind of the exception that holds money moved off a void invoice:
// the excess over its replacement is an overpayment, money of an invoice nothing
// replaces is held as voided_paid.
func voidedKind(repl *store.Invoice) string {
	if repl != nil {
		return "overpayment"
	}
	return "voided_paid"
}

// revision builds the next revision of a void invoice: a renewal with the contract's
// seats for that term now, or a new or addition invoice with the same lines. issue is
// false when nothing replaces it (the contract is cancelled, no longer active, or has
// no seats left for the term). settled are the additions a reissued renewal counts.
func (iv *issuer) revision(ctx context.Context, tx *sqlx.Tx, old store.Invoice) (store.Invoice, invoice.Invoice, []string, bool, error) {
	n := iv.n
	prev, err := printable(ctx, tx, old, iv.rounding)
	if err != nil {
		return store.Invoice{}, invoice.Invoice{}, nil, false, err
	}
	cust, err := store.GetCustomer(ctx, tx, old.CustomerNo)
	if err != nil {
		return store.Invoice{}, invoice.Invoice{}, nil, false, err
	}
	to := invoice.Party{CustomerNo: cust.No, Name: cust.Name, PostalCode: cust.PostalCode, Address: cust.Address, Contact: cust.Contact}
	row := store.Invoice{NKey: old.NKey, Revision: old.Revision + 1, Kind: old.Kind, CustomerNo: old.CustomerNo, ContractNo: old.ContractNo,
		OrderNo: old.OrderNo, TermStart: old.TermStart, Replaces: old.Number, Seats: old.Seats, UnitPrice: old.UnitPrice}
	if invoice.Kind(old.Kind) != invoice.KindRenewal {
		cm := iv.common(n.Date, contract.DueDate(n.Calendar, n.Date, n.Config.Invoice.DueDays), to, prev.Lines[0].Description)
		cm.ContractNo, cm.OrderNo, cm.Replaces, cm.Subject = prev.ContractNo, prev.OrderNo, old.Number, prev.Subject
		cm.NextTermStart, cm.RequestDeadline = prev.NextTermStart, prev.RequestDeadline
		inv, err := invoice.Build(invoice.Kind(old.Kind), cm, prev.Lines)
		if err != nil {
			return row, inv, nil, false, fmt.Errorf("reissue of invoice %s: %w", old.Number, err)
		}
		inv.Perpetual = prev.Perpetual
		return row, inv, nil, true, nil
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
	cm := iv.common(dates.IssueDate, dates.DueDate, to, plan.Name)
	cm.ContractNo, cm.Replaces = old.ContractNo, old.Number
	cm.NextTermStart, cm.RequestDeadline = prev.NextTermStart, prev.RequestDeadline
	inv, err := invoice.NewRenewal(cm, old.UnitPrice, seats, invoice.Period{From: old.TermStart, To: contract.TermEnd(old.TermStart)})
	if err != nil {
		return row, inv, nil, false, fmt.Errorf("reissue of invoice %s: %w", old.Number, err)
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
	row.IssueDate, row.DueDate = inv.IssueDate, inv.DueDate
	row.Subtotal, row.Tax, row.Total = inv.Subtotal, inv.Tax, inv.Total
	row.ToName, row.ToPostalCode, row.ToAddress = inv.To.Name, inv.To.PostalCode, inv.To.Address
	lines := make([]store.InvoiceLine, len(inv.Lines))
	for i, l := range inv.Lines {
		lines[i] = store.InvoiceLine{Description: l.Description, PeriodStart: l.Period.From, PeriodEnd: l.Period.To,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, Amount: l.Amount, TaxRate: l.TaxRate}
	}
	stored, err := store.IssueInvoice(ctx, tx, row, lines, iv.n.Now)
	if err != nil {
		return stored, err
	}
	inv.Number = stored.Number
	doc, err := json.Marshal(inv)
	if err != nil {
		return stored, fmt.Errorf("invoice %s: %w", stored.Number, err)
	}
	return stored, store.PutInvoiceDoc(ctx, tx, stored.Number, string(doc))
}

// printable returns the value an issued invoice is printed from: the doc recorded when
// it was issued or, for an invoice issued before docs were recorded, one rebuilt from
// its stored rows, which must give the stored totals.
func printable(ctx context.Context, q sqlx.ExtContext, row store.Invoice, r invoice.Rounding) (invoice.Invoice, error) {
	doc, ok, err := store.InvoiceDoc(ctx, q, row.Number)
	if err != nil {
		return invoice.Invoice{}, err
	}
	if ok {
		var inv invoice.Invoice
		if err := json.Unmarshal([]byte(doc), &inv); err != nil {
			return inv, fmt.Errorf("doc of invoice %s: %w", row.Number, err)
		}
		return inv, nil
	}
	ls, err := store.InvoiceLines(ctx, q, row.Number)
	if err != nil {
		return invoice.Invoice{}, err
	}
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

// renderers holds one renderer per templates folder for the whole process: the font is
// parsed once however many Envs (the web copies one per request) render.
var renderers sync.Map // templates dir → *lazyRenderer

type lazyRenderer struct {
	once sync.Once
	r    *invoice.Renderer
	err  error
}

// Renderer returns the invoice renderer of env, built once from its templates.
func (env *Env) Renderer() (*invoice.Renderer, error) {
	v, _ := renderers.LoadOrStore(env.Config.TemplatesDir, &lazyRenderer{})
	lr := v.(*lazyRenderer)
	lr.once.Do(func() {
		lr.r, lr.err = invoice.NewRenderer(templates.Open(env.Config.TemplatesDir))
		if lr.err != nil {
			lr.err = fmt.Errorf("invoice templates: %w", lr.err)
		}
	})
	return lr.r, lr.err
}

// rendered is one document rendered tonight, waiting to be kept.
type rendered struct {
	number, kind string // kind: invoice_pdf | reminder_pdf | notice_pdf
	date         calendar.Date
	amount       int64
	counterparty string
	pdf          []byte
	pages        int
}

// RenderUnrendered renders and keeps every invoice and notice without a stored PDF as
// the night of day would (the generator's history of earlier nights).
func RenderUnrendered(ctx context.Context, env *Env, day calendar.Date, now time.Time) error {
	n := &Night{Env: env, Date: day, Now: now}
	return n.renderPending(ctx, &Result{Changes: map[string]int{}, Seen: map[string]int{}})
}

// renderPending renders, a page at a time, every invoice and notice without a stored
// PDF, in parallel on all cores, then keeps each as evidence and records it, in number
// order, in one transaction per page (SPEC §7.5, §8.2).
func (n *Night) renderPending(ctx context.Context, res *Result) error {
	var r *invoice.Renderer
	rnd := func() (*invoice.Renderer, error) {
		if r != nil {
			return r, nil
		}
		var err error
		r, err = n.Renderer()
		return r, err
	}
	rounding, err := invoice.ParseRounding(n.Config.Invoice.Rounding)
	if err != nil {
		return err
	}
	after := ""
	for {
		nums, err := store.UnrenderedInvoices(ctx, n.Q(), after, invoicingPage)
		if err != nil {
			return err
		}
		if len(nums) == 0 {
			break
		}
		rr, err := rnd()
		if err != nil {
			return err
		}
		// Reads stay on this goroutine: a dry run's transaction is one connection.
		docs := make([]rendered, len(nums))
		vals := make([]invoice.Invoice, len(nums))
		for i, no := range nums {
			row, err := store.GetInvoice(ctx, n.Q(), no)
			if err != nil {
				return err
			}
			if vals[i], err = printable(ctx, n.Q(), row, rounding); err != nil {
				return err
			}
			docs[i] = rendered{number: row.Number, kind: evidence.KindInvoicePDF, date: row.IssueDate, amount: row.Total,
				counterparty: row.ToName}
		}
		if err := parallel(ctx, len(nums), func(i int) error {
			pdf, err := rr.Invoice(vals[i])
			if err != nil {
				return fmt.Errorf("render invoice %s: %w", docs[i].number, err)
			}
			docs[i].pdf = pdf
			return nil
		}); err != nil {
			return err
		}
		if err := n.keepRendered(ctx, docs, store.SetInvoicePDF, res); err != nil {
			return err
		}
		after = nums[len(nums)-1]
	}
	after = ""
	for {
		page, err := store.UnrenderedNotices(ctx, n.Q(), after, invoicingPage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		rr, err := rnd()
		if err != nil {
			return err
		}
		docs := make([]rendered, len(page))
		jobs := make([]func() ([]byte, error), len(page))
		for i := range page {
			if docs[i], jobs[i], err = n.prepareNotice(ctx, rr, page[i], rounding); err != nil {
				return err
			}
		}
		if err := parallel(ctx, len(page), func(i int) error {
			pdf, err := jobs[i]()
			if err != nil {
				return fmt.Errorf("render notice %s: %w", docs[i].number, err)
			}
			docs[i].pdf = pdf
			return nil
		}); err != nil {
			return err
		}
		if err := n.keepRendered(ctx, docs, store.SetNoticePDF, res); err != nil {
			return err
		}
		after = page[len(page)-1].Number
	}
}

// prepareNotice reads what a notice prints and returns the function that renders it:
// a reminder (outstanding = total − paid, stop date = the contract's term end, SPEC
// §4.5) or a notice of cancellation (§4.4). The reads happen here, the rendering later
// on any goroutine.
func (n *Night) prepareNotice(ctx context.Context, rr *invoice.Renderer, nt store.NoticeToRender, rounding invoice.Rounding) (rendered, func() ([]byte, error), error) {
	q := n.Q()
	d := rendered{number: nt.Number, date: nt.RunDate, counterparty: nt.CustomerName}
	row, err := store.GetInvoice(ctx, q, nt.InvoiceNumber)
	if err != nil {
		return d, nil, fmt.Errorf("notice %s: %w", nt.Number, err)
	}
	inv, err := printable(ctx, q, row, rounding)
	if err != nil {
		return d, nil, fmt.Errorf("notice %s: %w", nt.Number, err)
	}
	to := partyOf(nt.CustomerNo, nt.Recipient)
	switch nt.Kind {
	case "reminder":
		d.kind, d.amount = evidence.KindReminderPDF, row.Total-row.Paid
		rm := invoice.Reminder{Number: nt.Number, IssueDate: nt.RunDate, To: to, Invoice: inv.Ref(),
			Outstanding: row.Total - row.Paid, StopDate: nt.TermEnd}
		return d, func() ([]byte, error) { return rr.Reminder(rm) }, nil
	case "cancellation":
		cn := invoice.CancellationNotice{Number: nt.Number, IssueDate: nt.RunDate, To: to, Voided: inv.Ref(), Reason: row.VoidReason}
		if nt.ReplacedBy != "" {
			rep, err := store.GetInvoice(ctx, q, nt.ReplacedBy)
			if err != nil {
				return d, nil, fmt.Errorf("notice %s: %w", nt.Number, err)
			}
			repInv, err := printable(ctx, q, rep, rounding)
			if err != nil {
				return d, nil, fmt.Errorf("notice %s: %w", nt.Number, err)
			}
			cn.Replacement = repInv.Ref()
		}
		d.kind, d.amount = evidence.KindNoticePDF, row.Total
		return d, func() ([]byte, error) { return rr.Cancellation(cn) }, nil
	}
	return d, nil, fmt.Errorf("notice %s: unknown kind %q", nt.Number, nt.Kind)
}

// keepRendered keeps each rendered document as evidence and records its PDF, in the
// order given, in one transaction.
func (n *Night) keepRendered(ctx context.Context, docs []rendered, set func(context.Context, sqlx.ExtContext, string, string, int) error, res *Result) error {
	for i := range docs {
		p, err := invoice.PageCount(docs[i].pdf)
		if err != nil {
			return fmt.Errorf("%s: %w", docs[i].number, err)
		}
		docs[i].pages = p
	}
	if !n.DryRun {
		// One round of disk flushes for the page; Keep then finds each original stored.
		b := n.Evidence.NewBatch()
		for _, d := range docs {
			if _, err := b.Put(d.pdf); err != nil {
				b.Abort()
				return fmt.Errorf("store PDF of %s: %w", d.number, err)
			}
		}
		if err := b.Commit(); err != nil {
			return fmt.Errorf("store PDFs %s…%s: %w", docs[0].number, docs[len(docs)-1].number, err)
		}
	}
	return n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
		for _, d := range docs {
			e, err := n.keep(ctx, tx, evidence.Entry{Kind: d.kind, Source: d.number + ".pdf", ReceivedAt: n.Now, Date: d.date,
				Amount: d.amount, HasAmount: true, Counterparty: d.counterparty}, evidenceContent{sha: sha256Hex(d.pdf), size: int64(len(d.pdf))})
			if err != nil {
				return fmt.Errorf("keep %s: %w", d.number, err)
			}
			if err := set(ctx, tx, d.number, e.SHA256, d.pages); err != nil {
				return err
			}
			res.Changes["pdfs"]++
		}
		return nil
	})
}

// parallel runs fn(0..count-1) on all cores and returns the first error.
func parallel(ctx context.Context, count int, fn func(i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := 0; i < count; i++ {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fn(i)
		})
	}
	return g.Wait()
}

// writeDocuments writes the day's copies from the stored bytes (SPEC §8.4):
// invoices/<number>.pdf for the invoices issued tonight, notices/<number>.pdf for the
// notices recorded tonight, and print/bundle.pdf with print/dispatch.csv for every
// document not yet posted, in postal-code order.
func (n *Night) writeDocuments(ctx context.Context, res *Result) error {
	dir := n.DayDir()
	docs, err := store.DocumentsOn(ctx, n.Q(), n.Date)
	if err != nil {
		return err
	}
	for i, d := range docs {
		pdf, err := n.Evidence.Get(d.PDFSHA256)
		if err != nil {
			return fmt.Errorf("stored PDF of %s: %w", d.Number, err)
		}
		sub := "invoices"
		if d.IsNotice {
			sub = "notices"
		}
		if err := n.WriteFile(filepath.Join(dir, sub, d.Number+".pdf"), pdf); err != nil {
			return err
		}
		if i == 0 {
			if err := n.fault("invoicing.pdf_write"); err != nil {
				return err
			}
		}
	}
	res.Seen["documents_written"] = len(docs)
	return n.writePrint(ctx, filepath.Join(dir, "print"), res)
}
