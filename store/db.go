// Package store is the database of nightly and the only package that speaks SQL. It
// runs on MySQL/MariaDB (production) and on an embedded, pure-Go SQLite file (the
// default), with one set of queries and one schema applied by goose migrations.
//
// Functions take a sqlx.ExtContext so that a step composes several of them inside one
// transaction. Money is int64 yen; business dates are calendar.Date in DATE columns;
// timestamps are UTC.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the database engine behind a DB.
type Dialect string

// The two engines nightly runs on.
const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is an open nightly database.
type DB struct {
	*sqlx.DB
	Dialect Dialect
	// Path is the SQLite file, or "" for MySQL.
	Path string
	// Name is the database name (MySQL) or file path (SQLite), for messages and lock names.
	Name string
	// Galera is true when the MySQL server is a node of a Galera cluster (wsrep_on):
	// its sessions stream big transactions in fragments (see openMySQL).
	Galera bool
	// OnRetry, when set, is told of each transaction Tx runs again and why (for logs).
	OnRetry func(attempt int, err error)
}

// ErrBadDSN is returned for a database address nightly cannot read.
var ErrBadDSN = errors.New("database address must be sqlite:PATH or mysql://USER[:PASSWORD]@tcp(HOST:PORT)/NAME")

// Open opens the database named by dsn: "sqlite:PATH" (the file is created if missing)
// or "mysql://user:password@tcp(host:3306)/name". It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	// The scheme is read in any letter case (MYSQL://, SQLite:), as a person may type it.
	switch lower := strings.ToLower(dsn); {
	case strings.HasPrefix(lower, "sqlite:"):
		return openSQLite(ctx, dsn[len("sqlite:"):])
	case strings.HasPrefix(lower, "mysql://"):
		return openMySQL(ctx, dsn[len("mysql://"):])
	}
	return nil, fmt.Errorf("open database %q: %w (a MySQL address starts with mysql://)", Redact(dsn), ErrBadDSN)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: %w", ErrBadDSN)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
	}
	// SQLite gives the -wal, -shm and journal files the mode of the database file: create
	// it (and the run lock's) private, whatever the umask (issue 13).
	for _, p := range []string{path, path + ".runlock"} {
		if f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return &DB{DB: db, Dialect: SQLite, Path: path, Name: path}, nil
}

func openMySQL(ctx context.Context, rest string) (*DB, error) {
	cfg, err := mysql.ParseDSN(rest)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w (%w)", Redact("mysql://"+rest), ErrBadDSN, err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["charset"] = "utf8mb4"
	cfg.Collation = "utf8mb4_bin"
	cfg.Params["time_zone"] = "'+00:00'"
	db, err := connectMySQL(ctx, cfg)
	if err != nil {
		return nil, err
	}
	galera := false
	var on sql.NullString // absent on MySQL and on MariaDB built without wsrep
	if err := db.GetContext(ctx, &on, "SELECT @@wsrep_on"); err == nil && on.String == "1" {
		galera = true
		db.Close()
		// A transaction over wsrep_max_ws_size (2 GB at most) cannot commit on Galera:
		// a big one (a bank file of millions of records is one transaction) is
		// replicated in fragments while it runs. Smaller ones never reach a fragment.
		cfg.Params["wsrep_trx_fragment_unit"] = "'bytes'"
		cfg.Params["wsrep_trx_fragment_size"] = fmt.Sprint(GaleraFragmentBytes)
		// Reads wait for what the cluster committed before them (causal reads): a night
		// rerun on another node, a schema check after a migration elsewhere, never see
		// an older state than the last commit.
		cfg.Params["wsrep_sync_wait"] = "1"
		if db, err = connectMySQL(ctx, cfg); err != nil {
			return nil, err
		}
	}
	return &DB{DB: db, Dialect: MySQL, Name: cfg.DBName, Galera: galera}, nil
}

// GaleraFragmentBytes is the streaming-replication fragment of nightly's sessions on a
// Galera node: a transaction is certified and replicated every 64 MiB of row changes,
// far below wsrep_max_ws_size.
const GaleraFragmentBytes = 64 << 20

