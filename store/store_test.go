package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

var now = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func d(s string) calendar.Date { return calendar.MustParse(s) }

func seed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.PutCustomer(ctx, tx, store.Customer{No: "100001", Name: "株式会社ミライ東京", Kana: "ミライトウキョウ", PostalCode: "100-0001", Country: "JP"}, now); err != nil {
			return err
		}
		if err := store.PutPlan(ctx, tx, store.Plan{Code: "M365-BS", Name: "Microsoft 365 Business Standard", Kind: "subscription"}, now); err != nil {
			return err
		}
		for _, p := range []store.PlanPrice{
			{PlanCode: "M365-BS", ValidFrom: d("2025-01-01"), ValidTo: d("2026-03-31"), UnitPrice: 16800},
			{PlanCode: "M365-BS", ValidFrom: d("2026-04-01"), UnitPrice: 18000},
		} {
			if err := store.PutPlanPrice(ctx, tx, p); err != nil {
				return err
			}
		}
		return store.PutContract(ctx, tx, store.Contract{No: "NP-0000001", CustomerNo: "100001", PlanCode: "M365-BS", Seats: 3,
			UnitPrice: 18000, TermStart: d("2026-04-15"), TermEnd: d("2027-04-14"), Status: store.StatusActive, AutoRenew: true}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchemaAndMaster(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("fresh migrated database: %v", err)
		}
		seed(t, db)
		c, err := store.GetContract(ctx, db, "NP-0000001")
		if err != nil {
			t.Fatal(err)
		}
		if c.TermStart != d("2026-04-15") || c.TermEnd != d("2027-04-14") || c.Seats != 3 || !c.AutoRenew {
			t.Errorf("contract read back as %+v", c)
		}
		cu, err := store.GetCustomer(ctx, db, "100001")
		if err != nil || cu.Name != "株式会社ミライ東京" || cu.Kana != "ミライトウキョウ" {
			t.Errorf("customer read back as %+v, %v", cu, err)
		}
		for day, want := range map[string]int64{"2026-03-31": 16800, "2026-04-01": 18000, "2030-01-01": 18000} {
			got, err := store.PriceOn(ctx, db, "M365-BS", d(day))
			if err != nil || got != want {
				t.Errorf("PriceOn(%s) = %d, %v; want %d", day, got, err, want)
			}
		}
		if _, err := store.PriceOn(ctx, db, "M365-BS", d("2024-12-31")); !store.IsNoRows(err) {
			t.Errorf("price before the list starts: err = %v, want no rows", err)
		}
		// Updating keeps one row and changes the fields.
		seed(t, db)
		c.Seats = 5
		if err := store.PutContract(ctx, db, c, now); err != nil {
			t.Fatal(err)
		}
		cs, err := store.ContractPage(ctx, db, "", 10)
		if err != nil || len(cs) != 1 || cs[0].Seats != 5 {
			t.Errorf("after update: %d contracts, %+v, %v", len(cs), cs, err)
		}
	})
}

func TestSchemaBehind(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.SQLiteDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaBehind) {
		t.Fatalf("unmigrated database: CheckSchema = %v, want ErrSchemaBehind", err)
	}
}

func TestOpenRejectsBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "postgres://x", "sqlite:", "mysql://user:secret@tcp(127.0.0.1:1)/x?badparam=%zz"} {
		_, err := store.Open(context.Background(), dsn)
		if err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if got := err.Error(); strings.Contains(got, "secret") {
			t.Errorf("Open(%q) error leaks the password: %s", dsn, got)
		}
	}
}

func TestRedact(t *testing.T) {
	got := store.Redact("mysql://nightly:s3cret@tcp(db:3306)/nightly")
	if got != "mysql://nightly:***@tcp(db:3306)/nightly" {
		t.Errorf("Redact = %q", got)
	}
}

