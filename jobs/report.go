package jobs

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/csvsafe"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
)

// ReportData is everything the morning report shows (SPEC §9.2). It is read from the
// database for the run date, so that a rerun writes the same report.
type ReportData struct {
	Date    calendar.Date
	DryRun  bool
	ToPrint []store.PrintItem
	// Voided are the invoices voided tonight: their printed copies must not be posted.
	Voided []store.VoidedInvoice
	// ShortNotice are the renewals issued tonight with a shortened notice (SPEC §4.3).
	ShortNotice []store.Invoice
	Exceptions  []store.Exception
	// Invariant are the open `invariant` exceptions: the money check of SPEC §4.8 failed
	// and the report leads with them in red.
	Invariant []store.Exception
	Tasks     []TaskLine
	Overdue   []store.OverdueRenewal
	// Awaiting are contracts past their term end whose late renewal is not yet due
	// (SPEC §4.6): active until the day after its due date.
	Awaiting []store.OverdueRenewal
	Events   []store.ContractEvent
	Held     []store.HeldContract
	// Originals link the exceptions of messages the intake could not read to their
	// original kept as evidence, by exception key (relative to the report's folder).
	Originals map[string]string
	// Requests are the reduction and cancellation requests received tonight and those
	// still awaiting a reply, overdue replies first (SPEC §9.2).
	Requests []RequestLine
	// Bank is the bank feed of the night: payments by rule, fees, files, exceptions.
	Bank      BankReport
	Evidence  EvidenceHead
	Counts    []Count
	Notes     []string
	Timings   []StepSummary
	Generated time.Time
}

// TaskLine is a provisioning task with whether its deadline has passed.
type TaskLine struct {
	store.Task
	Overdue bool
}

// EvidenceHead is the ledger's head hash and row count, printed each morning so that
// cutting rows off the end is caught (SPEC §7.5).
type EvidenceHead struct {
	Hash  string
	Count int64
}

// Count is one line of the night's counts.
type Count struct {
	Label string
	N     int
}

// Report writes the morning report of the night: report.html, exceptions.csv (UTF-8
// with BOM for Japanese Excel) under the day folder (SPEC §9.1).
func Report(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	data, err := n.reportData(ctx)
	if err != nil {
		return res, err
	}
	html, err := renderReport(n.Config.TemplatesDir, data)
	if err != nil {
		return res, err
	}
	if err := n.fault("report.before_write"); err != nil {
		return res, err
	}
	dir := n.DayDir()
	if err := n.WriteFile(filepath.Join(dir, "report.html"), html); err != nil {
		return res, err
	}
	if err := n.WriteFile(filepath.Join(dir, "exceptions.csv"), exceptionsCSV(data.Exceptions)); err != nil {
		return res, err
	}
	res.Seen["exceptions"] = len(data.Exceptions)
	res.Seen["tasks"] = len(data.Tasks)
	res.Seen["overdue"] = len(data.Overdue)
	res.Seen["to_print"] = len(data.ToPrint)
	n.progress("report: %s", filepath.Join(dir, "report.html"))
	return res, nil
}

