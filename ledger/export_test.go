package ledger_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/jobs/jobstest"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func TestExportAccounting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := jobstest.NewEnv(t, db, dsn, t.TempDir())
		jobstest.Seed(t, db)
		invs, err := store.ListInvoices(ctx, db, store.InvoiceFilter{})
		if err != nil || len(invs) == 0 {
			t.Fatalf("seeded invoices: %d, %v", len(invs), err)
		}
		var utf bytes.Buffer
		if err := ledger.ExportAccounting(ctx, env, "invoices", "csv", "utf8", &utf); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(utf.Bytes(), []byte("\ufeff")) {
			t.Error("UTF-8 CSV without BOM: Japanese Excel would garble it")
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(utf.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(invs)+1 || rows[0][0] != "請求書番号" || rows[1][0] != invs[0].Number {
			t.Fatalf("rows %d (want %d), first %v", len(rows), len(invs)+1, rows[:2])
		}
		for _, r := range rows[1:] {
			sub, _ := strconv.ParseInt(r[8], 10, 64)
			tax, _ := strconv.ParseInt(r[9], 10, 64)
			total, _ := strconv.ParseInt(r[10], 10, 64)
			if sub == 0 || sub+tax != total || tax != sub/10 {
				t.Errorf("invoice %s: subtotal %s + tax %s != total %s", r[0], r[8], r[9], r[10])
			}
		}
		var sj bytes.Buffer
		if err := ledger.ExportAccounting(ctx, env, "invoices", "csv", "sjis", &sj); err != nil {
			t.Fatal(err)
		}
		dec, err := japanese.ShiftJIS.NewDecoder().Bytes(sj.Bytes())
		if err != nil || string(dec) != strings.TrimPrefix(utf.String(), "\ufeff") {
			t.Errorf("Shift_JIS export does not decode to the UTF-8 one: %v", err)
		}
		var x bytes.Buffer
		if err := ledger.ExportAccounting(ctx, env, "payments", "xlsx", "", &x); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&x)
		if err != nil {
			t.Fatal(err)
		}
		head, err := f.GetRows("payments")
		if err != nil || len(head) < 1 || head[0][0] != "勘定日" {
			t.Errorf("payments sheet: %v %v", head, err)
		}
		if err := ledger.ExportAccounting(ctx, env, "refunds", "csv", "utf8", &x); err == nil {
			t.Error("unknown export kind accepted")
		}
	})
}
