package jobs

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// HoldContract holds a contract's suspension until a date, with a reason (SPEC §4.6), and
// records who did it in the audit trail. The command line and the web call this one
// function.
func HoldContract(ctx context.Context, env *Env, no string, until calendar.Date, why string) error {
	if why == "" {
		return fmt.Errorf("hold contract %s: say why (--why)", no)
	}
	today := calendar.InTokyo(env.Now())
	if until.Before(today) {
		return fmt.Errorf("hold contract %s: --until %s is in the past", no, until)
	}
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := store.GetContract(ctx, tx, no)
		if store.IsNoRows(err) {
			return fmt.Errorf("hold contract %s: no such contract", no)
		}
		if err != nil {
			return err
		}
		if c.Status != store.StatusActive {
			return fmt.Errorf("hold contract %s: it is %s, only an active contract can be held", no, c.Status)
		}
		if err := store.SetContractHold(ctx, tx, no, until, why, env.Now()); err != nil {
			return err
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "hold", Subject: no,
			Field: "hold_until", FromValue: c.HoldUntil.String(), ToValue: until.String(), Why: why})
	})
}
