package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// `config show` hides the password of a DSN in every form (issue 13, #8).
func TestConfigShowHidesPasswordInEveryForm(t *testing.T) {
	for _, dsn := range []string{
		"MYSQL://nightly:s3cret@tcp(db:3306)/nightly",
		"nightly:s3cret@tcp(db:3306)/nightly",
		"Mysql://nightly:s3:cr@et@tcp(db:3306)/nightly",
	} {
		code, out, errs := nightly(t, map[string]string{"NIGHTLY_DB": dsn}, "config", "show")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", dsn, code, errs)
		}
		if strings.Contains(out, "s3") || !strings.Contains(out, "nightly:***@tcp(db:3306)/nightly") {
			t.Errorf("config show with %s:\n%s", dsn, out)
		}
	}
}

// Every file a demo night writes is 0600 (0640 and the group with file_group) and every
// folder 0750, whatever the umask: the database, the day folder, the inbox's archive and
// rejected folders, reply drafts, evidence (0400/0440); nightly.prom stays 0644 for the
// node_exporter (issue 13, #12).
func TestDemoFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, tc := range []struct {
		name                 string
		group                bool
		file, readOnly, prom os.FileMode
	}{
		{"no group", false, 0o600, 0o400, 0o644},
		{"file_group", true, 0o640, 0o440, 0o644},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"demo", "--out", out}
			if tc.group {
				cfg := filepath.Join(t.TempDir(), "nightly.toml")
				os.WriteFile(cfg, []byte(fmt.Sprintf("file_group = \"%d\"\n", os.Getgid())), 0o600)
				args = append(args, "--config", cfg)
			}
			if code, stdout, errs := nightly(t, nil, args...); code != 0 {
				t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
			}
			counts := map[string]int{}
			err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == out {
					return err
				}
				fi, err := os.Lstat(p)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(out, p)
				want := tc.file
				switch {
				case fi.IsDir():
					want = 0o750
				case rel == "nightly.prom":
					want = tc.prom
				case strings.HasPrefix(rel, "evidence"+string(filepath.Separator)):
					want = tc.readOnly
				}
				if fi.Mode().Perm() != want || !fi.Mode().IsRegular() && !fi.IsDir() {
					t.Errorf("%s: mode %v, want %v", rel, fi.Mode(), want)
				}
				if gid := int(fi.Sys().(*syscall.Stat_t).Gid); tc.group && gid != os.Getgid() {
					t.Errorf("%s: group %d, want %d", rel, gid, os.Getgid())
				}
				counts[strings.Split(rel, string(filepath.Separator))[0]]++
				if strings.Contains(rel, "archive") || strings.Contains(rel, "rejected") || strings.Contains(rel, "replies") {
					counts[filepath.Base(filepath.Dir(rel))]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The walk saw what it must check, not an empty folder.
			for _, k := range []string{"nightly.db", "evidence", "2026-11-24", "inbox", "2026-11-24", "orders", "replies"} {
				if counts[k] == 0 {
					t.Errorf("no %s in the demo's output (%v)", k, counts)
				}
			}
		})
	}
}

// A run date after today is refused unless --dry-run (up to a year ahead), and so is one
// before 2000; nothing is issued, and the invoices stay readable (issue 13, #3).
func TestRunDateBounds(t *testing.T) {
	out := t.TempDir()
	today := map[string]string{"NIGHTLY_TODAY": "2026-11-24"}
	if code, stdout, errs := nightly(t, today, "demo", "--out", out); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
	}
	db := "sqlite:" + filepath.Join(out, "nightly.db")
	_, before, _ := nightly(t, today, "invoices", "list", "--json", "--db", db)
	for _, tc := range []struct {
		args []string
		ok   bool
		says string
	}{
		{[]string{"--date", "9999-12-31"}, false, "after today (2026-11-24, JST)"},
		{[]string{"--date", "9999-12-31", "--dry-run"}, false, "more than a year after today"},
		{[]string{"--date", "2026-11-25"}, false, "--dry-run"},
		{[]string{"--date", "1999-12-31", "--dry-run"}, false, "before 2000-01-01"},
		{[]string{"--date", "2027-11-24", "--dry-run"}, true, ""},
	} {
		args := append([]string{"run", "--db", db, "--out", out, "--json"}, tc.args...)
		code, _, errs := nightly(t, today, args...)
		if tc.ok != (code == 0 || code == exitExceptions) || !strings.Contains(errs, tc.says) {
			t.Errorf("run %v: exit %d %q, want ok=%v saying %q", tc.args, code, errs, tc.ok, tc.says)
		}
	}
	code, after, errs := nightly(t, today, "invoices", "list", "--json", "--db", db)
	if code != 0 || after != before {
		t.Errorf("invoices after the refused runs: exit %d %s\n%s\nwant as before:\n%s", code, errs, after, before)
	}
	if _, err := os.Stat(filepath.Join(out, "9999-12-31")); err == nil {
		t.Error("a refused run wrote its day folder")
	}
	// gen refuses a night it could not run.
	if code, _, errs := nightly(t, today, "gen", "--contracts", "10", "--date", "9999-12-31", "--out", t.TempDir()); code == 0 || !strings.Contains(errs, "after today") {
		t.Errorf("gen --date 9999-12-31: exit %d %q", code, errs)
	}
}

