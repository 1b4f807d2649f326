package store_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// oldKey is a transfer key as versions before migration 00010 stored it: cut at byte
// 190, wherever that fell.
func oldKey(t bankfeed.Txn) string {
	k := "C|" + t.ValueDate.String() + "|" + strconv.FormatInt(t.Amount, 10) + "|" + t.PayerNormalized
	if t.RefNo != "" {
		k = "C|" + t.ValueDate.String() + "|ref:" + t.RefNo
	}
	if len(k) > 190 {
		k = k[:190]
	}
	return k
}

// Transfers stored the old way, with keys cut at byte 190, get the keys bankfeed.Key
// gives them now, so that the same transfers read again from a rerun of the old file
// are recognised as stored and add nothing: on SQLite (where a cut inside a character
// was kept as broken bytes) and on MySQL (where only cuts on a character boundary got
// in). Two transfers that shared a cut key get keys of their own, each its ordinal 1.
func TestMigrationRekeysCutTransferKeys(t *testing.T) {
	for _, engine := range []string{"sqlite", "mysql"} {
		t.Run(engine, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
			if engine == "mysql" {
				dsn = storetest.MySQLDSN(t)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := store.MigrateTo(ctx, db, 9); err != nil {
				t.Fatal(err)
			}
			day := calendar.New(2026, 11, 20)
			long := strings.Repeat("ABC SHOJI ", 19) // key over 190 bytes, ASCII: cut on a boundary
			txns := []bankfeed.Txn{
				{Account: "0001-123-1-1234567", ValueDate: day, Amount: 55000, PayerNormalized: long + "TOKYO", Kind: bankfeed.Credit},
				{Account: "0001-123-1-1234567", ValueDate: day, Amount: 55000, PayerNormalized: long + "OSAKA", Kind: bankfeed.Credit},
				{Account: "0001-123-1-1234567", ValueDate: day, Amount: 1100, PayerNormalized: "ｼﾗｻｷﾞｼﾖｳｼﾞ", Kind: bankfeed.Credit},
				{Account: "0001-123-1-1234567", ValueDate: day, Amount: 3300, RefNo: "00012345", PayerNormalized: "ｱｵｲ", Kind: bankfeed.Credit},
			}
			if engine == "sqlite" { // a cut inside a half-width katakana (3 bytes in UTF-8)
				txns = append(txns, bankfeed.Txn{Account: "0001-123-1-1234567", ValueDate: day, Amount: 7700,
					PayerNormalized: "X" + strings.Repeat("ｶ", 60), Kind: bankfeed.Credit})
			}
			ords := map[string]int{}
			for i, tx := range txns {
				k := oldKey(tx)
				ords[k]++
				if _, err := db.ExecContext(ctx, `INSERT INTO bank_txns (account, source, tkey, ordinal, file_sha256, record, ref_no,
					value_date, amount, payer, payer_normalized, kind, run_date) VALUES (?, 'zengin', ?, ?, 'f', ?, ?, ?, ?, ?, ?, 'credit', ?)`,
					tx.Account, k, ords[k], i+1, tx.RefNo, day.String(), tx.Amount, tx.PayerNormalized, tx.PayerNormalized, day.String()); err != nil {
					t.Fatalf("old row %d: %v", i, err)
				}
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO bank_txns (account, source, tkey, ordinal, file_sha256, record, value_date, amount, kind, run_date)
				VALUES ('earlier', 'earlier', 'paid:2026-000001', 1, '', 0, ?, 1, 'credit', ?)`, day.String(), day.String()); err != nil {
				t.Fatal(err)
			}
			if ords[oldKey(txns[0])] != 2 {
				t.Fatalf("the two long payers should share one cut key the old way")
			}
			if err := store.MigrateTo(ctx, db, 10); err != nil {
				t.Fatal(err)
			}
			for i, tx := range txns {
				row := store.BankTxn{Txn: tx, Source: "zengin", TKey: bankfeed.Key(tx), Ordinal: 1, FileSHA256: "g", Status: "new", RunDate: day}
				added, err := store.AddBankTxn(ctx, db, &row)
				if err != nil {
					t.Fatal(err)
				}
				if added {
					t.Errorf("transfer %d (%.30s…) read again from a rerun was stored a second time", i, tx.PayerNormalized)
				}
			}
			var n int
			if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM bank_txns WHERE tkey = 'paid:2026-000001'"); err != nil || n != 1 {
				t.Errorf("the earlier system's key was changed (%d rows, %v)", n, err)
			}
			if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM bank_txns"); err != nil || n != len(txns)+1 {
				t.Errorf("%d transfers after the rerun, want %d (%v)", n, len(txns)+1, err)
			}
			storetest.CheckText(t, db)
			if _, err := db.Migrate(ctx); err != nil { // the migrations after 00010
				t.Fatal(err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Errorf("schema after 00010: %v", err)
			}
		})
	}
}