func connectMySQL(ctx context.Context, cfg *mysql.Config) (*sqlx.DB, error) {
	db, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.DBName, err)
	}
	db.SetConnMaxLifetime(5 * time.Minute)
	db.SetMaxOpenConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s at %s: %w (is MySQL running and the DSN right?)", cfg.DBName, cfg.Addr, err)
	}
	return db, nil
}

// Redact hides the password of a DSN for messages and logs.
func Redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	prefix, rest := dsn[:at], dsn[at:]
	scheme := ""
	if i := strings.Index(prefix, "://"); i >= 0 {
		scheme, prefix = prefix[:i+3], prefix[i+3:]
	}
	if c := strings.Index(prefix, ":"); c >= 0 {
		prefix = prefix[:c] + ":***"
	}
	return scheme + prefix + rest
}

// Tx runs fn in one transaction and commits when fn returns nil. A transaction that
// cannot commit for a reason a second try can fix is run again whole, up to
// TxAttempts times with a growing pause (RetryDelay): a deadlock or lock wait timeout,
// a Galera certification conflict (1213, SQLSTATE 40001, at any statement or at
// COMMIT), a node that left the cluster's primary component (1047) or shut down, a
// lost connection. fn must therefore have no effect outside the database, or only
// effects that a second run repeats harmlessly (jobs.Night.Tx restores the counts of a
// step); a COMMIT whose answer was lost may have been applied, and the next attempt
// then finds its work done.
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return db.TxChecked(ctx, nil, fn)
}

// TxChecked is Tx with check called before each attempt: an error from it ends the
// retries with that error (the night checks that it still holds its run lock, so that
// a retry after a lost connection does not go on without it).
func (db *DB) TxChecked(ctx context.Context, check func(context.Context) error, fn func(tx *sqlx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if check != nil {
			if cerr := check(ctx); cerr != nil {
				return cerr
			}
		}
		if err = db.tx(ctx, fn); err == nil || !IsRetryable(err) {
			return err
		}
		if attempt >= TxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		if db.OnRetry != nil {
			db.OnRetry(attempt, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (stopped while waiting to retry after: %v)", ctx.Err(), err)
		case <-time.After(RetryDelay(attempt)):
		}
	}
}

// TxAttempts is how many times Tx runs a transaction that keeps failing for a reason
// IsRetryable accepts. With RetryDelay the attempts span about six seconds: enough for
// a load balancer to move to another node, short enough not to hide a dead cluster.
const TxAttempts = 8

// RetryDelay is the pause before attempt+1: 25 ms doubled each time up to 2 s, with
// ±50% jitter so that two processes that collided do not collide again in step.
func RetryDelay(attempt int) time.Duration {
	d := 25 * time.Millisecond << min(attempt-1, 7)
	d = min(d, 2*time.Second)
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func (db *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsRetryable reports whether err ended a transaction that may succeed when run again
// whole: a deadlock victim or lock wait timeout (1213, 1205), a Galera certification
// conflict (1213 / SQLSTATE 40001), a node outside the primary component (1047 "WSREP
// has not yet prepared node for application use"), a server shutting down (1053) or a
// killed connection (1927), and a connection lost or refused.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1213, 1205, 1047, 1053, 1927:
			return true
		}
		return string(me.SQLState[:]) == "40001"
	}
	return IsConnectionLost(err)
}

// IsConnectionLost reports whether err means the connection to the database broke or
// could not be made (the server or node went away); what was not committed is lost.
func IsConnectionLost(err error) bool {
	var ne net.Error
	return errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.As(err, &ne)
}

// IsUniqueViolation reports whether err is a duplicate-key error of either engine.
func IsUniqueViolation(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsNoRows reports whether err means a query found nothing.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// InSavepoint runs fn inside a savepoint of the open transaction tx: when fn fails, what
// it did is rolled back and tx stays usable. A dry run keeps every step in one outer
// transaction and runs each of the step's transactions this way.
func InSavepoint(ctx context.Context, tx *sqlx.Tx, fn func(tx *sqlx.Tx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT step"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT step")
		return err
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT step"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}
