package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

func cmdInvoices(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("invoices"))
	asJSON := fs.Bool("json", false, "list, show: JSON (list: one object per invoice)")
	date := fs.String("date", "", "list: only invoices issued on this date (YYYY-MM-DD)")
	file := fs.String("file", "", "render, preview: write the PDF to this file")
	why := fs.String("why", "", "void: the reason, kept in the audit trail")
	reissue := fs.Bool("reissue", false, "void: let the next night void it and issue the corrected invoice that replaces it")
	bundle := fs.String("bundle", "", "posted: every document of the print bundle of this date (YYYY-MM-DD)")
	contractNo := fs.String("contract", "", "preview: the contract whose next renewal invoice to show")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		switch {
		case pos[0] == "list" && len(pos) == 1:
			f := store.InvoiceFilter{}
			if *date != "" {
				var err error
				if f.IssueDate, err = calendar.ParseDate(*date); err != nil {
					return a.fail(fmt.Errorf("--date: %w", err))
				}
			}
			return a.listInvoices(ctx, env, f, *asJSON)
		case pos[0] == "show" && len(pos) == 2:
			return a.showInvoice(ctx, env, pos[1], *asJSON)
		case pos[0] == "render" && len(pos) == 2:
			return a.renderInvoice(ctx, env, pos[1], *file)
		case pos[0] == "void" && len(pos) == 2:
			return a.voidInvoice(ctx, env, pos[1], *why, *reissue)
		case pos[0] == "posted" && (len(pos) > 1 || *bundle != ""):
			return a.markPosted(ctx, env, pos[1:], *bundle)
		case pos[0] == "preview" && len(pos) == 1:
			return a.previewRenewal(ctx, env, *contractNo, *file)
		}
		fs.Usage()
		return exitUsage
	})
}

// renderInvoice writes the stored PDF of invoice number to file.
func (a *app) renderInvoice(ctx context.Context, env *jobs.Env, number, file string) int {
	if file == "" {
		return a.fail(fmt.Errorf("render %s: say where to write the PDF (--file FILE)", number))
	}
	pdf, err := jobs.StoredPDF(ctx, env, number)
	if err != nil {
		return a.fail(err)
	}
	if err := env.WriteFile(file, pdf); err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%s: %s (%d bytes, the stored copy)\n", number, file, len(pdf))
	return exitOK
}

// voidInvoice voids invoice number now, or with reissue marks it for the next night to
// void and replace.
func (a *app) voidInvoice(ctx context.Context, env *jobs.Env, number, why string, reissue bool) int {
	if err := jobs.VoidInvoice(ctx, env, number, why, reissue); err != nil {
		return a.fail(err)
	}
	if reissue {
		fmt.Fprintf(a.stdout, "%s: marked; the next night voids it and issues the invoice that replaces it\n", number)
	} else {
		fmt.Fprintf(a.stdout, "%s: void (%s)\n", number, why)
	}
	return exitOK
}

// markPosted marks the documents numbered, and those left in the print bundle of the
// date bundle names (when not ""), as posted.
func (a *app) markPosted(ctx context.Context, env *jobs.Env, numbers []string, bundle string) int {
	if bundle != "" {
		d, err := calendar.ParseDate(bundle)
		if err != nil {
			return a.fail(fmt.Errorf("--bundle: %w", err))
		}
		ns, err := jobs.BundleNumbers(ctx, env, d)
		if err != nil {
			return a.fail(err)
		}
		numbers = append(numbers, ns...)
		if len(numbers) == 0 {
			fmt.Fprintf(a.stdout, "the bundle of %s holds nothing left to post\n", d)
			return exitOK
		}
	}
	n, err := jobs.MarkPosted(ctx, env, numbers)
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%d document(s) marked posted (%d named)\n", n, len(numbers))
	return exitOK
}

// previewRenewal writes the next renewal invoice of contract contractNo to file.
func (a *app) previewRenewal(ctx context.Context, env *jobs.Env, contractNo, file string) int {
	if contractNo == "" || file == "" {
		return a.fail(fmt.Errorf("preview: name the contract and the file (--contract NUMBER --file FILE)"))
	}
	pdf, err := jobs.PreviewRenewal(ctx, env, contractNo)
	if err != nil {
		return a.fail(err)
	}
	if err := env.WriteFile(file, pdf); err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "%s: preview of the next renewal invoice in %s\n", contractNo, file)
	return exitOK
}

