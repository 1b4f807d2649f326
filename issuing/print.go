package issuing

import (
	"bytes"
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
// Japanese Excel) and the number of documents. One envelope's PDFs are in memory at a
// time.
func (p Print) Write(b *invoice.Bundle, envs [][]PrintDoc) ([]byte, int, error) {
	var csvb bytes.Buffer
	csvb.WriteString("\ufeff")
	w := csvsafe.NewWriter(&csvb)
	w.UseCRLF = true
	w.Write([]string{"郵便番号", "住所", "宛名", "書類番号", "種類", "金額", "枚数", "封筒", "同封"})
	docs := 0
	for k, env := range envs {
		if err := p.envelope(b, w, env, k+1, len(envs)); err != nil {
			return nil, 0, err
		}
		docs += len(env)
	}
	w.Flush()
	return csvb.Bytes(), docs, w.Error()
}

// envelope adds envelope seq of of to the bundle and its documents' rows to the
// dispatch list.
func (p Print) envelope(b *invoice.Bundle, w *csvsafe.Writer, env []PrintDoc, seq, of int) error {
	first := env[0]
	to := invoice.Party{CustomerNo: first.CustomerNo, Name: first.CustomerName, PostalCode: first.PostalCode, Address: first.Address, Contact: first.Contact}
	pdfs := make([][]byte, len(env))
	sheet := invoice.Envelope{Date: p.Day, Seq: seq, Of: of, To: to}
	for i, d := range env {
		pdf, err := p.PDF(d.SHA)
		if err != nil {
			return fmt.Errorf("stored PDF of %s: %w", d.Number, err)
		}
		pdfs[i] = pdf
		pages := d.Pages
		if pages < 1 && len(env) > 1 {
			if pages, err = invoice.PageCount(pdf); err != nil {
				return fmt.Errorf("stored PDF of %s: %w", d.Number, err)
			}
		}
		sheet.Documents = append(sheet.Documents, invoice.Enclosed{Number: d.Number, Title: wording.DocumentKinds.Name(d.Kind), Pages: pages})
	}
	if len(env) > 1 {
		pdf, err := p.Sheet(sheet)
		if err != nil {
			return fmt.Errorf("print bundle: %w", err)
		}
		if _, err := b.Add(fmt.Sprintf("envelope %d", seq), pdf); err != nil {
			return err
		}
	}
	for i, d := range env {
		pages, err := b.Add(d.Number, pdfs[i])
		if err != nil {
			return err
		}
		w.Write([]string{d.PostalCode, d.Address, to.Addressee(), d.Number, wording.DocumentKinds.Name(d.Kind),
			strconv.FormatInt(d.Total, 10), strconv.Itoa(pages), strconv.Itoa(seq), strconv.Itoa(i+1) + "/" + strconv.Itoa(len(env))})
	}
	return nil
}
