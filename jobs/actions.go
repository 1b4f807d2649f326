package jobs

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
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

// CloseException marks an exception handled, with who and why; the command line and
// the web call this one function.
func CloseException(ctx context.Context, env *Env, key, why string) error {
	if why == "" {
		return fmt.Errorf("close exception %s: say why (--why)", key)
	}
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		ok, err := store.CloseException(ctx, tx, key, env.Who, why, env.Now())
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("close exception %s: no open exception with that id (see `nightly exceptions list`)", key)
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "close_exception",
			Subject: key, Field: "status", FromValue: "open", ToValue: "closed", Why: why})
	})
}

// CompleteTask marks a provisioning task done. Completing "activate" starts the
// contract's first term on today's date (SPEC §4.1: the term starts on activation);
// completing "add_seats" adds the ordered seats to the contract.
func CompleteTask(ctx context.Context, env *Env, key string) error {
	today := calendar.InTokyo(env.Now())
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := store.GetTask(ctx, tx, key)
		if store.IsNoRows(err) {
			return fmt.Errorf("task %s: no such task (see `nightly tasks list`)", key)
		}
		if err != nil {
			return err
		}
		if t.DoneAt.Valid {
			return fmt.Errorf("task %s: already done by %s", key, t.DoneBy)
		}
		if _, err := store.CompleteTask(ctx, tx, key, env.Who, env.Now()); err != nil {
			return err
		}
		if err := store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "task_done",
			Subject: key, Field: "done", ToValue: today.String()}); err != nil {
			return err
		}
		switch t.Kind {
		case "activate":
			return activate(ctx, tx, env, t.ContractNo, today)
		case "add_seats":
			return addSeats(ctx, tx, env, t)
		}
		return nil
	})
}

func activate(ctx context.Context, tx *sqlx.Tx, env *Env, no string, today calendar.Date) error {
	c, err := store.GetContract(ctx, tx, no)
	if err != nil {
		return err
	}
	if c.Status != store.StatusPending {
		return nil
	}
	ok, err := store.ActivateContract(ctx, tx, no, today, contract.TermEnd(today), env.Now())
	if err != nil || !ok {
		return err
	}
	return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "activated", Subject: no,
		Field: "term_start", ToValue: today.String(), Why: "開通作業の完了"})
}

func addSeats(ctx context.Context, tx *sqlx.Tx, env *Env, t store.Task) error {
	o, err := store.GetOrder(ctx, tx, t.OrderNo)
	if err != nil {
		return err
	}
	c, err := store.GetContract(ctx, tx, t.ContractNo)
	if err != nil {
		return err
	}
	if err := store.SetContractSeats(ctx, tx, c.No, c.Seats+o.Seats, env.Now()); err != nil {
		return err
	}
	return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "seats_added", Subject: c.No,
		Field: "seats", FromValue: fmt.Sprint(c.Seats), ToValue: fmt.Sprint(c.Seats + o.Seats), Why: "追加注文 " + o.No})
}
