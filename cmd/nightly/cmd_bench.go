package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
)

// benchPass is one pass of the night in `bench --json`.
type benchPass struct {
	Pass         string      `json:"pass"`
	TotalSeconds float64     `json:"total_seconds"`
	Steps        []benchStep `json:"steps"`
}

type benchStep struct {
	Name        string  `json:"name"`
	Seconds     float64 `json:"seconds"`
	RowsWritten int64   `json:"rows_written"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	PDFs        int     `json:"pdfs"`
}

// benchInvoicing is the invoicing step of the night against the renderer alone on the
// same invoices, measured in the same run.
type benchInvoicing struct {
	InvoicesIssued   int     `json:"invoices_issued"`
	Seconds          float64 `json:"seconds"`
	PerSecond        float64 `json:"invoices_per_second"`
	RendererInvoices int     `json:"renderer_invoices"`
	RendererPerSec   float64 `json:"renderer_alone_per_second"`
	Ratio            float64 `json:"ratio"`
}

type benchReport struct {
	Database         string         `json:"database"`
	Cores            int            `json:"cores"`
	Date             string         `json:"date"`
	Peak             bool           `json:"peak"`
	Contracts        int            `json:"contracts"`
	Customers        int            `json:"customers"`
	EarlierRenewals  int            `json:"earlier_renewals"`
	Transfers        int            `json:"transfers"`
	Mails            int            `json:"mails"`
	GeneratedSeconds float64        `json:"generated_seconds"`
	Passes           []benchPass    `json:"passes"`
	Invoicing        benchInvoicing `json:"invoicing"`
}

func cmdBench(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("bench"))
	n := fs.Int("contracts", 10000, "how many contracts to generate")
	date := fs.String("date", "2026-11-24", "the night to run")
	seed := fs.Uint64("seed", 1, "generator seed")
	peak := fs.Bool("peak", false, "generate the worst night of the year (see gen --peak)")
	asJSON := fs.Bool("json", false, "print one JSON object")
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
	t0 := time.Now()
	sum, err := demo.Gen(ctx, env, demo.GenOptions{Contracts: *n, Date: d, Seed: *seed, Inbox: env.Config.InboxDir, Peak: *peak})
	if err != nil {
		return a.fail(err)
	}
	rep := benchReport{Database: string(env.DB.Dialect), Cores: runtime.GOMAXPROCS(0), Date: d.String(), Peak: *peak, Contracts: sum.Contracts,
		Customers: sum.Customers, EarlierRenewals: sum.Renewals, Transfers: sum.Transfers, Mails: sum.Mails, GeneratedSeconds: time.Since(t0).Seconds()}
	for _, pass := range []string{"night", "rerun"} {
		steps, err := demo.BenchNight(ctx, env, d)
		if err != nil {
			return a.fail(err)
		}
		bp := benchPass{Pass: pass}
		for _, s := range steps {
			bp.Steps = append(bp.Steps, benchStep{Name: s.Name, Seconds: s.Seconds, RowsWritten: s.RowsWritten, PeakRSSMB: s.PeakRSSMB, PDFs: s.PDFs})
			bp.TotalSeconds += s.Seconds
			if pass == "night" && s.Name == "invoicing" {
				c := s.Changes
				rep.Invoicing.InvoicesIssued = c["renewals"] + c["new"] + c["additions"] + c["reissued"]
				rep.Invoicing.Seconds = s.Seconds
				rep.Invoicing.PerSecond = float64(rep.Invoicing.InvoicesIssued) / s.Seconds
			}
		}
		rep.Passes = append(rep.Passes, bp)
	}
	if rep.Invoicing.RendererInvoices, rep.Invoicing.RendererPerSec, err = demo.RendererRate(ctx, env, d); err != nil {
		return a.fail(err)
	}
	if rep.Invoicing.RendererPerSec > 0 {
		rep.Invoicing.Ratio = rep.Invoicing.PerSecond / rep.Invoicing.RendererPerSec
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return exitOf(a, enc.Encode(rep))
	}
	printBench(a, rep)
	return exitOK
}

// exitOf is exitOK, or the failure of err.
func exitOf(a *app, err error) int {
	if err != nil {
		return a.fail(err)
	}
	return exitOK
}

// printBench prints the report as tables.
func printBench(a *app, rep benchReport) {
	fmt.Fprintf(a.stdout, "database %s, %d cores; generated %d contracts, %d customers, %d renewals already issued, %d transfers, %d mails in %.1f s\n",
		rep.Database, rep.Cores, rep.Contracts, rep.Customers, rep.EarlierRenewals, rep.Transfers, rep.Mails, rep.GeneratedSeconds)
	for _, p := range rep.Passes {
		fmt.Fprintf(a.stdout, "\n%s of %s\n%-11s %9s %12s %12s %10s\n", p.Pass, rep.Date, "step", "seconds", "rows written", "peak RSS MB", "PDFs/s")
		for _, s := range p.Steps {
			rate := ""
			if s.PDFs > 0 {
				rate = fmt.Sprintf("%.0f", float64(s.PDFs)/s.Seconds)
			}
			fmt.Fprintf(a.stdout, "%-11s %9.2f %12d %12.0f %10s\n", s.Name, s.Seconds, s.RowsWritten, s.PeakRSSMB, rate)
		}
		fmt.Fprintf(a.stdout, "%-11s %9.2f\n", "total", p.TotalSeconds)
	}
	iv := rep.Invoicing
	fmt.Fprintf(a.stdout, "\ninvoicing: %d invoices in %.2f s = %.0f/s end to end; the renderer alone on the same %d invoices: %.0f/s; ratio %.2f\n",
		iv.InvoicesIssued, iv.Seconds, iv.PerSecond, iv.RendererInvoices, iv.RendererPerSec, iv.Ratio)
}
