package jobs_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// fixedNow is the clock of every test night: 2026-11-24 02:00 JST.
var fixedNow = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, db *store.DB, dsn, out string) *jobs.Env {
	t.Helper()
	c := config.Default()
	c.DB, c.OutDir = dsn, out
	c.Resolve()
	c.EvidenceDir = filepath.Join(out, "evidence")
	ev, err := evidence.Open(c.EvidenceDir)
	if err != nil {
		t.Fatal(err)
	}
	return &jobs.Env{DB: db, Config: c, Calendar: calendar.NewCalendar(calendar.Options{}), Evidence: ev,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return fixedNow }, Who: "test"}
}

func seeded(t *testing.T, db *store.DB) {
	t.Helper()
	if err := demo.Seed(context.Background(), db, calendar.NewCalendar(calendar.Options{}), demo.Date, fixedNow); err != nil {
		t.Fatal(err)
	}
}

func runNight(t *testing.T, env *jobs.Env, opts jobs.Options) jobs.Summary {
	t.Helper()
	if opts.Date.IsZero() {
		opts.Date = demo.Date
	}
	if !opts.DryRun && opts.Date.After(calendar.InTokyo(env.Now())) {
		// A later night runs on its own day: a run date after today is refused (§10.0).
		saved := env.Now
		env.Now = calendar.SimulatedClock(saved, opts.Date)
		defer func() { env.Now = saved }()
	}
	sums, err := jobs.Run(context.Background(), env, opts)
	if err != nil {
		t.Fatalf("run %s: %v", opts.Date, err)
	}
	return sums[len(sums)-1]
}

func changes(s jobs.Summary) map[string]int {
	out := map[string]int{}
	for _, st := range s.Steps {
		for k, v := range st.Changes {
			out[st.Name+"."+k] += v
		}
	}
	return out
}

// The demo night does what SPEC §4.5–4.6 say, and a rerun changes nothing (§5.2).
func TestNightAndRerun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		first := runNight(t, env, jobs.Options{})
		want := map[string]int{"lifecycle.rolled_over": 2, "lifecycle.suspended": 2, "lifecycle.ended": 2, "lifecycle.reminders": 2}
		for k, v := range want {
			if got := changes(first)[k]; got != v {
				t.Errorf("first night: %s = %d, want %d (all: %v)", k, got, v, changes(first))
			}
		}
		// The contracts are where the rules put them.
		for no, status := range map[string]string{"NP-0001001": "active", "NP-0001003": "suspended", "NP-0001004": "suspended",
			"NP-0001005": "active", "NP-0001006": "ended", "NP-0001007": "ended"} {
			c, err := store.GetContract(ctx, db, no)
			if err != nil || c.Status != status {
				t.Errorf("%s: status %q, %v; want %q", no, c.Status, err, status)
			}
		}
		rolled, _ := store.GetContract(ctx, db, "NP-0001001")
		if rolled.TermStart != demo.Date || rolled.TermEnd != calendar.MustParse("2027-11-23") {
			t.Errorf("rolled-over term %s..%s", rolled.TermStart, rolled.TermEnd)
		}
		inv, _ := store.NextRenewal(ctx, db, "NP-0001003", calendar.MustParse("2025-11-24"))
		if inv.Status != store.InvoiceLapsed {
			t.Errorf("renewal of suspended contract: status %q, want lapsed", inv.Status)
		}
		report1 := readReport(t, out)
		for _, s := range []string{"NP-0001003", "NP-0001006", "停止保留中", "NP-0001005", "2026-000007-R", "お支払いのお願い"} {
			if !strings.Contains(report1, s) {
				t.Errorf("report does not show %q", s)
			}
		}
		dump1 := dumpDB(t, db)

		second := runNight(t, env, jobs.Options{})
		if c := changes(second); len(nonZero(c)) != 0 {
			t.Errorf("rerun changed %v, want nothing", nonZero(c))
		}
		if d := dumpDB(t, db); d != dump1 {
			t.Errorf("rerun changed the database:\n%s", diffLines(dump1, d))
		}
		if r := readReport(t, out); stripTimings(r) != stripTimings(report1) {
			t.Errorf("rerun report differs:\n%s", diffLines(stripTimings(report1), stripTimings(r)))
		}

		// A deleted output folder is written again, the same.
		os.RemoveAll(filepath.Join(out, demo.Date.String()))
		runNight(t, env, jobs.Options{})
		if r := readReport(t, out); stripTimings(r) != stripTimings(report1) {
			t.Errorf("report after deleting the folder differs")
		}
		if _, err := os.Stat(filepath.Join(out, demo.Date.String(), "exceptions.csv")); err != nil {
			t.Errorf("exceptions.csv not written again: %v", err)
		}

		// Fixing data and rerunning applies exactly that change.
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE contracts SET cancel_at_term_end = ? WHERE contract_no = ?", true, "NP-0001005")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		third := runNight(t, env, jobs.Options{})
		if c := nonZero(changes(third)); len(c) != 1 || c["lifecycle.ended"] != 1 {
			t.Errorf("rerun after fixing one contract changed %v, want lifecycle.ended=1", c)
		}
	})
}

