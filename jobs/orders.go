package jobs

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/inbox"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// Orders is the orders step (SPEC §5.1 step 3): every file in the inbox's orders/
// folder, in name order, is kept as evidence and imported with the same validation as
// `nightly import orders`. A file with any bad row stores nothing, is moved whole to
// rejected/orders/ and is reported as an exception naming each bad row; a good one is
// moved to archive/orders/YYYY-MM-DD/. An order file never changes a stored order. In
// a dry run no file is moved.
func Orders(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	dir := filepath.Join(n.Config.InboxDir, "orders")
	names, err := n.inboxFiles(ctx, dir, res)
	if err != nil {
		return res, err
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		path := filepath.Join(dir, name)
		if big, err := n.refuseBigOrderFile(ctx, path, res); big || err != nil {
			if err != nil {
				return res, fmt.Errorf("order file %s: %w", path, err)
			}
			continue
		}
		data, err := inbox.Read(path)
		if err != nil {
			return res, fmt.Errorf("order file %s: %w", path, err)
		}
		res.Seen["order_files"]++
		var ir ImportResult
		err = n.Tx(ctx, func(tx *sqlx.Tx) error {
			if _, err := n.keep(ctx, tx, evidence.Entry{Kind: evidence.KindOrderFile, Source: "inbox/orders/" + name,
				ReceivedAt: n.Now, Date: n.Date}, evidenceContent{data: data}); err != nil {
				return fmt.Errorf("keep order file %s: %w", name, err)
			}
			ir, err = importTx(ctx, tx, n.Env, importInput{Kind: masterdata.Orders, Name: name, Data: data, Opts: ImportOptions{Apply: true, RunDate: n.Date}, Now: n.Now})
			if err != nil {
				return err
			}
			if len(ir.Errors) == 0 {
				return n.fault("orders.before_commit")
			}
			if _, err = store.AddException(ctx, tx, wording.OrderFileRejected(n.Date, name, sha256Hex(data), ir.Errors)); err != nil {
				return err
			}
			return n.fault("orders.before_commit")
		})
		if err != nil {
			return res, fmt.Errorf("order file %s: %w", path, err)
		}
		if err := n.fault("orders.after_commit"); err != nil { // committed, the file not yet moved
			return res, err
		}
		if len(ir.Errors) > 0 {
			res.Changes["files_rejected"]++
		} else {
			res.Changes["orders_created"] += ir.Created
			res.Seen["orders"] += ir.Rows
		}
		if n.DryRun {
			continue
		}
		target, err := n.moveInboxFile(path, "orders", len(ir.Errors) > 0)
		if err != nil {
			return res, fmt.Errorf("order file %s: %w", path, err)
		}
		n.progress("  order file %s → %s", name, target)
	}
	return res, nil
}
