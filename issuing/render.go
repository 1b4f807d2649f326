package issuing

import (
	"context"
	"fmt"
	"runtime"

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

// Notice is what a reminder or a notice of cancellation prints, read from the database:
// the notice, the invoice it is about (row, printed as inv), and for a cancellation the
// invoice that replaces it, if any (printed as repl).
type Notice struct {
	Notice store.NoticeToRender
	Row    store.Invoice
	Inv    invoice.Invoice
	Repl   *invoice.Invoice
}

// NoticeDocument is the document of a notice: a reminder (outstanding = total − paid,
// stop date = the contract's term end, SPEC §4.5) or a notice of cancellation (§4.4).
func NoticeDocument(nn Notice) (Document, error) {
	nt, row := nn.Notice, nn.Row
	d := Document{Number: nt.Number, Date: nt.RunDate, Counterparty: nt.CustomerName}
	to := Party(nt.CustomerNo, nt.Recipient)
	switch nt.Kind {
	case "reminder":
		d.Kind, d.Amount = evidence.KindReminderPDF, row.Total-row.Paid
		rm := invoice.Reminder{Number: nt.Number, IssueDate: nt.RunDate, To: to, Invoice: nn.Inv.Ref(),
			Outstanding: row.Total - row.Paid, StopDate: nt.TermEnd}
		d.render = func(r *invoice.Renderer) ([]byte, error) { return r.Reminder(rm) }
		return d, nil
	case "cancellation":
		cn := invoice.CancellationNotice{Number: nt.Number, IssueDate: nt.RunDate, To: to, Voided: nn.Inv.Ref(), Reason: row.VoidReason}
		if nn.Repl != nil {
			cn.Replacement = nn.Repl.Ref()
		}
		d.Kind, d.Amount = evidence.KindNoticePDF, row.Total
		d.render = func(r *invoice.Renderer) ([]byte, error) { return r.Cancellation(cn) }
		return d, nil
	}
	return d, fmt.Errorf("notice %s: unknown kind %q", nt.Number, nt.Kind)
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

// Pipeline renders with r the pages that next returns, one after the other until one
// is empty, and hands each rendered page to keep, in order. A page renders on all cores
// while keep stores the one before it and next reads the one after: next and keep run
// on the caller's goroutine, one at a time (a dry run's transaction is one connection).
func Pipeline(ctx context.Context, r func() (*invoice.Renderer, error), next func() ([]Document, error), keep func([]Document) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var rendering chan error // the page being rendered; nil when none
	defer func() {
		cancel()
		if rendering != nil {
			<-rendering
		}
	}()
	var prev []Document
	for {
		docs, err := next()
		if err != nil {
			return err
		}
		if rendering != nil {
			err, rendering = <-rendering, nil
			if err != nil {
				return err
			}
		}
		if len(docs) > 0 {
			rr, err := r()
			if err != nil {
				return err
			}
			rendering = make(chan error, 1)
			go func() { rendering <- Render(ctx, rr, docs) }()
		}
		if prev != nil {
			if err := keep(prev); err != nil {
				return err
			}
		}
		if len(docs) == 0 {
			return nil
		}
		prev = docs
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
