package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

func funcs() template.FuncMap {
	f := report.Funcs()
	f["roleName"] = RoleName
	f["dict"] = func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	}
	f["when"] = f["minute"]
	f["whenNull"] = func(t sql.NullTime) template.HTML {
		if !t.Valid {
			return ""
		}
		return f["minute"].(func(time.Time) template.HTML)(t.Time)
	}
	f["short"] = func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	}
	f["nullInt"] = func(v sql.NullInt64) string {
		if !v.Valid {
			return ""
		}
		return strconv.FormatInt(v.Int64, 10)
	}
	f["list"] = func(vs ...string) []string { return vs }
	f["decidable"] = decidable
	f["evSource"] = evidenceSource
	f["nullYen"] = func(v sql.NullInt64) string {
		if !v.Valid {
			return ""
		}
		return wording.Yen(v.Int64)
	}
	return f
}

func (s *Server) today() calendar.Date { return calendar.InTokyo(s.now()) }

// decidable is whether staff may still accept or reject a request: one nobody decided
// yet that waits for the desk, or that the night accepted (staff may reject it).
func decidable(r store.Request) bool {
	switch r.Status {
	case store.RequestIncomplete, store.RequestLate, store.RequestMismatch, store.RequestUnverified, store.RequestAccepted:
		return r.DecidedBy == ""
	}
	return false
}

var mailSource = regexp.MustCompile(`^\S+ UID (\d+)$`)

// evidenceSource names where an evidence record came from without a server's folders:
// a file's own name, or the mailbox's number of a message.
func evidenceSource(kind, source string) string {
	if m := mailSource.FindStringSubmatch(source); m != nil && kind == evidence.KindMail {
		return "受信メール（番号 " + m[1] + "）"
	}
	return path.Base(filepath.ToSlash(source))
}

// nightRow is a line of the list of nights.
type nightRow struct {
	store.Run
	Changes  []string
	Duration string
}

func (s *Server) nightsPage(w http.ResponseWriter, r *http.Request) {
	runs, err := store.RecentRuns(r.Context(), s.db, 100)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	rows := make([]nightRow, 0, len(runs))
	for _, run := range runs {
		row := nightRow{Run: run}
		var steps []report.Step
		json.Unmarshal([]byte(run.Steps), &steps)
		total := map[string]int{}
		var keys []string
		for _, st := range steps {
			for k, v := range st.Changes {
				if _, ok := total[k]; !ok {
					keys = append(keys, k)
				}
				total[k] += v
			}
		}
		for _, k := range sortedKeys(keys) {
			row.Changes = append(row.Changes, fmt.Sprintf("%s %s", wording.ChangeName(k), wording.Number(int64(total[k]))))
		}
		if run.EndedAt.Valid {
			row.Duration = fmt.Sprintf("%.1f 秒", run.EndedAt.Time.Sub(run.StartedAt).Seconds())
		}
		rows = append(rows, row)
	}
	s.page(w, r, http.StatusOK, "nights", "夜間処理の一覧", map[string]any{"Runs": rows, "Today": s.today()})
}

func sortedKeys(ks []string) []string {
	out := append([]string{}, ks...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// pathDate reads the {date} of the path; it answers 404 itself when it is not a date.
func (s *Server) pathDate(w http.ResponseWriter, r *http.Request) (calendar.Date, bool) {
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("日付 %q が読めません（YYYY-MM-DD）", r.PathValue("date")))
		return d, false
	}
	return d, true
}

func (s *Server) nightPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDate(w, r)
	if !ok {
		return
	}
	rep, err := s.backend.Report(r.Context(), d)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	views, err := exceptionViews(r.Context(), s.db, rep.Exceptions)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.page(w, r, http.StatusOK, "night", "夜間処理レポート "+d.Japanese(), nightView{Data: rep, ExceptionGroups: groupViews(views), Today: s.today()})
}

// nightView is a night's report with its exceptions as the pages show them, by kind.
type nightView struct {
	report.Data
	ExceptionGroups []exceptionGroup
	Today           calendar.Date
}

