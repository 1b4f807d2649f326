package jobs

import (
	"context"
	"path/filepath"

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

// reportData reads the morning report of the night from the database: the lists of
// the day, the open work, the bank's part, the receivables and the evidence head.
func (n *Night) reportData(ctx context.Context) (report.Data, error) {
	q := n.Q()
	d := report.Data{Date: n.Date, DryRun: n.DryRun, Generated: n.Now, Timings: n.timings}
	if err := n.reportLists(ctx, q, &d); err != nil {
		return d, err
	}
	var err error
	if d.Requests, err = n.requestLines(ctx); err != nil {
		return d, err
	}
	if d.Bank, err = n.bankReport(ctx); err != nil {
		return d, err
	}
	cus, err := store.CustomersByNo(ctx, q, report.SuggestedCustomerNos(d.Exceptions))
	if err != nil {
		return d, err
	}
	d.Customers = report.CustomersOf(cus)
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
	d.Counts = report.CountsOf(d)
	d.Notes = append(d.Notes, wording.NightNotes(n.Date, n.SimulatedToday, n.Calendar.BeyondAnnounced(n.Date))...)
	return d, nil
}

// reportLists reads the report's lists of the night's date: documents to print,
// voided and short-notice invoices, open exceptions and tasks, renewals awaiting or
// overdue, the contracts changed and held.
func (n *Night) reportLists(ctx context.Context, q sqlx.ExtContext, d *report.Data) error {
	var err error
	if d.ToPrint, err = store.ToPrint(ctx, q, n.Date); err != nil {
		return err
	}
	if d.Voided, err = store.VoidedOn(ctx, q, n.Date); err != nil {
		return err
	}
	if d.ShortNotice, err = store.ShortNoticeOn(ctx, q, n.Date); err != nil {
		return err
	}
	if d.Exceptions, err = store.OpenExceptions(ctx, q); err != nil {
		return err
	}
	for _, x := range d.Exceptions {
		if x.Kind == "invariant" {
			d.Invariant = append(d.Invariant, x)
		}
	}
	if n.Evidence != nil {
		d.Originals = report.MailOriginals(d.Exceptions, n.DayDir(), n.Evidence.Path)
	}
	tasks, err := store.OpenTasks(ctx, q)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		d.Tasks = append(d.Tasks, report.TaskLine{Task: t, Overdue: t.DueDate.Before(n.Date)})
	}
	if d.Awaiting, err = store.AwaitingRenewals(ctx, q, n.Date); err != nil {
		return err
	}
	if d.Overdue, err = store.OverdueRenewals(ctx, q, n.Date); err != nil {
		return err
	}
	if d.Events, err = store.ContractEventsOn(ctx, q, n.Date); err != nil {
		return err
	}
	d.Held, err = store.HeldContracts(ctx, q, n.Date)
	return err
}
