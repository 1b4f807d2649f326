package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

// LeaseHolder is who holds, or last held, the run lease of a MySQL database.
type LeaseHolder struct {
	Holder      string        `db:"holder"`
	Host        string        `db:"host"`
	PID         int           `db:"pid"`
	Node        string        `db:"node"`
	RunDate     calendar.Date `db:"run_date"`
	AcquiredAt  time.Time     `db:"acquired_at"`
	HeartbeatAt time.Time     `db:"heartbeat_at"`
	ExpiresAt   time.Time     `db:"expires_at"`
	Renewals    int64         `db:"renewals"`
	// Expired is true when the lease ran out by the database's clock.
	Expired bool `db:"expired"`
}

// String says who holds the lease, for messages and logs.
func (h LeaseHolder) String() string {
	s := fmt.Sprintf("held by %s pid %d (database server %s) since %s UTC", h.Host, h.PID, h.Node, h.AcquiredAt.UTC().Format("2006-01-02 15:04:05"))
	if !h.RunDate.IsZero() {
		s += ", night of " + h.RunDate.String()
	}
	return s + fmt.Sprintf(", lease renewed %s, until %s UTC", h.HeartbeatAt.UTC().Format("15:04:05"), h.ExpiresAt.UTC().Format("15:04:05"))
}

const leaseCols = `holder, host, pid, node, run_date, acquired_at, heartbeat_at, expires_at, renewals,
	expires_at <= UTC_TIMESTAMP(6) AS expired`

// CurrentLease returns the run lease's row of a MySQL database; ok is false when no
// process ever took it (and always on SQLite, which has no lease).
func CurrentLease(ctx context.Context, e sqlx.QueryerContext) (h LeaseHolder, ok bool, err error) {
	err = get(ctx, e, &h, "SELECT "+leaseCols+" FROM run_lease WHERE name = ?", leaseName)
	if IsNoRows(err) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("read the run lease: %w", err)
	}
	return h, true, nil
}

// mysqlLock is the MySQL run lock of one process: its GET_LOCK connection and lease.
type mysqlLock struct {
	conn    *sqlx.Conn
	mu      sync.Mutex // conn is shared by Check and the heartbeat
	name    string     // the GET_LOCK name
	holder  string     // this process's token in run_lease and run_fence
	lease   time.Duration
	stop    chan struct{}
	stopped chan struct{}

	lostMu sync.Mutex
	lost   error     // set by the heartbeat when the lease is gone
	valid  time.Time // local time until which the last renewal keeps the lease
}

func (db *DB) lockMySQL(ctx context.Context, o LockOptions) (*RunLock, error) {
	conn, err := db.DB.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("take run lock: %w", err)
	}
	l := &mysqlLock{conn: conn, name: "nightly-run:" + db.Name, lease: o.Lease}
	fail := func(err error) (*RunLock, error) {
		conn.Close() // ends the session: GET_LOCK is released with it
		return nil, err
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", l.name).Scan(&got); err != nil {
		return fail(fmt.Errorf("take run lock: %w", err))
	}
	if !got.Valid || got.Int64 != 1 {
		if h, ok, err := CurrentLease(ctx, conn); err == nil && ok && !h.Expired {
			return fail(fmt.Errorf("%w: %s", ErrLockHeld, h))
		}
		return fail(ErrLockHeld)
	}
	var node string
	if err := conn.QueryRowContext(ctx, "SELECT CONCAT(@@hostname, ':', @@port)").Scan(&node); err != nil {
		return fail(fmt.Errorf("take run lock: %w", err))
	}
	host, _ := os.Hostname()
	var rnd [8]byte
	rand.Read(rnd[:])
	l.holder = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(rnd[:]))
	me := LeaseHolder{Holder: l.holder, Host: host, PID: os.Getpid(), Node: node, RunDate: o.RunDate}
	start := time.Now()
	if err := l.acquire(ctx, me); err != nil {
		return fail(err)
	}
	l.valid = start.Add(o.Lease)
	l.stop, l.stopped = make(chan struct{}), make(chan struct{})
	go l.heartbeat(o.Renew)
	return &RunLock{release: l.release, check: l.check, fence: l.fenceTx}, nil
}

