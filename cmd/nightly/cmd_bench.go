package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
)

func cmdBench(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("bench"))
	n := fs.Int("contracts", 10000, "how many contracts to generate")
	date := fs.String("date", "2026-11-24", "the night to run")
	seed := fs.Uint64("seed", 1, "generator seed")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	d, err := calendar.ParseDate(*date)
	if err != nil {
		fmt.Fprintf(a.stderr, "nightly bench: --date: %v\n", err)
		return exitUsage
	}
	if err := calendar.CheckRunDate(d, calendar.InTokyo(a.now()), false); err != nil { // before generating anything
		return a.fail(fmt.Errorf("bench --date: %w", err))
	}
	if cf.out == "" {
		dir, err := os.MkdirTemp("", "nightly-bench-")
		if err != nil {
			return a.fail(err)
		}
		defer os.RemoveAll(dir)
		cf.out = dir
	}
	env, closeEnv, err := a.openEmpty(ctx, cf, "bench")
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	c := env.Config
	t0 := time.Now()
	sum, err := demo.Gen(ctx, env, demo.GenOptions{Contracts: *n, Date: d, Seed: *seed, Inbox: c.InboxDir})
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "database %s, %d cores; generated %d contracts, %d customers, %d renewals already issued, %d transfers, %d mails in %.1f s\n",
		env.DB.Dialect, runtime.GOMAXPROCS(0), sum.Contracts, sum.Customers, sum.Renewals, sum.Transfers, sum.Mails, time.Since(t0).Seconds())
	for _, pass := range []string{"night", "rerun"} {
		steps, err := demo.BenchNight(ctx, env, d)
		if err != nil {
			return a.fail(err)
		}
		var total float64
		fmt.Fprintf(a.stdout, "\n%s of %s\n%-11s %9s %12s %12s %10s\n", pass, d, "step", "seconds", "rows written", "peak RSS MB", "PDFs/s")
		for _, s := range steps {
			rate := ""
			if s.PDFs > 0 {
				rate = fmt.Sprintf("%.0f", float64(s.PDFs)/s.Seconds)
			}
			fmt.Fprintf(a.stdout, "%-11s %9.2f %12d %12.0f %10s\n", s.Name, s.Seconds, s.RowsWritten, s.PeakRSSMB, rate)
			total += s.Seconds
		}
		fmt.Fprintf(a.stdout, "%-11s %9.2f\n", "total", total)
	}
	return exitOK
}
