package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
)

// rekeyVersion is the migration that recomputes transfer keys (issue 13): it is Go, not
// SQL, because the key is computed by bankfeed.Key.
const rekeyVersion = 10

// rekeyMigration is migration 00010. Versions before it cut a transfer key longer than
// bank_txns.tkey at byte 190, often inside a character (MySQL refused those rows;
// SQLite kept the broken bytes), and two transfers whose keys agreed on those bytes
// shared one key. bankfeed.Key now keeps a valid start and the hash of the whole key.
// The migration gives every stored transfer of a bank file whose key is 190 bytes or
// more the key bankfeed.Key computes from its stored fields, so that a rerun of an
// old bank file is still recognised as seen. Down keeps the new keys: the old ones
// cannot be told apart again.
func rekeyMigration(d Dialect) *goose.Migration {
	up := func(ctx context.Context, tx *sql.Tx) error { return rekeyTransfers(ctx, tx, d) }
	down := func(context.Context, *sql.Tx) error { return nil }
	return goose.NewGoMigration(rekeyVersion, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down})
}

// oldKeyed is a stored transfer whose key may have been cut.
type oldKeyed struct {
	id                    int64
	account, source, tkey string
	ordinal               int
	txn                   bankfeed.Txn
	newKey                string
}

// rekeyTransfers recomputes the long keys of bank_txns. Transfers that shared a cut key
// may now have keys of their own: within each (account, source, new key) the rewritten
// rows take the ordinals after those the key already has, in their old order, so that
// the n-th transfer of a key is again ordinal n.
func rekeyTransfers(ctx context.Context, tx *sql.Tx, d Dialect) error {
	size := "LENGTH(tkey)" // bytes on MySQL
	if d == SQLite {
		size = "length(CAST(tkey AS BLOB))"
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, account, source, tkey, ordinal, ref_no, value_date, amount, payer_normalized, kind, cancelled
		FROM bank_txns WHERE `+size+` >= ? ORDER BY account, source, tkey, ordinal, id`, bankfeed.MaxKeyLen)
	if err != nil {
		return fmt.Errorf("rekey transfers: read: %w", err)
	}
	var todo []oldKeyed
	for rows.Next() {
		var o oldKeyed
		var day calendar.Date
		if err := rows.Scan(&o.id, &o.account, &o.source, &o.tkey, &o.ordinal, &o.txn.RefNo, &day, &o.txn.Amount,
			&o.txn.PayerNormalized, &o.txn.Kind, &o.txn.Cancelled); err != nil {
			rows.Close()
			return fmt.Errorf("rekey transfers: read: %w", err)
		}
		o.txn.ValueDate = day
		if len(o.tkey) < 2 || !strings.Contains("CDX", o.tkey[:1]) || o.tkey[1] != '|' {
			continue // not a bank file's key (e.g. "paid:" of an earlier system)
		}
		if o.newKey = bankfeed.Key(o.txn); o.newKey != o.tkey {
			todo = append(todo, o)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("rekey transfers: read: %w", err)
	}
	slices.SortStableFunc(todo, func(a, b oldKeyed) int {
		return strings.Compare(a.account+"\x00"+a.source+"\x00"+a.newKey, b.account+"\x00"+b.source+"\x00"+b.newKey)
	})
	next := map[string]int{}
	for _, o := range todo {
		group := o.account + "\x00" + o.source + "\x00" + o.newKey
		if _, ok := next[group]; !ok {
			var top sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MAX(ordinal) FROM bank_txns WHERE account = ? AND source = ? AND tkey = ?",
				o.account, o.source, o.newKey).Scan(&top); err != nil {
				return fmt.Errorf("rekey transfers: transfer %d: %w", o.id, err)
			}
			next[group] = int(top.Int64)
		}
		next[group]++
		if _, err := tx.ExecContext(ctx, "UPDATE bank_txns SET tkey = ?, ordinal = ? WHERE id = ?", o.newKey, next[group], o.id); err != nil {
			return fmt.Errorf("rekey transfers: transfer %d: %w", o.id, err)
		}
	}
	return nil
}
