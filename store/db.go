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
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
	return &DB{DB: db, Dialect: MySQL, Name: cfg.DBName}, nil
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
// MySQL chose as a deadlock victim is run again (up to five times), so fn must have no
// effect outside the database.
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = db.tx(ctx, fn); !isDeadlock(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	return err
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

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
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
