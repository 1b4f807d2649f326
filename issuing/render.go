package issuing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/filemode"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
)

// Document is one document rendered tonight, waiting to be kept as evidence.
type Document struct {
	Number, Kind string // Kind: evidence.KindInvoicePDF | KindReminderPDF | KindNoticePDF
	Date         calendar.Date
	Amount       int64
	Counterparty string
	PDF          []byte
	Pages        int
	render       func(*invoice.Renderer) ([]byte, error)
}

// InvoiceDocument is the document of the issued invoice row, printed as inv.
func InvoiceDocument(row store.Invoice, inv invoice.Invoice) Document {
	return Document{Number: row.Number, Kind: evidence.KindInvoicePDF, Date: row.IssueDate, Amount: row.Total, Counterparty: row.ToName,
		render: func(r *invoice.Renderer) ([]byte, error) { return r.Invoice(inv) }}
}

// NoticeDocument is the document of the notice nt: a reminder (outstanding = total −
// paid, stop date = the contract's term end, SPEC §4.5) or a notice of cancellation
// (§4.4) with the invoice that replaced the voided one, if any. printed reads an
// invoice and the value it is printed from.
func NoticeDocument(nt store.NoticeToRender, printed func(number string) (store.Invoice, invoice.Invoice, error)) (Document, error) {
	d := Document{Number: nt.Number, Date: nt.RunDate, Counterparty: nt.CustomerName}
	row, inv, err := printed(nt.InvoiceNumber)
	if err != nil {
		return d, fmt.Errorf("notice %s: %w", nt.Number, err)
	}
	to := Party(nt.CustomerNo, nt.Recipient)
	switch nt.Kind {
	case "reminder":
		d.Kind, d.Amount = evidence.KindReminderPDF, row.Total-row.Paid
		rm := invoice.Reminder{Number: nt.Number, IssueDate: nt.RunDate, To: to, Invoice: inv.Ref(),
			Outstanding: row.Total - row.Paid, StopDate: nt.TermEnd}
		d.render = func(r *invoice.Renderer) ([]byte, error) { return r.Reminder(rm) }
		return d, nil
	case "cancellation":
		cn := invoice.CancellationNotice{Number: nt.Number, IssueDate: nt.RunDate, To: to, Voided: inv.Ref(), Reason: row.VoidReason}
		if nt.ReplacedBy != "" {
			_, repl, err := printed(nt.ReplacedBy)
			if err != nil {
				return d, fmt.Errorf("notice %s: %w", nt.Number, err)
			}
			cn.Replacement = repl.Ref()
		}
		d.Kind, d.Amount = evidence.KindNoticePDF, row.Total
		d.render = func(r *invoice.Renderer) ([]byte, error) { return r.Cancellation(cn) }
		return d, nil
	}
	return d, fmt.Errorf("notice %s: unknown kind %q", nt.Number, nt.Kind)
}

// Entries are the evidence entries of rendered docs received at now, their PDFs' SHA-256
// and size set (SPEC §7.5).
func Entries(docs []Document, now time.Time) []evidence.Entry {
	es := make([]evidence.Entry, len(docs))
	for i, d := range docs {
		sum := sha256.Sum256(d.PDF)
		es[i] = evidence.Entry{Kind: d.Kind, Source: d.Number + ".pdf", ReceivedAt: now, Date: d.Date, Amount: d.Amount,
			HasAmount: true, Counterparty: d.Counterparty, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(d.PDF))}
	}
	return es
}

// StoredPDFs are the PDFs of docs as recorded, kept as the entries kept.
func StoredPDFs(docs []Document, kept []evidence.Entry) []store.StoredPDF {
	out := make([]store.StoredPDF, len(docs))
	for i, d := range docs {
		out[i] = store.StoredPDF{Number: d.Number, SHA256: kept[i].SHA256, Pages: d.Pages, Notice: d.Kind != evidence.KindInvoicePDF}
	}
	return out
}

// Render renders docs with r on all cores, setting each one's PDF and page count.
func Render(ctx context.Context, r *invoice.Renderer, docs []Document) error {
	return Parallel(ctx, len(docs), func(i int) error {
		d := &docs[i]
		pdf, err := d.render(r)
		if err != nil {
			return fmt.Errorf("render %s: %w", d.Number, err)
		}
		p, err := invoice.PageCount(pdf)
		if err != nil {
			return fmt.Errorf("%s: %w", d.Number, err)
		}
		d.PDF, d.Pages = pdf, p
		return nil
	})
}