// A dry run writes nothing but its report and its ledger line (SPEC §5.4).
func TestDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		before := dumpDB(t, db)
		s := runNight(t, env, jobs.Options{DryRun: true})
		if s.Status != "dry-run" || changes(s)["lifecycle.suspended"] != 2 {
			t.Errorf("dry run summary %+v", s)
		}
		if after := dumpDB(t, db); after != before {
			t.Errorf("dry run changed the database:\n%s", diffLines(before, after))
		}
		rep, err := os.ReadFile(filepath.Join(out, demo.Date.String(), "dry-run", "report.html"))
		if err != nil || !strings.Contains(string(rep), "【試算】") || !strings.Contains(string(rep), "NP-0001003") {
			t.Errorf("dry-run report: %v", err)
		}
		if _, err := os.Stat(filepath.Join(out, demo.Date.String(), "report.html")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("dry run wrote the real report: %v", err)
		}
		runs, _ := store.RecentRuns(context.Background(), db, 1)
		if len(runs) != 1 || runs[0].Status != "dry-run" {
			t.Errorf("ledger: %+v", runs)
		}
	})
}

func TestOnlyAndCatchUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		env := newEnv(t, db, dsn, t.TempDir())
		seeded(t, db)
		s := runNight(t, env, jobs.Options{Only: []string{"report"}})
		if len(s.Steps) != 1 || s.Steps[0].Name != "report" {
			t.Errorf("--only report ran %+v", s.Steps)
		}
		if _, err := jobs.Run(context.Background(), env, jobs.Options{Date: demo.Date, Only: []string{"nosuch"}}); err == nil {
			t.Error("--only nosuch accepted")
		}
		runNight(t, env, jobs.Options{Date: calendar.MustParse("2026-11-20")})
		sums, err := jobs.Run(context.Background(), env, jobs.Options{Date: demo.Date, CatchUp: true})
		if err != nil {
			t.Fatal(err)
		}
		var dates []string
		for _, s := range sums {
			dates = append(dates, s.RunDate)
		}
		if strings.Join(dates, ",") != "2026-11-21,2026-11-22,2026-11-23,2026-11-24" {
			t.Errorf("catch-up ran %v", dates)
		}
		env.Config.CatchUpLimit = 2
		env.Now = calendar.SimulatedClock(env.Now, calendar.MustParse("2026-11-30"))
		_, err = jobs.Run(context.Background(), env, jobs.Options{Date: calendar.MustParse("2026-11-30"), CatchUp: true})
		if !errors.Is(err, jobs.ErrTooManyMissed) {
			t.Errorf("catch-up beyond the limit: %v", err)
		}
	})
}

