package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// The 売掛金 page (issue 17 point 6): the receivables aging as of a day with a link to
// each customer's open invoices, the monthly balance (売掛金残高一覧表) of a month, and
// that month's journal for 弥生, マネーフォワード and freee — the accountant's commands
// (`nightly aging`, `nightly receivables`, `nightly export journal`) in the browser,
// read through Books. Every logged-in user may read it: it changes nothing.

func (s *Server) receivablesRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /receivables", s.receivablesPage)
	m.HandleFunc("GET /receivables/customers/{no}", s.receivablesCustomerPage)
	m.HandleFunc("GET /receivables/journal", s.journalDownload)
}

// receivablesView is the 売掛金 page.
type receivablesView struct {
	AsOf, Today calendar.Date
	// Month is the month of the balance and the downloads; ThisMonth the latest one.
	Month, ThisMonth contract.YearMonth
	// From and To are the month's days the balance and the downloads cover: up to today
	// for the month not yet over (Partial).
	From, To calendar.Date
	Partial  bool
	Aging    []agingLine
	Total    agingLine
	// Journal is the journal's 売掛金 balance through AsOf; Invoices is what the open
	// invoices owe by the invoices table, read when AsOf is today (HasInvoices). Both
	// must equal the aging's total.
	Journal     int64
	Invoices    int64
	HasInvoices bool
	Buckets     []string // labels of the aging columns
	Columns     []string // labels of the balance columns
	Balance     []accounting.BalanceRow
	BalanceSum  accounting.BalanceRow
	Formats     []journalFormat
	// Warnings are what `nightly export journal` would say of the month's 弥生 file
	// (characters Shift_JIS lacks, fees that need a 返還インボイス, or why it cannot be
	// written), shown before anything is downloaded.
	Warnings []string
}

// agingLine is a customer's line of the aging, with its buckets labelled.
type agingLine struct {
	accounting.AgingRow
	Cells []report.AgingCell
}

// Agrees reports whether the journal and the invoices say what the aging says.
func (v receivablesView) Agrees() bool {
	return v.Journal == v.Total.Total && (!v.HasInvoices || v.Invoices == v.Total.Total)
}

// journalFormat is a download link of the month's journal.
type journalFormat struct {
	Format      accounting.Format
	Label, Note string
}

// receivablesDates reads the as_of (default today) and month (default as_of's month) of
// the query; a day after today or a month after this one is refused, as the commands
// refuse them.
func (s *Server) receivablesDates(r *http.Request) (asOf calendar.Date, month contract.YearMonth, err error) {
	today := s.today()
	asOf = today
	q := r.URL.Query()
	if v := strings.TrimSpace(q.Get("as_of")); v != "" {
		if asOf, err = calendar.ParseDate(v); err != nil {
			return asOf, month, fmt.Errorf("基準日 %q が読めません（YYYY-MM-DD）", v)
		}
		if asOf.After(today) {
			return asOf, month, fmt.Errorf("基準日 %s は今日（%s）より後です。今日までの日を指定してください", wording.Date(asOf), wording.Date(today))
		}
	}
	month = contract.YearMonthOf(asOf)
	if v := strings.TrimSpace(q.Get("month")); v != "" {
		if month, err = contract.ParseYearMonth(v); err != nil {
			return asOf, month, fmt.Errorf("月 %q が読めません（YYYY-MM）", v)
		}
		if monthStart(month).After(today) {
			return asOf, month, fmt.Errorf("%s はまだ始まっていません。今月までの月を指定してください", month.Japanese())
		}
	}
	return asOf, month, nil
}

func monthStart(m contract.YearMonth) calendar.Date { return calendar.New(m.Year, m.Month, 1) }

// monthDays returns the month's first day and its last day up to today, and whether the
// month is not over yet.
func monthDays(m contract.YearMonth, today calendar.Date) (from, to calendar.Date, partial bool) {
	from = monthStart(m)
	to = calendar.New(m.Year, m.Month, calendar.DaysIn(m.Year, m.Month))
	if !to.Before(today) {
		return from, today, true
	}
	return from, to, false
}

var errNoBooks = errors.New("売掛金の集計はこのサーバーでは使えません（Books が設定されていません）")

// book reads the journal as it stands today, or says that the accountant's side is not
// wired (a server built without Books).
func (s *Server) book(ctx context.Context) (*accounting.Book, error) {
	if s.books == nil {
		return nil, errNoBooks
	}
	return s.books.AccountingBook(ctx, s.today())
}

