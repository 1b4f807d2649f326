package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/store"
)

// `nightly bankfeed parse` prints one JSON object per data record of 01, 03 and CSV
// files, in file order, debits and cancellations included, without a database.
func TestBankfeedParse(t *testing.T) {
	dir := t.TempDir()
	files := demo.BankFiles(demo.Date)
	want := map[string]struct {
		n     int
		first string
		last  string
	}{
		"zengin01-2026-11-24.txt": {12, `{"account":"0005-001-1-1234567","ref_no":"000101","value_date":"2026-11-20","amount":59400,"payer":"ｱｵｿﾞﾗｼﾖｳｶｲ","payer_normalized":"アオゾラシヨウカイ","edi":"","cancelled":false,"kind":"credit"}`,
			`"cancelled":true,"kind":"credit"}`},
		"zengin03-2026-11-24.txt": {4, `"ref_no":"00000201"`, `"amount":550,"payer":"","payer_normalized":"","edi":"","cancelled":false,"kind":"debit"}`},
		"bank-2026-11-24.csv":     {3, `"account":"1111111"`, `"payer":"ﾀﾅｶ ｲﾁﾛｳ"`},
	}
	for name, w := range want {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := nightly(t, nil, "bankfeed", "parse", path)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != w.n {
			t.Fatalf("%s: %d lines, want %d:\n%s", name, len(lines), w.n, out)
		}
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil || len(m) != 9 {
				t.Errorf("%s: %q: %v, %d keys", name, l, err, len(m))
			}
			if _, ok := m["ref_no"].(string); !ok {
				t.Errorf("%s: ref_no is not a string in %s", name, l)
			}
		}
		if !strings.Contains(lines[0], w.first) || !strings.Contains(lines[len(lines)-1], w.last) {
			t.Errorf("%s: first %s\nlast %s", name, lines[0], lines[len(lines)-1])
		}
	}
	// A malformed file: exit 1, the message names the record and the field.
	bad := filepath.Join(dir, "bad.txt")
	data := []byte(strings.Replace(string(files["zengin01-2026-11-24.txt"]), "000059400", "0000594X0", 1))
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := nightly(t, nil, "bankfeed", "parse", bad)
	if code != exitFailure || out != "" || !strings.Contains(errs, "record 2") || !strings.Contains(errs, "金額") {
		t.Errorf("malformed: exit %d, out %q, err %q", code, out, errs)
	}
	if code, _, _ := nightly(t, nil, "bankfeed", "parse", bad, "--format", "csv:nosuch"); code != exitFailure {
		t.Errorf("unknown profile: exit %d", code)
	}
}

// payments unmatched lists the exceptions with suggestions, resolve books one and
// learns the payer, list shows it.
func TestPaymentsCommands(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	dsn := "sqlite:" + filepath.Join(out, "nightly.db")
	if code, _, errs := nightly(t, nil, "migrate", "--db", dsn); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	if err := demo.Seed(ctx, db, calendar.NewCalendar(calendar.Options{}), demo.Date, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedBank(ctx, db, demo.Date, now); err != nil {
		t.Fatal(err)
	}
	db.Close()
	bank := filepath.Join(out, "inbox", "bank")
	os.MkdirAll(bank, 0o755)
	for name, data := range demo.BankFiles(demo.Date) {
		os.WriteFile(filepath.Join(bank, name), data, 0o644)
	}
	common := []string{"--db", dsn, "--out", out}
	if code, o, errs := nightly(t, nil, append([]string{"run", "--date", "2026-11-24"}, common...)...); code != 0 && code != exitExceptions {
		t.Fatalf("run: %d %s %s", code, o, errs)
	}
	code, o, errs := nightly(t, nil, append([]string{"payments", "unmatched", "--json"}, common...)...)
	if code != 0 {
		t.Fatalf("unmatched: %d %s", code, errs)
	}
	var unknown struct {
		Txn         int64             `json:"txn"`
		Exception   string            `json:"exception"`
		Suggestions []json.RawMessage `json:"suggestions"`
	}
	kinds := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(o), "\n") {
		var u = unknown
		if err := json.Unmarshal([]byte(l), &u); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		kinds[u.Exception] = true
		if strings.Contains(l, "ﾀﾅｶ ｲﾁﾛｳ") {
			unknown = u
		}
	}
	for _, k := range []string{"unknown", "partial", "overpayment", "ambiguous", "after_suspension"} {
		if !kinds[k] {
			t.Errorf("payments unmatched lists no %s exception:\n%s", k, o)
		}
	}
	if unknown.Txn == 0 || len(unknown.Suggestions) == 0 {
		t.Fatalf("unknown payer not listed with suggestions: %+v", unknown)
	}
	id := jsonInt(unknown.Txn)
	if code, _, errs := nightly(t, nil, append([]string{"payments", "resolve", id, "--invoice", "2026-999999", "--why", "x"}, common...)...); code != exitFailure || !strings.Contains(errs, "請求書 2026-999999 はありません") {
		t.Errorf("resolve to a missing invoice: %d %s", code, errs)
	}
	c10, _ := firstOpenInvoice(t, dsn, "100910")
	if code, _, errs := nightly(t, map[string]string{"USER": "sato"}, append([]string{"payments", "resolve", id, "--invoice", c10, "--why", "電話で確認"}, common...)...); code != 0 {
		t.Fatalf("resolve: %d %s", code, errs)
	}
	code, o, _ = nightly(t, nil, append([]string{"payments", "list", "--json"}, common...)...)
	if code != 0 || !strings.Contains(o, `"invoice":"`+c10+`"`) || !strings.Contains(o, `"by":"sato"`) {
		t.Errorf("payments list after resolve: %d\n%s", code, o)
	}
	if _, o, _ := nightly(t, nil, append([]string{"payments", "unmatched"}, common...)...); strings.Contains(o, "ﾀﾅｶ ｲﾁﾛｳ") {
		t.Errorf("resolved transfer still unmatched:\n%s", o)
	}
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

func firstOpenInvoice(t *testing.T, dsn, customer string) (string, int64) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	invs, err := store.ListInvoices(context.Background(), db, store.InvoiceFilter{CustomerNo: customer, Status: "open"})
	if err != nil || len(invs) == 0 {
		t.Fatalf("open invoices of %s: %v", customer, err)
	}
	return invs[0].Number, invs[0].Total
}
