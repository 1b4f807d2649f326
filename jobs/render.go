package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/filemode"
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
	return printableWith(ctx, q, row, sql.NullString{String: doc, Valid: ok}, r)
}

// printableWith is printable with the doc already read.
func printableWith(ctx context.Context, q sqlx.ExtContext, row store.Invoice, doc sql.NullString, r invoice.Rounding) (invoice.Invoice, error) {
	if doc.Valid {
		return issuing.FromDoc(row, doc.String)
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
	p, err := n.pending(ctx, &Result{Changes: map[string]int{}, Seen: map[string]int{}}, nil)
	if err != nil {
		return err
	}
	defer p.Pipe.Stop()
	return p.Finish()
}

// pending renders and keeps, a page at a time in number order, every invoice and then
// every notice without a stored PDF, on all cores (issuing.Pending), each page kept as
// evidence and recorded in one transaction (SPEC §7.5, §8.2). With copies (not nil) it
// also writes the day's copy of each document of the run date once its page is
// recorded, and notes its number in copies.
func (n *Night) pending(ctx context.Context, res *Result, copies map[string]bool) (*issuing.Pending, error) {
	rounding, err := invoice.ParseRounding(n.Config.Invoice.Rounding)
	if err != nil {
		return nil, err
	}
	return &issuing.Pending{
		Invoices: func(after string) ([]issuing.Document, string, error) { return n.invoicePage(ctx, after, rounding) },
		Notices:  func(after string) ([]issuing.Document, string, error) { return n.noticePage(ctx, after, rounding) },
		Pipe:     issuing.NewPipeline(ctx, n.Renderer, func(docs []issuing.Document) error { return n.keepRendered(ctx, docs, res, copies) }),
	}, nil
}

// invoicePage reads the next page of invoices without a stored PDF after after. Reads
// stay on this goroutine: a dry run's transaction is one connection.
func (n *Night) invoicePage(ctx context.Context, after string, rounding invoice.Rounding) ([]issuing.Document, string, error) {
	page, err := store.InvoicesToRender(ctx, n.Q(), after, invoicingPage)
	if err != nil || len(page) == 0 {
		return nil, "", err
	}
	docs := make([]issuing.Document, len(page))
	for i, r := range page {
		inv, err := printableWith(ctx, n.Q(), r.Invoice, r.Doc, rounding)
		if err != nil {
			return nil, "", err
		}
		docs[i] = issuing.InvoiceDocument(r.Invoice, inv)
	}
	return docs, page[len(page)-1].Number, nil
}

// noticePage reads the next page of reminders and notices of cancellation without a
// stored PDF after after, with what each prints.
func (n *Night) noticePage(ctx context.Context, after string, rounding invoice.Rounding) ([]issuing.Document, string, error) {
	page, err := store.UnrenderedNotices(ctx, n.Q(), after, invoicingPage)
	if err != nil || len(page) == 0 {
		return nil, "", err
	}
	docs := make([]issuing.Document, len(page))
	printed := func(no string) (store.Invoice, invoice.Invoice, error) { return n.printableOf(ctx, no, rounding) }
	for i, nt := range page {
		if docs[i], err = issuing.NoticeDocument(nt, printed); err != nil {
			return nil, "", err
		}
	}
	return docs, page[len(page)-1].Number, nil
}

// printableOf reads the invoice numbered no and the value it is printed from.
func (n *Night) printableOf(ctx context.Context, no string, rounding invoice.Rounding) (store.Invoice, invoice.Invoice, error) {
	row, err := store.GetInvoice(ctx, n.Q(), no)
	if err != nil {
		return row, invoice.Invoice{}, err
	}
	inv, err := printable(ctx, n.Q(), row, rounding)
	return row, inv, err
}

// keepRendered keeps each rendered document as evidence and records its PDF, in the
// order given, in one transaction; then it writes the day's copies of those of the run
// date and notes them in copies (unless nil).
func (n *Night) keepRendered(ctx context.Context, docs []issuing.Document, res *Result, copies map[string]bool) error {
	if !n.DryRun {
		// One round of disk flushes for the page: its ledger rows then name stored files.
		pdfs := make([][]byte, len(docs))
		for i, d := range docs {
			pdfs[i] = d.PDF
		}
		if err := n.Evidence.PutAll(pdfs); err != nil {
			return fmt.Errorf("store PDFs %s…%s: %w", docs[0].Number, docs[len(docs)-1].Number, err)
		}
		if err := n.fault("invoicing.pdfs_stored"); err != nil {
			return err
		}
	}
	err := n.TxCounted(ctx, res, func(tx *sqlx.Tx) error {
		kept, err := n.keepStored(ctx, tx, issuing.Entries(docs, n.Now))
		if err != nil {
			return fmt.Errorf("keep %s…: %w", docs[0].Number, err)
		}
		res.Changes["pdfs"] += len(docs)
		return store.SetPDFs(ctx, tx, issuing.StoredPDFs(docs, kept))
	})
	if err != nil || copies == nil || n.DryRun {
		return err
	}
	batch, nums := issuing.Copies(docs, n.Date)
	if err := n.writeBatch(batch, len(copies) == 0); err != nil {
		return err
	}
	for _, no := range nums {
		copies[no] = true
	}
	return nil
}

// writeBatch writes the copies of batch (folder → files) into the day's folder; first
// says whether they are the night's first (the fault point invoicing.pdf_write fires
// after them).
func (n *Night) writeBatch(batch map[string][]filemode.NamedFile, first bool) error {
	for _, sub := range []string{"invoices", "notices"} {
		if err := n.Files.WriteFiles(filepath.Join(n.DayDir(), sub), batch[sub]); err != nil {
			return err
		}
	}
	if first && len(batch) > 0 {
		return n.fault("invoicing.pdf_write")
	}
	return nil
}

// writeDocuments writes the day's copies from the stored bytes (SPEC §8.4):
// invoices/<number>.pdf for the invoices issued tonight, notices/<number>.pdf for the
// notices recorded tonight (but those in copies, written as they were rendered), and
// print/bundle.pdf with print/dispatch.csv for every document not yet posted, in
// postal-code order.
func (n *Night) writeDocuments(ctx context.Context, res *Result, copies map[string]bool) error {
	dir := n.DayDir()
	docs, err := store.DocumentsOn(ctx, n.Q(), n.Date)
	if err != nil {
		return err
	}
	var rest []store.DocumentFile
	for _, d := range docs {
		if !copies[d.Number] {
			rest = append(rest, d)
		}
	}
	for i := 0; i < len(rest); i += invoicingPage {
		batch, err := issuing.StoredCopies(rest[i:min(i+invoicingPage, len(rest))], n.Evidence.Get)
		if err != nil {
			return err
		}
		if err := n.writeBatch(batch, i == 0 && len(copies) == 0); err != nil {
			return err
		}
	}
	res.Seen["documents_written"] = len(docs)
	return n.writePrint(ctx, filepath.Join(dir, "print"), res)
}
