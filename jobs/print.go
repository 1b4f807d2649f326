package jobs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/npress/nightly/csvsafe"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// writePrint writes print/bundle.pdf (streamed, one envelope's documents in memory at
// a time) and print/dispatch.csv (UTF-8 with BOM, for Japanese Excel) for every
// document not yet marked posted (SPEC §8.4): in postal-code order for bulk mail, one
// recipient's documents together in one envelope, and before an envelope of several
// documents its separator sheet (封入票, not posted).
func (n *Night) writePrint(ctx context.Context, dir string, res *Result) error {
	items, err := store.ToPrint(ctx, n.Q(), n.Date)
	if err != nil {
		return err
	}
	envs, err := n.envelopes(ctx, items)
	if err != nil {
		return err
	}
	var csvb bytes.Buffer
	csvb.WriteString("\ufeff")
	w := csvsafe.NewWriter(&csvb)
	w.UseCRLF = true
	w.Write([]string{"郵便番号", "住所", "宛名", "書類番号", "種類", "金額", "枚数", "封筒", "同封"})
	bundlePath := filepath.Join(dir, "bundle.pdf")
	if err := n.MkdirAll(dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".bundle.pdf.tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriter(f)
	b := invoice.NewBundle(bw)
	docs := 0
	for k, env := range envs {
		if err := n.bundleEnvelope(b, w, env, k+1, len(envs)); err != nil {
			return err
		}
		docs += len(env)
	}
	w.Flush()
	if docs == 0 {
		if err := os.Remove(bundlePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	} else if err := n.closeBundle(b, bw, f, bundlePath); err != nil {
		return err
	}
	res.Seen["to_post"] = docs
	return n.WriteFile(filepath.Join(dir, "dispatch.csv"), csvb.Bytes())
}

// printDoc is a document of the bundle with its stored PDF's SHA-256.
type printDoc struct {
	store.PrintItem
	sha string
}

// envelopes orders the documents that have a stored PDF for bulk mail (postal code,
// then recipient, then number) and groups each recipient's into one envelope.
func (n *Night) envelopes(ctx context.Context, items []store.PrintItem) ([][]printDoc, error) {
	slices.SortStableFunc(items, func(a, b store.PrintItem) int {
		if c := invoice.PostalOrder(a.PostalCode, b.PostalCode); c != 0 {
			return c
		}
		if c := strings.Compare(a.CustomerNo, b.CustomerNo); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
	var out [][]printDoc
	for _, it := range items {
		if !it.HasPDF {
			continue
		}
		sha, ok, err := store.DocumentPDF(ctx, n.Q(), it.Number)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if l := len(out); l > 0 && out[l-1][0].CustomerNo == it.CustomerNo {
			out[l-1] = append(out[l-1], printDoc{it, sha})
		} else {
			out = append(out, []printDoc{{it, sha}})
		}
	}
	return out, nil
}

// bundleEnvelope adds envelope seq of of to the bundle, its separator sheet first when
// it holds several documents, and its documents' rows to the dispatch list.
func (n *Night) bundleEnvelope(b *invoice.Bundle, w *csvsafe.Writer, env []printDoc, seq, of int) error {
	first := env[0]
	to := invoice.Party{CustomerNo: first.CustomerNo, Name: first.CustomerName, PostalCode: first.PostalCode,
		Address: first.Address, Contact: first.Contact}
	pdfs := make([][]byte, len(env))
	sheet := invoice.Envelope{Date: n.Date, Seq: seq, Of: of, To: to}
	for i, d := range env {
		pdf, err := n.Evidence.Get(d.sha)
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
		r, err := n.Renderer()
		if err != nil {
			return err
		}
		pdf, err := r.EnvelopeSheet(sheet)
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

// closeBundle finishes the bundle and moves it into place with the output's file mode.
func (n *Night) closeBundle(b *invoice.Bundle, bw *bufio.Writer, f *os.File, path string) error {
	if err := b.Close(); err != nil {
		return fmt.Errorf("print bundle: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := n.Files.SetFile(f.Name()); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
