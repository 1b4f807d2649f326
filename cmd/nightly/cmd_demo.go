package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
)

func cmdDemo(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("demo"))
	serve := fs.Bool("serve", false, "after the night, keep the web UI running on the demo data (Ctrl-C stops it)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "with --serve: address of the web UI")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	if cf.out == "" {
		dir, err := os.MkdirTemp("", "nightly-demo-")
		if err != nil {
			return a.fail(err)
		}
		cf.out = dir
	}
	dbPath := filepath.Join(cf.out, "nightly.db")
	if _, err := os.Stat(dbPath); err == nil {
		return a.fail(fmt.Errorf("%s already holds a demo database; give another --out folder or remove it", cf.out))
	}
	if cf.db == "" {
		cf.db = "sqlite:" + dbPath
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return a.fail(err)
	}
	if err := migrateNew(ctx, c.DB); err != nil {
		return a.fail(err)
	}
	env, closeEnv, err := a.openEnv(ctx, c, true)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	fmt.Fprintf(a.stdout, "demo reseller in %s (database %s)\n", c.OutDir, c.DB)
	if err := demo.Seed(ctx, env.DB, env.Calendar, demo.Date, a.now()); err != nil {
		return a.fail(fmt.Errorf("seed demo data: %w", err))
	}
	if err := demo.SeedBank(ctx, env.DB, demo.Date, a.now()); err != nil {
		return a.fail(fmt.Errorf("seed demo bank data: %w", err))
	}
	src, stopMail, err := demo.MailSource(ctx) // the esales mailbox, in-process on 127.0.0.1
	if err != nil {
		return a.fail(fmt.Errorf("demo mailbox: %w", err))
	}
	defer stopMail()
	env.MailSource = src
	for name, data := range demo.BankFiles(demo.Date) {
		if err := env.WriteFile(filepath.Join(c.InboxDir, "bank", name), data); err != nil {
			return a.fail(err)
		}
	}
	if err := env.WriteFile(filepath.Join(c.InboxDir, "orders", "ec-orders-20261123.csv"), demo.RejectedOrderFile()); err != nil {
		return a.fail(err)
	}
	env.Progress = a.stdout
	sums, err := jobs.Run(ctx, env, jobs.Options{Date: demo.Date, Trigger: "demo"})
	for _, s := range sums {
		a.printSummary(s, c.OutDir)
	}
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprintf(a.stdout, "\nopen the morning report: %s\n", filepath.Join(c.OutDir, demo.Date.String(), "report.html"))
	fmt.Fprintf(a.stdout, "rerun the same night (changes nothing): nightly run --db sqlite:%s --out %s --date %s --json\n", dbPath, c.OutDir, demo.Date)
	if *serve {
		return a.serveDemo(ctx, env, *httpAddr)
	}
	return exitOK
}