func TestRefusesSchemaBehind(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	env := newEnv(t, db, dsn, t.TempDir())
	if _, err := jobs.Run(ctx, env, jobs.Options{Date: demo.Date}); !errors.Is(err, store.ErrSchemaBehind) {
		t.Fatalf("run on an unmigrated database: %v", err)
	}
}

// The child process of the kill tests: it runs the demo night on the database named by
// NIGHTLY_CHILD_DSN with the fault points of NIGHTLY_FAULTS.
func TestChildNight(t *testing.T) {
	dsn := os.Getenv("NIGHTLY_CHILD_DSN")
	if dsn == "" {
		t.Skip("helper process for the kill tests")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	env := withDemoMail(t, newEnv(t, db, dsn, os.Getenv("NIGHTLY_CHILD_OUT")))
	env.Config.Faults = os.Getenv("NIGHTLY_FAULTS")
	if os.Getenv("NIGHTLY_CHILD_HOLD") != "" { // hold the lock until killed
		l, err := db.Lock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		l.Unlock()
		return
	}
	if _, err := jobs.Run(ctx, env, jobs.Options{Date: demo.Date}); err != nil {
		t.Fatal(err)
	}
}

func child(t *testing.T, dsn, out string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildNight$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{"NIGHTLY_CHILD_DSN=" + dsn, "NIGHTLY_CHILD_OUT=" + out}, env...)...)
	return cmd
}

// Every fault point: the night killed there with SIGKILL, then rerun, leaves the same
// database and output as one clean run (SPEC §5.2).
func TestKilledAnywhereThenRerun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		cleanOut := t.TempDir()
		demoInputs(t, db, newEnv(t, db, dsn, cleanOut))
		runNight(t, withDemoMail(t, newEnv(t, db, dsn, cleanOut)), jobs.Options{})
		want := dumpDB(t, db)
		wantReport := stripTimings(readReport(t, cleanOut))
		wantFiles := dayFiles(t, cleanOut)

		for _, point := range jobs.FaultPoints {
			t.Run(point, func(t *testing.T) {
				dsn := freshLike(t, dsn)
				fdb := storetest.Open(t, dsn)
				out := t.TempDir()
				demoInputs(t, fdb, newEnv(t, fdb, dsn, out))
				cmd := child(t, dsn, out, "NIGHTLY_FAULTS="+point)
				outb, err := cmd.CombinedOutput()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("child was not killed at %s: %v\n%s", point, err, outb)
				}
				runWhenFree(t, withDemoMail(t, newEnv(t, fdb, dsn, out)))
				if got := dumpDB(t, fdb); got != want {
					t.Errorf("after kill at %s and rerun, the database differs from a clean run:\n%s", point, diffLines(want, got))
				}
				if got := stripTimings(readReport(t, out)); got != wantReport {
					t.Errorf("after kill at %s and rerun, the report differs:\n%s", point, diffLines(wantReport, got))
				}
				if got := dayFiles(t, out); got != wantFiles {
					t.Errorf("after kill at %s and rerun, the output folder differs from a clean run's:\n%s", point, diffLines(wantFiles, got))
				}
			})
		}
	})
}

// freshLike returns a new empty database of the same engine as dsn.
func freshLike(t *testing.T, dsn string) string {
	if strings.HasPrefix(dsn, "mysql://") {
		return storetest.MySQLDSN(t)
	}
	return storetest.SQLiteDSN(t)
}

// Two processes at once: one runs, the other gets ErrLockHeld; a holder killed with
// SIGKILL does not block the next run (SPEC §5.3).
func TestLockAcrossProcesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		seeded(t, db)
		env := newEnv(t, db, dsn, t.TempDir())
		holder := child(t, dsn, t.TempDir(), "NIGHTLY_CHILD_HOLD=1")
		stdout, _ := holder.StdoutPipe()
		if err := holder.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, _ := stdout.Read(buf)
		if !strings.Contains(string(buf[:n]), "locked") {
			holder.Process.Kill()
			t.Fatalf("holder did not take the lock: %q", buf[:n])
		}
		if _, err := jobs.Run(context.Background(), env, jobs.Options{Date: demo.Date}); !errors.Is(err, store.ErrLockHeld) {
			t.Errorf("run while another process holds the lock: %v, want ErrLockHeld", err)
		}
		holder.Process.Signal(syscall.SIGKILL)
		holder.Wait()
		runWhenFree(t, env)
	})
}