func (n *Night) reportData(ctx context.Context) (ReportData, error) {
	q := n.Q()
	d := ReportData{Date: n.Date, DryRun: n.DryRun, Generated: n.Now, Timings: n.timings}
	var err error
	if d.ToPrint, err = store.ToPrint(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.Voided, err = store.VoidedOn(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.ShortNotice, err = store.ShortNoticeOn(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.Exceptions, err = store.OpenExceptions(ctx, q); err != nil {
		return d, err
	}
	for _, x := range d.Exceptions {
		if x.Kind == "invariant" {
			d.Invariant = append(d.Invariant, x)
		}
	}
	d.Originals = n.mailOriginals(d.Exceptions)
	tasks, err := store.OpenTasks(ctx, q)
	if err != nil {
		return d, err
	}
	for _, t := range tasks {
		d.Tasks = append(d.Tasks, TaskLine{Task: t, Overdue: t.DueDate.Before(n.Date)})
	}
	if d.Awaiting, err = store.AwaitingRenewals(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.Overdue, err = store.OverdueRenewals(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.Events, err = store.ContractEventsOn(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.Held, err = store.HeldContracts(ctx, q, n.Date); err != nil {
		return d, err
	}
	if d.Requests, err = n.requestLines(ctx); err != nil {
		return d, err
	}
	if d.Bank, err = n.bankReport(ctx); err != nil {
		return d, err
	}
	head, ok, err := store.EvidenceHead(ctx, q)
	if err != nil {
		return d, err
	}
	if ok {
		d.Evidence = EvidenceHead{Hash: head.Hash, Count: head.Seq}
	}
	count := map[string]int{}
	for _, e := range d.Events {
		count[e.Action]++
	}
	d.Counts = []Count{
		{"停止した契約", count["suspended"]},
		{"終了した契約", count["ended"]},
		{"更新した契約", count["rolled_over"]},
		{"支払期限超過の更新請求書", len(d.Overdue)},
		{"印刷・郵送待ちの書類", len(d.ToPrint)},
		{"未処理の例外", len(d.Exceptions)},
		{"未完了の作業", len(d.Tasks)},
	}
	if !n.SimulatedToday.IsZero() {
		d.Notes = append(d.Notes, fmt.Sprintf("シミュレーション: NIGHTLY_TODAY=%s により、%s を「今日」として実行しました（実際の日付ではありません）。",
			n.SimulatedToday, n.SimulatedToday.Japanese()))
	}
	if n.Calendar.BeyondAnnounced(n.Date) {
		d.Notes = append(d.Notes, fmt.Sprintf("%d年の祝日は内閣府の公表前のため、法律の規則から計算しています。公表後に確認してください。", n.Date.Year))
	}
	return d, nil
}

// mailOriginals links each exception about an unreadable message to the original in
// the evidence store, relative to the day folder the report is written in.
func (n *Night) mailOriginals(xs []store.Exception) map[string]string {
	out := map[string]string{}
	if n.Evidence == nil {
		return out
	}
	day, err := filepath.Abs(n.DayDir())
	if err != nil {
		return out
	}
	for _, x := range xs {
		sha, ok := strings.CutPrefix(x.NKey, x.Kind+":")
		if !ok || x.Kind != ExceptionMailMalformed && x.Kind != ExceptionMailTooLarge {
			continue
		}
		p := n.Evidence.Path(sha)
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			if rel, err := filepath.Rel(day, abs); err == nil {
				out[x.NKey] = filepath.ToSlash(rel)
			}
		}
	}
	return out
}

var reportFuncs = template.FuncMap{
	"yen": Yen,
	"jdate": func(d calendar.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.Japanese()
	},
	"jst":  func(t time.Time) string { return t.In(calendar.Tokyo).Format("2006-01-02 15:04:05 JST") },
	"secs": func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
	"actionName": func(a string) string {
		return map[string]string{"suspended": "停止", "ended": "終了", "rolled_over": "更新"}[a]
	},
	"kindName": DocumentKindName,
	"docHref":  docHref,
	"exKind":   ExceptionKindName,
	"ruleName": bankfeed.RuleNameJapanese,
	"statusName": func(s string) string {
		if n, ok := map[string]string{"active": "有効", "suspended": "停止", "ended": "終了", "pending": "開通待ち"}[s]; ok {
			return n
		}
		return s
	},
	"taskName": func(k string) string {
		return map[string]string{"activate": "開通", "add_seats": "シート追加", "stop_service": "サービス停止"}[k]
	},
}

// docHref is the link from the report of day to a document's PDF: in this day's folder,
// or in the folder of the night that issued it (SPEC §8.4).
func docHref(it store.PrintItem, day calendar.Date) string {
	sub := "invoices"
	if it.Kind == "reminder" || it.Kind == "cancellation" {
		sub = "notices"
	}
	p := sub + "/" + it.Number + ".pdf"
	if it.IssueDate != day {
		p = "../" + it.IssueDate.String() + "/" + p
	}
	return p
}

// DocumentKindName is the Japanese name of an invoice or notice kind.
func DocumentKindName(k string) string {
	switch k {
	case "new":
		return "請求書(新規)"
	case "addition":
		return "請求書(追加)"
	case "renewal":
		return "請求書(更新)"
	case "reminder":
		return "お支払いのお願い"
	case "cancellation":
		return "請求書取消のお知らせ"
	}
	return k
}

func renderReport(templatesDir string, d ReportData) ([]byte, error) {
	src, err := templatesReadFile(templatesDir, "defaults/report.html.tmpl")
	if err != nil {
		return nil, err
	}
	t, err := template.New("report").Funcs(reportFuncs).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return b.Bytes(), nil
}

func templatesReadFile(dir, name string) ([]byte, error) {
	b, err := fs.ReadFile(templates.Open(dir), name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b, nil
}

// exceptionsCSV writes the open exceptions as CSV in UTF-8 with a BOM, which Japanese
// Excel opens correctly (SPEC §9.1).
func exceptionsCSV(xs []store.Exception) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csvsafe.NewWriter(&b) // a subject or message is never taken for a formula
	w.UseCRLF = true
	w.Write([]string{"発生日", "種類", "対象", "内容", "対応", "候補"})
	for _, x := range xs {
		sugg, _ := x.Suggestions.Value()
		w.Write([]string{x.RunDate.String(), ExceptionKindName(x.Kind), x.Subject, x.Message, x.Action, sugg.(string)})
	}
	w.Flush()
	return b.Bytes()
}

// ExceptionKindName is the Japanese name of an exception kind.
func ExceptionKindName(k string) string {
	names := map[string]string{
		"no_renewal_invoice":  "更新請求書なし",
		"unknown":             "振込人不明",
		"partial":             "一部入金",
		"overpayment":         "過入金",
		"ambiguous":           "入金先が特定できない",
		"bank_file_rejected":  "銀行ファイル不正",
		"after_suspension":    "停止後の入金",
		"review":              "入金の確認（名前の類似）",
		"reversal_unmatched":  "取消の元入金なし",
		"addition_late":       "追加シートの開始遅れ",
		"order_file_rejected": "注文ファイル不正",
		"order_invalid":       "注文を請求できない",
		"renewal_invalid":     "更新請求書を発行できない",
		"no_price":            "価格なし",
		"voided_paid":         "取消した請求書に入金あり",
		"mail_malformed":      "メール解析不能",
		"inbox_skipped":       "受信フォルダの読まない項目",
		"mail_too_large":      "メールが上限超過",
	}
	if n, ok := names[k]; ok {
		return n
	}
	return k
}

// Yen formats an amount as ¥1,234,567.
func Yen(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-¥" + b.String()
	}
	return "¥" + b.String()
}
