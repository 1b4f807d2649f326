package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func lockConnID(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRowContext(context.Background(), "SELECT IS_USED_LOCK(?)", "nightly-run:"+db.Name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// On one server: a holder whose session ended (killed process, cut connection) is
// replaced at once, though its lease has not run out; it then finds its lock lost, can
// commit nothing, and its Unlock leaves the new holder's lease alone.
func TestLeaseTakenOverOnTheSameServer(t *testing.T) {
	dsn := storetest.MySQLDSN(t)
	db, other := storetest.Open(t, dsn), storetest.Open(t, dsn)
	ctx := context.Background()
	a, err := db.LockWith(ctx, store.LockOptions{RunDate: d("2026-11-24")})
	if err != nil {
		t.Fatal(err)
	}
	h, ok, err := store.CurrentLease(ctx, db)
	if err != nil || !ok || h.Expired || h.RunDate != d("2026-11-24") || time.Until(h.ExpiresAt) < time.Minute {
		t.Fatalf("lease after Lock: %+v ok=%v err=%v", h, ok, err)
	}
	if _, err := other.Lock(ctx); !errors.Is(err, store.ErrLockHeld) || !strings.Contains(err.Error(), "night of 2026-11-24") {
		t.Fatalf("second Lock = %v, want ErrLockHeld naming the holder", err)
	}
	if _, err := other.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", lockConnID(t, db))); err != nil {
		t.Fatal(err)
	}
	b, err := other.Lock(ctx)
	if err != nil {
		t.Fatalf("Lock after the holder's session ended: %v, want it at once", err)
	}
	defer b.Unlock()
	if err := a.Check(ctx); !errors.Is(err, store.ErrLockLost) {
		t.Errorf("old holder's Check = %v, want ErrLockLost", err)
	}
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.AddTask(ctx, tx, store.Task{NKey: "late", Kind: "activate", DueDate: d("2026-11-27"), RunDate: d("2026-11-24")}); err != nil {
			return err
		}
		return a.Fence(ctx, tx)
	})
	if !errors.Is(err, store.ErrLockLost) {
		t.Errorf("old holder's fenced transaction = %v, want ErrLockLost", err)
	}
	if _, err := store.GetTask(ctx, db, "late"); !store.IsNoRows(err) {
		t.Errorf("the old holder's transaction committed: %v", err)
	}
	a.Unlock()
	if err := b.Check(ctx); err != nil {
		t.Errorf("new holder after the old one's Unlock: %v", err)
	}
	if err := db.Tx(ctx, func(tx *sqlx.Tx) error { return b.Fence(ctx, tx) }); err != nil {
		t.Errorf("new holder's fence: %v", err)
	}
}

// A lease held through another database server (another node of a cluster) is
// refused, naming its holder, until it runs out; then it is taken over.
func TestLeaseOfAnotherServerWaitsForExpiry(t *testing.T) {
	db := storetest.Open(t, storetest.MySQLDSN(t))
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO run_lease (name, holder, host, pid, node, acquired_at, heartbeat_at, expires_at)
		VALUES ('night', 'h2:77:x', 'h2', 77, 'node2:3306', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 2 SECOND)`); err != nil {
		t.Fatal(err)
	}
	_, err := db.Lock(ctx)
	if !errors.Is(err, store.ErrLockHeld) || !strings.Contains(err.Error(), "h2 pid 77 (database server node2:3306)") {
		t.Fatalf("Lock while another server's lease runs = %v, want ErrLockHeld naming it", err)
	}
	time.Sleep(2100 * time.Millisecond)
	l, err := db.Lock(ctx)
	if err != nil {
		t.Fatalf("Lock after the lease ran out: %v", err)
	}
	l.Unlock()
	h, _, _ := store.CurrentLease(ctx, db)
	if !h.Expired || h.Host == "h2" {
		t.Errorf("lease after Unlock: %+v, want this process's, ended", h)
	}
}

// The heartbeat keeps a short lease alive; a holder whose lease another process took
// over learns it at the next beat.
func TestLeaseHeartbeat(t *testing.T) {
	db := storetest.Open(t, storetest.MySQLDSN(t))
	ctx := context.Background()
	l, err := db.LockWith(ctx, store.LockOptions{Lease: 1500 * time.Millisecond, Renew: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	time.Sleep(2 * time.Second)
	if err := l.Check(ctx); err != nil {
		t.Fatalf("Check after 2 s of a 1.5 s lease renewed every 0.3 s: %v", err)
	}
	h, _, _ := store.CurrentLease(ctx, db)
	if h.Renewals < 3 || h.Expired {
		t.Errorf("lease %+v: want renewed at least 3 times and in force", h)
	}
	if _, err := db.ExecContext(ctx, "UPDATE run_lease SET holder = 'usurper'"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := l.Check(ctx); !errors.Is(err, store.ErrLockLost) || !strings.Contains(err.Error(), "took the lease over") {
		t.Errorf("Check after a takeover: %v, want ErrLockLost saying so", err)
	}
}

// On a Galera cluster GET_LOCK is per node: two processes on two nodes both get it,
// and the lease decides. Taken at the same moment, exactly one wins, every time.
func TestLeaseAcrossGaleraNodes(t *testing.T) {
	dsns := storetest.GaleraDSNs(t)
	ctx := context.Background()
	n1, n2 := storetest.Open(t, dsns[0]), storetest.Open(t, dsns[1])
	l, err := n1.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n2.Lock(ctx); !errors.Is(err, store.ErrLockHeld) {
		t.Fatalf("Lock on node 2 while node 1 holds the lease = %v, want ErrLockHeld", err)
	}
	l.Unlock()
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		locks := make([]*store.RunLock, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		for i, db := range []*store.DB{n1, n2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				locks[i], errs[i] = db.Lock(ctx)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i := range locks {
			if errs[i] == nil {
				won++
			} else if !errors.Is(errs[i], store.ErrLockHeld) {
				t.Errorf("round %d node %d: %v", round, i+1, errs[i])
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d processes got the lock at once (%v), want exactly 1", round, won, errs)
		}
		for _, l := range locks {
			l.Unlock()
		}
	}
}
