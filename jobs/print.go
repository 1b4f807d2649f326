package jobs

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/postal"
	"github.com/npress/nightly/store"
)

// writePrint writes print/bundle.pdf (streamed, one envelope's documents in memory at
// a time) and print/dispatch.csv for every document not yet marked posted (SPEC §8.4),
// as package postal lays them out.
func (n *Night) writePrint(ctx context.Context, dir string, res *Result) error {
	items, err := store.ToPrint(ctx, n.Q(), n.Date)
	if err != nil {
		return err
	}
	envs := postal.Envelopes(items)
	bundlePath := filepath.Join(dir, "bundle.pdf")
	csv := postal.EmptyList()
	if len(envs) == 0 {
		if err := os.Remove(bundlePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	} else {
		o := postal.Options{Date: n.Date, PDF: n.Evidence.Get, Sheet: func(e invoice.Envelope) ([]byte, error) {
			r, err := n.Renderer()
			if err != nil {
				return nil, err
			}
			return r.EnvelopeSheet(e)
		}}
		err := n.Files.WriteStream(bundlePath, func(bw io.Writer) (err error) {
			csv, err = postal.Write(bw, envs, o)
			return err
		})
		if err != nil {
			return err
		}
	}
	res.Seen["to_post"] = 0
	for _, env := range envs {
		res.Seen["to_post"] += len(env)
	}
	return n.WriteFile(filepath.Join(dir, "dispatch.csv"), csv)
}
