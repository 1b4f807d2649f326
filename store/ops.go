package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

var taskCols = []string{"nkey", "kind", "contract_no", "order_no", "invoice_number", "detail", "due_date", "run_date", "done_at", "done_by"}

// AddTask records a provisioning task unless one with its key exists; it reports
// whether it was new.
func AddTask(ctx context.Context, e sqlx.ExtContext, t Task) (bool, error) {
	return insertIgnore(ctx, e, "tasks", taskCols, []string{"nkey"}, t)
}

// OpenTasks returns the tasks not yet done, the earliest deadline first.
func OpenTasks(ctx context.Context, e sqlx.ExtContext) ([]Task, error) {
	var ts []Task
	if err := selectAll(ctx, e, &ts, "SELECT * FROM tasks WHERE done_at IS NULL ORDER BY due_date, nkey"); err != nil {
		return nil, fmt.Errorf("list open tasks: %w", err)
	}
	return ts, nil
}

// CompleteTask marks a task done by who; it reports whether the task was open.
func CompleteTask(ctx context.Context, e sqlx.ExtContext, key, who string, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "complete task "+key, "UPDATE tasks SET done_at = ?, done_by = ? WHERE nkey = ? AND done_at IS NULL", now.UTC(), who, key)
	return n == 1, err
}

var exceptionCols = []string{"nkey", "run_date", "kind", "subject", "message", "action", "suggestions", "status", "closed_by", "closed_why",
	"closed_at", "txn_id", "held", "refund", "refunded_on"}

// AddException records an exception for staff unless one with its key exists (a rerun
// does not repeat it); it reports whether it was new.
func AddException(ctx context.Context, e sqlx.ExtContext, x Exception) (bool, error) {
	if x.Status == "" {
		x.Status = "open"
	}
	return insertIgnore(ctx, e, "exceptions", exceptionCols, []string{"nkey"}, x)
}

// OpenExceptions returns the exceptions not yet closed, oldest first.
func OpenExceptions(ctx context.Context, e sqlx.ExtContext) ([]Exception, error) {
	var xs []Exception
	if err := selectAll(ctx, e, &xs, "SELECT * FROM exceptions WHERE status = 'open' ORDER BY run_date, kind, nkey"); err != nil {
		return nil, fmt.Errorf("list open exceptions: %w", err)
	}
	return xs, nil
}

// CloseException marks an exception handled, with who and why.
func CloseException(ctx context.Context, e sqlx.ExtContext, key, who, why string, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "close exception "+key,
		"UPDATE exceptions SET status = 'closed', closed_by = ?, closed_why = ?, closed_at = ? WHERE nkey = ? AND status = 'open'",
		who, why, now.UTC(), key)
	return n == 1, err
}

var noticeCols = []string{"number", "kind", "invoice_number", "replaced_by", "run_date", "customer_no", "pdf_sha256", "pages", "posted_at", "created_at"}

// AddNotice records a reminder or notice of cancellation to be rendered, unless one with
// its number exists; it reports whether it was new.
func AddNotice(ctx context.Context, e sqlx.ExtContext, n Notice, now time.Time) (bool, error) {
	n.CreatedAt = now.UTC()
	return insertIgnore(ctx, e, "notices", noticeCols, []string{"number"}, n)
}

// ListNotices returns the notices recorded on a run date (every one when day is zero).
func ListNotices(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]Notice, error) {
	q, args := "SELECT * FROM notices", []any{}
	if !day.IsZero() {
		q += " WHERE run_date = ?"
		args = append(args, day)
	}
	var ns []Notice
	if err := selectAll(ctx, e, &ns, q+" ORDER BY number", args...); err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return ns, nil
}

var auditCols = []string{"at", "run_date", "who", "action", "subject", "field", "from_value", "to_value", "why", "file_sha256"}

// Audit appends an entry to the audit trail.
func Audit(ctx context.Context, e sqlx.ExtContext, a AuditEntry) error {
	if _, err := namedExec(ctx, e, insertSQL(e, "audit", auditCols, "", nil, nil), a); err != nil {
		return fmt.Errorf("audit %s %s: %w", a.Action, a.Subject, err)
	}
	return nil
}

// AuditOf returns the audit entries about subject, oldest first.
func AuditOf(ctx context.Context, e sqlx.ExtContext, subject string) ([]AuditEntry, error) {
	var as []AuditEntry
	if err := selectAll(ctx, e, &as, "SELECT * FROM audit WHERE subject = ? ORDER BY id", subject); err != nil {
		return nil, fmt.Errorf("audit of %s: %w", subject, err)
	}
	return as, nil
}

