package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// Report writes the morning report of the night: report.html, exceptions.csv (UTF-8
// with BOM for Japanese Excel) under the day folder (SPEC §9.1).
func Report(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	data, err := n.reportData(ctx)
	if err != nil {
		return res, err
	}
	html, err := report.Render(n.Config.TemplatesDir, data)
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
	if err := n.WriteFile(filepath.Join(dir, "exceptions.csv"), report.ExceptionsCSV(data.Exceptions)); err != nil {
		return res, err
	}
	res.Seen["exceptions"] = len(data.Exceptions)
	res.Seen["tasks"] = len(data.Tasks)
	res.Seen["overdue"] = len(data.Overdue)
	res.Seen["to_print"] = len(data.ToPrint)
	n.progress("report: %s", filepath.Join(dir, "report.html"))
	return res, nil
}

func (n *Night) reportData(ctx context.Context) (report.Data, error) {
	q := n.Q()
	d := report.Data{Date: n.Date, DryRun: n.DryRun, Generated: n.Now, Timings: n.timings}
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
		d.Tasks = append(d.Tasks, report.TaskLine{Task: t, Overdue: t.DueDate.Before(n.Date)})
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
	if d.Customers, err = suggestedCustomers(ctx, q, d.Exceptions); err != nil {
		return d, err
	}
	if n.ReceivablesAging != nil {
		// The accountant's figures never keep the morning report from being written.
		if rows, err := n.ReceivablesAging(ctx, n.Env, n.outer, n.Date); err != nil {
			n.Log.Warn("report: the receivables aging could not be read", "date", n.Date.String(), "error", err.Error())
			d.Notes = append(d.Notes, "売掛金年齢表を読めませんでした（画面の「売掛金」で確認してください）: "+err.Error())
		} else {
			d.Aging = report.NewAging(n.Date, rows)
		}
	}
	head, ok, err := store.EvidenceHead(ctx, q)
	if err != nil {
		return d, err
	}
	if ok {
		d.Evidence = report.EvidenceHead{Hash: head.Hash, Count: head.Seq}
	}
	count := map[string]int{}
	for _, e := range d.Events {
		count[e.Action]++
	}
	d.Counts = []report.Count{
		{Label: "停止した契約", N: count["suspended"]},
		{Label: "終了した契約", N: count["ended"]},
		{Label: "更新した契約", N: count["rolled_over"]},
		{Label: "支払期限超過の更新請求書", N: len(d.Overdue)},
		{Label: "印刷・郵送待ちの書類", N: len(d.ToPrint)},
		{Label: "未処理の例外", N: len(d.Exceptions)},
		{Label: "未完了の作業", N: len(d.Tasks)},
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
		if !ok || x.Kind != wording.ExceptionMailMalformed && x.Kind != wording.ExceptionMailTooLarge {
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

// suggestedCustomers are the customers the exceptions' suggestions name.
func suggestedCustomers(ctx context.Context, q sqlx.ExtContext, xs []store.Exception) (map[string]report.Customer, error) {
	out := map[string]report.Customer{}
	for _, x := range xs {
		for _, s := range x.Suggestions {
			if _, ok := out[s.CustomerNo]; ok || s.CustomerNo == "" {
				continue
			}
			c, err := store.GetCustomer(ctx, q, s.CustomerNo)
			if err != nil && !store.IsNoRows(err) {
				return nil, err
			}
			out[s.CustomerNo] = report.Customer{Name: c.Name, Kana: c.Kana}
		}
	}
	return out, nil
}
