package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/npress/nightly/calendar"
)

// ErrLockHeld is returned by Lock when another process holds the run lock (SPEC §5.3).
var ErrLockHeld = errors.New("another nightly run holds the lock on this database")

// ErrLockLost is returned by RunLock.Check, and by a transaction of the night, when this
// process no longer holds the run lock: the database restarted or the connection was
// cut, or (on a cluster) another process took the lease over after it expired.
var ErrLockLost = errors.New("the run lock was lost")

// RunLock is the database lock that lets one night run at a time. It is released by
// Unlock, and by the database itself when the holding process dies (the MySQL session
// ends, or the SQLite file lock is dropped by the kernel), so a killed run never blocks
// the next.
//
// On MySQL/MariaDB it has two parts. GET_LOCK on a connection kept for the lock's
// lifetime serialises the runs on one server. A lease row (run_lease), taken and
// renewed in transactions, serialises them across the nodes of a Galera cluster,
// where GET_LOCK is per node: when two processes on two nodes both get GET_LOCK, the
// cluster's certification lets one lease write commit and the other retries, sees the
// lease taken and gets ErrLockHeld. A lease whose holder died is taken over when it
// expires, at once when its holder's lock was on the same server (the free GET_LOCK
// proves that holder gone).
type RunLock struct {
	release func() error
	check   func(ctx context.Context) error
	fence   func(ctx context.Context, tx sqlx.ExtContext) error
}

// LockOptions describes the process taking the run lock and its lease. The zero value
// takes the defaults.
type LockOptions struct {
	// RunDate is the night the holder runs (recorded in the lease for people; zero when
	// not known yet).
	RunDate calendar.Date
	// Lease is how long the lease lasts without renewal: another process may take it
	// over after that (default DefaultLease).
	Lease time.Duration
	// Renew is how often the lease is renewed while held (default DefaultRenew).
	Renew time.Duration
}

// The lease's defaults: renewed every 20 s, so that two renewals may fail before the
// two minutes are out.
const (
	DefaultLease = 2 * time.Minute
	DefaultRenew = 20 * time.Second
)

const leaseName = "night"

// Check returns ErrLockLost when the lock is no longer held. A night checks before each
// step and transaction, so that it never goes on without the lock.
func (l *RunLock) Check(ctx context.Context) error {
	if l == nil || l.check == nil {
		return nil
	}
	return l.check(ctx)
}

// Fence is called in each transaction of the night just before it commits: on MySQL it
// writes the lease's fence row under this holder, so that the transaction cannot
// commit if another process took the lease over meanwhile (the writes conflict, or the
// row names the new holder: ErrLockLost). Nothing to do on SQLite.
func (l *RunLock) Fence(ctx context.Context, tx sqlx.ExtContext) error {
	if l == nil || l.fence == nil {
		return nil
	}
	return l.fence(ctx, tx)
}

// Lock takes the run lock with the default options (LockWith).
func (db *DB) Lock(ctx context.Context) (*RunLock, error) {
	return db.LockWith(ctx, LockOptions{})
}

// LockWith takes the run lock without waiting; it returns ErrLockHeld (saying who holds
// it, when known) when it is taken.
//
// On MySQL it is GET_LOCK on a connection kept for the lock's lifetime, and under it the
// lease of run_lease (see RunLock). On SQLite it is an exclusive transaction on a small
// lock database beside the main file (PATH.runlock): SQLite has one writer lock per
// file, which the night's own writes need, so the run lock lives in its own file; no
// lease is written.
func (db *DB) LockWith(ctx context.Context, o LockOptions) (*RunLock, error) {
	if db.Dialect == MySQL {
		if o.Lease <= 0 {
			o.Lease = DefaultLease
		}
		if o.Renew <= 0 {
			o.Renew = DefaultRenew
		}
		return db.lockMySQL(ctx, o)
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