// reportHTML is report.html as the report step writes it, rendered now from the database.
func (s *Server) reportHTML(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDate(w, r)
	if !ok {
		return
	}
	rep, err := s.backend.Report(r.Context(), d)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	b, err := report.Render(s.templatesDir, rep)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

// printFiles are the files of a night's print/ folder the web offers.
var printFiles = map[string]string{"bundle.pdf": "application/pdf", "dispatch.csv": "text/csv; charset=utf-8"}

func (s *Server) invoicesPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDate(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	invs, err := store.ListInvoices(ctx, s.db, store.InvoiceFilter{IssueDate: d})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	notices, err := store.ListNotices(ctx, s.db, d)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	var files []string
	for _, f := range []string{"bundle.pdf", "dispatch.csv"} {
		if st, err := os.Stat(filepath.Join(s.outDir, d.String(), "print", f)); err == nil && st.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	bundle, err := s.backend.BundleNumbers(ctx, d)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.page(w, r, http.StatusOK, "invoices", "請求書・通知 "+d.Japanese(), map[string]any{
		"Date": d, "Invoices": invs, "Notices": notices, "PrintFiles": files, "Bundle": bundle})
}

var docNumberRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,24}$`)

// documentPDF serves the stored PDF of an invoice or notice from the evidence store:
// inline, or as a download with ?download=1.
func (s *Server) documentPDF(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if number == "" {
		number = strings.TrimSuffix(r.PathValue("file"), ".pdf")
	}
	if !docNumberRE.MatchString(number) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("書類番号 %q が読めません", number))
		return
	}
	sha, ok, err := store.DocumentPDF(r.Context(), s.db, number)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if !ok || !evidence.ValidSHA256(sha) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("書類 %s の PDF はまだありません", number))
		return
	}
	s.serveEvidence(w, r, sha, number+".pdf", "application/pdf", r.URL.Query().Get("download") == "1")
}

// serveEvidence streams a stored file, checked against its SHA-256 as it is read.
func (s *Server) serveEvidence(w http.ResponseWriter, r *http.Request, sha, name, ctype string, download bool) {
	data, err := s.evidence.Get(sha) // checked against its hash before a byte is sent
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, evidence.ErrMissing) {
			status = http.StatusNotFound
		}
		s.fail(w, r, status, fmt.Errorf("証跡ファイル %s を渡せません: %w", sha, err))
		return
	}
	disp := "inline"
	if download {
		disp = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", contentDisposition(disp, name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Del("Content-Security-Policy") // the browser's PDF viewer runs under the document's own policy
	h.Set("Cache-Control", "private, no-store")
	w.Write(data)
}

// contentDisposition names a file for the browser: an ASCII fallback and the UTF-8 name.
func contentDisposition(disp, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf("%s; filename=\"%s\"; filename*=UTF-8''%s", disp, ascii, url.PathEscape(name))
}

func (s *Server) printFile(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDate(w, r)
	if !ok {
		return
	}
	name := r.PathValue("file")
	ctype, ok := printFiles[name]
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("%s はありません（bundle.pdf と dispatch.csv のみ）", name))
		return
	}
	p := filepath.Join(s.outDir, d.String(), "print", name)
	f, err := os.Open(p)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("%s の %s はありません", d, name))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	disp := "inline"
	if r.URL.Query().Get("download") == "1" || name == "dispatch.csv" {
		disp = "attachment"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("%s; filename=%q", disp, d.String()+"-"+name))
	w.Header().Del("Content-Security-Policy")
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// exceptionView is an open exception as the pages show it: what staff do about it (its
// one button), and for a transfer's exception the transfer's number and the ranked
// suggestions the night stored.
type exceptionView struct {
	store.Exception
	Step        wording.ExceptionStep
	TxnID       int64 // 0 when the exception is not about a bank transfer
	Suggestions []suggestionView
}

// suggestionView is one ranked suggestion, the value its choice sends, its customer,
// and its invoices as they are now: the night's suggestion may since have been paid by
// another transfer or voided.
type suggestionView struct {
	store.Suggestion
	Choice   string
	Customer report.Customer
	Open     int64  // what the invoices still owe now, in yen
	Status   string // the first invoice's status now when not open ("paid", "void", …)
	Void     bool   // an invoice of it is void: it cannot be chosen
}

// exceptionGroup is the open exceptions of one kind.
type exceptionGroup struct {
	Kind  string
	Items []exceptionView
}

// groupViews groups exception views by kind, in the report's order of kinds.
func groupViews(vs []exceptionView) []exceptionGroup {
	byKey := map[string]exceptionView{}
	xs := make([]store.Exception, len(vs))
	for i, v := range vs {
		byKey[v.NKey], xs[i] = v, v.Exception
	}
	var out []exceptionGroup
	for _, g := range report.ExceptionGroups(xs) {
		eg := exceptionGroup{Kind: g.Kind}
		for _, x := range g.Items {
			eg.Items = append(eg.Items, byKey[x.NKey])
		}
		out = append(out, eg)
	}
	return out
}

// exceptionViews reads the transfer and the suggestions of each exception, with the
// suggested invoices and customers as they are now. A suggestion for nothing (¥0, or
// invoices paid since) is left out.
func exceptionViews(ctx context.Context, db sqlx.ExtContext, xs []store.Exception) ([]exceptionView, error) {
	out := make([]exceptionView, len(xs))
	customers := map[string]report.Customer{}
	for i, x := range xs {
		v := exceptionView{Exception: x, Step: report.ExceptionStep(x)}
		if x.TxnID.Valid && x.NKey == "bank_txn:"+strconv.FormatInt(x.TxnID.Int64, 10) {
			v.TxnID = x.TxnID.Int64
		}
		for _, sg := range x.Suggestions {
			sv, err := suggestionOf(ctx, db, sg, customers)
			if err != nil {
				return nil, err
			}
			if len(sg.Invoices) > 0 && sg.Amount > 0 && (sv.Open > 0 || sv.Void) {
				v.Suggestions = append(v.Suggestions, sv)
			}
		}
		out[i] = v
	}
	return out, nil
}

// suggestionOf is a suggestion with its invoices and customer as they are now.
func suggestionOf(ctx context.Context, db sqlx.ExtContext, sg store.Suggestion, customers map[string]report.Customer) (suggestionView, error) {
	sv := suggestionView{Suggestion: sg, Choice: suggestionChoice(sg)}
	for _, no := range sg.Invoices {
		inv, err := store.GetInvoice(ctx, db, no)
		if store.IsNoRows(err) {
			sv.Void, sv.Status = true, "missing"
			continue
		}
		if err != nil {
			return sv, err
		}
		sv.Open += max(inv.Total-inv.Paid, 0)
		if inv.Status != store.InvoiceOpen && sv.Status == "" {
			sv.Status = inv.Status
		}
		sv.Void = sv.Void || inv.Status == store.InvoiceVoid
	}
	c, ok := customers[sg.CustomerNo]
	if !ok {
		cu, err := store.GetCustomer(ctx, db, sg.CustomerNo)
		if err != nil && !store.IsNoRows(err) {
			return sv, err
		}
		c = report.Customer{Name: cu.Name, Kana: cu.Kana}
		customers[sg.CustomerNo] = c
	}
	sv.Customer = c
	return sv, nil
}

func (s *Server) exceptionsPage(w http.ResponseWriter, r *http.Request) {
	xs, err := store.OpenExceptions(r.Context(), s.db)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	views, err := exceptionViews(r.Context(), s.db, xs)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.page(w, r, http.StatusOK, "exceptions", "対応が必要な例外", map[string]any{"Groups": groupViews(views), "Today": s.today()})
}

func (s *Server) tasksPage(w http.ResponseWriter, r *http.Request) {
	ts, err := store.OpenTasks(r.Context(), s.db)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	today := s.today()
	lines := make([]report.TaskLine, len(ts))
	for i, t := range ts {
		lines[i] = report.TaskLine{Task: t, Overdue: t.DueDate.Before(today)}
	}
	s.page(w, r, http.StatusOK, "tasks", "開通・停止の作業", lines)
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	rs, err := s.backend.Requests(r.Context(), store.RequestFilter{Status: status, Limit: 500})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.page(w, r, http.StatusOK, "requests", "受け付けたご依頼（減数・解約）", map[string]any{"Lines": rs, "Status": status})
}

// contractsPageSize is how many contracts a page of the list shows.
const contractsPageSize = 200

// contractsPage lists the contracts, searched by company name, kana, number and status,
// a page of 200 at a time.
func (s *Server) contractsPage(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	if no := strings.ToUpper(strings.TrimSpace(qs.Get("no"))); no != "" {
		http.Redirect(w, r, "/contracts/"+url.PathEscape(no), http.StatusSeeOther)
		return
	}
	q := store.ContractQuery{Text: strings.TrimSpace(qs.Get("q")), Status: qs.Get("status"), After: qs.Get("after"), Limit: contractsPageSize}
	if _, ok := wording.ContractStatuses[q.Status]; !ok {
		q.Status = ""
	}
	cs, err := store.ListContracts(r.Context(), s.db, q)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	total, err := store.CountContracts(r.Context(), s.db, q)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	page := url.Values{}
	if q.Text != "" {
		page.Set("q", q.Text)
	}
	if q.Status != "" {
		page.Set("status", q.Status)
	}
	v := map[string]any{"Contracts": cs, "Total": total, "Query": q, "Statuses": wording.ContractStatuses, "Today": s.today(),
		"First": "/contracts?" + page.Encode()}
	if len(cs) == contractsPageSize {
		page.Set("after", cs[len(cs)-1].No)
		v["Next"] = "/contracts?" + page.Encode()
	}
	s.page(w, r, http.StatusOK, "contracts", "契約", v)
}

// contractView is a contract with its history.
type contractView struct {
	Contract store.Contract
	Customer store.Customer
	Plan     store.Plan
	Audit    []store.AuditEntry
	Invoices []store.Invoice
	Payments []store.PaymentLine
	Requests []store.Request
	Today    calendar.Date
	MinHold  string
}

func (s *Server) contractPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	no := r.PathValue("no")
	c, err := store.GetContract(ctx, s.db, no)
	if store.IsNoRows(err) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("契約 %s はありません", no))
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	v := contractView{Contract: c, Today: s.today(), MinHold: s.today().String()}
	if v.Customer, err = store.GetCustomer(ctx, s.db, c.CustomerNo); err != nil && !store.IsNoRows(err) {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if v.Plan, err = store.GetPlan(ctx, s.db, c.PlanCode); err != nil && !store.IsNoRows(err) {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if v.Audit, err = store.AuditOf(ctx, s.db, no); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if v.Invoices, err = store.ListInvoices(ctx, s.db, store.InvoiceFilter{ContractNo: no}); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if v.Requests, err = store.RequestsOfContract(ctx, s.db, no); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	numbers := map[string]bool{}
	for _, inv := range v.Invoices {
		numbers[inv.Number] = true
	}
	if len(numbers) > 0 {
		// TODO(store): a payments-of-invoices query; the full list is read and filtered here.
		ps, err := store.ListPayments(ctx, s.db)
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		for _, p := range ps {
			if numbers[p.InvoiceNumber] {
				v.Payments = append(v.Payments, p)
			}
		}
	}
	s.page(w, r, http.StatusOK, "contract", "契約 "+no, v)
}

// evidenceForm is the search form and its results.
type evidenceForm struct {
	From, To, AmountMin, AmountMax, Counterparty string
	Searched                                     bool
	Error                                        string
	Rows                                         []evidence.Entry
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := evidenceForm{From: q.Get("from"), To: q.Get("to"), AmountMin: q.Get("amount_min"), AmountMax: q.Get("amount_max"), Counterparty: strings.TrimSpace(q.Get("counterparty"))}
	if len(q) > 0 {
		f.Searched = true
		eq, err := f.query()
		if err != nil {
			f.Error = err.Error()
		} else if f.Rows, err = s.backend.SearchEvidence(r.Context(), eq); err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
	}
	s.page(w, r, http.StatusOK, "evidence", "証跡の検索", f)
}

func (f evidenceForm) query() (store.EvidenceQuery, error) {
	q := store.EvidenceQuery{Counterparty: f.Counterparty, Limit: 500}
	var err error
	if f.From != "" {
		if q.From, err = calendar.ParseDate(f.From); err != nil {
			return q, fmt.Errorf("開始日: %w", err)
		}
	}
	if f.To != "" {
		if q.To, err = calendar.ParseDate(f.To); err != nil {
			return q, fmt.Errorf("終了日: %w", err)
		}
	}
	for _, a := range []struct {
		s, label string
		to       **int64
	}{{f.AmountMin, "金額（以上）", &q.AmountMin}, {f.AmountMax, "金額（以下）", &q.AmountMax}} {
		if a.s == "" {
			continue
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimPrefix(a.s, "¥"), ",", ""), 10, 64)
		if err != nil {
			return q, fmt.Errorf("%s: %q は円の整数ではありません", a.label, a.s)
		}
		*a.to = &v
	}
	return q, nil
}

func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	if !evidence.ValidSHA256(sha) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("%q は SHA-256 ではありません", sha))
		return
	}
	row, err := store.EvidenceBySHA(r.Context(), s.db, sha)
	if store.IsNoRows(err) {
		s.fail(w, r, http.StatusNotFound, fmt.Errorf("証跡 %s は台帳にありません", sha))
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	name := path.Base(filepath.ToSlash(row.Source))
	if name == "." || name == "/" || name == "" {
		name = sha
	}
	if row.Kind == evidence.KindMail && path.Ext(name) != ".eml" {
		name = strings.ReplaceAll(name, " ", "_") + ".eml"
	}
	v := viewerOf(r)
	s.log.Info("web: evidence download", "sha256", sha, "user", v.user.Name)
	s.serveEvidence(w, r, sha, name, "application/octet-stream", true)
}
