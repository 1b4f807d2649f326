package jobs_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// bigWorkbook is a genuine .xlsx whose sheet unpacks to more than 1 MB.
func bigWorkbook(t *testing.T) []byte {
	t.Helper()
	x := excelize.NewFile()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 20000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{fmt.Sprintf("EC-%08d", i), "new", "100007", "", "M365-BB", 20, "2026-06-01", "2026-07"})
	}
	sw.Flush()
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cellsStartingWith returns the cells of a CSV written by the night (UTF-8 with BOM)
// whose text starts with one of the characters that make Excel read a formula.
func formulaCells(t *testing.T, data []byte) (risky, neutralised []string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for _, c := range r {
			switch {
			case c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])):
				risky = append(risky, c)
			case strings.HasPrefix(c, "'="):
				neutralised = append(neutralised, c)
			}
		}
	}
	return risky, neutralised
}

// The orders step refuses a file beyond the import limits before reading it, and an
// order dated after the night, each reported with what to do; the night goes on
// (issue 13, #3, #5). exceptions.csv neutralises a file name that is a formula (#6).
func TestOrdersStepLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		env.Config.Import.MaxFileMB, env.Config.Import.MaxXLSXMB = 1, 1
		for _, k := range []masterdata.Kind{masterdata.Plans, masterdata.Customers, masterdata.Contracts} {
			data, _ := os.ReadFile(filepath.Join("..", "examples", string(k)+".csv"))
			importFile(t, env, k, string(k)+".csv", data, false)
		}
		head := "order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\r\n"
		big := bytes.Repeat([]byte("EC-1,new,100007,,M365-BB,20,2026-06-01,2026-07\r\n"), 30000) // 1.4 MB
		files := map[string][]byte{
			"big.csv":        append([]byte(head), big...),
			"bomb.xlsx":      bigWorkbook(t),
			"future.csv":     []byte(head + "EC-9,new,100007,,M365-BB,20,2026-11-25,2026-12\r\n"),
			"=cmd|calc!.csv": []byte("not an order file\r\n"),
		}
		inbox := filepath.Join(env.Config.InboxDir, "orders")
		os.MkdirAll(inbox, 0o755)
		for name, data := range files {
			os.WriteFile(filepath.Join(inbox, name), data, 0o644)
		}
		s := runNight(t, env, jobs.Options{Only: []string{"orders", "report"}})
		if s.Status != "ok" || changes(s)["orders.files_rejected"] != 4 || changes(s)["orders.orders_created"] != 0 {
			t.Fatalf("night %s %s, changes %v: want ok with 4 files rejected", s.Status, s.Error, changes(s))
		}
		xs, err := store.OpenExceptions(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, x := range xs {
			got[x.Subject] = x.Message
		}
		for name, says := range map[string]string{
			"big.csv":        "import.max_file_mb",
			"bomb.xlsx":      "import.max_xlsx_mb",
			"future.csv":     "処理日 2026-11-24 より後です",
			"=cmd|calc!.csv": "注文番号",
		} {
			if !strings.Contains(got[name], says) {
				t.Errorf("exception for %s: %q, want it to say %q", name, got[name], says)
			}
			if _, err := os.Stat(filepath.Join(env.Config.InboxDir, "rejected", "orders", name)); err != nil {
				t.Errorf("%s not in rejected/orders: %v", name, err)
			}
		}
		data, err := os.ReadFile(filepath.Join(env.Config.OutDir, demo.Date.String(), "exceptions.csv"))
		if err != nil {
			t.Fatal(err)
		}
		risky, neutralised := formulaCells(t, data)
		if len(risky) > 0 || len(neutralised) == 0 || !strings.HasPrefix(neutralised[0], "'=cmd|calc!.csv") {
			t.Errorf("exceptions.csv: cells read as formulas %q; neutralised %q", risky, neutralised)
		}
	})
}

// print/dispatch.csv never hands Excel a formula: a customer named "=…" is written
// "'=…" (issue 13, #6).
func TestDispatchCSVNeutralised(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	db := storetest.Open(t, dsn)
	env := newEnv(t, db, dsn, t.TempDir())
	seeded(t, db)
	cs, err := store.ListCustomers(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		c.Name = `=HYPERLINK("http://evil.example","` + c.Name + `")`
		if err := store.PutCustomer(ctx, db, c, fixedNow); err != nil {
			t.Fatal(err)
		}
	}
	if s := runNight(t, env, jobs.Options{}); s.Status != "ok" {
		t.Fatalf("night %s %s", s.Status, s.Error)
	}
	data, err := os.ReadFile(filepath.Join(env.Config.OutDir, demo.Date.String(), "print", "dispatch.csv"))
	if err != nil {
		t.Fatal(err)
	}
	risky, neutralised := formulaCells(t, data)
	if len(risky) > 0 || len(neutralised) == 0 {
		t.Errorf("dispatch.csv: cells read as formulas %q, neutralised %d", risky, len(neutralised))
	}
}