// NIGHTLY_TODAY sets today for every command: the night, staff actions, the web's today;
// the report says so; a bad value is refused (issue 13, #3).
func TestNightlyToday(t *testing.T) {
	out := t.TempDir()
	sim := map[string]string{"NIGHTLY_TODAY": "2026-11-24", "USER": "sato"}
	if code, stdout, errs := nightly(t, sim, "demo", "--out", out); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
	}
	db := "sqlite:" + filepath.Join(out, "nightly.db")
	report, _ := os.ReadFile(filepath.Join(out, "2026-11-24", "report.html"))
	if !strings.Contains(string(report), "NIGHTLY_TODAY=2026-11-24") {
		t.Error("report.html does not say that today was simulated")
	}
	// A run without --date is the simulated today's (catch-up from the demo night).
	next := map[string]string{"NIGHTLY_TODAY": "2026-11-25", "USER": "sato"}
	code, stdout, errs := nightly(t, next, "run", "--db", db, "--out", out, "--json")
	if code != 0 && code != exitExceptions || !strings.Contains(stdout, `"run_date":"2026-11-25"`) {
		t.Fatalf("run under NIGHTLY_TODAY=2026-11-25: exit %d %s\n%s", code, stdout, errs)
	}
	// A staff action is dated by the simulated clock: a hold until 11-27 is in the
	// future on 11-25 and in the past on 11-30.
	if code, _, errs := nightly(t, next, "contracts", "hold", "NP-0001010", "--until", "2026-11-27", "--why", "連絡あり", "--db", db); code != 0 {
		t.Errorf("hold on 2026-11-25: exit %d %s", code, errs)
	}
	late := map[string]string{"NIGHTLY_TODAY": "2026-11-30"}
	if code, _, errs := nightly(t, late, "contracts", "hold", "NP-0001010", "--until", "2026-11-27", "--why", "x", "--db", db); code == 0 || !strings.Contains(errs, "過去の日付") {
		t.Errorf("hold on 2026-11-30 until 11-27: exit %d %q", code, errs)
	}
	if code, _, errs := nightly(t, next, "tasks", "done", "stop:NP-0001003:2026-11-23", "--db", db); code != 0 {
		t.Errorf("tasks done: exit %d %s", code, errs)
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var at []time.Time
	if err := s.SelectContext(context.Background(), &at, "SELECT at FROM audit WHERE who = 'sato' AND action IN ('hold', 'task_done') ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	if len(at) != 2 {
		t.Fatalf("audit rows of sato: %v, want the hold and the task", at)
	}
	for _, a := range at {
		if d := calendar.InTokyo(a); d != calendar.MustParse("2026-11-25") {
			t.Errorf("audit entry at %v (%s JST), want on the simulated 2026-11-25", a, d)
		}
	}
	for _, bad := range []string{"2026-02-30", "1999-12-31", "tomorrow"} {
		if code, _, errs := nightly(t, map[string]string{"NIGHTLY_TODAY": bad}, "status", "--db", db); code != exitUsage || !strings.Contains(errs, "NIGHTLY_TODAY") {
			t.Errorf("NIGHTLY_TODAY=%s: exit %d %q", bad, code, errs)
		}
	}
}

