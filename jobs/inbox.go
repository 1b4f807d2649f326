package jobs

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/inbox"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// inboxFiles lists the files of the inbox folder dir (bank/ or orders/) that the step
// reads, and reports every entry it does not read as an exception for staff (once per
// entry: a rerun adds nothing); the night goes on.
func (n *Night) inboxFiles(ctx context.Context, dir string, res Result) ([]string, error) {
	names, skipped, err := inbox.List(dir)
	if err != nil || len(skipped) == 0 {
		return names, err
	}
	kind := filepath.Base(dir)
	err = n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
		for _, s := range skipped {
			added, err := store.AddException(ctx, tx, wording.InboxSkipped(n.Date, kind, s.Name, s.What))
			if err != nil {
				return err
			}
			if added {
				res.Changes["inbox_skipped"]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", dir, err)
	}
	res.Seen["inbox_skipped"] += len(skipped)
	for _, s := range skipped {
		n.progress("  %s: %s is a %s: not read", kind, s.Name, s.What)
	}
	return names, nil
}

// moveInboxFile moves a processed file of the inbox folder kind to archive/KIND/DATE/, or
// a refused one to rejected/KIND/ (inbox.Move: nothing is overwritten), and returns the
// folder it went to.
func (n *Night) moveInboxFile(path, kind string, rejected bool) (string, error) {
	target := filepath.Join(n.Config.InboxDir, "archive", kind, n.Date.String())
	if rejected {
		target = filepath.Join(n.Config.InboxDir, "rejected", kind)
	}
	_, err := inbox.Move(path, target, n.Files)
	return target, err
}
