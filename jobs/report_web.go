package jobs

import (
	"context"
	"encoding/json"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
)

// BuildReport reads the morning report of date live from the database, as the report
// step would write it now; the web UI shows it. The step timings are those of the
// latest finished run of that date in the run ledger (none when it never ran); a date
// with no successful run is marked NotRun, for the page's red banner.
func BuildReport(ctx context.Context, env *Env, date calendar.Date) (report.Data, error) {
	n := &Night{Env: env, Date: date, Now: env.Now().UTC()}
	runs, err := store.RecentRuns(ctx, env.DB, 1000)
	if err != nil {
		return report.Data{}, err
	}
	var attempts []store.Run
	done, timed := false, false
	for _, r := range runs {
		if r.RunDate != date {
			continue
		}
		attempts = append(attempts, r)
		if !timed && r.Status != "running" && r.Status != "dry-run" {
			timed = json.Unmarshal([]byte(r.Steps), &n.timings) == nil
		}
		done = done || r.Status == "ok" || r.Status == "invariant"
	}
	d, err := n.reportData(ctx)
	d.NotRun, d.Attempts = !done, attempts
	return d, err
}