// runWhenFree runs the demo night once the lock of a killed process is gone: MySQL
// releases GET_LOCK when it notices the dead connection, a moment after the kill.
func runWhenFree(t *testing.T, env *jobs.Env) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := jobs.Run(context.Background(), env, jobs.Options{Date: demo.Date})
		if err == nil {
			return
		}
		if !errors.Is(err, store.ErrLockHeld) || time.Now().After(deadline) {
			t.Fatalf("run after the holder was killed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readReport(t *testing.T, out string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, demo.Date.String(), "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stripTimings removes the report's timing section, the one part allowed to differ.
func stripTimings(s string) string {
	i := strings.Index(s, `<section id="timings">`)
	j := strings.Index(s, `</main>`)
	if i < 0 || j < i {
		return s
	}
	return s[:i] + s[j:]
}

// dumpDB returns every table but the run ledger as sorted text, for comparing two
// databases.
func dumpDB(t *testing.T, db *store.DB) string {
	t.Helper()
	tables := []string{"customers", "plans", "plan_prices", "contracts", "orders", "invoice_counters", "invoices",
		"invoice_lines", "notices", "bank_files", "bank_accounts", "bank_txns", "payments", "payer_aliases", "learned_fees",
		"mail_marks", "mail_messages", "requests", "evidence", "tasks", "exceptions", "audit"}
	var b strings.Builder
	for _, tb := range tables {
		rows, err := db.QueryxContext(context.Background(), "SELECT * FROM "+tb)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			m := map[string]any{}
			if err := rows.MapScan(m); err != nil {
				t.Fatal(err)
			}
			delete(m, "id")
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				v := m[k]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339)
				}
				parts = append(parts, fmt.Sprintf("%s=%v", k, v))
			}
			lines = append(lines, tb+": "+strings.Join(parts, " "))
		}
		rows.Close()
		sort.Strings(lines)
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	in := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	am, bm := in(al), in(bl)
	var out []string
	for _, s := range al {
		if !bm[s] {
			out = append(out, "- "+s)
		}
	}
	for _, s := range bl {
		if !am[s] {
			out = append(out, "+ "+s)
		}
	}
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

// demoInputs seeds the demo reseller with its bank data and drops the demo's bank files
// and its rejected order file into env's inbox, so that every step has work.
func demoInputs(t *testing.T, db *store.DB, env *jobs.Env) {
	t.Helper()
	bankSeeded(t, db, env)
	dir := filepath.Join(env.Config.InboxDir, "orders")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ec-orders.csv"), demo.RejectedOrderFile(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every fault point fired in the code is registered in FaultPoints (and so has a kill
// test above), and every registered point is fired somewhere.
func TestFaultPointsRegistered(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	re := regexp.MustCompile(`n\.fault\("([a-z_.]+)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	registered := map[string]bool{}
	for _, p := range jobs.FaultPoints {
		registered[p] = true
		if !used[p] {
			t.Errorf("fault point %s is registered but never fired", p)
		}
	}
	for p := range used {
		if !registered[p] {
			t.Errorf("fault point %s is fired but not registered in FaultPoints, so no kill test covers it", p)
		}
	}
}

// dayFiles lists every file of the demo night's output folder with its SHA-256 (the
// report without its timings), so that two runs' folders compare as text.
func dayFiles(t *testing.T, out string) string {
	t.Helper()
	var lines []string
	for rel, b := range readTree(t, filepath.Join(out, demo.Date.String())) {
		if rel == "report.html" {
			b = []byte(stripTimings(string(b)))
		}
		lines = append(lines, fmt.Sprintf("%s %x", rel, sha256.Sum256(b)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
