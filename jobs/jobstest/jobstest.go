// Package jobstest gives tests outside jobs a night to work with: an Env over a test
// database with a fixed clock, the demo reseller seeded, and a night run. It is for
// tests only.
package jobstest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

// FixedNow is the clock of every test night: 2026-11-24 02:00 JST.
var FixedNow = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)

// NewEnv returns an Env over db (at dsn) writing under out, with the clock at FixedNow.
func NewEnv(t testing.TB, db *store.DB, dsn, out string) *jobs.Env {
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
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return FixedNow }, Who: "test"}
}

// Seed fills db with the demo reseller.
func Seed(t testing.TB, db *store.DB) {
	t.Helper()
	if err := demo.Seed(context.Background(), db, calendar.NewCalendar(calendar.Options{}), demo.Date, FixedNow); err != nil {
		t.Fatal(err)
	}
}

// SeedBank seeds the demo and its bank cases and drops the demo's bank files in env's
// inbox.
func SeedBank(t testing.TB, db *store.DB, env *jobs.Env) {
	t.Helper()
	Seed(t, db)
	if err := demo.SeedBank(context.Background(), db, demo.Date, FixedNow); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(env.Config.InboxDir, "bank")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range demo.BankFiles(demo.Date) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// RunNight runs the night of opts.Date (the demo date when zero), with the clock moved
// to that night, and returns its summary.
func RunNight(t testing.TB, env *jobs.Env, opts jobs.Options) jobs.Summary {
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
