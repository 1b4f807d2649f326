package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/accounting"
)

// The four formats of a generated 10,000-contract night (`nightly gen --contracts 10000
// --date 2026-11-24`, then its night), each read back balanced, and the aging on the
// night equal to the month's closing balance; the export times are logged (go test -v).
// About 5 s; skipped with -short.
func TestJournal10kNight(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the 10,000-contract night is left out")
	}
	out := t.TempDir()
	db := "sqlite:" + filepath.Join(out, "nightly.db")
	env := map[string]string{"NIGHTLY_TODAY": "2026-11-24"}
	if code, _, errs := nightly(t, env, "gen", "--contracts", "10000", "--date", "2026-11-24", "--out", out); code != 0 {
		t.Fatalf("gen: exit %d %s", code, errs)
	}
	if code, _, errs := nightly(t, env, "run", "--db", db, "--out", out, "--date", "2026-11-24"); code != 0 {
		t.Fatalf("night: exit %d %s", code, errs)
	}
	for _, f := range accounting.Formats {
		file := filepath.Join(out, string(f)+".csv")
		start := time.Now()
		code, _, errs := nightly(t, env, "export", "journal", "--db", db, "--out", out, "--format", string(f),
			"--from", "2020-01-01", "--to", "2026-11-24", "--file", file)
		took := time.Since(start)
		if code != 0 {
			t.Fatalf("export journal --format %s: exit %d %s", f, code, errs)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n, err := accounting.Check(f, data, accounting.CP932)
		if err != nil || n < 500 {
			t.Errorf("%s: %d entries read back: %v", f, n, err)
		}
		t.Logf("%-13s %5d entries %8d bytes in %v", f, n, len(data), took.Round(time.Millisecond))
	}
	_, aging, _ := nightly(t, env, "aging", "--db", db, "--out", out, "--json")
	_, bal, _ := nightly(t, env, "receivables", "--db", db, "--out", out, "--month", "2026-11", "--json")
	sum := func(s string) int64 {
		var total int64
		for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
			var r struct {
				Total   int64 `json:"total"`
				Closing int64 `json:"closing"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			total += r.Total + r.Closing
		}
		return total
	}
	if a, c := sum(aging), sum(bal); a != c || a == 0 {
		t.Errorf("aging on 11-24 totals %d, November closes on %d", a, c)
	}
}
