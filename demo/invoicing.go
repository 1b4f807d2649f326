package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
)

// SeedOrders adds to the demo data what the demo night's invoicing shows (issue 6
// point 8): contracts whose renewal is issued tonight (two on schedule, one caught up
// with short notice), two new orders (one a perpetual licence), a migration, two
// additions (one to a contract whose next renewal is already issued, which gets a
// second invoice for that term), and a posted renewal invoice reduced after it was
// issued, which the night voids and reissues with a notice of cancellation. It is
// deterministic and runs after Seed's contracts and renewals exist.
func SeedOrders(ctx context.Context, db *store.DB, day calendar.Date, now time.Time) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		add := func(customer, plan string, seats int, unitPrice int64, nextStart calendar.Date, nextSeats int) (string, error) {
			no, err := store.NextContractNo(ctx, tx)
			if err != nil {
				return "", err
			}
			start := nextStart.AddMonths(-12)
			k := store.Contract{No: no, CustomerNo: customer, PlanCode: plan, Seats: seats, UnitPrice: unitPrice,
				TermStart: start, TermEnd: contract.TermEnd(start), Status: store.StatusActive, AutoRenew: true}
			if nextSeats > 0 {
				k.NextSeats = sql.NullInt64{Int64: int64(nextSeats), Valid: true}
			}
			return no, store.PutContract(ctx, tx, k, now)
		}
		// Renewals issued tonight: next start one month after the demo date. Business
		// Standard's term was locked at the old price; the renewal takes tonight's.
		if _, err := add("100201", "M365-BS", 10, 16800, day.AddMonths(1), 0); err != nil {
			return err
		}
		if _, err := add("100202", "M365-BP", 7, 33000, day.AddMonths(1), 6); err != nil { // reduced to 6 for the next term
			return err
		}
		// Imported late: its renewal should have been issued on day − 19; caught up tonight
		// with a due date of run date + 14 days.
		if _, err := add("100203", "M365-BB", 20, 9000, day.AddDays(11), 0); err != nil {
			return err
		}
		// An addition of 5 seats from December to a term running April to April.
		addTo, err := add("100204", "M365-BS", 3, 18000, calendar.MustParse("2027-04-15"), 0)
		if err != nil {
			return err
		}
		orders := []store.Order{
			{No: "EC-20261123-0001", Kind: "new", CustomerNo: "100205", PlanCode: "M365-BS", Seats: 12, OrderDate: day.AddDays(-1)},
			{No: "EC-20261123-0002", Kind: "new", CustomerNo: "100206", PlanCode: "LTSC-STD", Seats: 3, OrderDate: day.AddDays(-1)},
			{No: "EC-20261124-0003", Kind: "migration", CustomerNo: "100207", PlanCode: "O365-E3", Seats: 40, OrderDate: day},
			{No: "EC-20261124-0004", Kind: "addition", CustomerNo: "100204", ContractNo: sql.NullString{String: addTo, Valid: true},
				PlanCode: "M365-BS", Seats: 5, OrderDate: day, DesiredStart: "2026-12"},
			// NP-0001011's renewal for the term from 2026-12-20 is already issued: one month
			// of this term, and a second invoice for the next term.
			{No: "EC-20261124-0005", Kind: "addition", CustomerNo: "100011", ContractNo: sql.NullString{String: "NP-0001011", Valid: true},
				PlanCode: "M365-BS", Seats: 2, OrderDate: day, DesiredStart: "2026-11"},
			// Received after the cutoff: tomorrow's night invoices it.
			{No: "EC-20261125-0006", Kind: "new", CustomerNo: "100208", PlanCode: "M365-BB", Seats: 4, OrderDate: day.AddDays(1)},
		}
		for _, o := range orders {
			o.Status = "received"
			if err := store.PutOrder(ctx, tx, o, now); err != nil {
				return fmt.Errorf("demo order %s: %w", o.No, err)
			}
		}
		// NP-0001012's renewal was posted; the customer's reduction from 16 to 12 seats was
		// accepted afterwards, so tonight it is voided and reissued for 12 seats.
		if _, err := store.SetContractNextTerm(ctx, tx, "NP-0001012", sql.NullInt64{Int64: 12, Valid: true}, false, now); err != nil {
			return fmt.Errorf("demo reduction: %w", err)
		}
		inv, err := store.NextRenewal(ctx, tx, "NP-0001012", calendar.MustParse("2025-12-20"))
		if err != nil {
			return fmt.Errorf("demo reduction: %w", err)
		}
		// The reduction was received on the deadline day, after that morning's invoice.
		why := invoice.RequestReason(contract.RequestDeadline(calendar.MustParse("2026-12-20")), false, 16, 12)
		if ok, err := store.MarkReissue(ctx, tx, inv.Number, why); err != nil || !ok {
			return fmt.Errorf("demo reduction of %s: marked %v, %v", inv.Number, ok, err)
		}
		return nil
	})
}