// `nightly import` refuses a file beyond the limits before reading it, saying what to
// do; export → import gives back a name that starts a formula, in CSV of both encodings
// and in .xlsx, and the exported cells are neutralised (issue 13, #5, #6).
func TestImportLimitsAndFormulaRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "nightly.db")
	cfg := filepath.Join(dir, "nightly.toml")
	os.WriteFile(cfg, []byte("[import]\nmax_file_mb = 1\n"), 0o600)
	common := []string{"--db", db, "--out", filepath.Join(dir, "out"), "--config", cfg}
	if code, _, errs := nightly(t, nil, append([]string{"migrate"}, common...)...); code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, errs)
	}
	ex := func(k string) string { return filepath.Join("..", "..", "examples", k+".csv") }
	for _, k := range []string{"plans", "customers"} {
		if code, _, errs := nightly(t, nil, append([]string{"import", k, ex(k)}, common...)...); code != exitOK {
			t.Fatalf("import %s: exit %d: %s", k, code, errs)
		}
	}
	big := filepath.Join(dir, "big.csv")
	os.WriteFile(big, bytes.Repeat([]byte("100001,x\r\n"), 150_000), 0o600) // 1.5 MB
	code, _, errs := nightly(t, nil, append([]string{"import", "customers", big}, common...)...)
	if code != exitFailure || !strings.Contains(errs, "more than 1 MB") || !strings.Contains(errs, "import.max_file_mb") {
		t.Errorf("a file over the limit: exit %d %q", code, errs)
	}

	// A customer whose name and contact start formulas.
	data, _ := os.ReadFile(ex("customers"))
	lines := strings.SplitN(string(data), "\n", 3)
	evil := `=HYPERLINK("http://evil.example","請求書")`
	row := strings.Replace(lines[1], "株式会社山本精機", evil, 1)
	row = strings.Replace(row, "総務部 山本 健一", "@SUM(A1:A9)", 1)
	edited := filepath.Join(dir, "edited.csv")
	os.WriteFile(edited, []byte(lines[0]+"\n"+csvQuote(row, evil)+"\n"), 0o600)
	if code, out, errs := nightly(t, nil, append([]string{"import", "customers", edited, "--apply"}, common...)...); code != exitOK {
		t.Fatalf("import the edited customer: exit %d %s %s", code, out, errs)
	}
	for _, f := range [][]string{{"--format", "csv", "--encoding", "utf8"}, {"--format", "csv", "--encoding", "sjis"}, {"--format", "xlsx"}} {
		file := filepath.Join(dir, "export-"+strings.Join(f, "")+map[bool]string{true: ".xlsx", false: ".csv"}[f[1] == "xlsx"])
		if code, _, errs := nightly(t, nil, append(append([]string{"export", "customers", "--file", file}, f...), common...)...); code != exitOK {
			t.Fatalf("export %v: exit %d %s", f, code, errs)
		}
		raw, _ := os.ReadFile(file)
		if f[1] != "xlsx" {
			if f[3] == "sjis" {
				raw, _ = japanese.ShiftJIS.NewDecoder().Bytes(raw)
			}
			if !strings.Contains(string(raw), `"'=HYPERLINK(""http://evil.example"",""請求書"")"`) || !strings.Contains(string(raw), "'@SUM(A1:A9)") {
				t.Errorf("export %v does not neutralise the cells:\n%.300s", f, raw)
			}
		}
		code, out, errs := nightly(t, nil, append([]string{"import", "customers", file, "--json"}, common...)...)
		if code != exitOK || !strings.Contains(out, `"created":0,"updated":0`) {
			t.Errorf("import of export %v: exit %d %s %s; want nothing changed", f, code, out, errs)
		}
	}
}

// csvQuote quotes the field of row that holds s (it has commas and quotes).
func csvQuote(row, s string) string {
	return strings.Replace(row, s, `"`+strings.ReplaceAll(s, `"`, `""`)+`"`, 1)
}

// serve refuses a trusted proxy that is not an address before it listens (issue 13, #7).
func TestServeTrustedProxyFlag(t *testing.T) {
	out := t.TempDir()
	code, _, errs := nightly(t, nil, "serve", "--out", out, "--http-trusted-proxy", "10.0.0.1,proxy.example")
	if code != exitFailure || !strings.Contains(errs, "proxy.example") {
		t.Errorf("serve with a host name as proxy: exit %d %q", code, errs)
	}
}

// A database left world-readable by an older nightly is made private by the next
// command that opens it (issue 13, #12).
func TestOldDatabaseMadePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nightly.db")
	if code, _, errs := nightly(t, nil, "migrate", "--db", "sqlite:"+path); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	os.Chmod(path, 0o644)
	if code, _, errs := nightly(t, nil, "status", "--db", "sqlite:"+path, "--out", dir); code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode after status: %v %v, want 0600", fi.Mode().Perm(), err)
	}
}