// Parallel runs fn(0..count-1) on all cores and returns the first error.
func Parallel(ctx context.Context, count int, fn func(i int) error) error {
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

// Pipeline renders pages of documents on all cores while the caller goes on: Feed
// starts a page rendering and meanwhile hands the page rendered before it to keep, so a
// page renders while the caller stores the one before and reads or issues the next.
// keep runs on the caller's goroutine, in page order (a dry run's transaction is one
// connection). At most two pages are held at once.
type Pipeline struct {
	ctx       context.Context
	cancel    context.CancelFunc
	renderer  func() (*invoice.Renderer, error)
	keep      func([]Document) error
	rendering chan error // the page under way; nil when none
	page      []Document
}

// NewPipeline returns a pipeline that renders with the renderer r returns (asked for
// only when there is something to render) and hands each rendered page to keep.
func NewPipeline(ctx context.Context, r func() (*invoice.Renderer, error), keep func([]Document) error) *Pipeline {
	ctx, cancel := context.WithCancel(ctx)
	return &Pipeline{ctx: ctx, cancel: cancel, renderer: r, keep: keep}
}

// Feed starts rendering docs once the page under way has rendered, and keeps that page
// while docs render.
func (p *Pipeline) Feed(docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	prev, err := p.wait()
	if err != nil {
		return err
	}
	r, err := p.renderer()
	if err != nil {
		return err
	}
	p.rendering, p.page = make(chan error, 1), docs
	go func() { p.rendering <- Render(p.ctx, r, docs) }()
	if prev == nil {
		return nil
	}
	return p.keep(prev)
}

// Flush waits for the page under way and keeps it.
func (p *Pipeline) Flush() error {
	prev, err := p.wait()
	if err != nil || prev == nil {
		return err
	}
	return p.keep(prev)
}

// Stop abandons the page under way, if any (after an error): it stops its rendering and
// waits for it.
func (p *Pipeline) Stop() {
	p.cancel()
	p.wait()
}

// wait waits for the page under way and returns it, rendered.
func (p *Pipeline) wait() ([]Document, error) {
	if p.rendering == nil {
		return nil, nil
	}
	err := <-p.rendering
	page := p.page
	p.rendering, p.page = nil, nil
	return page, err
}

// Pending feeds a Pipeline, in number order, the invoices and then the notices that
// have no stored PDF. Invoices and Notices read the page after a number (and return its
// last number); they run on the caller's goroutine. The invoicing step calls
// FeedInvoices after each page of invoices it issues, so that page renders while the
// next is issued, and Finish at the end.
type Pending struct {
	Invoices, Notices func(after string) ([]Document, string, error)
	Pipe              *Pipeline
	after             string // the last invoice fed
}

// FeedInvoices feeds the invoices without a stored PDF after the last fed.
func (p *Pending) FeedInvoices() error {
	for {
		docs, last, err := p.Invoices(p.after)
		if err != nil || len(docs) == 0 {
			return err
		}
		if err := p.Pipe.Feed(docs); err != nil {
			return err
		}
		p.after = last
	}
}

// Finish feeds the invoices left and then the notices, and keeps the last page.
func (p *Pending) Finish() error {
	if err := p.FeedInvoices(); err != nil {
		return err
	}
	after := ""
	for {
		docs, last, err := p.Notices(after)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return p.Pipe.Flush()
		}
		if err := p.Pipe.Feed(docs); err != nil {
			return err
		}
		after = last
	}
}

// Copies groups the day's copies of the documents of day among docs by folder
// (invoices/, notices/; SPEC §8.4) and returns their numbers.
func Copies(docs []Document, day calendar.Date) (map[string][]filemode.NamedFile, []string) {
	batch := map[string][]filemode.NamedFile{}
	var nums []string
	for _, d := range docs {
		if d.Date != day {
			continue
		}
		sub := "invoices"
		if d.Kind != evidence.KindInvoicePDF {
			sub = "notices"
		}
		batch[sub] = append(batch[sub], filemode.NamedFile{Name: d.Number + ".pdf", Data: d.PDF})
		nums = append(nums, d.Number)
	}
	return batch, nums
}

// StoredCopies groups the day's copies of docs by folder as Copies does, reading each
// one's stored PDF with get.
func StoredCopies(docs []store.DocumentFile, get func(sha string) ([]byte, error)) (map[string][]filemode.NamedFile, error) {
	batch := map[string][]filemode.NamedFile{}
	for _, d := range docs {
		pdf, err := get(d.PDFSHA256)
		if err != nil {
			return nil, fmt.Errorf("stored PDF of %s: %w", d.Number, err)
		}
		sub := "invoices"
		if d.IsNotice {
			sub = "notices"
		}
		batch[sub] = append(batch[sub], filemode.NamedFile{Name: d.Number + ".pdf", Data: pdf})
	}
	return batch, nil
}
