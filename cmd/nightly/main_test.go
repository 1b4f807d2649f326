package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nightly runs the command in-process with a fixed clock and environment.
func nightly(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func TestHelpOnEveryCommand(t *testing.T) {
	code, out, _ := nightly(t, nil, "help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Fatalf("help: %d %q", code, out)
	}
	for _, c := range commands {
		code, _, errs := nightly(t, nil, c.name, "--help")
		if code != 0 || !strings.Contains(errs, "Usage: nightly "+c.name) {
			t.Errorf("%s --help: exit %d, %q", c.name, code, errs)
		}
	}
	if code, _, _ := nightly(t, nil, "nosuch"); code != exitUsage {
		t.Errorf("unknown command: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := nightly(t, nil, "status", "--nosuchflag"); code != exitUsage {
		t.Errorf("unknown flag: exit %d, want %d", code, exitUsage)
	}
}

func TestCalendarJSON(t *testing.T) {
	code, out, errs := nightly(t, nil, "calendar", "2027", "--json", "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first, last map[string]string
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if first["date"] != "2027-01-01" || first["kind"] != "holiday" || first["name"] != "元日" {
		t.Errorf("first line %v: 1/1 is both a holiday and a bank closure and must be listed once as holiday", first)
	}
	if last["date"] != "2027-12-31" || last["kind"] != "bank" {
		t.Errorf("last line %v, want 2027-12-31 bank", last)
	}
	// 17 public holidays in 2027 (Cabinet Office) + 1/2, 1/3, 12/31.
	if len(lines) != 20 {
		t.Errorf("%d lines, want 20", len(lines))
	}
	if code, _, _ := nightly(t, nil, "calendar", "20x7"); code != exitUsage {
		t.Errorf("bad year: exit %d", code)
	}
}

func TestConfigShowHidesPassword(t *testing.T) {
	env := map[string]string{"NIGHTLY_DB": "mysql://nightly:s3cret@tcp(db:3306)/nightly"}
	code, out, errs := nightly(t, env, "config", "show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "nightly:***@tcp(db:3306)/nightly") {
		t.Errorf("config show:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "nightly.toml")
	os.WriteFile(file, []byte(`db = "mysql://u:pw@tcp(h:3306)/n"`+"\n"), 0o600)
	if code, _, errs := nightly(t, nil, "config", "show", "--config", file); code == 0 || !strings.Contains(errs, "NIGHTLY_DB") {
		t.Errorf("a password in the file: exit %d, %q", code, errs)
	}
	os.WriteFile(file, []byte("shedule = \"0 3 * * *\"\n"), 0o600)
	if code, _, errs := nightly(t, nil, "config", "show", "--config", file); code == 0 || !strings.Contains(errs, "shedule") {
		t.Errorf("a misspelt key: exit %d, %q", code, errs)
	}
}

// The demo, its rerun (nothing changes), status, contracts and a hold, end to end.
func TestDemoRerunAndContracts(t *testing.T) {
	out := t.TempDir()
	if code, stdout, errs := nightly(t, nil, "demo", "--out", out); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
	}
	db := "sqlite:" + filepath.Join(out, "nightly.db")
	code, stdout, errs := nightly(t, nil, "run", "--db", db, "--out", out, "--date", "2026-11-24", "--json")
	if code != 0 {
		t.Fatalf("rerun: exit %d %s", code, errs)
	}
	var sum struct {
		RunDate string `json:"run_date"`
		Status  string `json:"status"`
		Steps   []struct {
			Name    string         `json:"name"`
			Changes map[string]int `json:"changes"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("run --json printed %q: %v", stdout, err)
	}
	if sum.RunDate != "2026-11-24" || sum.Status != "ok" || len(sum.Steps) == 0 {
		t.Errorf("summary %+v", sum)
	}
	for _, s := range sum.Steps {
		for k, v := range s.Changes {
			if v != 0 {
				t.Errorf("rerun changed %s.%s = %d", s.Name, k, v)
			}
		}
	}
	code, stdout, _ = nightly(t, nil, "contracts", "list", "--json", "--db", db)
	if code != 0 || !strings.Contains(stdout, `"status":"suspended"`) || !strings.Contains(stdout, `"status":"ended"`) {
		t.Errorf("contracts list: %d", code)
	}
	env := map[string]string{"USER": "sato"}
	code, _, errs = nightly(t, env, "contracts", "hold", "NP-0001010", "--until", "2099-01-31", "--why", "入金予定の連絡あり", "--db", db)
	if code != 0 {
		t.Fatalf("hold: exit %d %s", code, errs)
	}
	code, stdout, _ = nightly(t, nil, "contracts", "show", "NP-0001010", "--db", db)
	if code != 0 || !strings.Contains(stdout, "2099-01-31") || !strings.Contains(stdout, "sato") || !strings.Contains(stdout, "入金予定の連絡あり") {
		t.Errorf("contracts show after hold:\n%s", stdout)
	}
	if code, _, _ := nightly(t, nil, "contracts", "hold", "NP-0001010", "--until", "2099-01-31", "--db", db); code == 0 {
		t.Error("hold without --why accepted")
	}
	code, stdout, _ = nightly(t, nil, "status", "--db", db)
	if code != 0 || strings.Count(stdout, "2026-11-24") != 2 {
		t.Errorf("status:\n%s", stdout)
	}
}

func TestRunRefusesSchemaBehindAndBadDate(t *testing.T) {
	out := t.TempDir()
	db := "sqlite:" + filepath.Join(out, "n.db")
	code, _, errs := nightly(t, nil, "run", "--db", db, "--out", out, "--date", "2026-11-24")
	if code != exitFailure || !strings.Contains(errs, "nightly migrate") {
		t.Errorf("run on an unmigrated database: exit %d %q", code, errs)
	}
	if code, _, _ := nightly(t, nil, "migrate", "--db", db); code != 0 {
		t.Fatal("migrate failed")
	}
	code, _, errs = nightly(t, nil, "run", "--db", db, "--out", out, "--date", "2026-02-30")
	if code == 0 || !strings.Contains(errs, "2026-02-30") {
		t.Errorf("a date that does not exist: exit %d %q", code, errs)
	}
}
