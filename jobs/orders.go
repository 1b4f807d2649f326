package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/inbox"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/masterimport"
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
		var ir masterimport.Result
		err = n.Tx(ctx, func(tx *sqlx.Tx) error {
			if _, err := n.keep(ctx, tx, evidence.Entry{Kind: evidence.KindOrderFile, Source: "inbox/orders/" + name,
				ReceivedAt: n.Now, Date: n.Date}, evidenceContent{data: data}); err != nil {
				return fmt.Errorf("keep order file %s: %w", name, err)
			}
			ir, err = masterimport.ImportTx(ctx, tx, masterimport.Input{Kind: masterdata.Orders, Name: name, Data: data,
				Opts: masterimport.Options{Apply: true, RunDate: n.Date}, Config: n.Config, Who: n.Who, Now: n.Now})
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

// refuseBigOrderFile refuses an order file beyond import.max_file_mb without reading
// it: an exception names it and the limit, and it moves to rejected/orders/ (not in a
// dry run). It reports whether the file was refused.
func (n *Night) refuseBigOrderFile(ctx context.Context, path string, res Result) (bool, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	maxFile, _, _ := n.Config.ImportLimits()
	if fi.Size() <= maxFile {
		return false, nil
	}
	name := filepath.Base(path)
	res.Seen["order_files"]++
	row := masterimport.LimitRowError(&masterdata.LimitError{Limit: masterdata.LimitFile, Size: fi.Size(), Max: maxFile})
	key := sha256Hex([]byte(fmt.Sprintf("%s\x00%d\x00%d", name, fi.Size(), fi.ModTime().UnixNano())))
	err = n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
		added, err := store.AddException(ctx, tx, wording.OrderFileRejected(n.Date, name, "big:"+key[:40], []masterdata.RowError{row}))
		if added {
			res.Changes["files_rejected"]++
		}
		return err
	})
	if err != nil || n.DryRun {
		return true, err
	}
	target, err := n.moveInboxFile(path, "orders", true)
	n.progress("  order file %s (too big, not read) → %s", name, target)
	return true, err
}

// nullString is s as a nullable column: NULL when empty.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
