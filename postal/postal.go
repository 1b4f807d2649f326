// Package postal prepares the night's post (SPEC §8.4): the documents to mail in
// bulk-mail order, one envelope per recipient, the print bundle with a separator sheet
// (封入票) before each envelope of several documents, and the dispatch list staff tick
// off at the post office.
package postal

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/csvsafe"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
	"golang.org/x/sync/errgroup"
)

// Envelopes orders the documents that have a stored PDF for bulk mail (postal code,
// then recipient, then number) and groups each recipient's into one envelope; a
// document not rendered yet is left out.
func Envelopes(items []store.PrintItem) [][]store.PrintItem {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b store.PrintItem) int {
		if c := invoice.PostalOrder(a.PostalCode, b.PostalCode); c != 0 {
			return c
		}
		if c := strings.Compare(a.CustomerNo, b.CustomerNo); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
	var out [][]store.PrintItem
	for _, it := range items {
		if !it.HasPDF() {
			continue
		}
		if l := len(out); l > 0 && out[l-1][0].CustomerNo == it.CustomerNo {
			out[l-1] = append(out[l-1], it)
		} else {
			out = append(out, []store.PrintItem{it})
		}
	}
	return out
}

// Options are what Write needs besides the envelopes. PDF and Sheet are called from
// several goroutines at once.
type Options struct {
	Date  calendar.Date                            // the night's date, printed on the separator sheets
	PDF   func(sha string) ([]byte, error)         // a stored PDF by its SHA-256
	Sheet func(e invoice.Envelope) ([]byte, error) // renders a separator sheet
}

// EmptyList is the dispatch list of a night with nothing to post: its header alone.
func EmptyList() []byte {
	b, w := newList()
	w.Flush()
	return b.Bytes()
}

// newList starts the dispatch list: UTF-8 with a BOM and CRLF, for Japanese Excel.
func newList() (*bytes.Buffer, *csvsafe.Writer) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csvsafe.NewWriter(&b)
	w.UseCRLF = true
	w.Write([]string{"郵便番号", "住所", "宛名", "書類番号", "種類", "金額", "枚数", "封筒", "同封"})
	return &b, w
}

// Write writes the envelopes' documents as one PDF bundle to bundle and returns the
// dispatch list, one row per document. The envelopes are filled (their PDFs read,
// their separator sheets rendered) envelopeChunk at a time on all cores, then added in
// order, so that only a chunk's PDFs are in memory at once.
func Write(bundle io.Writer, envs [][]store.PrintItem, o Options) ([]byte, error) {
	list, w := newList()
	b := invoice.NewBundle(bundle)
	for k := 0; k < len(envs); k += envelopeChunk {
		chunk := envs[k:min(k+envelopeChunk, len(envs))]
		filled := make([]filledEnvelope, len(chunk))
		var g errgroup.Group
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i := range chunk {
			g.Go(func() (err error) {
				filled[i], err = fill(chunk[i], k+i+1, len(envs), o)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for i, f := range filled {
			if err := f.add(b, w, chunk[i], k+i+1); err != nil {
				return nil, err
			}
		}
	}
	if err := b.Close(); err != nil {
		return nil, fmt.Errorf("print bundle: %w", err)
	}
	w.Flush()
	return list.Bytes(), w.Error()
}

// envelopeChunk is how many envelopes are filled at once before they go into the
// bundle in order.
const envelopeChunk = 64

// filledEnvelope is an envelope's addressee, stored PDFs and separator sheet (nil for
// an envelope of one document).
type filledEnvelope struct {
	to    invoice.Party
	pdfs  [][]byte
	sheet []byte
}

// fill reads the PDFs of envelope seq of of and renders its separator sheet when it
// holds several documents.
func fill(env []store.PrintItem, seq, of int, o Options) (filledEnvelope, error) {
	first := env[0]
	f := filledEnvelope{to: invoice.Party{CustomerNo: first.CustomerNo, Name: first.CustomerName, PostalCode: first.PostalCode,
		Address: first.Address, Contact: first.Contact}, pdfs: make([][]byte, len(env))}
	sheet := invoice.Envelope{Date: o.Date, Seq: seq, Of: of, To: f.to}
	for i, d := range env {
		pdf, err := o.PDF(d.PDFSHA256)
		if err != nil {
			return f, fmt.Errorf("stored PDF of %s: %w", d.Number, err)
		}
		f.pdfs[i] = pdf
		pages := d.Pages
		if pages < 1 && len(env) > 1 {
			if pages, err = invoice.PageCount(pdf); err != nil {
				return f, fmt.Errorf("stored PDF of %s: %w", d.Number, err)
			}
		}
		sheet.Documents = append(sheet.Documents, invoice.Enclosed{Number: d.Number, Title: wording.DocumentKinds.Name(d.Kind), Pages: pages})
	}
	if len(env) > 1 {
		pdf, err := o.Sheet(sheet)
		if err != nil {
			return f, fmt.Errorf("print bundle: separator sheet of envelope %d: %w", seq, err)
		}
		f.sheet = pdf
	}
	return f, nil
}

// add adds envelope seq to the bundle, its separator sheet first, and its documents'
// rows to the dispatch list.
func (f filledEnvelope) add(b *invoice.Bundle, w *csvsafe.Writer, env []store.PrintItem, seq int) error {
	if f.sheet != nil {
		if _, err := b.Add(fmt.Sprintf("envelope %d", seq), f.sheet); err != nil {
			return err
		}
	}
	for i, d := range env {
		pages, err := b.Add(d.Number, f.pdfs[i])
		if err != nil {
			return err
		}
		w.Write([]string{d.PostalCode, d.Address, f.to.Addressee(), d.Number, wording.DocumentKinds.Name(d.Kind),
			strconv.FormatInt(d.Total, 10), strconv.Itoa(pages), strconv.Itoa(seq), strconv.Itoa(i+1) + "/" + strconv.Itoa(len(env))})
	}
	return nil
}
