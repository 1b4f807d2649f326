// Package jobs is the night: the runner (lock, run ledger, step order, catch-up, dry
// run) and one file per step. It is the only package that wires the database, files,
// mailboxes and the pure packages together.
package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/filemode"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// Env is what every step may use: the database, the configuration, the calendar, the
// evidence store, a logger, and the clock read once for the run.
type Env struct {
	DB       *store.DB
	Config   config.Config
	Calendar *calendar.Calendar
	Evidence *evidence.Store
	Log      *slog.Logger
	// Progress receives progress lines for a person at a terminal (nil: none).
	Progress io.Writer
	// Now returns the current time; tests fix it. The runner reads it once per night.
	Now func() time.Time
	// Who is the person or system that started the work ("cron", a user name).
	Who string
	// MailSource is an extra mailbox for the mail intake (the demo's in-process IMAP
	// server, tests); nil in production, where cfg.Mail and the inbox are read.
	MailSource mailintake.Source
	// Files is how files and folders are created (file_group): the zero value writes
	// 0600 files and 0750 folders.
	Files filemode.Policy
	// SimulatedToday is the date NIGHTLY_TODAY set, zero for the real clock. Now is then
	// already shifted to it; the report says that the night was a simulation.
	SimulatedToday calendar.Date
	// ReceivablesAging, when set, reads the receivables aging as of a day for the morning
	// report: ledger.ReportAging, which cmd sets (ledger imports jobs). tx is the dry
	// run's transaction, nil otherwise.
	ReceivablesAging func(ctx context.Context, env *Env, tx *sqlx.Tx, asOf calendar.Date) ([]accounting.AgingRow, error)
}

// WriteFile writes data to path through a flushed temporary file and a rename, with
// the file mode and group of e.Files; missing folders are created 0750. Everything
// under OUT/YYYY-MM-DD/ is written through it (issue 13).
func (e *Env) WriteFile(path string, data []byte) error { return e.Files.WriteFile(path, data) }

// MkdirAll creates dir and its missing parents with mode 0750 and the group of e.Files.
func (e *Env) MkdirAll(dir string) error { return e.Files.MkdirAll(dir) }

// Night is one run date being processed: the Env, the date, and how to write.
type Night struct {
	*Env
	Date   calendar.Date
	DryRun bool
	// Now is the moment the night started, for timestamps (UTC).
	Now time.Time

	stop    context.Context // cancelled when the night must stop between transactions
	lock    *store.RunLock  // checked before every transaction: never go on without it
	outer   *sqlx.Tx        // the single transaction of a dry run, rolled back at the end
	faults  faultSet
	timings []StepSummary // the steps done so far, for the report's timing section
	// moneyGaps are what the money check of a full night found (SPEC §4.8); the report
	// shows them in a red banner.
	moneyGaps []store.MoneyGap
}

// Stopping returns an error once the night was asked to stop (SIGINT, SIGTERM): steps
// run on a context that is never cancelled, so a transaction under way finishes, and
// the next one is not started. The next run resumes where this one stopped.
func (n *Night) Stopping() error {
	if n.stop == nil || n.stop.Err() == nil {
		return nil
	}
	return fmt.Errorf("the night was asked to stop: %w", context.Cause(n.stop))
}

// Tx runs fn in a transaction; it refuses to start one once the night is stopping.
// Before each attempt the run lock is checked, and before the commit the lease is
// fenced (store.RunLock.Fence), so that no transaction of a night that lost its lock
// commits. A transaction that meets a conflict (a deadlock, a Galera certification
// conflict) or a lost connection is run again whole by store.DB.Tx: fn must leave
// nothing outside the database that a second run would double. A closure that counts
// into the step's Result uses TxCounted instead (TestTxClosuresLeakNoCounts checks).
//
// In a dry run every step shares one outer transaction that is rolled back at the end,
// so later steps see earlier steps' effects and nothing is kept; fn then runs inside a
// savepoint.
func (n *Night) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return n.TxCounted(ctx, nil, fn)
}

// TxCounted is Tx for a closure that counts what it changes into res: each attempt
// starts from the counts res had before the transaction, and a transaction that does
// not commit leaves them so, so that a retried transaction is counted once.
func (n *Night) TxCounted(ctx context.Context, res *Result, fn func(tx *sqlx.Tx) error) error {
	if err := n.Stopping(); err != nil {
		return err
	}
	before := res.clone()
	if n.outer != nil {
		if err := n.lock.Check(ctx); err != nil {
			return err
		}
		err := store.InSavepoint(ctx, n.outer, fn)
		if err != nil {
			res.restore(before)
		}
		return err
	}
	attempt := 0
	err := n.DB.TxChecked(ctx, n.lock.Check, func(tx *sqlx.Tx) error {
		if attempt++; attempt > 1 {
			res.restore(before)
		}
		if err := fn(tx); err != nil {
			return err
		}
		return n.lock.Fence(ctx, tx)
	})
	if err != nil {
		res.restore(before)
	}
	return err
}

// Q returns what read-only queries should run against: the dry run's transaction, or
// the database.
func (n *Night) Q() sqlx.ExtContext {
	if n.outer != nil {
		return n.outer
	}
	return n.DB
}

// DayDir is the output folder of the night: OUT/YYYY-MM-DD, or OUT/YYYY-MM-DD/dry-run.
func (n *Night) DayDir() string {
	d := filepath.Join(n.Config.OutDir, n.Date.String())
	if n.DryRun {
		d = filepath.Join(d, "dry-run")
	}
	return d
}

// progress prints a line for a person watching the terminal.
func (n *Night) progress(format string, args ...any) {
	if n.Progress != nil {
		fmt.Fprintf(n.Progress, format+"\n", args...)
	}
}