// acquire takes the lease in one transaction on the lock's connection, retried whole
// on a conflict (another node wrote the lease at the same time: the retry then reads
// its row). It returns ErrLockHeld when a live holder has it.
func (l *mysqlLock) acquire(ctx context.Context, me LeaseHolder) error {
	var err error
	for attempt := 1; attempt <= TxAttempts; attempt++ {
		if err = l.tryAcquire(ctx, me); err == nil || errors.Is(err, ErrLockHeld) || !(IsRetryable(err) || IsUniqueViolation(err)) {
			return err
		}
		time.Sleep(RetryDelay(attempt))
	}
	return fmt.Errorf("take the run lease: gave up after %d attempts: %w", TxAttempts, err)
}

func (l *mysqlLock) tryAcquire(ctx context.Context, me LeaseHolder) error {
	tx, err := l.conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("take the run lease: %w", err)
	}
	defer tx.Rollback()
	var h LeaseHolder
	err = sqlx.GetContext(ctx, tx, &h, "SELECT "+leaseCols+" FROM run_lease WHERE name = ? FOR UPDATE", leaseName)
	found := err == nil
	if err != nil && !IsNoRows(err) {
		return fmt.Errorf("take the run lease: %w", err)
	}
	// This process holds GET_LOCK on its server: a holder whose lock was on the same
	// server is gone (killed, or its session ended), whatever its lease says.
	if found && !h.Expired && h.Node != me.Node {
		return fmt.Errorf("%w: %s", ErrLockHeld, h)
	}
	runDate := sql.NullString{}
	if !me.RunDate.IsZero() {
		runDate = sql.NullString{String: me.RunDate.String(), Valid: true}
	}
	us := l.lease.Microseconds()
	if found {
		_, err = exec(ctx, tx, "take the run lease", `UPDATE run_lease SET holder = ?, host = ?, pid = ?, node = ?, run_date = ?,
			acquired_at = UTC_TIMESTAMP(6), heartbeat_at = UTC_TIMESTAMP(6),
			expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, renewals = 0 WHERE name = ?`,
			me.Holder, me.Host, me.PID, me.Node, runDate, us, leaseName)
	} else {
		_, err = exec(ctx, tx, "take the run lease", `INSERT INTO run_lease (name, holder, host, pid, node, run_date, acquired_at, heartbeat_at, expires_at, renewals)
			VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, 0)`,
			leaseName, me.Holder, me.Host, me.PID, me.Node, runDate, us)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO run_fence (name, holder, writes) VALUES (?, ?, 0)
		ON DUPLICATE KEY UPDATE holder = VALUES(holder), writes = 0`, leaseName, me.Holder); err != nil {
		return fmt.Errorf("take the run lease: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("take the run lease: commit: %w", err)
	}
	return nil
}

// heartbeat renews the lease every renew until release stops it. A renewal that finds
// another holder, or a connection gone (GET_LOCK went with it), loses the lock; a
// conflict or a slow node is tried again at the next beat, until the lease would have
// run out.
func (l *mysqlLock) heartbeat(renew time.Duration) {
	defer close(l.stopped)
	t := time.NewTicker(renew)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		start := time.Now()
		// No deadline: cancelling a statement closes its connection, and with it
		// GET_LOCK. A cluster that stalls while it drops a dead node delays the renewal;
		// the lease stays valid for this process until valid passes (check).
		l.mu.Lock()
		res, err := l.conn.ExecContext(context.Background(), `UPDATE run_lease SET heartbeat_at = UTC_TIMESTAMP(6),
			expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, renewals = renewals + 1 WHERE name = ? AND holder = ?`,
			l.lease.Microseconds(), leaseName, l.holder)
		l.mu.Unlock()
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		switch {
		case err == nil && n == 1:
			l.lostMu.Lock()
			l.valid = start.Add(l.lease)
			l.lostMu.Unlock()
		case err == nil:
			l.setLost(errors.New("another process took the lease over (this one could not renew it in time)"))
			return
		case IsConnectionLost(err):
			l.setLost(fmt.Errorf("the lock's connection to the database was cut: %v", err))
			return
		case time.Now().After(l.validUntil()):
			l.setLost(fmt.Errorf("the lease could not be renewed before it ran out: %v", err))
			return
		}
	}
}

func (l *mysqlLock) setLost(err error) {
	l.lostMu.Lock()
	if l.lost == nil {
		l.lost = err
	}
	l.lostMu.Unlock()
}

func (l *mysqlLock) validUntil() time.Time {
	l.lostMu.Lock()
	defer l.lostMu.Unlock()
	return l.valid
}

// check is RunLock.Check: the heartbeat has not lost the lease, its last renewal is
// still in force, this session still holds GET_LOCK and the lease still names this
// process.
func (l *mysqlLock) check(ctx context.Context) error {
	l.lostMu.Lock()
	lost, valid := l.lost, l.valid
	l.lostMu.Unlock()
	if lost != nil {
		return fmt.Errorf("%w: %v", ErrLockLost, lost)
	}
	if time.Now().After(valid) {
		return fmt.Errorf("%w: the lease ran out at %s without a renewal", ErrLockLost, valid.Format(time.RFC3339))
	}
	if !l.mu.TryLock() {
		return nil // a renewal is under way on the connection: it reports a loss itself
	}
	var mine, leased sql.NullInt64
	err := l.conn.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?) = CONNECTION_ID(),
		(SELECT COUNT(*) FROM run_lease WHERE name = ? AND holder = ?)`, l.name, leaseName, l.holder).Scan(&mine, &leased)
	l.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("%w (the database restarted or the connection was cut): %v", ErrLockLost, err)
	case !mine.Valid || mine.Int64 != 1:
		return fmt.Errorf("%w (the database restarted or the connection was cut)", ErrLockLost)
	case leased.Int64 != 1:
		return fmt.Errorf("%w: another process took the lease over", ErrLockLost)
	}
	return nil
}

