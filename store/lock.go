package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrLockHeld is returned by Lock when another process holds the run lock (SPEC §5.3).
var ErrLockHeld = errors.New("another nightly run holds the lock on this database")

// ErrLockLost is returned by RunLock.Check when the database no longer holds the run
// lock for this process (MySQL restarted, the connection was cut).
var ErrLockLost = errors.New("the run lock was lost (the database restarted or the connection was cut)")

// RunLock is the database lock that lets one night run at a time. It is released by
// Unlock, and by the database itself when the holding process dies (the MySQL session
// ends, or the SQLite file lock is dropped by the kernel), so a killed run never blocks
// the next.
type RunLock struct {
	release func() error
	check   func(ctx context.Context) error
}

// Check returns ErrLockLost when the lock is no longer held. A night checks before each
// step and transaction, so that it never goes on without the lock.
func (l *RunLock) Check(ctx context.Context) error {
	if l == nil || l.check == nil {
		return nil
	}
	return l.check(ctx)
}

// Lock takes the run lock without waiting; it returns ErrLockHeld when it is taken.
//
// On MySQL it is GET_LOCK on a connection kept for the lock's lifetime. On SQLite it is
// an exclusive transaction on a small lock database beside the main file
// (PATH.runlock): SQLite has one writer lock per file, which the night's own writes
// need, so the run lock lives in its own file.
func (db *DB) Lock(ctx context.Context) (*RunLock, error) {
	if db.Dialect == MySQL {
		return db.lockMySQL(ctx)
	}
	return db.lockSQLite(ctx)
}

// Unlock releases the lock.
func (l *RunLock) Unlock() error {
	if l == nil || l.release == nil {
		return nil
	}
	err := l.release()
	l.release = nil
	return err
}

func (db *DB) lockMySQL(ctx context.Context) (*RunLock, error) {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take run lock: %w", err)
	}
	name := "nightly-run:" + db.Name
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("take run lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		conn.Close()
		return nil, ErrLockHeld
	}
	return &RunLock{
		release: func() error {
			_, err := conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", name)
			conn.Close()
			return err
		},
		check: func(ctx context.Context) error {
			var mine sql.NullInt64
			err := conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", name).Scan(&mine)
			if err != nil || !mine.Valid || mine.Int64 != 1 {
				return fmt.Errorf("%w: %v", ErrLockLost, err)
			}
			return nil
		},
	}, nil
}

func (db *DB) lockSQLite(ctx context.Context) (*RunLock, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(0)")
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	ldb, err := sqlx.Open("sqlite", "file:"+db.Path+".runlock?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("take run lock: %w", err)
	}
	ldb.SetMaxOpenConns(1)
	conn, err := ldb.Conn(ctx)
	if err != nil {
		ldb.Close()
		return nil, fmt.Errorf("take run lock: %w", err)
	}
	fail := func(err error) (*RunLock, error) {
		conn.Close()
		ldb.Close()
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS holder (n INTEGER)"); err != nil {
		if isBusy(err) {
			return fail(ErrLockHeld)
		}
		return fail(fmt.Errorf("take run lock: %w", err))
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		if isBusy(err) {
			return fail(ErrLockHeld)
		}
		return fail(fmt.Errorf("take run lock: %w", err))
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO holder VALUES (1)"); err != nil {
		conn.ExecContext(context.Background(), "ROLLBACK")
		return fail(fmt.Errorf("take run lock: %w", err))
	}
	return &RunLock{release: func() error {
		_, err := conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		ldb.Close()
		return err
	}}, nil
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	return false
}
