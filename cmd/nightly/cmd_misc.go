package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

func jsonLogger(a *app) *slog.Logger {
	return slog.New(slog.NewJSONHandler(a.stderr, nil))
}

func cmdStatus(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("status"))
	n := fs.Int("n", 10, "how many recent runs")
	asJSON := fs.Bool("json", false, "one JSON object per run")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	runs, err := store.RecentRuns(ctx, env.DB, *n)
	if err != nil {
		return a.fail(err)
	}
	if len(runs) == 0 && !*asJSON {
		fmt.Fprintln(a.stdout, "no runs yet")
	}
	for _, r := range runs {
		end, dur := "", ""
		if r.EndedAt.Valid {
			end = r.EndedAt.Time.In(calendar.Tokyo).Format("2006-01-02 15:04:05")
			dur = r.EndedAt.Time.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		if *asJSON {
			b, _ := json.Marshal(map[string]any{"id": r.ID, "run_date": r.RunDate.String(), "trigger": r.Trigger, "who": r.Who,
				"started_at": r.StartedAt.Format(time.RFC3339), "ended_at": end, "status": r.Status, "steps": json.RawMessage(r.Steps), "error": r.Error})
			fmt.Fprintln(a.stdout, string(b))
			continue
		}
		fmt.Fprintf(a.stdout, "#%-5d %s  %-8s %-7s by %-10s started %s JST  %s  %s\n", r.ID, r.RunDate, r.Status, r.Trigger, r.Who,
			r.StartedAt.In(calendar.Tokyo).Format("2006-01-02 15:04:05"), dur, r.Error)
	}
	if env.DB.Dialect == store.MySQL && !*asJSON {
		switch h, ok, err := store.CurrentLease(ctx, env.DB); {
		case err != nil:
			return a.fail(err)
		case !ok:
			fmt.Fprintln(a.stdout, "run lock: free (never taken)")
		case h.Expired:
			fmt.Fprintf(a.stdout, "run lock: free (last %s)\n", h)
		default:
			fmt.Fprintf(a.stdout, "run lock: %s\n", h)
		}
	}
	return exitOK
}

func cmdMigrate(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("migrate"))
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return a.fail(err)
	}
	db, err := store.Open(ctx, c.DB)
	if err != nil {
		return a.fail(err)
	}
	defer db.Close()
	done, err := db.Migrate(ctx)
	if err != nil {
		return a.fail(err)
	}
	cur, _, _ := db.SchemaVersion(ctx)
	if len(done) == 0 {
		fmt.Fprintf(a.stdout, "%s is up to date (schema version %d)\n", store.Redact(c.DB), cur)
	} else {
		fmt.Fprintf(a.stdout, "%s migrated to schema version %d (applied %v)\n", store.Redact(c.DB), cur, done)
	}
	return exitOK
}

func cmdCalendar(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("calendar"))
	asJSON := fs.Bool("json", false, `one JSON object per date: {"date","name","kind"}`)
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return a.fail(err)
	}
	year := calendar.InTokyo(a.now()).Year
	if len(pos) > 1 {
		fmt.Fprintln(a.stderr, "nightly calendar: give at most one YEAR")
		return exitUsage
	}
	if len(pos) == 1 {
		if year, err = strconv.Atoi(pos[0]); err != nil || year < 2000 || year > 2099 {
			fmt.Fprintf(a.stderr, "nightly calendar: %q is not a year from 2000 to 2099\n", pos[0])
			return exitUsage
		}
	}
	cal := calendar.NewCalendar(c.CalendarOptions())
	for _, cl := range cal.Closures(year) {
		if *asJSON {
			b, _ := json.Marshal(map[string]string{"date": cl.Date.String(), "name": cl.Name, "kind": cl.Kind})
			fmt.Fprintln(a.stdout, string(b))
			continue
		}
		kind := "祝日"
		if cl.Kind == "bank" {
			kind = "銀行休業日"
		}
		fmt.Fprintf(a.stdout, "%s (%s)  %-10s %s\n", cl.Date, weekdayJa[cl.Date.Weekday()], kind, cl.Name)
	}
	if !*asJSON && cal.BeyondAnnounced(calendar.New(year, 1, 1)) {
		fmt.Fprintf(a.stdout, "注意: %d年の祝日は内閣府の公表前のため、法律の規則から計算しています。\n", year)
	}
	return exitOK
}

var weekdayJa = [...]string{"日", "月", "火", "水", "木", "金", "土"}

func cmdConfig(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("config"))
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || pos[0] != "show" {
		fs.Usage()
		return exitUsage
	}
	c, err := a.loadConfig(cf)
	if err != nil {
		return a.fail(err)
	}
	s, err := c.Redacted().TOML()
	if err != nil {
		return a.fail(err)
	}
	fmt.Fprint(a.stdout, s)
	return exitOK
}

// cmdCheck runs the money check of SPEC §4.8 alone: exit 0 when every yen received is
// applied, held for staff or refunded and every invoice's paid adds up, else 1 with
// the differences.
func cmdCheck(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("check"))
	asJSON := fs.Bool("json", false, "print one JSON object per difference (none when the books add up)")
	if _, code, ok := parseOrUsage(fs, args); !ok {
		return code
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	gaps, err := jobs.CheckMoney(ctx, env.DB)
	if err != nil {
		return a.fail(err)
	}
	for _, g := range gaps {
		if *asJSON {
			b, _ := json.Marshal(map[string]any{"kind": g.Kind, "subject": g.Subject, "want": g.Want, "got": g.Got})
			fmt.Fprintln(a.stdout, string(b))
			continue
		}
		fmt.Fprintln(a.stdout, wording.MoneyGap(g))
	}
	if len(gaps) > 0 {
		fmt.Fprintf(a.stderr, "nightly: check: %d differences: %v\n", len(gaps), jobs.ErrMoneyInvariant)
		return exitFailure
	}
	if !*asJSON {
		fmt.Fprintln(a.stdout, "ok: every yen received is applied to invoices, held for staff or refunded; every invoice's paid adds up (SPEC §4.8)")
	}
	return exitOK
}
