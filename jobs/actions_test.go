package jobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func TestStaffActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		env.Who = "sato"
		seeded(t, db)
		runNight(t, env, jobs.Options{})

		// A stop-service task of the night, marked done once.
		key := "stop:NP-0001003:2026-11-23"
		if err := jobs.CompleteTask(ctx, env, key); err != nil {
			t.Fatal(err)
		}
		if err := jobs.CompleteTask(ctx, env, key); err == nil || !strings.Contains(err.Error(), "sato さんが完了にしています") {
			t.Errorf("second completion: %v", err)
		}
		if err := jobs.CompleteTask(ctx, env, "nosuch"); err == nil {
			t.Error("unknown task accepted")
		}

		// Activation starts a pending contract's first term on the day it is done.
		now := env.Now()
		if err := store.PutContract(ctx, db, store.Contract{No: "NP-0009001", CustomerNo: "100001", PlanCode: "M365-BB",
			Seats: 10, UnitPrice: 9000, Status: store.StatusPending, AutoRenew: true}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := store.AddTask(ctx, db, store.Task{NKey: "activate:ORD-1", Kind: "activate", ContractNo: "NP-0009001",
			OrderNo: "ORD-1", DueDate: calendar.MustParse("2026-11-27"), RunDate: demo.Date}); err != nil {
			t.Fatal(err)
		}
		if err := jobs.CompleteTask(ctx, env, "activate:ORD-1"); err != nil {
			t.Fatal(err)
		}
		c, _ := store.GetContract(ctx, db, "NP-0009001")
		if c.Status != store.StatusActive || c.TermStart != calendar.InTokyo(now) || c.TermEnd != calendar.MustParse("2027-11-23") {
			t.Errorf("after activation: %s %s..%s", c.Status, c.TermStart, c.TermEnd)
		}

		// Exceptions close with who and why; the why is required.
		if _, err := store.AddException(ctx, db, store.Exception{NKey: "x:1", RunDate: demo.Date, Kind: "unknown", Message: "振込人不明"}); err != nil {
			t.Fatal(err)
		}
		if err := jobs.CloseException(ctx, env, "x:1", ""); err == nil {
			t.Error("closed without a reason")
		}
		if err := jobs.CloseException(ctx, env, "x:1", "返金済み"); err != nil {
			t.Fatal(err)
		}
		if err := jobs.CloseException(ctx, env, "x:1", "again"); err == nil {
			t.Error("closed twice")
		}
		hist, _ := store.AuditOf(ctx, db, "x:1")
		if len(hist) != 1 || hist[0].Who != "sato" || hist[0].Why != "返金済み" {
			t.Errorf("audit of the close: %+v", hist)
		}

		// Holds: only active contracts, never in the past, always with a reason.
		if err := jobs.HoldContract(ctx, env, "NP-0001003", calendar.MustParse("2026-12-31"), "x"); err == nil {
			t.Error("held a suspended contract")
		}
		if err := jobs.HoldContract(ctx, env, "NP-0001011", calendar.MustParse("2020-01-01"), "x"); err == nil {
			t.Error("held until a past date")
		}
	})
}