// invoiceJSON is the line format of `invoices list --json` and `invoices show --json`.
type invoiceJSON struct {
	Number    string     `json:"number"`
	Kind      string     `json:"kind"`
	Contract  string     `json:"contract"`
	Order     string     `json:"order"`
	IssueDate string     `json:"issue_date"`
	DueDate   string     `json:"due_date"`
	Subtotal  int64      `json:"subtotal"`
	Tax       int64      `json:"tax"`
	Total     int64      `json:"total"`
	Paid      int64      `json:"paid"` // yen applied, the fees customers deducted included
	Seats     int        `json:"seats"`
	Status    string     `json:"status"`
	Replaces  string     `json:"replaces"`
	Lines     []lineJSON `json:"lines,omitempty"`
}

type lineJSON struct {
	Description string `json:"description"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
	Quantity    int    `json:"quantity"`
	UnitPrice   int64  `json:"unit_price"`
	Amount      int64  `json:"amount"`
	TaxRate     int    `json:"tax_rate"`
}

func invoiceJSONOf(i store.Invoice) invoiceJSON {
	return invoiceJSON{Number: i.Number, Kind: i.Kind, Contract: i.ContractNo, Order: i.OrderNo, IssueDate: i.IssueDate.String(),
		DueDate: i.DueDate.String(), Subtotal: i.Subtotal, Tax: i.Tax, Total: i.Total, Paid: i.Paid, Seats: i.Seats, Status: i.Status,
		Replaces: i.Replaces}
}

func (a *app) listInvoices(ctx context.Context, env *jobs.Env, f store.InvoiceFilter, asJSON bool) int {
	invs, err := store.ListInvoices(ctx, env.DB, f)
	if err != nil {
		return a.fail(err)
	}
	for _, i := range invs {
		if asJSON {
			b, _ := json.Marshal(invoiceJSONOf(i))
			fmt.Fprintln(a.stdout, string(b))
			continue
		}
		fmt.Fprintf(a.stdout, "%s  %-8s %-10s %s  期限 %s  %12s  %s%s\n", i.Number, i.Kind, i.ContractNo, i.IssueDate, i.DueDate,
			wording.Yen(i.Total), i.Status, replacesNote(i.Replaces))
	}
	return exitOK
}

func replacesNote(r string) string {
	if r == "" {
		return ""
	}
	return "  (" + r + " の差し替え)"
}

func (a *app) showInvoice(ctx context.Context, env *jobs.Env, number string, asJSON bool) int {
	inv, lines, err := jobs.InvoiceWithLines(ctx, env, number)
	if err != nil {
		return a.fail(err)
	}
	if asJSON {
		j := invoiceJSONOf(inv)
		for _, l := range lines {
			j.Lines = append(j.Lines, lineJSON{l.Description, l.PeriodStart.String(), l.PeriodEnd.String(), l.Quantity, l.UnitPrice, l.Amount, l.TaxRate})
		}
		b, _ := json.Marshal(j)
		fmt.Fprintln(a.stdout, string(b))
		return exitOK
	}
	w := a.stdout
	fmt.Fprintf(w, "請求書番号   %s（%s、版 %d）\n宛先         %s %s\n契約         %s\n注文         %s\n発行日       %s\n支払期限     %s\n状態         %s\n",
		inv.Number, wording.DocumentKinds.Name(inv.Kind), inv.Revision, inv.CustomerNo, inv.ToName, inv.ContractNo, inv.OrderNo,
		inv.IssueDate, inv.DueDate, inv.Status)
	if inv.Replaces != "" {
		fmt.Fprintf(w, "差し替え元   %s\n", inv.Replaces)
	}
	if inv.Status == store.InvoiceVoid {
		fmt.Fprintf(w, "取消         %s（%s）\n", inv.VoidedOn, inv.VoidReason)
	}
	fmt.Fprintln(w, "\n明細:")
	for _, l := range lines {
		period := ""
		if !l.PeriodStart.IsZero() {
			period = fmt.Sprintf("  %s〜%s", l.PeriodStart, l.PeriodEnd)
		}
		fmt.Fprintf(w, "  %d. %s%s  %d × %s = %s（税率 %d%%）\n", l.LineNo, l.Description, period, l.Quantity, wording.Yen(l.UnitPrice),
			wording.Yen(l.Amount), l.TaxRate)
	}
	fmt.Fprintf(w, "\n小計         %s\n消費税       %s\n合計         %s\n入金済       %s\n", wording.Yen(inv.Subtotal), wording.Yen(inv.Tax),
		wording.Yen(inv.Total), wording.Yen(inv.Paid))
	return exitOK
}
