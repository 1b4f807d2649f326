package issuing

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/csvsafe"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// PrintDoc is a document of the print bundle with its stored PDF's SHA-256.
type PrintDoc struct {
	store.PrintItem
	SHA string
}

// SortForPost orders documents for bulk mail (SPEC §8.4): postal code, then
// recipient, then number.
func SortForPost(items []store.PrintItem) {
	slices.SortStableFunc(items, func(a, b store.PrintItem) int {
		if c := invoice.PostalOrder(a.PostalCode, b.PostalCode); c != 0 {
			return c
		}
		if c := strings.Compare(a.CustomerNo, b.CustomerNo); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
}

// Envelopes groups documents in post order into envelopes: one recipient's
// consecutive documents together.
func Envelopes(docs []PrintDoc) [][]PrintDoc {
	var out [][]PrintDoc
	for _, d := range docs {
		if l := len(out); l > 0 && out[l-1][0].CustomerNo == d.CustomerNo {
			out[l-1] = append(out[l-1], d)
		} else {
			out = append(out, []PrintDoc{d})
		}
	}
	return out
}

// Print is how the print bundle of a day is made (SPEC §8.4): Day is the posting day
// on the separator sheets, PDF returns a stored PDF by its SHA-256, Sheet renders a
// separator sheet (封入票).
type Print struct {
	Day   calendar.Date
	PDF   func(sha string) ([]byte, error)
	Sheet func(invoice.Envelope) ([]byte, error)
}

// Write adds the envelopes to the bundle b, each with its separator sheet first when
// it holds several documents, and returns the dispatch list (UTF-8 with BOM, CRLF, for
// Japanese Excel) and the number of documents. The envelopes are filled (their PDFs
// read, their separator sheets rendered) envelopeChunk at a time on all cores, so that
// only their PDFs are in memory at once.
func (p Print) Write(b *invoice.Bundle, envs [][]PrintDoc) ([]byte, int, error) {
	var csvb bytes.Buffer
	csvb.WriteString("\ufeff")
	w := csvsafe.NewWriter(&csvb)
	w.UseCRLF = true
	w.Write([]string{"郵便番号", "住所", "宛名", "書類番号", "種類", "金額", "枚数", "封筒", "同封"})
	docs := 0
	for k := 0; k < len(envs); k += envelopeChunk {
		chunk := envs[k:min(k+envelopeChunk, len(envs))]
		filled := make([]filledEnvelope, len(chunk))
		if err := Parallel(context.Background(), len(chunk), func(i int) (err error) {
			filled[i], err = p.fill(chunk[i], k+i+1, len(envs))
			return err
		}); err != nil {
			return nil, 0, err
		}
		for i, f := range filled {
			if err := f.add(b, w, chunk[i], k+i+1); err != nil {
				return nil, 0, err
			}
			docs += len(chunk[i])
		}
	}
	w.Flush()
	return csvb.Bytes(), docs, w.Error()
}

// envelopeChunk is how many envelopes are filled at once, on all cores, before they
// go into the bundle in order.
const envelopeChunk = 64

// filledEnvelope is an envelope's stored PDFs and its separator sheet (nil for an
// envelope of one document).
type filledEnvelope struct {
	to    invoice.Party
	pdfs  [][]byte
	sheet []byte
}

// fill reads the PDFs of envelope seq of of and renders its separator sheet when it
// holds several documents.
func (p Print) fill(env []PrintDoc, seq, of int) (filledEnvelope, error) {
	first := env[0]
	f := filledEnvelope{to: invoice.Party{CustomerNo: first.CustomerNo, Name: first.CustomerName, PostalCode: first.PostalCode,
		Address: first.Address, Contact: first.Contact}, pdfs: make([][]byte, len(env))}
	sheet := invoice.Envelope{Date: p.Day, Seq: seq, Of: of, To: f.to}
	for i, d := range env {
		pdf, err := p.PDF(d.SHA)
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
		pdf, err := p.Sheet(sheet)
		if err != nil {
			return f, fmt.Errorf("print bundle: %w", err)
		}
		f.sheet = pdf
	}
	return f, nil
}

// add adds envelope seq to the bundle, its separator sheet first, and its documents'
// rows to the dispatch list.
func (f filledEnvelope) add(b *invoice.Bundle, w *csvsafe.Writer, env []PrintDoc, seq int) error {
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
