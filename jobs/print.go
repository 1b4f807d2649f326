package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/issuing"
	"github.com/npress/nightly/store"
)

// writePrint writes print/bundle.pdf (streamed, a few dozen envelopes' documents in
// memory at a time) and print/dispatch.csv (UTF-8 with BOM, for Japanese Excel) for every
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
	if err := n.MkdirAll(dir); err != nil {
		return err
	}
	bundlePath := filepath.Join(dir, "bundle.pdf")
	f, err := os.CreateTemp(dir, ".bundle.pdf.tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriter(f)
	b := invoice.NewBundle(bw)
	pr := issuing.Print{Day: n.Date, PDF: n.Evidence.Get, Sheet: func(e invoice.Envelope) ([]byte, error) {
		r, err := n.Renderer()
		if err != nil {
			return nil, err
		}
		return r.EnvelopeSheet(e)
	}}
	dispatch, docs, err := pr.Write(b, envs)
	if err != nil {
		return err
	}
	if docs == 0 {
		if err := os.Remove(bundlePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	} else if err := n.closeBundle(b, bw, f, bundlePath); err != nil {
		return err
	}
	res.Seen["to_post"] = docs
	return n.WriteFile(filepath.Join(dir, "dispatch.csv"), dispatch)
}

// envelopes orders the documents that have a stored PDF for bulk mail and groups each
// recipient's into one envelope.
func (n *Night) envelopes(ctx context.Context, items []store.PrintItem) ([][]issuing.PrintDoc, error) {
	issuing.SortForPost(items)
	var docs []issuing.PrintDoc
	for _, it := range items {
		if !it.HasPDF {
			continue
		}
		sha, ok, err := store.DocumentPDF(ctx, n.Q(), it.Number)
		if err != nil {
			return nil, err
		}
		if ok {
			docs = append(docs, issuing.PrintDoc{PrintItem: it, SHA: sha})
		}
	}
	return issuing.Envelopes(docs), nil
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
