package main

import (
	"context"
	"fmt"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/store"
)

func cmdGen(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("gen"))
	n := fs.Int("contracts", 10000, "how many contracts")
	date := fs.String("date", "", "the night the inputs are for (YYYY-MM-DD), required")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same database and files")
	peak := fs.Bool("peak", false, "the worst night of the year: 30% of the contracts renew that night, the bank pays 5,000 earlier renewals")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	if cf.out == "" {
		fmt.Fprintln(a.stderr, "nightly gen: --out DIR is required")
		return exitUsage
	}
	d, err := calendar.ParseDate(*date)
	if err != nil {
		fmt.Fprintf(a.stderr, "nightly gen: --date: %v\n", err)
		return exitUsage
	}
	if err := calendar.CheckRunDate(d, calendar.InTokyo(a.now()), false); err != nil { // a night it could not run
		return a.fail(fmt.Errorf("gen --date: %w", err))
	}
	env, closeEnv, err := a.openEmpty(ctx, cf, "gen")
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	c := env.Config
	if isTerminal(a.stderr) {
		env.Progress = a.stderr
	}
	t0 := time.Now()
	sum, err := demo.Gen(ctx, env, demo.GenOptions{Contracts: *n, Date: d, Seed: *seed, Inbox: c.InboxDir, Peak: *peak})
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "generated in %.1f s: %d customers, %d contracts, %d renewal invoices already issued, %d orders, %d bank files (%d transfers), %d request mails\n",
		time.Since(t0).Seconds(), sum.Customers, sum.Contracts, sum.Renewals, sum.Orders, sum.BankFiles, sum.Transfers, sum.Mails)
	fmt.Fprintf(a.stdout, "run that night: nightly run --db %s --out %s --inbox %s --date %s --json\n", store.Redact(c.DB), c.OutDir, c.InboxDir, d)
	return exitOK
}
