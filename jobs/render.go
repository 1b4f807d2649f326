package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/issuing"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
)

// printable returns the value an issued invoice is printed from: the doc recorded when
// it was issued or, for an invoice issued before docs were recorded, one rebuilt from
// its stored rows, which must give the stored totals.
func printable(ctx context.Context, q sqlx.ExtContext, row store.Invoice, r invoice.Rounding) (invoice.Invoice, error) {
	doc, ok, err := store.InvoiceDoc(ctx, q, row.Number)
	if err != nil {
		return invoice.Invoice{}, err
	}
	if ok {
		return issuing.FromDoc(row, doc)
	}
	ls, err := store.InvoiceLines(ctx, q, row.Number)
	if err != nil {
		return invoice.Invoice{}, err
	}
	return issuing.FromRows(row, ls, r)
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

// RenderUnrendered renders and keeps every invoice and notice without a stored PDF as
// the night of day would (the generator's history of earlier nights).
func RenderUnrendered(ctx context.Context, env *Env, day calendar.Date, now time.Time) error {
	n := &Night{Env: env, Date: day, Now: now}
	return n.renderPending(ctx, &Result{Changes: map[string]int{}, Seen: map[string]int{}})
}

// renderPending renders, a page at a time, every invoice and then every notice without
// a stored PDF, in parallel on all cores, then keeps each as evidence and records it, in
// number order, in one transaction per page (SPEC §7.5, §8.2).
func (n *Night) renderPending(ctx context.Context, res *Result) error {
	rounding, err := invoice.ParseRounding(n.Config.Invoice.Rounding)
	if err != nil {
		return err
	}
	if err := n.renderPages(ctx, res, func(after string) ([]issuing.Document, string, error) {
		return n.invoicePage(ctx, after, rounding)
	}, store.SetInvoicePDF); err != nil {
		return err
	}
	return n.renderPages(ctx, res, func(after string) ([]issuing.Document, string, error) {
		return n.noticePage(ctx, after, rounding)
	}, store.SetNoticePDF)
}

// renderPages renders and keeps the pages read by next until one is empty. next
// returns a page's documents and the key to continue after.
func (n *Night) renderPages(ctx context.Context, res *Result, next func(after string) ([]issuing.Document, string, error),
	set func(context.Context, sqlx.ExtContext, string, string, int) error) error {
	after := ""
	for {
		docs, last, err := next(after)
		if err != nil || len(docs) == 0 {
			return err
		}
		rr, err := n.Renderer()
		if err != nil {
			return err
		}
		if err := issuing.Render(ctx, rr, docs); err != nil {
			return err
		}
		if err := n.keepRendered(ctx, docs, set, res); err != nil {
			return err
		}
		after = last
	}
}

// invoicePage reads the next page of invoices without a stored PDF after after. Reads
// stay on this goroutine: a dry run's transaction is one connection.
func (n *Night) invoicePage(ctx context.Context, after string, rounding invoice.Rounding) ([]issuing.Document, string, error) {
	nums, err := store.UnrenderedInvoices(ctx, n.Q(), after, invoicingPage)
	if err != nil || len(nums) == 0 {
		return nil, "", err
	}
	docs := make([]issuing.Document, len(nums))
	for i, no := range nums {
		row, err := store.GetInvoice(ctx, n.Q(), no)
		if err != nil {
			return nil, "", err
		}
		inv, err := printable(ctx, n.Q(), row, rounding)
		if err != nil {
			return nil, "", err
		}
		docs[i] = issuing.InvoiceDocument(row, inv)
	}
	return docs, nums[len(nums)-1], nil
}

// noticePage reads the next page of reminders and notices of cancellation without a
// stored PDF after after, with what each prints.
func (n *Night) noticePage(ctx context.Context, after string, rounding invoice.Rounding) ([]issuing.Document, string, error) {
	page, err := store.UnrenderedNotices(ctx, n.Q(), after, invoicingPage)
	if err != nil || len(page) == 0 {
		return nil, "", err
	}
	docs := make([]issuing.Document, len(page))
	for i, nt := range page {
		nn, err := n.readNotice(ctx, nt, rounding)
		if err != nil {
			return nil, "", fmt.Errorf("notice %s: %w", nt.Number, err)
		}
		if docs[i], err = issuing.NoticeDocument(nn); err != nil {
			return nil, "", err
		}
	}
	return docs, page[len(page)-1].Number, nil
}

// readNotice reads what the notice nt prints: the invoice it is about and, for a notice
// of cancellation, the one that replaced it.
func (n *Night) readNotice(ctx context.Context, nt store.NoticeToRender, rounding invoice.Rounding) (issuing.Notice, error) {
	q := n.Q()
	nn := issuing.Notice{Notice: nt}
	var err error
	if nn.Row, err = store.GetInvoice(ctx, q, nt.InvoiceNumber); err != nil {
		return nn, err
	}
	if nn.Inv, err = printable(ctx, q, nn.Row, rounding); err != nil {
		return nn, err
	}
	if nt.Kind != "cancellation" || nt.ReplacedBy == "" {
		return nn, nil
	}
	rep, err := store.GetInvoice(ctx, q, nt.ReplacedBy)
	if err != nil {
		return nn, err
	}
	repInv, err := printable(ctx, q, rep, rounding)
	if err != nil {
		return nn, err
	}
	nn.Repl = &repInv
	return nn, nil
}

// keepRendered keeps each rendered document as evidence and records its PDF, in the
// order given, in one transaction.
func (n *Night) keepRendered(ctx context.Context, docs []issuing.Document, set func(context.Context, sqlx.ExtContext, string, string, int) error, res *Result) error {
	if !n.DryRun {
		// One round of disk flushes for the page; Keep then finds each original stored.
		b := n.Evidence.NewBatch()
		for _, d := range docs {
			if _, err := b.Put(d.PDF); err != nil {
				b.Abort()
				return fmt.Errorf("store PDF of %s: %w", d.Number, err)
			}
		}
		if err := b.Commit(); err != nil {
			return fmt.Errorf("store PDFs %s…%s: %w", docs[0].Number, docs[len(docs)-1].Number, err)
		}
	}
	return n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
		for _, d := range docs {
			e, err := n.keep(ctx, tx, evidence.Entry{Kind: d.Kind, Source: d.Number + ".pdf", ReceivedAt: n.Now, Date: d.Date,
				Amount: d.Amount, HasAmount: true, Counterparty: d.Counterparty}, evidenceContent{sha: sha256Hex(d.PDF), size: int64(len(d.PDF))})
			if err != nil {
				return fmt.Errorf("keep %s: %w", d.Number, err)
			}
			if err := set(ctx, tx, d.Number, e.SHA256, d.Pages); err != nil {
				return err
			}
			res.Changes["pdfs"]++
		}
		return nil
	})
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
