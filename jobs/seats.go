package jobs

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// reductionFor returns the accepted reduction of a contract's next term (its target and
// the day its request was received, SPEC §4.2), or nil when the next term has none.
func reductionFor(ctx context.Context, q sqlx.ExtContext, c store.Contract) (*contract.Reduction, error) {
	if !c.NextSeats.Valid || c.TermEnd.IsZero() {
		return nil, nil
	}
	red := &contract.Reduction{Target: int(c.NextSeats.Int64)}
	rs, err := store.RequestsOfContract(ctx, q, c.No)
	if err != nil {
		return nil, err
	}
	next := c.TermEnd.AddDays(1)
	for _, r := range rs { // oldest first: the latest applied reduction wins
		if r.Applied && r.TermStart == next && r.Kind == string(mailintake.KindReduction) &&
			(r.Status == store.RequestAccepted || r.Status == store.RequestLate) {
			red.Received = calendar.InTokyo(r.ReceivedAt)
		}
	}
	return red, nil
}

// renewalSeats returns the seats the renewal of c's next term bills when issued on
// issue, and the additions it settles for that term (SPEC §4.2). rebill names the
// renewal being voided and reissued, whose additions are counted again ("" for a first
// issue).
func renewalSeats(ctx context.Context, q sqlx.ExtContext, c store.Contract, rows []store.SeatAddition, issue calendar.Date, rebill string) (int, []string, error) {
	red, err := reductionFor(ctx, q, c)
	if err != nil {
		return 0, nil, err
	}
	seats, settled := contract.RenewalSeats(c.TermStart, c.Seats, store.SeatArithmetic(rows, rebill), issue, red)
	return seats, settled, nil
}

// applyAdditions puts the paid additions whose effective cycle has come into effect
// (SPEC §4.2: the night switches the seats, not the provisioning task), each recorded
// in the audit trail with the seats in effect before and after.
func (n *Night) applyAdditions(ctx context.Context, tx sqlx.ExtContext, res *Result) error {
	due, err := store.SeatAdditionsTakingEffect(ctx, tx, n.Date)
	if err != nil {
		return err
	}
	for _, a := range due {
		c, err := store.GetContract(ctx, tx, a.ContractNo)
		if err != nil {
			return err
		}
		rows, err := store.SeatAdditionsOf(ctx, tx, c.No)
		if err != nil {
			return err
		}
		adds := store.SeatArithmetic(rows, "")
		before := contract.SeatsOn(c.TermStart, c.Seats, adds, a.EffectiveOn.AddDays(-1))
		after := contract.SeatsOn(c.TermStart, c.Seats, adds, a.EffectiveOn)
		ok, err := store.MarkSeatAdditionApplied(ctx, tx, a.Key, n.Date)
		if err != nil || !ok {
			return err
		}
		res.Changes["seats_added"]++
		why := fmt.Sprintf("追加注文 %s（請求書 %s）の %d ライセンスが %s から有効", a.OrderNo, a.InvoiceNumber, a.Seats, a.EffectiveOn.Japanese())
		if a.TermStart != c.TermStart {
			why += "（次期分の追加）"
		}
		if err := n.audit(ctx, tx, "seats_effective", c.No, "seats", fmt.Sprint(before), fmt.Sprint(after), why); err != nil {
			return err
		}
	}
	return nil
}
