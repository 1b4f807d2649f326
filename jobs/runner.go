package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// Result is what a step reports: Changes counts only what it changed in the database or
// the mailbox (a rerun shows zeros), Seen what it looked at.
type Result struct {
	Changes map[string]int `json:"changes"`
	Seen    map[string]int `json:"seen"`
}

func newResult() Result { return Result{Changes: map[string]int{}, Seen: map[string]int{}} }

// clone copies r's counts (nil for a nil r).
func (r *Result) clone() *Result {
	if r == nil {
		return nil
	}
	return &Result{Changes: maps.Clone(r.Changes), Seen: maps.Clone(r.Seen)}
}

// restore puts back the counts of c, a clone of r, in r's own maps: a step's Result is
// passed by value with its maps shared, so the maps are changed in place.
func (r *Result) restore(c *Result) {
	if r == nil || c == nil {
		return
	}
	for _, m := range []struct{ dst, src map[string]int }{{r.Changes, c.Changes}, {r.Seen, c.Seen}} {
		if m.dst == nil {
			continue
		}
		clear(m.dst)
		maps.Copy(m.dst, m.src)
	}
}

// Step is one step of the night.
type Step struct {
	Name string
	Run  func(ctx context.Context, n *Night) (Result, error)
}

// Steps is the night in the order of SPEC §5.1. Later capabilities add their step here
// in its place.
var Steps = []Step{
	{"bankfeed", BankFeed},
	{"mailintake", MailIntake},
	{"orders", Orders},
	{"lifecycle", Lifecycle},
	{"invoicing", Invoicing},
	{"report", Report},
}

// StepNames lists the names of Steps in order.
func StepNames() []string {
	names := make([]string, len(Steps))
	for i, s := range Steps {
		names[i] = s.Name
	}
	return names
}

// Options says what to run.
type Options struct {
	Date    calendar.Date // run date (default: today in JST)
	DryRun  bool          // compute everything, keep nothing (SPEC §5.4)
	Only    []string      // run only these steps (SPEC §5.5)
	Trigger string        // cron | manual | demo
	// CatchUp runs every missed date after the last successful run up to Date, in
	// order (SPEC §5.5); manual reruns of a past date leave it off.
	CatchUp bool
}

// Summary is the outcome of one night, printed by `nightly run --json`.
type Summary = report.Summary

// StepSummary is one step's part of a Summary, as the run ledger and the report
// record it.
type StepSummary = report.Step

// ErrAlreadyRun is returned by a scheduled run (Trigger "cron") when a scheduled run of
// the same date already finished ok, on this server or another one.
var ErrAlreadyRun = errors.New("already run by the schedule (on this server or another one)")

// ErrTooManyMissed is returned when catch-up would process more nights than allowed.
var ErrTooManyMissed = errors.New("too many missed nights to catch up")

// Run takes the run lock and processes the night of opts.Date (and, with CatchUp, every
// missed night before it, oldest first). It returns one Summary per night processed.
// store.ErrLockHeld means another run holds the lock; ErrAlreadyRun that a scheduled
// run finds its night done.
func Run(ctx context.Context, env *Env, opts Options) ([]Summary, error) {
	if opts.Date.IsZero() {
		opts.Date = calendar.InTokyo(env.Now())
	}
	if err := calendar.CheckRunDate(opts.Date, calendar.InTokyo(env.Now()), opts.DryRun); err != nil {
		return nil, err
	}
	if err := checkOnly(opts.Only); err != nil {
		return nil, err
	}
	if err := env.DB.CheckSchema(ctx); err != nil {
		return nil, err
	}
	lock, err := env.DB.LockWith(ctx, store.LockOptions{RunDate: opts.Date, Lease: env.Config.RunLock.Lease, Renew: env.Config.RunLock.Renew})
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if err := lockedTx(ctx, env, lock, func(tx *sqlx.Tx) error { return store.MarkStaleRuns(ctx, tx, env.Now()) }); err != nil {
		return nil, err
	}
	if opts.Trigger == "cron" && !opts.DryRun {
		// Several servers schedule the same night: the first takes the lock and runs it,
		// one that comes after it finished has nothing to do.
		if done, err := store.RunDone(ctx, env.DB, opts.Date, "cron"); err != nil || done {
			if err == nil {
				err = fmt.Errorf("the night of %s: %w", opts.Date, ErrAlreadyRun)
			}
			return nil, err
		}
	}
	dates, err := datesToRun(ctx, env, opts)
	if err != nil {
		return nil, err
	}
	var out []Summary
	var broken []string
	for _, d := range dates {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		s, err := runNight(ctx, env, d, opts, lock)
		out = append(out, s)
		if err != nil {
			return out, err
		}
		if s.Status == "invariant" {
			broken = append(broken, s.RunDate) // the next night still runs (SPEC §4.8)
		}
	}
	if len(broken) > 0 {
		return out, fmt.Errorf("night %s: %w", strings.Join(broken, ", "), ErrMoneyInvariant)
	}
	return out, nil
}

