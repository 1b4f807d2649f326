// Package ledger is the accountant's side of the books (issue 17): it reads from the
// database the facts every journal entry is derived from (invoices issued, voided and
// lapsed, credits on their 勘定日, bookings by staff, money moved, refunds, reversals),
// hands them to package accounting, and writes what it builds: the journal in the
// formats of 弥生, マネーフォワード and freee, the receivables aging and the monthly
// balance. It only reads the database; the night (package jobs) keeps the facts.
package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// The accountant's journal, aging and monthly balance (issue 17): the facts are read
// from the database in one transaction, turned into accounting.Facts here (where the
// booking door's conventions are known), and package accounting does the rest.

// ErrFutureDate is returned when a journal, aging or balance is asked for a day after
// today: its entries could still change.
var ErrFutureDate = errors.New("is after today")

// AccountingBook reads every fact and builds the journal as it stands on today (JST;
// NIGHTLY_TODAY in simulations): month-end recognition entries are only made for month
// ends before today.
func AccountingBook(ctx context.Context, env *jobs.Env, today calendar.Date) (*accounting.Book, error) {
	var f store.AcctFacts
	err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		f, err = store.AccountingFacts(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return bookOf(f, env.Config, today)
}

// bookOf builds the journal from the facts read, as it stands on today.
func bookOf(f store.AcctFacts, c config.Config, today calendar.Date) (*accounting.Book, error) {
	facts, err := accountingFacts(f, c)
	if err != nil {
		return nil, err
	}
	bk, err := accounting.Build(facts, accountingOptions(c, today))
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return bk, nil
}

// accountingOptions are the [accounting] choices that change the entries.
func accountingOptions(c config.Config, today calendar.Date) accounting.Options {
	acct := func(s string) accounting.Account {
		if s == "deposits" {
			return accounting.Deposits
		}
		return accounting.Suspense
	}
	a := c.Accounting
	return accounting.Options{Revenue: accounting.Revenue(a.Revenue), TaxRate: c.Invoice.TaxRate, Today: today,
		HoldAccounts: map[string]accounting.Account{"overpayment": acct(a.Overpayment), "voided_paid": acct(a.VoidedExcess),
			"lapsed_paid": acct(a.LapsedPaid), "after_suspension": acct(a.LapsedPaid)}}
}

// AccountingChart returns how the software of format f names accounts, tax categories and
// sub-accounts, from [accounting].
func AccountingChart(c config.Config, f accounting.Format) accounting.Chart {
	a := c.Accounting
	tax := a.Freee
	switch f {
	case accounting.FormatYayoi:
		tax = a.Yayoi
	case accounting.FormatMF:
		tax = a.MF
	}
	fee, feeTax := a.Accounts.Discount, tax.Discount
	if a.Fee == "expense" {
		fee, feeTax = a.Accounts.Expense, tax.Expense
	}
	return accounting.Chart{
		Names: map[accounting.Account]string{accounting.Receivable: a.Accounts.Receivable, accounting.Sales: a.Accounts.Sales,
			accounting.Deferred: a.Accounts.Deferred, accounting.Bank: a.Accounts.Bank, accounting.Suspense: a.Accounts.Suspense,
			accounting.Deposits: a.Accounts.Deposits, accounting.Fee: fee},
		SalesTax: tax.Sales, FeeTax: feeTax, NoTax: tax.None, TaxRate: c.Invoice.TaxRate,
		CustomerSub: a.CustomerSubAccount, BankSubs: a.BankSubAccounts, PerCustomer: a.ReceivableLines == "customer",
	}
}

// JournalOptions say which entries ExportJournal writes, and how.
type JournalOptions struct {
	Format   accounting.Format
	From, To calendar.Date
	Today    calendar.Date
	// Kinds, when not empty, writes only entries of these kinds (e.g. recognition).
	Kinds []accounting.Kind
}

// ExportResult is what ExportJournal wrote, with what the accountant should know.
type ExportResult struct {
	accounting.Stats
	Warnings []string
	Encoding accounting.Encoding // of the file written
}

// ExportJournal writes the journal entries dated o.From to o.To in o.Format to w. The
// file is checked as its importer would read it (accounting.Check) before anything is
// written, so that a file that does not balance is never handed over.
func ExportJournal(ctx context.Context, env *jobs.Env, o JournalOptions, w io.Writer) (ExportResult, error) {
	var res ExportResult
	switch {
	case o.From.IsZero() || o.To.IsZero():
		return res, errors.New("export journal: say which days (--from YYYY-MM-DD --to YYYY-MM-DD)")
	case o.To.Before(o.From):
		return res, fmt.Errorf("export journal: --to %s is before --from %s", o.To, o.From)
	case o.To.After(o.Today):
		return res, fmt.Errorf("export journal: --to %s %w (%s): the entries of a day not yet over can still change", o.To, ErrFutureDate, o.Today)
	}
	bk, err := AccountingBook(ctx, env, o.Today)
	if err != nil {
		return res, err
	}
	entries := bk.Journal(o.From, o.To)
	if len(o.Kinds) > 0 {
		entries = slices.DeleteFunc(slices.Clone(entries), func(e accounting.Entry) bool { return !slices.Contains(o.Kinds, e.Kind) })
	}
	var buf bytes.Buffer
	a, enc := env.Config.Accounting, accounting.CP932
	chart := AccountingChart(env.Config, o.Format)
	switch o.Format {
	case accounting.FormatYayoi:
		res.Stats, err = accounting.WriteYayoi(&buf, entries, chart, bk.Names)
	case accounting.FormatMF:
		enc = accounting.Encoding(a.MFEncoding)
		res.Stats, err = accounting.WriteMF(&buf, entries, chart, bk.Names, enc)
	case accounting.FormatFreee:
		enc = accounting.Encoding(a.FreeeEncoding)
		res.Stats, err = accounting.WriteFreeeDeals(&buf, bk, entries, chart, enc)
	case accounting.FormatFreeeJournal:
		enc = accounting.Encoding(a.FreeeEncoding)
		res.Stats, err = accounting.WriteFreeeJournal(&buf, entries, chart, bk.Names, enc)
	default:
		_, err = accounting.ParseFormat(string(o.Format))
	}
	if err != nil {
		return res, fmt.Errorf("export journal %s: %w", o.Format, err)
	}
	if n, err := accounting.Check(o.Format, buf.Bytes(), enc); err != nil || n != res.Entries {
		return res, fmt.Errorf("export journal %s: the file written does not read back (%d of %d entries): %v; nothing was written", o.Format, n, res.Entries, err)
	}
	res.Warnings, res.Encoding = exportWarnings(env.Config, o, entries, res, buf.Len()), enc
	_, err = w.Write(buf.Bytes())
	return res, err
}

// freeeMaxBytes is the largest file freee's 取引 import takes.
const freeeMaxBytes = 5 << 20

// exportWarnings says what the accountant should know about an export: characters
// Shift_JIS lacks, a freee file too large, fees a 返還インボイス must be issued for.
func exportWarnings(c config.Config, o JournalOptions, entries []accounting.Entry, res ExportResult, size int) []string {
	var ws []string
	if res.Replaced > 0 {
		ws = append(ws, fmt.Sprintf("Shift_JIS にない文字 %d 字を 〓 で書きました（名前を確認してください）", res.Replaced))
	}
	if o.Format == accounting.FormatFreee && size > freeeMaxBytes {
		ws = append(ws, fmt.Sprintf("ファイルが %d バイトで freee の取込上限 5 MB を超えています。期間を分けて出力してください", size))
	}
	if c.Accounting.Fee != "discount" {
		return ws
	}
	for _, e := range entries {
		for _, l := range e.Lines {
			if l.Account == accounting.Fee && l.Side == accounting.Debit && l.Amount >= 10000 {
				ws = append(ws, fmt.Sprintf("%s %s: 売上値引とした振込手数料 %s は 1 万円以上のため返還インボイスが必要です", e.Date, e.ID, wording.Yen(l.Amount)))
			}
		}
	}
	return ws
}

// Aging returns the receivables aging as of asOf (SPEC-less, issue 17): per customer,
// what is open by days past due, payments and voids after asOf not counted.
func Aging(ctx context.Context, env *jobs.Env, asOf, today calendar.Date) ([]accounting.AgingRow, error) {
	if asOf.After(today) {
		return nil, fmt.Errorf("aging as of %s: it %w (%s)", asOf, ErrFutureDate, today)
	}
	bk, err := AccountingBook(ctx, env, today)
	if err != nil {
		return nil, err
	}
	return bk.Aging(asOf), nil
}

// AgingSummary returns the totals of the aging as of asOf (期日前, 1–30日, 31–60日,
// 61–90日, 91日以上, 合計), for the web's 売掛金 page and the morning report.
func AgingSummary(ctx context.Context, env *jobs.Env, asOf calendar.Date) (accounting.AgingRow, error) {
	rows, err := Aging(ctx, env, asOf, asOf)
	if err != nil {
		return accounting.AgingRow{}, err
	}
	return accounting.AgingTotal(rows), nil
}

// Receivables returns the monthly balance (売掛金残高一覧表) of month per customer.
func Receivables(ctx context.Context, env *jobs.Env, month contract.YearMonth, today calendar.Date) ([]accounting.BalanceRow, error) {
	from := calendar.New(month.Year, month.Month, 1)
	if from.After(today) {
		return nil, fmt.Errorf("receivables of %s: the month %w (%s)", month, ErrFutureDate, today)
	}
	bk, err := AccountingBook(ctx, env, today)
	if err != nil {
		return nil, err
	}
	return bk.Receivables(from, calendar.New(month.Year, month.Month, calendar.DaysIn(month.Year, month.Month))), nil
}

// WriteAging writes aging rows with a total row as a table for Excel: CSV (UTF-8 with
// BOM) or .xlsx.
func WriteAging(w io.Writer, rows []accounting.AgingRow, asOf calendar.Date, format string) error {
	table := [][]string{{"お客様番号", "お客様名", "期日前", "1–30日", "31–60日", "61–90日", "91日以上", "合計"}}
	line := func(no, name string, r accounting.AgingRow) []string {
		return []string{accounting.NeutralizeFormula(no), accounting.NeutralizeFormula(name), itoa(r.NotDue), itoa(r.D1to30),
			itoa(r.D31to60), itoa(r.D61to90), itoa(r.D91Plus), itoa(r.Total)}
	}
	for _, r := range rows {
		table = append(table, line(r.Customer, r.Name, r))
	}
	table = append(table, line("合計", asOf.String()+" 現在", accounting.AgingTotal(rows)))
	return writeTable(w, "aging", table, format, "utf8")
}

// accountingFacts turns the stored facts into accounting.Facts: the tax of each rate,
// the day an invoice lapsed, its service for monthly revenue, a reversal's day, and how
// a hold ended for holds recorded before migration 00009.
func accountingFacts(f store.AcctFacts, c config.Config) (accounting.Facts, error) {
	ev := indexEvents(f)
	var out accounting.Facts
	rates := map[string][]store.AcctRate{}
	for _, r := range f.Rates {
		rates[r.InvoiceNumber] = append(rates[r.InvoiceNumber], r)
	}
	for _, i := range f.Invoices {
		inv, err := acctInvoice(i, rates[i.Number], ev, c)
		if err != nil {
			return out, err
		}
		out.Invoices = append(out.Invoices, inv)
	}
	reversed := map[int64]bool{}
	for _, t := range f.Transfers {
		at := t.ReversedOn
		if at.IsZero() && t.Status == store.TxnReversed {
			if at = ev.reversed[t.ID]; at.IsZero() {
				at = t.RunDate
			}
		}
		reversed[t.ID] = !at.IsZero()
		out.Transfers = append(out.Transfers, accounting.Transfer{ID: t.ID, Account: t.Account, Payer: t.Payer, ValueDate: t.ValueDate,
			RunDate: t.RunDate, Amount: t.Amount, ReversedOn: at})
	}
	for _, p := range f.Payments {
		out.Payments = append(out.Payments, accounting.Payment{ID: p.ID, TxnID: p.TxnID, Invoice: p.InvoiceNumber, Amount: p.Amount,
			Fee: p.Fee, RunDate: p.RunDate, Staff: p.RuleName == "staff", Created: p.CreatedAt, MovedTo: p.MovedTo, MovedOn: p.MovedOn,
			Reversed: p.Reversed, UnbookedOn: p.UnbookedOn})
	}
	for _, h := range f.Holds {
		out.Holds = append(out.Holds, acctHold(h, reversed[h.TxnID]))
	}
	return out, nil
}

// acctHold reads a hold; one closed before migration 00009 without a refund ended as
// the booking door ends holds: by the bank's reversal of its transfer, else by staff
// booking the transfer on the day it was closed.
func acctHold(h store.AcctHold, reversed bool) accounting.Hold {
	out := accounting.Hold{Key: h.NKey, Kind: h.Kind, TxnID: h.TxnID, Held: h.Held, OpenedOn: h.RunDate, Refund: h.Refund,
		RefundedOn: h.RefundedOn, Release: h.How, ReleasedOn: h.ReleasedOn}
	if rest, ok := strings.CutPrefix(h.NKey, "moved:"); ok {
		if i := strings.LastIndex(rest, ":"); i > 0 {
			out.MovedFrom = rest[:i]
		}
	}
	if out.Release == "" && h.Status == "closed" && h.Refund == 0 {
		switch {
		case reversed:
			out.Release = accounting.ReleaseReversed
		case h.ClosedAt.Valid:
			out.Release, out.ReleasedOn = accounting.ReleaseResolved, calendar.InTokyo(h.ClosedAt.Time)
		}
	}
	return out
}

// events are the audit rows the journal dates things by.
type events struct {
	suspended map[string][]calendar.Date // contract → the nights it was suspended
	activated map[string]calendar.Date   // contract → its first term's start
	reversed  map[int64]calendar.Date    // transfer → the night its reversal was booked
	changed   map[string]calendar.Date   // suspended contract → status_changed_on
	movedOn   map[string]calendar.Date   // invoice → the first day money moved off it
}

func indexEvents(f store.AcctFacts) events {
	ev := events{suspended: map[string][]calendar.Date{}, activated: map[string]calendar.Date{}, reversed: map[int64]calendar.Date{},
		changed: map[string]calendar.Date{}, movedOn: map[string]calendar.Date{}}
	for _, e := range f.Events {
		switch e.Action {
		case "suspended":
			ev.suspended[e.Subject] = append(ev.suspended[e.Subject], e.RunDate)
		case "activated":
			if d, err := calendar.ParseDate(e.ToValue); err == nil && ev.activated[e.Subject].IsZero() {
				ev.activated[e.Subject] = d
			}
		case "payment_reversed":
			var id int64
			if _, err := fmt.Sscanf(e.Subject, "bank_txn:%d", &id); err == nil && ev.reversed[id].IsZero() {
				ev.reversed[id] = e.RunDate
			}
		}
	}
	for _, s := range f.Suspensions {
		ev.changed[s.ContractNo] = s.ChangedOn
	}
	for _, p := range f.Payments {
		if m := ev.movedOn[p.InvoiceNumber]; !p.MovedOn.IsZero() && (m.IsZero() || p.MovedOn.Before(m)) {
			ev.movedOn[p.InvoiceNumber] = p.MovedOn
		}
	}
	return ev
}

// acctInvoice reads an invoice: its parts by tax rate with the tax of each, the day it
// was voided or lapsed, and the service its revenue is spread over.
func acctInvoice(i store.AcctInvoice, rs []store.AcctRate, ev events, c config.Config) (accounting.Invoice, error) {
	inv := accounting.Invoice{Number: i.Number, Kind: i.Kind, CustomerNo: i.CustomerNo, CustomerName: i.CustomerName,
		IssueDate: i.IssueDate, DueDate: i.DueDate, Total: i.Total, Tax: i.Tax, Replaces: i.Replaces}
	switch {
	case len(rs) == 1:
		inv.Rates = []accounting.Rate{{Rate: rs[0].TaxRate, Amount: rs[0].Amount + i.Tax, Tax: i.Tax}}
	case len(rs) > 1:
		rounding, err := invoice.ParseRounding(c.Invoice.Rounding)
		if err != nil {
			return inv, err
		}
		lines := make([]invoice.Line, len(rs))
		for k, r := range rs {
			lines[k] = invoice.Line{Description: i.Number, Amount: r.Amount, TaxRate: r.TaxRate}
		}
		taxes, _, _, _, err := invoice.Compute(lines, rounding)
		if err != nil {
			return inv, fmt.Errorf("invoice %s: %w", i.Number, err)
		}
		for _, t := range taxes {
			inv.Rates = append(inv.Rates, accounting.Rate{Rate: t.Rate, Amount: t.Subtotal + t.Tax, Tax: t.Tax})
		}
	}
	switch i.Status {
	case store.InvoiceVoid:
		inv.VoidedOn = firstDate(i.VoidedOn, ev.movedOn[i.Number], i.IssueDate)
	case store.InvoiceLapsed:
		var susp calendar.Date
		for _, d := range ev.suspended[i.ContractNo] {
			if !d.Before(i.IssueDate) && (susp.IsZero() || d.Before(susp)) {
				susp = d
			}
		}
		inv.LapsedOn = firstDate(susp, ev.movedOn[i.Number], ev.changed[i.ContractNo], i.IssueDate)
	}
	inv.ServiceStart, inv.ServiceMonths = service(i, rs, ev)
	return inv, nil
}

// service returns the first day and the monthly cycles of the service an invoice bills:
// its lines' period; for a new contract's invoice, 12 months from its activation (not
// known before it); none for a perpetual licence.
func service(i store.AcctInvoice, rs []store.AcctRate, ev events) (calendar.Date, int) {
	var start, end calendar.Date
	for _, r := range rs {
		if !r.PeriodStart.IsZero() && (start.IsZero() || r.PeriodStart.Before(start)) {
			start = r.PeriodStart
		}
		if r.PeriodEnd.After(end) {
			end = r.PeriodEnd
		}
	}
	if !start.IsZero() && !end.Before(start) {
		next := end.AddDays(1)
		return start, max((next.Year*12+int(next.Month))-(start.Year*12+int(start.Month)), 1)
	}
	if i.Kind == "new" && i.PlanKind != "perpetual" && i.PlanKind != "" {
		return ev.activated[i.ContractNo], contract.MonthsPerTerm
	}
	return calendar.Date{}, 0
}

// firstDate returns the first of ds that is not zero.
func firstDate(ds ...calendar.Date) calendar.Date {
	for _, d := range ds {
		if !d.IsZero() {
			return d
		}
	}
	return calendar.Date{}
}