// fenceTx is RunLock.Fence on MySQL.
func (l *mysqlLock) fenceTx(ctx context.Context, tx sqlx.ExtContext) error {
	n, err := exec(ctx, tx, "fence the run lease", "UPDATE run_fence SET writes = writes + 1 WHERE name = ? AND holder = ?", leaseName, l.holder)
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w: another process took the lease over; this transaction is not committed", ErrLockLost)
	}
	return nil
}

// release stops the heartbeat, ends the lease (the row stays, expired, naming the last
// holder) and releases GET_LOCK. A renewal stuck on a dead node is not waited for
// more than 10 s: the process ends, and the server drops GET_LOCK with its session.
func (l *mysqlLock) release() error {
	close(l.stop)
	select {
	case <-l.stopped:
	case <-time.After(10 * time.Second):
		return errors.New("release the run lock: its connection does not answer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.conn.ExecContext(ctx, "UPDATE run_lease SET expires_at = UTC_TIMESTAMP(6) WHERE name = ? AND holder = ?", leaseName, l.holder)
	if _, rerr := l.conn.ExecContext(ctx, "SELECT RELEASE_LOCK(?)", l.name); err == nil {
		err = rerr
	}
	l.conn.Close()
	return err
}

// RunDone reports whether a run of day started by trigger (cron, manual…) finished ok.
func RunDone(ctx context.Context, e sqlx.QueryerContext, day calendar.Date, trigger string) (bool, error) {
	var n int
	if err := get(ctx, e, &n, "SELECT COUNT(*) FROM runs WHERE run_date = ? AND trigger_by = ? AND status = 'ok'", day, trigger); err != nil {
		return false, fmt.Errorf("runs of %s: %w", day, err)
	}
	return n > 0, nil
}