// AuditOn returns the audit entries the night wrote for run date day with one of the
// actions, in order; the report reads "what happened that night" from here, so that a
// rerun shows the same.
func AuditOn(ctx context.Context, e sqlx.ExtContext, day calendar.Date, actions ...string) ([]AuditEntry, error) {
	q, args, err := sqlx.In("SELECT * FROM audit WHERE run_date = ? AND action IN (?) ORDER BY subject, id", day, actions)
	if err != nil {
		return nil, err
	}
	var as []AuditEntry
	if err := selectAll(ctx, e, &as, e.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("audit on %s: %w", day, err)
	}
	return as, nil
}

// StartRun opens a line of the run ledger and returns its id.
func StartRun(ctx context.Context, e sqlx.ExtContext, r Run) (int64, error) {
	res, err := namedExec(ctx, e, `INSERT INTO runs (run_date, trigger_by, who, started_at, status, steps, error)
		VALUES (:run_date, :trigger_by, :who, :started_at, :status, :steps, :error)`, r)
	if err != nil {
		return 0, fmt.Errorf("record run start: %w", err)
	}
	return res.LastInsertId()
}

// FinishRun closes a line of the run ledger.
func FinishRun(ctx context.Context, e sqlx.ExtContext, id int64, status, steps, errText string, end time.Time) error {
	_, err := exec(ctx, e, "record run end", "UPDATE runs SET status = ?, steps = ?, error = ?, ended_at = ? WHERE id = ?",
		status, steps, errText, end.UTC(), id)
	return err
}

// RecentRuns returns the last n runs, newest first.
func RecentRuns(ctx context.Context, e sqlx.ExtContext, n int) ([]Run, error) {
	var rs []Run
	if err := selectAll(ctx, e, &rs, "SELECT * FROM runs ORDER BY id DESC LIMIT ?", n); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return rs, nil
}

// LastSuccessfulDate returns the latest run date whose night was done: finished ok, or
// with the money check failed, whose work is committed (zero when none).
func LastSuccessfulDate(ctx context.Context, e sqlx.ExtContext) (calendar.Date, error) {
	var d calendar.Date
	err := get(ctx, e, &d, "SELECT run_date FROM runs WHERE status IN ('ok', 'invariant') ORDER BY run_date DESC LIMIT 1")
	if IsNoRows(err) {
		return calendar.Date{}, nil
	}
	if err != nil {
		return d, fmt.Errorf("last successful run: %w", err)
	}
	return d, nil
}

// MarkStaleRuns closes runs left "running" by a process that died: the caller holds the
// run lock, so no other run can be going.
func MarkStaleRuns(ctx context.Context, e sqlx.ExtContext, now time.Time) error {
	_, err := exec(ctx, e, "close stale runs", "UPDATE runs SET status = 'failed', error = 'the process stopped before the run ended', ended_at = ? WHERE status = 'running'", now.UTC())
	return err
}

// GetTask returns the task with key; IsNoRows(err) when there is none.
func GetTask(ctx context.Context, e sqlx.ExtContext, key string) (Task, error) {
	var t Task
	if err := get(ctx, e, &t, "SELECT * FROM tasks WHERE nkey = ?", fit("tasks", "nkey", key)); err != nil {
		return t, fmt.Errorf("task %s: %w", key, err)
	}
	return t, nil
}

// CountOpenExceptions returns how many exceptions are open, without loading them.
func CountOpenExceptions(ctx context.Context, e sqlx.ExtContext) (int, error) {
	var n int
	if err := get(ctx, e, &n, "SELECT COUNT(*) FROM exceptions WHERE status = 'open'"); err != nil {
		return 0, fmt.Errorf("count open exceptions: %w", err)
	}
	return n, nil
}

// LatestRunDate returns the latest run date of the run ledger whose night did its work
// (not a dry run, not one that failed before ending); zero when none.
func LatestRunDate(ctx context.Context, e sqlx.ExtContext) (calendar.Date, error) {
	var d calendar.Date
	err := get(ctx, e, &d, "SELECT run_date FROM runs WHERE status IN ('ok', 'invariant', 'partial') ORDER BY run_date DESC LIMIT 1")
	if IsNoRows(err) {
		return calendar.Date{}, nil
	}
	if err != nil {
		return d, fmt.Errorf("latest run date: %w", err)
	}
	return d, nil
}

// countedTables are the tables a night writes, whose rows RowCount adds up.
var countedTables = []string{"customers", "contracts", "orders", "invoices", "invoice_lines", "notices", "bank_files",
	"bank_txns", "payments", "mail_messages", "requests", "evidence", "tasks", "exceptions", "audit"}

// RowCount returns the number of rows in the tables a night writes, summed (the
// benchmark's rows written per step).
func RowCount(ctx context.Context, e sqlx.ExtContext) (int64, error) {
	var total int64
	for _, t := range countedTables {
		var n int64
		if err := get(ctx, e, &n, "SELECT COUNT(*) FROM "+t); err != nil {
			return 0, fmt.Errorf("count %s: %w", t, err)
		}
		total += n
	}
	return total, nil
}
