package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/web"
)

func cmdRun(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("run"))
	date := fs.String("date", "", "run date YYYY-MM-DD (default: today in JST, with catch-up of missed nights)")
	dry := fs.Bool("dry-run", false, "compute everything, write only a report marked DRY RUN under DATE/dry-run/")
	only := fs.String("only", "", "run only these steps, comma-separated ("+joinNames()+")")
	asJSON := fs.Bool("json", false, "print one JSON object per night processed")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return a.fail(err)
	}
	opts := jobs.Options{DryRun: *dry, Only: splitList(*only), Trigger: "manual"}
	if *date != "" {
		if opts.Date, err = calendar.ParseDate(*date); err != nil {
			return a.fail(fmt.Errorf("--date: %w", err))
		}
	} else {
		opts.CatchUp = true
	}
	return a.runNights(ctx, c, opts, *asJSON)
}

func joinNames() string {
	s := ""
	for i, n := range jobs.StepNames() {
		if i > 0 {
			s += ","
		}
		s += n
	}
	return s
}

// runNights runs the night(s) and prints their summaries.
func (a *app) runNights(ctx context.Context, c config.Config, opts jobs.Options, asJSON bool) int {
	env, closeEnv, err := a.openEnv(ctx, c, true)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	if !asJSON && isTerminal(a.stderr) {
		env.Progress = a.stderr
	}
	sums, err := jobs.Run(ctx, env, opts)
	for _, s := range sums {
		if asJSON {
			b, _ := json.Marshal(s)
			fmt.Fprintln(a.stdout, string(b))
			continue
		}
		a.printSummary(s, env.Config.OutDir)
	}
	if err != nil {
		return a.fail(err)
	}
	if code := env.Config.ExceptionsExitCode; code != 0 && len(sums) > 0 && sums[len(sums)-1].OpenExceptions > 0 {
		return code
	}
	return exitOK
}

func (a *app) printSummary(s jobs.Summary, out string) {
	fmt.Fprintf(a.stdout, "%s: %s (%.1f s)\n", s.RunDate, s.Status, s.Duration)
	for _, st := range s.Steps {
		fmt.Fprintf(a.stdout, "  %-11s", st.Name)
		for _, k := range sortedNames(st.Changes) {
			fmt.Fprintf(a.stdout, " %s=%d", k, st.Changes[k])
		}
		if len(st.Changes) == 0 {
			fmt.Fprint(a.stdout, " no changes")
		}
		if st.Error != "" {
			fmt.Fprintf(a.stdout, "  ERROR: %s", st.Error)
		}
		fmt.Fprintln(a.stdout)
	}
	dir := out + "/" + s.RunDate
	if s.Status == "dry-run" {
		dir += "/dry-run"
	}
	fmt.Fprintf(a.stdout, "  report: %s/report.html (open exceptions: %d)\n", dir, s.OpenExceptions)
}

func cmdServe(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("serve"))
	schedule := fs.String("schedule", "", "cron line in Asia/Tokyo (default from the configuration: 0 2 * * *)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "address of the web UI for staff (empty: none)")
	proxyHeader := fs.String("http-user-header", "", "trust this header of an authenticating reverse proxy as the logged-in user")
	secure := fs.Bool("http-secure", false, "mark cookies Secure (TLS ends at a reverse proxy)")
	proxies := fs.String("http-trusted-proxy", "", "addresses (IP or CIDR, comma-separated) of reverse proxies whose X-Forwarded-For names the client (default: web.trusted_proxies)")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return a.fail(err)
	}
	if *schedule != "" {
		c.Schedule = *schedule
	}
	if *proxies != "" {
		c.Web.TrustedProxies = splitList(*proxies)
	}
	trusted, err := c.TrustedProxies()
	if err != nil {
		return a.fail(fmt.Errorf("--http-trusted-proxy: %w", err))
	}
	env, closeEnv, err := a.openEnv(ctx, c, true)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	env.Log = jsonLogger(a)
	env.Who = "cron"
	// A night started by cron runs to its end even when SIGTERM arrives: the running
	// transaction finishes, no new step starts, and the next run resumes (SPEC §5.2).
	nightCtx, stopNights := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNights()
	running := make(chan struct{}, 1)
	sched := cron.New(cron.WithLocation(calendar.Tokyo), cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	_, err = sched.AddFunc(c.Schedule, func() {
		running <- struct{}{}
		defer func() { <-running }()
		scheduledNight(nightCtx, env)
	})
	if err != nil {
		return a.fail(fmt.Errorf("schedule %q: %w", c.Schedule, err))
	}
	webDone := make(chan error, 1)
	if *httpAddr != "" {
		h, err := web.New(webDeps(env), web.Options{TrustProxyHeader: *proxyHeader, Secure: *secure, TrustedProxies: trusted})
		if err != nil {
			return a.fail(err)
		}
		go func() { webDone <- web.Serve(ctx, *httpAddr, h, env.Log) }()
	}
	sched.Start()
	env.Log.Info("serving", "schedule", c.Schedule, "zone", "Asia/Tokyo", "next", nextRun(sched), "http", *httpAddr)
	select {
	case <-ctx.Done():
	case err := <-webDone:
		<-sched.Stop().Done()
		return a.fail(err)
	}
	if *httpAddr != "" {
		<-webDone
	}
	env.Log.Info("stopping: waiting for a running night to reach a safe point")
	stopNights() // steps stop between transactions; the next run resumes
	<-sched.Stop().Done()
	return exitOK
}

// scheduledNight runs the night for serve. When another process holds it (another
// server of a cluster), it tries again each time that holder's lease could have run
// out: if the holder dies midway, this server takes the night over and finishes it; if
// the holder finishes, the next try finds the night done.
func scheduledNight(ctx context.Context, env *jobs.Env) {
	for {
		sums, err := jobs.Run(ctx, env, jobs.Options{Trigger: "cron", CatchUp: true})
		for _, s := range sums {
			env.Log.Info("night", "run_date", s.RunDate, "status", s.Status, "open_exceptions", s.OpenExceptions)
		}
		switch {
		case errors.Is(err, store.ErrLockHeld):
			wait := env.Config.RunLock.Lease
			env.Log.Info("night held by another process: not run here", "detail", err.Error(), "try_again_in", wait.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		case errors.Is(err, jobs.ErrAlreadyRun):
			env.Log.Info("night already run by the schedule: nothing to do", "detail", err.Error())
		case err != nil:
			env.Log.Error("night failed", "error", err)
		}
		return
	}
}

func nextRun(s *cron.Cron) string {
	if es := s.Entries(); len(es) > 0 {
		return es[0].Next.In(calendar.Tokyo).Format(time.RFC3339)
	}
	return ""
}

// webDeps wires the web UI to env: its database, evidence, folders and clock, and the
// night's staff side as the web's Backend, the accountant's side as its Books.
func webDeps(env *jobs.Env) web.Deps {
	return web.Deps{DB: env.DB, Evidence: env.Evidence, Backend: jobs.NewStaff(env), Books: ledger.NewBooks(env), TemplatesDir: env.Config.TemplatesDir,
		OutDir: env.Config.OutDir, Log: env.Log, Now: env.Now}
}
