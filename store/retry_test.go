package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func TestIsRetryable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadlock or certification conflict", &mysql.MySQLError{Number: 1213, SQLState: [5]byte{'4', '0', '0', '0', '1'}}, true},
		{"wrapped 1213", fmt.Errorf("commit: %w", &mysql.MySQLError{Number: 1213}), true},
		{"SQLSTATE 40001 alone", &mysql.MySQLError{Number: 1180, SQLState: [5]byte{'4', '0', '0', '0', '1'}}, true},
		{"lock wait timeout", &mysql.MySQLError{Number: 1205}, true},
		{"node not in the primary component", &mysql.MySQLError{Number: 1047, SQLState: [5]byte{'0', '8', 'S', '0', '1'}}, true},
		{"server shutdown", &mysql.MySQLError{Number: 1053}, true},
		{"connection killed", &mysql.MySQLError{Number: 1927}, true},
		{"invalid connection", fmt.Errorf("begin transaction: %w", mysql.ErrInvalidConn), true},
		{"bad connection", driver.ErrBadConn, true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"duplicate key", &mysql.MySQLError{Number: 1062, SQLState: [5]byte{'2', '3', '0', '0', '0'}}, false},
		{"writeset too big", &mysql.MySQLError{Number: 1180, SQLState: [5]byte{'H', 'Y', '0', '0', '0'}, Message: "Got error 90 \"Message too long\" during COMMIT"}, false},
		{"lock lost", store.ErrLockLost, false},
		{"plain", errors.New("no such contract"), false},
	} {
		if got := store.IsRetryable(c.err); got != c.want {
			t.Errorf("%s: IsRetryable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// A transaction chosen as a deadlock victim (a real 1213 from MariaDB) is run again
// whole and commits exactly once.
func TestTxRetriedAfterDeadlockCommitsOnce(t *testing.T) {
	db := storetest.Open(t, storetest.MySQLDSN(t))
	ctx := context.Background()
	dl := storetest.NewDeadlocker(t, db)
	attempts := 0
	var first error
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		attempts++
		if _, err := store.AddTask(ctx, tx, store.Task{NKey: "retried", Kind: "activate", DueDate: d("2026-11-27"), RunDate: d("2026-11-24")}); err != nil {
			return err
		}
		if attempts == 1 {
			first = dl.Victim(ctx, tx)
			return first
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Tx: %v", err)
	}
	var me *mysql.MySQLError
	if !errors.As(first, &me) || me.Number != 1213 {
		t.Fatalf("first attempt ended with %v, want error 1213", first)
	}
	if attempts != 2 {
		t.Errorf("%d attempts, want 2", attempts)
	}
	var n, v int
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM tasks WHERE nkey = 'retried'"); err != nil || n != 1 {
		t.Errorf("%d tasks committed (%v), want exactly 1", n, err)
	}
	if err := db.GetContext(ctx, &v, "SELECT v FROM deadlock_probe WHERE id = 1"); err != nil || v != 1 {
		t.Errorf("probe row 1 = %d (%v), want 1: only the other transaction's change, the victim's rolled back", v, err)
	}
}

// On a Galera cluster: a transaction on node 1 whose row node 2 changed and committed
// meanwhile fails certification with 1213; Tx runs it again whole, it takes the next
// number again (numbers stay gapless) and commits exactly once.
func TestTxRetriedAfterCertificationConflict(t *testing.T) {
	dsns := storetest.GaleraDSNs(t)
	ctx := context.Background()
	n1, n2 := storetest.Open(t, dsns[0]), storetest.Open(t, dsns[1])
	if !n1.Galera {
		t.Fatal("node 1 is not seen as a Galera node")
	}
	if _, err := n1.ExecContext(ctx, "INSERT INTO invoice_counters (year, last_seq) VALUES (2099, 0)"); err != nil {
		t.Fatal(err)
	}
	var errs []error
	n1.OnRetry = func(_ int, err error) { errs = append(errs, err) }
	attempts := 0
	var seq int
	err := n1.Tx(ctx, func(tx *sqlx.Tx) error {
		attempts++
		if _, err := store.AddTask(ctx, tx, store.Task{NKey: "certified", Kind: "activate", DueDate: d("2026-11-27"), RunDate: d("2026-11-24")}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE invoice_counters SET last_seq = last_seq + 1 WHERE year = 2099"); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &seq, "SELECT last_seq FROM invoice_counters WHERE year = 2099"); err != nil {
			return err
		}
		if attempts == 1 { // node 2 takes 100 numbers and commits first
			if _, err := n2.ExecContext(ctx, "UPDATE invoice_counters SET last_seq = last_seq + 100 WHERE year = 2099"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Tx: %v", err)
	}
	var me *mysql.MySQLError
	if len(errs) != 1 || !errors.As(errs[0], &me) || me.Number != 1213 {
		t.Fatalf("retries after %v, want one after error 1213", errs)
	}
	if attempts != 2 || seq != 101 {
		t.Errorf("%d attempts, number %d; want 2 attempts and number 101 (the one after node 2's)", attempts, seq)
	}
	var n, last int
	if err := n2.GetContext(ctx, &n, "SELECT COUNT(*) FROM tasks WHERE nkey = 'certified'"); err != nil || n != 1 {
		t.Errorf("%d tasks on node 2 (%v), want exactly 1", n, err)
	}
	if err := n2.GetContext(ctx, &last, "SELECT last_seq FROM invoice_counters WHERE year = 2099"); err != nil || last != 101 {
		t.Errorf("counter %d on node 2 (%v), want 101", last, err)
	}
}

// On a Galera node nightly's sessions read causally and replicate a big transaction in fragments while it
// runs (wsrep_max_ws_size, 2 GB at most, never stops a big bank file): a transaction
// past its fragment is already in the other nodes' streaming log before it commits.
func TestGaleraSessionsStreamBigTransactions(t *testing.T) {
	dsns := storetest.GaleraDSNs(t)
	ctx := context.Background()
	n1, n2 := storetest.Open(t, dsns[0]), storetest.Open(t, dsns[1])
	var size, sync int64
	var unit string
	if err := n1.QueryRowContext(ctx, "SELECT @@SESSION.wsrep_trx_fragment_size, @@SESSION.wsrep_trx_fragment_unit, @@SESSION.wsrep_sync_wait").Scan(&size, &unit, &sync); err != nil {
		t.Fatal(err)
	}
	if size != store.GaleraFragmentBytes || unit != "bytes" || sync != 1 {
		t.Fatalf("session fragment %d %s, sync wait %d; want %d bytes and causal reads (1)", size, unit, sync, store.GaleraFragmentBytes)
	}
	var before int
	if err := n2.GetContext(ctx, &before, "SELECT COUNT(*) FROM mysql.wsrep_streaming_log"); err != nil {
		t.Fatal(err)
	}
	err := n1.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET SESSION wsrep_trx_fragment_size = 65536"); err != nil { // 64 KiB here, to keep the test small
			return err
		}
		defer tx.ExecContext(ctx, fmt.Sprintf("SET SESSION wsrep_trx_fragment_size = %d", store.GaleraFragmentBytes))
		for i := 0; i < 400; i++ {
			if _, err := store.AddTask(ctx, tx, store.Task{NKey: fmt.Sprintf("big:%04d:%s", i, strings.Repeat("x", 100)), Kind: "activate",
				DueDate: d("2026-11-27"), RunDate: d("2026-11-24"), Detail: strings.Repeat("あ", 300)}); err != nil {
				return err
			}
		}
		var fragments int
		if err := n2.GetContext(ctx, &fragments, "SELECT COUNT(*) FROM mysql.wsrep_streaming_log"); err != nil {
			return err
		}
		if fragments <= before {
			t.Errorf("no fragment of the open transaction reached node 2 (%d rows in its streaming log)", fragments)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int // nightly's sessions read what the cluster committed (wsrep_sync_wait)
	if err := n2.GetContext(ctx, &n, "SELECT COUNT(*) FROM tasks WHERE nkey LIKE 'big:%'"); err != nil || n != 400 {
		t.Errorf("%d rows on node 2 after commit (%v), want 400", n, err)
	}
}
