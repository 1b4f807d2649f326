package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// SIGTERM during a night (serve, or Ctrl-C at a terminal): the transaction under way
// finishes and commits, no further transaction or step starts, the run is recorded as
// failed, and the next run resumes.
func TestStopFinishesTheTransactionUnderWay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		out := t.TempDir()
		c := config.Default()
		c.DB, c.OutDir = dsn, out
		c.Resolve()
		ev, err := evidence.Open(filepath.Join(out, "evidence"))
		if err != nil {
			t.Fatal(err)
		}
		env := &Env{DB: db, Config: c, Calendar: calendar.NewCalendar(calendar.Options{}), Evidence: ev,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now, Who: "test"}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		day := calendar.MustParse("2026-11-24")
		ran := map[string]bool{}
		saved := Steps
		defer func() { Steps = saved }()
		Steps = []Step{
			{"first", func(ctx context.Context, n *Night) (Result, error) {
				ran["first"] = true
				err := n.Tx(ctx, func(tx *sqlx.Tx) error {
					if _, err := store.AddTask(ctx, tx, store.Task{NKey: "a", Kind: "activate", DueDate: day, RunDate: day}); err != nil {
						return err
					}
					cancel() // SIGTERM arrives in the middle of the transaction
					_, err := store.AddTask(ctx, tx, store.Task{NKey: "b", Kind: "activate", DueDate: day, RunDate: day})
					return err
				})
				if err != nil {
					return Result{}, err
				}
				return Result{}, n.Tx(ctx, func(tx *sqlx.Tx) error {
					ran["second transaction"] = true
					return nil
				})
			}},
			{"second", func(ctx context.Context, n *Night) (Result, error) { ran["second"] = true; return Result{}, nil }},
		}
		sums, err := Run(ctx, env, Options{Date: day})
		if err == nil || !errors.Is(err, context.Canceled) {
			t.Fatalf("run stopped by a signal: %v", err)
		}
		if len(sums) != 1 || sums[0].Status != "failed" || !strings.Contains(sums[0].Error, "asked to stop") {
			t.Errorf("summary %+v", sums)
		}
		tasks, _ := store.OpenTasks(context.Background(), db)
		if len(tasks) != 2 {
			t.Errorf("%d tasks committed, want both of the transaction under way", len(tasks))
		}
		if ran["second transaction"] || ran["second"] {
			t.Errorf("work started after the stop: %v", ran)
		}
		// The next run resumes.
		sums, err = Run(context.Background(), env, Options{Date: day})
		if err != nil || sums[0].Status != "ok" || !ran["second"] {
			t.Errorf("rerun: %+v %v", sums, err)
		}
	})
}
