package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// DecideRequest records a staff decision on a request (SPEC §7.4): "accept" makes it
// effective (a late one stays for the following term; an unverified one is accepted
// once staff have confirmed it with the customer), "reject" takes it back. The
// contract's next term follows: an accepted request for it is applied, a rejected one
// that was applied is removed and the next term recomputed from the requests still in
// force. It is audited with who and why; the command line and the web call it.
func DecideRequest(ctx context.Context, env *Env, id int64, decision, why string) (store.Request, error) {
	if why == "" {
		return store.Request{}, fmt.Errorf("ご依頼 %d の判断: 理由を書いてください（--why）", id)
	}
	if decision != "accept" && decision != "reject" {
		return store.Request{}, fmt.Errorf("ご依頼 %d の判断: %q ではなく accept（受理）か reject（却下）を指定してください", id, decision)
	}
	n := &Night{Env: env, Date: calendar.InTokyo(env.Now()), Now: env.Now().UTC()}
	res := newResult()
	var out store.Request
	err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		r, err := store.GetRequest(ctx, tx, id)
		if store.IsNoRows(err) {
			return fmt.Errorf("ご依頼 %d はありません", id)
		}
		if err != nil {
			return err
		}
		to := store.RequestRejected
		if decision == "accept" {
			if r.ContractNo == "" || r.Kind == "" || r.TermStart.IsZero() {
				return fmt.Errorf("ご依頼 %d は契約・内容・適用年度が分からないため、このままでは受理できません。お客様の正しいご依頼を記録してください", id)
			}
			if r.Kind == string(mailintake.KindReduction) && !r.SeatsAfter.Valid {
				return fmt.Errorf("ご依頼 %d は減数後の数量がないため、このままでは受理できません", id)
			}
			to = store.RequestAccepted
			// A late request stays late; so does an unverified one that came late
			// (the night put it on the term after the one it asked for).
			if r.Outcome == store.RequestLate || r.Outcome == store.RequestUnverified && !r.AskedTerm.IsZero() && r.TermStart != r.AskedTerm {
				to = store.RequestLate
			}
		}
		if err := store.DecideRequest(ctx, tx, id, to, env.Who, why, r.TermStart); err != nil {
			return err
		}
		if err := store.Audit(ctx, tx, store.AuditEntry{At: n.Now, RunDate: n.Date, Who: env.Who, Action: "decide_request",
			Subject: fmt.Sprintf("request:%d", id), Field: "status", FromValue: r.Status, ToValue: to, Why: why,
			FileSHA256: r.MessageSHA256}); err != nil {
			return err
		}
		r.Status, r.Applied = to, false
		if to == store.RequestRejected {
			if err := n.recomputeNextTerm(ctx, tx, r.ContractNo, env.Who, why); err != nil {
				return err
			}
		} else if _, err := n.applyRequest(ctx, tx, r, env.Who, &res); err != nil {
			return err
		}
		out, err = store.GetRequest(ctx, tx, id)
		return err
	})
	return out, err
}

// recomputeNextTerm sets a contract's next term from the applied requests still in
// force for it (the latest wins), or back to "as now" when none is left.
func (n *Night) recomputeNextTerm(ctx context.Context, tx *sqlx.Tx, no, who, why string) error {
	c, err := store.GetContract(ctx, tx, no)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil || c.TermEnd.IsZero() {
		return err
	}
	rs, err := store.RequestsOfContract(ctx, tx, no)
	if err != nil {
		return err
	}
	next := c.TermEnd.AddDays(1)
	seats, cancel := sql.NullInt64{}, false
	for _, r := range rs {
		if !r.Applied || r.TermStart != next || (r.Status != store.RequestAccepted && r.Status != store.RequestLate) {
			continue
		}
		seats, cancel = sql.NullInt64{}, r.Kind == string(mailintake.KindCancellation)
		if !cancel {
			seats = r.SeatsAfter
		}
	}
	changed, err := store.SetContractNextTerm(ctx, tx, no, seats, cancel, n.Now)
	if err != nil || !changed {
		return err
	}
	return store.Audit(ctx, tx, store.AuditEntry{At: n.Now, RunDate: n.Date, Who: who, Action: "request_applied", Subject: no,
		Field: "next_term", FromValue: fmt.Sprintf("seats=%s cancel=%t", nullStr(c.NextSeats), c.CancelAtTermEnd),
		ToValue: fmt.Sprintf("seats=%s cancel=%t", nullStr(seats), cancel), Why: why})
}