func (s *Server) receivablesPage(w http.ResponseWriter, r *http.Request) {
	asOf, month, err := s.receivablesDates(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	bk, err := s.book(ctx)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	today := s.today()
	v := receivablesView{AsOf: asOf, Today: today, Month: month, ThisMonth: contract.YearMonthOf(today), Journal: bk.ReceivableBalance(asOf)}
	v.From, v.To, v.Partial = monthDays(month, today)
	rows := bk.Aging(asOf)
	for _, row := range rows {
		v.Aging = append(v.Aging, agingLine{AgingRow: row, Cells: report.AgingCells(row)})
	}
	total := accounting.AgingTotal(rows)
	v.Total = agingLine{AgingRow: total, Cells: report.AgingCells(total)}
	if asOf == today {
		if v.Invoices, err = openOwed(ctx, s.db); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		v.HasInvoices = true
	}
	for _, k := range wording.AgingKeys {
		v.Buckets = append(v.Buckets, wording.AgingBuckets.Name(k))
	}
	for _, k := range wording.BalanceKeys {
		v.Columns = append(v.Columns, wording.BalanceColumns.Name(k))
	}
	v.Balance = bk.Receivables(v.From, v.To)
	v.BalanceSum = accounting.BalanceTotal(v.Balance)
	if _, v.Warnings, err = s.books.ExportJournal(ctx, accounting.FormatYayoi, v.From, v.To, today, io.Discard); err != nil {
		v.Warnings = append(v.Warnings, "この月の仕訳を出力できません: "+err.Error())
	}
	for _, f := range accounting.Formats {
		v.Formats = append(v.Formats, journalFormat{Format: f, Label: wording.JournalFormats.Name(string(f)),
			Note: wording.JournalFormatNotes.Name(string(f))})
	}
	s.page(w, r, http.StatusOK, "receivables", "売掛金", v)
}

// openOwed is what the open and partially paid invoices owe now by the invoices table
// (total − paid): the booking door's side, independent of the journal.
func openOwed(ctx context.Context, db *store.DB) (int64, error) {
	var sum int64
	for _, st := range []string{store.InvoiceOpen, store.InvoicePartiallyPaid} {
		invs, err := store.ListInvoices(ctx, db, store.InvoiceFilter{Status: st})
		if err != nil {
			return 0, err
		}
		for _, i := range invs {
			sum += i.Total - i.Paid
		}
	}
	return sum, nil
}

// openInvoiceLine is an invoice open as of the day, with the invoice as it is now.
type openInvoiceLine struct {
	accounting.OpenInvoice
	Bucket string // the aging column it falls in
	Inv    store.Invoice
	Known  bool // the invoice is in the invoices table
}

func (s *Server) receivablesCustomerPage(w http.ResponseWriter, r *http.Request) {
	asOf, _, err := s.receivablesDates(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	no := r.PathValue("no")
	cust, err := store.GetCustomer(ctx, s.db, no)
	if store.IsNoRows(err) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("お客様 %s はいません", no))
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	bk, err := s.book(ctx)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	invs, err := store.ListInvoices(ctx, s.db, store.InvoiceFilter{CustomerNo: no})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	now := map[string]store.Invoice{}
	for _, i := range invs {
		now[i.Number] = i
	}
	var lines []openInvoiceLine
	var total int64
	for _, o := range bk.OpenInvoices(asOf) {
		if o.Customer != no {
			continue
		}
		inv, ok := now[o.Number]
		lines = append(lines, openInvoiceLine{OpenInvoice: o, Bucket: bucketOf(o.DaysPastDue), Inv: inv, Known: ok})
		total += o.Open
	}
	s.page(w, r, http.StatusOK, "receivables_customer", "売掛金 "+cust.Name, map[string]any{
		"Customer": cust, "AsOf": asOf, "Today": s.today(), "Lines": lines, "Total": total})
}

// bucketOf names the aging column of an invoice days past its due date.
func bucketOf(days int) string {
	key := "d91_plus"
	switch {
	case days <= 0:
		key = "not_due"
	case days <= 30:
		key = "d1_30"
	case days <= 60:
		key = "d31_60"
	case days <= 90:
		key = "d61_90"
	}
	return wording.AgingBuckets.Name(key)
}

// journalDownload sends the journal of a month (up to today) in the format of an
// accounting software, as `nightly export journal` writes it.
func (s *Server) journalDownload(w http.ResponseWriter, r *http.Request) {
	_, month, err := s.receivablesDates(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	f, err := accounting.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, fmt.Errorf("形式 %q はありません（yayoi, mf, freee, freee-journal）", r.URL.Query().Get("format")))
		return
	}
	if s.books == nil {
		s.fail(w, r, http.StatusInternalServerError, errNoBooks)
		return
	}
	today := s.today()
	from, to, _ := monthDays(month, today)
	var buf bytes.Buffer
	enc, warnings, err := s.books.ExportJournal(r.Context(), f, from, to, today, &buf)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, fmt.Errorf("%s の仕訳（%s〜%s）を出力できません: %w", wording.JournalFormats.Name(string(f)),
			wording.Date(from), wording.Date(to), err))
		return
	}
	user := ""
	if v := viewerOf(r); v != nil && v.user != nil {
		user = v.user.Name
	}
	s.log.Info("web: journal download", "format", string(f), "from", from.String(), "to", to.String(), "bytes", buf.Len(), "user", user)
	for _, m := range warnings {
		s.log.Warn("web: journal download", "format", string(f), "from", from.String(), "to", to.String(), "warning", m)
	}
	charset := "Shift_JIS"
	if enc == accounting.UTF8 {
		charset = "utf-8"
	}
	name := fmt.Sprintf("journal-%s-%s-%s.csv", f, compact(from), compact(to))
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset="+charset)
	h.Set("Content-Disposition", contentDisposition("attachment", name))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// compact writes d as YYYYMMDD, for file names.
func compact(d calendar.Date) string { return strings.ReplaceAll(d.String(), "-", "") }
