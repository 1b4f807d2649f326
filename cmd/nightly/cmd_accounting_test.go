package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/npress/nightly/accounting"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// demoDB runs `nightly demo` in a temporary folder and returns the database's address.
func demoDB(t *testing.T) (db, out string) {
	t.Helper()
	out = t.TempDir()
	if code, stdout, errs := nightly(t, nil, "demo", "--out", out); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
	}
	return "sqlite:" + filepath.Join(out, "nightly.db"), out
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/nightly -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); check the change and rerun with -update", name, len(got), len(want))
	}
}

// The demo's journal in the four formats, its aging and its November balance, byte for
// byte, each file read back and checked as its importer would.
func TestDemoJournalGolden(t *testing.T) {
	db, out := demoDB(t)
	env := map[string]string{"NIGHTLY_TODAY": "2026-11-24"}
	for _, f := range accounting.Formats {
		file := filepath.Join(out, string(f)+".csv")
		code, stdout, errs := nightly(t, env, "export", "journal", "--db", db, "--out", out, "--format", string(f),
			"--from", "2026-01-01", "--to", "2026-11-24", "--file", file)
		if code != 0 {
			t.Fatalf("export journal --format %s: exit %d %s", f, code, errs)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n, err := accounting.Check(f, data, accounting.CP932)
		if err != nil || n == 0 || !strings.Contains(stdout, strconv.Itoa(n)+" entries") {
			t.Errorf("%s: %d entries read back (%v); the command said %q", f, n, err, stdout)
		}
		golden(t, "demo-journal-"+string(f)+".csv", data)
	}
	code, stdout, errs := nightly(t, env, "export", "journal", "--db", db, "--out", out, "--format", "yayoi", "--from", "2026-11-20", "--to", "2026-11-20")
	if code != 0 || !strings.HasPrefix(stdout, "2") || strings.Contains(stdout, "識別フラグ") {
		t.Errorf("export journal to standard output: exit %d %s", code, errs)
	}
	code, stdout, errs = nightly(t, env, "aging", "--db", db, "--out", out, "--as-of", "2026-11-24", "--json")
	if code != 0 {
		t.Fatalf("aging: exit %d %s", code, errs)
	}
	golden(t, "demo-aging.json", []byte(stdout))
	var first map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"customer", "name", "not_due", "d1_30", "d31_60", "d61_90", "d91_plus", "total"} {
		if _, ok := first[k]; !ok || len(first) != 8 {
			t.Errorf("aging --json keys %v, want exactly customer … total", first)
		}
	}
	code, stdout, errs = nightly(t, env, "receivables", "--db", db, "--out", out, "--month", "2026-11", "--json")
	if code != 0 {
		t.Fatalf("receivables: exit %d %s", code, errs)
	}
	golden(t, "demo-receivables-2026-11.json", []byte(stdout))
	var closing int64
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r struct {
			Closing int64 `json:"closing"`
		}
		json.Unmarshal([]byte(line), &r)
		closing += r.Closing
	}
	if closing != agingTotal(t, "testdata/demo-aging.json") {
		t.Errorf("November closes on %d, the aging on 11-24 totals %d", closing, agingTotal(t, "testdata/demo-aging.json"))
	}
	for _, f := range []string{"csv", "xlsx"} {
		file := filepath.Join(out, "aging."+f)
		if code, _, errs := nightly(t, env, "aging", "--db", db, "--out", out, "--format", f, "--file", file); code != 0 {
			t.Errorf("aging --format %s: exit %d %s", f, code, errs)
		}
		if b, err := os.ReadFile(file); err != nil || len(b) == 0 {
			t.Errorf("aging --format %s wrote nothing: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "aging.csv")); !bytes.HasPrefix(b, []byte("\ufeffお客様番号,お客様名,期日前,1–30日")) ||
		!bytes.Contains(b, []byte("\r\n合計,2026-11-24 現在,")) {
		t.Errorf("aging.csv:\n%s", b)
	}
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func agingTotal(t *testing.T, path string) int64 {
	t.Helper()
	var sum int64
	for _, line := range strings.Split(strings.TrimSpace(fileText(t, path)), "\n") {
		var r struct {
			Total int64 `json:"total"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		sum += r.Total
	}
	return sum
}

// Every bad input of the accountant's commands gets a clear error and the usage exit
// code, and nothing is written.
func TestAccountingCommandErrors(t *testing.T) {
	db, out := demoDB(t)
	env := map[string]string{"NIGHTLY_TODAY": "2026-11-24"}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "journal", "--format", "excel", "--from", "2026-11-01", "--to", "2026-11-24"}, exitUsage, "yayoi, mf, freee or freee-journal"},
		{[]string{"export", "journal", "--from", "2026-11-01", "--to", "2026-11-24"}, exitUsage, "Usage: nightly export journal"},
		{[]string{"export", "journal", "--format", "yayoi", "--from", "2026-11-31", "--to", "2026-11-24"}, exitUsage, "--from"},
		{[]string{"export", "journal", "--format", "yayoi", "--to", "2026-11-24"}, exitFailure, "--from YYYY-MM-DD --to YYYY-MM-DD"},
		{[]string{"export", "journal", "--format", "yayoi", "--from", "2026-11-24", "--to", "2026-11-01"}, exitFailure, "before --from"},
		{[]string{"export", "journal", "--format", "yayoi", "--from", "2026-11-01", "--to", "2026-11-25"}, exitFailure, "2026-11-25 is after today (2026-11-24)"},
		{[]string{"export", "journal", "--format", "yayoi", "--from", "2026-11-01", "--to", "2026-11-24", "--kinds", "payment"}, exitUsage, `kind of entry "payment"`},
		{[]string{"export", "journal", "extra", "--format", "yayoi"}, exitUsage, "Usage: nightly export journal"},
		{[]string{"aging", "--as-of", "2026-11-25"}, exitFailure, "after today"},
		{[]string{"aging", "--as-of", "24.11.2026"}, exitUsage, "--as-of"},
		{[]string{"aging", "--format", "csv"}, exitUsage, "--format and --file go together"},
		{[]string{"aging", "--format", "pdf", "--file", filepath.Join(out, "a.pdf")}, exitUsage, `"pdf": want csv or xlsx`},
		{[]string{"receivables"}, exitUsage, "Usage: nightly receivables"},
		{[]string{"receivables", "--month", "2026-13"}, exitUsage, "--month"},
		{[]string{"receivables", "--month", "2026-12"}, exitFailure, "after today"},
	}
	for _, c := range cases {
		args := append(c.args, "--db", db, "--out", out)
		code, stdout, errs := nightly(t, env, args...)
		if code != c.code || !strings.Contains(errs, c.want) || (code != 0 && stdout != "") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and %q", c.args, code, errs, stdout, c.code, c.want)
		}
	}
	if code, _, errs := nightly(t, map[string]string{"NIGHTLY_TODAY": "tomorrow"}, "aging", "--db", db, "--out", out); code != exitUsage || !strings.Contains(errs, "NIGHTLY_TODAY") {
		t.Errorf("a bad NIGHTLY_TODAY: exit %d %q", code, errs)
	}
	if code, _, errs := nightly(t, env, "export", "invoices", "--db", db, "--out", out, "--file", filepath.Join(out, "journal")); code != 0 {
		t.Errorf("export invoices --file journal is not the journal: exit %d %s", code, errs)
	}
}