// Invoice numbers are gapless and unique when several goroutines issue at once (§8.3).
func TestInvoiceNumbersGaplessConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		seed(t, db)
		const workers, each = 4, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					key := fmt.Sprintf("order:W%d-%d:2026-12-01", w, i)
					err := db.Tx(ctx, func(tx *sqlx.Tx) error {
						_, err := store.IssueInvoice(ctx, tx, invoiceFor(key), nil, now)
						if err != nil {
							return err
						}
						if i%3 == 0 { // a rolled-back issue must not leave a gap
							return errRollback
						}
						return nil
					})
					if err != nil && !errors.Is(err, errRollback) {
						errs <- err
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		invs, err := store.ListInvoices(ctx, db, store.InvoiceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := workers * (each - (each+2)/3)
		if len(invs) != want {
			t.Fatalf("%d invoices stored, want %d", len(invs), want)
		}
		for i, inv := range invs {
			if wantNo := fmt.Sprintf("2026-%06d", i+1); inv.Number != wantNo {
				t.Fatalf("invoice %d is numbered %s, want %s (gap or repeat)", i, inv.Number, wantNo)
			}
		}
		// The same natural key again is refused without consuming a number.
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := store.IssueInvoice(ctx, tx, invoiceFor(invs[0].NKey), nil, now)
			return err
		})
		if !errors.Is(err, store.ErrAlreadyIssued) {
			t.Fatalf("reissue of %s: %v, want ErrAlreadyIssued", invs[0].NKey, err)
		}
		var next store.Invoice
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			next, err = store.IssueInvoice(ctx, tx, invoiceFor("order:next:2026-12-01"), nil, now)
			return err
		})
		if err != nil || next.Number != fmt.Sprintf("2026-%06d", want+1) {
			t.Fatalf("next invoice %s, %v; want 2026-%06d", next.Number, err, want+1)
		}
	})
}

var errRollback = errors.New("roll back on purpose")

func invoiceFor(key string) store.Invoice {
	return store.Invoice{NKey: key, Kind: "new", CustomerNo: "100001", IssueDate: d("2026-11-24"), DueDate: d("2026-12-08"),
		Subtotal: 54000, Tax: 5400, Total: 59400}
}

func TestPaymentsAndStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		seed(t, db)
		var inv store.Invoice
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			var err error
			r := invoiceFor("renewal:NP-0000001:2027-04-15")
			r.Kind, r.ContractNo, r.TermStart = "renewal", "NP-0000001", d("2027-04-15")
			inv, err = store.IssueInvoice(ctx, tx, r, []store.InvoiceLine{
				{Description: "Microsoft 365 Business Standard", PeriodStart: d("2027-04-15"), PeriodEnd: d("2028-04-14"), Quantity: 3, UnitPrice: 18000, Amount: 54000, TaxRate: 10},
			}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			amount int64
			status string
		}{{29700, "partially_paid"}, {29700, "paid"}, {-29700, "partially_paid"}, {-29700, "open"}}
		for _, s := range steps {
			if err := store.AddPaid(ctx, db, inv.Number, s.amount); err != nil {
				t.Fatal(err)
			}
			got, err := store.GetInvoice(ctx, db, inv.Number)
			if err != nil || got.Status != s.status {
				t.Fatalf("after %+d: status %q, %v; want %q", s.amount, got.Status, err, s.status)
			}
		}
		lines, err := store.InvoiceLines(ctx, db, inv.Number)
		if err != nil || len(lines) != 1 || lines[0].PeriodEnd != d("2028-04-14") {
			t.Fatalf("lines %+v, %v", lines, err)
		}
		r, err := store.NextRenewal(ctx, db, "NP-0000001", d("2026-04-15"))
		if err != nil || r.Number != inv.Number {
			t.Fatalf("NextRenewal = %s, %v", r.Number, err)
		}
	})
}

func TestTasksAndExceptionsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		for i, wantNew := range []bool{true, false} {
			n, err := store.AddTask(ctx, db, store.Task{NKey: "stop:NP-0000001:2026-11-23", Kind: "stop_service", ContractNo: "NP-0000001", DueDate: d("2026-11-24"), RunDate: d("2026-11-24")})
			if err != nil || n != wantNew {
				t.Fatalf("AddTask #%d = %v, %v", i, n, err)
			}
			x, err := store.AddException(ctx, db, store.Exception{NKey: "bank:x", RunDate: d("2026-11-24"), Kind: "unknown_payer", Message: "振込人不明"})
			if err != nil || x != wantNew {
				t.Fatalf("AddException #%d = %v, %v", i, x, err)
			}
		}
		ok, err := store.CloseException(ctx, db, "bank:x", "sato", "返金済み", now)
		if err != nil || !ok {
			t.Fatalf("CloseException = %v, %v", ok, err)
		}
		xs, _ := store.OpenExceptions(ctx, db)
		if len(xs) != 0 {
			t.Errorf("%d exceptions still open", len(xs))
		}
		ts, _ := store.OpenTasks(ctx, db)
		if len(ts) != 1 {
			t.Errorf("%d open tasks, want 1", len(ts))
		}
	})
}

func TestRunLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		other, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		l, err := db.Lock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Lock(ctx); !errors.Is(err, store.ErrLockHeld) {
			t.Fatalf("second Lock = %v, want ErrLockHeld", err)
		}
		// The night's own writes go on while the lock is held.
		if _, err := store.AddTask(ctx, other, store.Task{NKey: "x", Kind: "activate", DueDate: d("2026-11-27"), RunDate: d("2026-11-24")}); err != nil {
			t.Fatalf("write while locked: %v", err)
		}
		if err := l.Check(ctx); err != nil {
			t.Fatalf("Check of a held lock: %v", err)
		}
		if db.Dialect == store.MySQL {
			// The database drops the lock's session (a restart, a cut connection): Check says so.
			var holder int64
			if err := other.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", "nightly-run:"+db.Name).Scan(&holder); err != nil {
				t.Fatal(err)
			}
			if _, err := other.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", holder)); err != nil {
				t.Fatal(err)
			}
			if err := l.Check(ctx); !errors.Is(err, store.ErrLockLost) {
				t.Fatalf("Check after the session was killed: %v, want ErrLockLost", err)
			}
		}
		if err := l.Unlock(); err != nil && db.Dialect != store.MySQL {
			t.Fatal(err)
		}
		// KILL CONNECTION ends the session asynchronously: until the server has done so,
		// GET_LOCK is still held by the killed session. A loaded server takes a moment.
		l2, err := other.Lock(ctx)
		for deadline := time.Now().Add(10 * time.Second); errors.Is(err, store.ErrLockHeld) && db.Dialect == store.MySQL && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			l2, err = other.Lock(ctx)
		}
		if err != nil {
			t.Fatalf("Lock after Unlock: %v", err)
		}
		l2.Unlock()
	})
}

func TestEvidenceRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		if _, ok, err := store.EvidenceHead(ctx, db); ok || err != nil {
			t.Fatalf("empty ledger head: ok=%v err=%v", ok, err)
		}
		amt := int64(59400)
		rows := []store.EvidenceRow{
			{Seq: 1, Kind: "bank_file", Source: "a.txt", ReceivedAt: now, Size: 10, SHA256: "aa", DocDate: d("2026-11-20"), Counterparty: "ﾐﾗｲﾄｳｷﾖｳ", PrevHash: "", Hash: "h1"},
			{Seq: 2, Kind: "invoice_pdf", Source: "2026-000001", ReceivedAt: now, Size: 20, SHA256: "bb", DocDate: d("2026-11-24"), Amount: sqlNull(amt), Counterparty: "株式会社ミライ東京", PrevHash: "h1", Hash: "h2"},
		}
		for _, r := range rows {
			if err := store.AppendEvidence(ctx, db, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.AppendEvidence(ctx, db, store.EvidenceRow{Seq: 3, Kind: "x", Source: "dup", ReceivedAt: now, SHA256: "aa", PrevHash: "h2", Hash: "h3"}); !store.IsUniqueViolation(err) {
			t.Errorf("second row for the same content: %v, want a unique violation", err)
		}
		head, ok, err := store.EvidenceHead(ctx, db)
		if err != nil || !ok || head.Hash != "h2" || !head.ReceivedAt.Equal(now) {
			t.Fatalf("head = %+v, %v, %v", head, ok, err)
		}
		min := int64(50000)
		got, err := store.SearchEvidence(ctx, db, store.EvidenceQuery{From: d("2026-11-21"), AmountMin: &min, Counterparty: "ミライ"})
		if err != nil || len(got) != 1 || got[0].Seq != 2 {
			t.Fatalf("search = %+v, %v", got, err)
		}
	})
}

func sqlNull(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: true} }
