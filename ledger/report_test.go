package ledger_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/jobs/jobstest"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/ledger/ledgertest"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// reportAging reads the aging total report.html shows, failing when it shows none.
func reportAging(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`id="aging-total">¥([0-9,]+)<`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s shows no aging total", path)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(string(m[1]), ",", ""), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The morning report shows the aging as of its night: equal to what the invoices owe
// and the journal's 売掛金 (ledgertest.CheckAgree). A dry run's report shows what the
// night would leave (read in the dry run's transaction): the aging the real run of the
// same day then shows, not the one before it. On SQLite and MariaDB.
func TestReportAging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := jobstest.NewEnv(t, db, dsn, out)
		env.ReceivablesAging = ledger.ReportAging
		jobstest.SeedBank(t, db, env)
		if s := jobstest.RunNight(t, env, jobs.Options{}); s.Status != "ok" {
			t.Fatalf("night: %s %s", s.Status, s.Error)
		}
		want := accounting.AgingTotal(ledgertest.CheckAgree(t, env, demo.Date)).Total
		if got := reportAging(t, filepath.Join(out, demo.Date.String(), "report.html")); got != want || got == 0 {
			t.Errorf("report.html of %s: aging %d, want %d", demo.Date, got, want)
		}

		next := demo.Date.AddDays(1)
		env.Now = calendar.SimulatedClock(env.Now, next)
		before, err := ledger.Aging(ctx, env, next, next)
		if err != nil {
			t.Fatal(err)
		}
		if s := jobstest.RunNight(t, env, jobs.Options{Date: next, DryRun: true}); s.Status != "dry-run" {
			t.Fatalf("dry run: %s %s", s.Status, s.Error)
		}
		dry := reportAging(t, filepath.Join(out, next.String(), "dry-run", "report.html"))
		if s := jobstest.RunNight(t, env, jobs.Options{Date: next}); s.Status != "ok" {
			t.Fatalf("night of %s: %s %s", next, s.Status, s.Error)
		}
		real := reportAging(t, filepath.Join(out, next.String(), "report.html"))
		after := accounting.AgingTotal(ledgertest.CheckAgree(t, env, next)).Total
		if dry != real || real != after {
			t.Errorf("%s: the dry run's report shows %d, the run's %d, the ledger %d", next, dry, real, after)
		}
		if b := accounting.AgingTotal(before).Total; b == after {
			t.Fatalf("the demo's night of %s changes no receivable (%d): the dry-run check proves nothing", next, b)
		}
	})
}

// When the aging cannot be read, the morning report is written all the same and says so.
func TestReportAgingFails(t *testing.T) {
	dsn := storetest.SQLiteDSN(t)
	db := storetest.Open(t, dsn)
	out := t.TempDir()
	env := jobstest.NewEnv(t, db, dsn, out)
	env.ReceivablesAging = func(context.Context, *jobs.Env, *sqlx.Tx, calendar.Date) ([]accounting.AgingRow, error) {
		return nil, errors.New("invoice 2026-000001: rates do not add up")
	}
	jobstest.Seed(t, db)
	if s := jobstest.RunNight(t, env, jobs.Options{}); s.Status != "ok" {
		t.Fatalf("night: %s %s", s.Status, s.Error)
	}
	b, err := os.ReadFile(filepath.Join(out, demo.Date.String(), "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, "売掛金年齢表を読めませんでした（画面の「売掛金」で確認してください）: invoice 2026-000001: rates do not add up") ||
		strings.Contains(s, `id="aging"`) {
		t.Errorf("report.html after the aging failed: %.400s", s)
	}
}