func checkOnly(only []string) error {
	for _, o := range only {
		if !slices.Contains(StepNames(), o) {
			return fmt.Errorf("--only %s: no such step (steps: %s)", o, strings.Join(StepNames(), ", "))
		}
	}
	return nil
}

// datesToRun returns the nights to process: opts.Date alone, or with catch-up every
// date after the last successful run up to it.
func datesToRun(ctx context.Context, env *Env, opts Options) ([]calendar.Date, error) {
	if !opts.CatchUp || opts.DryRun {
		return []calendar.Date{opts.Date}, nil
	}
	last, err := store.LastSuccessfulDate(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	if last.IsZero() || !last.Before(opts.Date) {
		return []calendar.Date{opts.Date}, nil
	}
	missed := last.DaysUntil(opts.Date)
	if limit := env.Config.CatchUpLimit; missed > limit {
		return nil, fmt.Errorf("the last successful night was %s, %d nights before %s, more than catch_up_limit %d: %w; run the dates one by one with --date, or raise catch_up_limit",
			last, missed, opts.Date, limit, ErrTooManyMissed)
	}
	var ds []calendar.Date
	for d := last.AddDays(1); !d.After(opts.Date); d = d.AddDays(1) {
		ds = append(ds, d)
	}
	return ds, nil
}

// lockedTx runs fn as a transaction of the lock's holder: retried like every
// transaction, checked and fenced like the night's (Night.Tx).
func lockedTx(ctx context.Context, env *Env, lock *store.RunLock, fn func(tx *sqlx.Tx) error) error {
	return env.DB.TxChecked(ctx, lock.Check, func(tx *sqlx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return lock.Fence(ctx, tx)
	})
}

// runNight runs the steps for one date and records the run in the ledger. It is a
// little over 80 lines: its parts (ledger start, dry-run transaction, steps, ledger
// end) must stay in this order, and finishRun and lockedTx carry what can be split.
func runNight(ctx context.Context, env *Env, date calendar.Date, opts Options, lock *store.RunLock) (Summary, error) {
	start := env.Now().UTC()
	n := &Night{Env: env, Date: date, DryRun: opts.DryRun, Now: start, faults: parseFaults(env.Config.Faults), stop: ctx, lock: lock}
	stopCtx := ctx
	ctx = context.WithoutCancel(ctx) // a transaction under way finishes; Night.Tx refuses the next
	log := env.Log.With("run_date", date.String())
	status := "running"
	trigger := opts.Trigger
	if trigger == "" {
		trigger = "manual"
	}
	var runID int64
	err := lockedTx(ctx, env, lock, func(tx *sqlx.Tx) error {
		var err error
		runID, err = store.StartRun(ctx, tx, store.Run{RunDate: date, Trigger: trigger, Who: env.Who, StartedAt: start, Status: status, Steps: "[]"})
		return err
	})
	if err != nil {
		return Summary{RunDate: date.String(), Status: "failed", Error: err.Error()}, err
	}
	if opts.DryRun {
		tx, err := env.DB.BeginTxx(ctx, nil)
		if err != nil {
			return Summary{RunDate: date.String(), Status: "failed", Error: err.Error()}, fmt.Errorf("dry run: %w", err)
		}
		n.outer = tx
		defer tx.Rollback()
	}
	sum := Summary{RunDate: date.String()}
	var runErr error
	for _, step := range Steps {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, step.Name) {
			continue
		}
		if err := stopCtx.Err(); err != nil {
			runErr = fmt.Errorf("stopped before step %s: %w", step.Name, err)
			break
		}
		if step.Name == "report" && len(opts.Only) == 0 {
			// The money check of every full night (SPEC §4.8), before the report shows it.
			if err := n.checkMoney(ctx); err != nil {
				runErr = fmt.Errorf("money check: %w", err)
				break
			}
		}
		n.progress("%s: %s …", date, step.Name)
		t0 := time.Now()
		res, err := step.Run(ctx, n)
		n.noteFitted(step.Name, res)
		ss := StepSummary{Name: step.Name, Changes: res.Changes, Seen: res.Seen, Duration: time.Since(t0).Seconds()}
		if ss.Changes == nil {
			ss.Changes = map[string]int{}
		}
		if ss.Seen == nil {
			ss.Seen = map[string]int{}
		}
		if err != nil {
			ss.Error = err.Error()
			runErr = fmt.Errorf("step %s: %w", step.Name, err)
		}
		sum.Steps = append(sum.Steps, ss)
		n.timings = sum.Steps
		log.Info("step done", "step", step.Name, "changes", ss.Changes, "seen", ss.Seen, "seconds", ss.Duration, "error", ss.Error)
		if runErr != nil {
			break
		}
	}
	if open, err := store.CountOpenExceptions(ctx, n.Q()); err == nil {
		sum.OpenExceptions = open
	}
	switch {
	case runErr != nil:
		sum.Status, sum.Error = "failed", runErr.Error()
	case opts.DryRun:
		sum.Status = "dry-run"
	case len(n.moneyGaps) > 0:
		sum.Status, sum.Error = "invariant", wording.MoneyGaps(n.moneyGaps)
	default:
		sum.Status = "ok"
	}
	if n.outer != nil {
		n.outer.Rollback()
	}
	end := env.Now().UTC()
	sum.Duration = end.Sub(start).Seconds()
	if err := n.fault("run.before_ledger_end"); err != nil {
		return sum, err
	}
	if err := finishRun(ctx, n, runID, sum, opts, end); err != nil && runErr == nil {
		runErr = err
	}
	log.Info("night done", "status", sum.Status, "seconds", sum.Duration, "open_exceptions", sum.OpenExceptions)
	if runErr == nil {
		writeMetrics(n, sum, end)
	}
	return sum, runErr
}

// finishRun closes the night's line of the run ledger. It is written even when the
// night was cancelled or lost its lock (it is this run's own line).
func finishRun(ctx context.Context, n *Night, runID int64, sum Summary, opts Options, end time.Time) error {
	stepsJSON, _ := json.Marshal(sum.Steps)
	ledgerStatus := sum.Status
	if sum.Status == "ok" && len(opts.Only) > 0 && len(sum.Steps) < len(Steps) {
		ledgerStatus = "partial" // an --only run does not count as the night done, for catch-up
	}
	ctx = context.WithoutCancel(ctx)
	return n.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		return store.FinishRun(ctx, tx, runID, ledgerStatus, string(stepsJSON), sum.Error, end)
	})
}

// noteFitted records in the step's counts, and in the log by column, the text the
// store had to repair or cut to store it (SPEC §10.0: never silently).
func (n *Night) noteFitted(step string, res Result) {
	for col, k := range store.TakeFitted() {
		if res.Seen != nil {
			res.Seen["text_fitted"] += k
		}
		n.Log.Warn("text repaired or cut to fit its column", "step", step, "column", col, "values", k)
	}
}
