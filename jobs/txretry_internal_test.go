package jobs

import (
	"context"
	"errors"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// A night transaction that MariaDB rolls back as a deadlock victim (a real 1213) is run
// again whole: its row is committed once, the step counts it once, and the lease is
// fenced by the attempt that committed.
func TestNightTxRetriedCountsOnce(t *testing.T) {
	db := storetest.Open(t, storetest.MySQLDSN(t))
	ctx := context.Background()
	dl := storetest.NewDeadlocker(t, db)
	lock, err := db.LockWith(ctx, store.LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	day := calendar.MustParse("2026-11-24")
	n := &Night{Env: &Env{DB: db}, Date: day, lock: lock}
	res := newResult()
	res.Changes["exceptions"] = 5 // counted by earlier transactions of the step
	attempts := 0
	var first error
	err = n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
		attempts++
		if err := n.exception(ctx, tx, &res, store.Exception{NKey: "retried", Kind: "test", Subject: "x", Message: "m", Action: "a"}); err != nil {
			return err
		}
		res.Seen["tries"]++
		if attempts == 1 {
			first = dl.Victim(ctx, tx)
			return first
		}
		return nil
	})
	if err != nil {
		t.Fatalf("TxCounted: %v", err)
	}
	var me *mysql.MySQLError
	if !errors.As(first, &me) || me.Number != 1213 || attempts != 2 {
		t.Fatalf("first attempt: %v, %d attempts; want error 1213 then a second attempt", first, attempts)
	}
	if res.Changes["exceptions"] != 6 || res.Seen["tries"] != 1 {
		t.Errorf("counts %v %v, want exceptions 6 (5 + this one once) and tries 1", res.Changes, res.Seen)
	}
	var rows, fenced int
	if err := db.GetContext(ctx, &rows, "SELECT COUNT(*) FROM exceptions WHERE nkey = 'retried'"); err != nil || rows != 1 {
		t.Errorf("%d rows committed (%v), want 1", rows, err)
	}
	if err := db.GetContext(ctx, &fenced, "SELECT writes FROM run_fence"); err != nil || fenced != 1 {
		t.Errorf("fence written by %d committed transactions (%v), want 1", fenced, err)
	}

	// A transaction that fails for good leaves the counts as they were.
	err = n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
		res.Changes["exceptions"]++
		return errors.New("bad input")
	})
	if err == nil || res.Changes["exceptions"] != 6 {
		t.Errorf("after a failed transaction: %v, exceptions %d; want the error and 6", err, res.Changes["exceptions"])
	}
	// A lease taken over meanwhile: the fence refuses the commit.
	if _, err := db.ExecContext(ctx, "UPDATE run_fence SET holder = 'usurper'"); err != nil {
		t.Fatal(err)
	}
	err = n.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := store.AddException(ctx, tx, store.Exception{NKey: "after-takeover", RunDate: day, Kind: "test", Subject: "x", Message: "m", Action: "a"})
		return err
	})
	if !errors.Is(err, store.ErrLockLost) {
		t.Errorf("transaction after a takeover: %v, want ErrLockLost", err)
	}
	if err := db.GetContext(ctx, &rows, "SELECT COUNT(*) FROM exceptions WHERE nkey = 'after-takeover'"); err != nil || rows != 0 {
		t.Errorf("%d rows of a fenced-off transaction committed (%v)", rows, err)
	}
}
