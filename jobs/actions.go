package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// HoldContract holds a contract's suspension until a date, with a reason (SPEC §4.6), and
// records who did it in the audit trail. The command line and the web call this one
// function.
func HoldContract(ctx context.Context, env *Env, no string, until calendar.Date, why string) error {
	if why == "" {
		return fmt.Errorf("契約 %s の停止保留: 理由を書いてください（--why）", no)
	}
	today := calendar.InTokyo(env.Now())
	if until.Before(today) {
		return fmt.Errorf("契約 %s の停止保留: 保留期限 %s は過去の日付です", no, until.Japanese())
	}
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := store.GetContract(ctx, tx, no)
		if store.IsNoRows(err) {
			return fmt.Errorf("契約 %s はありません", no)
		}
		if err != nil {
			return err
		}
		if c.Status != store.StatusActive {
			return fmt.Errorf("契約 %s は「%s」のため停止を保留できません（保留できるのは有効な契約だけです）", no, wording.ContractStatuses.Name(c.Status))
		}
		if err := store.SetContractHold(ctx, tx, no, until, why, env.Now()); err != nil {
			return err
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "hold", Subject: no,
			Field: "hold_until", FromValue: c.HoldUntil.String(), ToValue: until.String(), Why: why})
	})
}

// CloseException marks an exception handled, with who and why; the command line and
// the web call this one function. An exception that holds money (an unidentified or
// overpaid transfer, money moved off a void invoice) cannot simply be closed: its money
// is refunded (RefundException) or booked (ResolvePayment), so that none is lost (SPEC
// §4.8).
func CloseException(ctx context.Context, env *Env, key, why string) error {
	if why == "" {
		return fmt.Errorf("例外 %s: 対応の理由を書いてください（--why）", key)
	}
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		x, err := store.GetException(ctx, tx, key)
		if store.IsNoRows(err) || (err == nil && x.Status != "open") {
			return fmt.Errorf("未対応の例外 %s はありません（対応済みか、番号の誤りです）", key)
		}
		if err != nil {
			return err
		}
		if x.Held != 0 {
			return fmt.Errorf("例外 %s はお客様のお金 %s をお預かりしています。返金を記録するか（--refund %d --on 日付）、振込 %d を請求書に充当してください",
				key, wording.Yen(x.Held), x.Held, x.TxnID.Int64)
		}
		if _, err := store.CloseException(ctx, tx, key, env.Who, why, env.Now()); err != nil {
			return err
		}
		return store.Audit(ctx, tx, store.AuditEntry{At: env.Now().UTC(), Who: env.Who, Action: "close_exception",
			Subject: key, Field: "status", FromValue: "open", ToValue: "closed", Why: why})
	})
}

// RefundException closes an exception that holds money with the refund staff made:
// yen (what it holds) on the day on, with why (SPEC §4.8: refunded money leaves the
// books). The command line (`exceptions close ID --refund YEN --on D`) and the web call
// this one function; the accountant's journal books the refund from this record.
func RefundException(ctx context.Context, env *Env, key string, yen int64, on calendar.Date, why string) error {
	if why == "" {
		return fmt.Errorf("例外 %s の返金: 理由を書いてください（--why）", key)
	}
	today := calendar.InTokyo(env.Now())
	if on.IsZero() {
		return fmt.Errorf("例外 %s の返金: 返金した日を書いてください（--on YYYY-MM-DD）", key)
	}
	if on.After(today) {
		return fmt.Errorf("例外 %s の返金: 返金日 %s は今日（%s）より後です。返金を済ませてから記録してください", key, on.Japanese(), today.Japanese())
	}
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		return staffBooks(env, tx, today).refund(ctx, key, yen, on, why)
	})
}

// CompleteTask marks a provisioning task done. Completing "activate" starts the
// contract's first term on today's date (SPEC §4.1: the term starts on activation);
// completing "add_seats" records who provisioned the seats (the night already switched
// them on their effective date, §4.2).
func CompleteTask(ctx context.Context, env *Env, key string) error {
	today := calendar.InTokyo(env.Now())
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := store.GetTask(ctx, tx, key)
		if store.IsNoRows(err) {
			return fmt.Errorf("作業 %s はありません", key)
		}
		if err != nil {
			return err
		}
		if t.DoneAt.Valid {
			return fmt.Errorf("作業 %s は %s さんが完了にしています", key, t.DoneBy)
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

// addSeats records who provisioned an addition's seats at Microsoft, and when. It
// changes no seat count: the night puts the seats in effect on their effective cycle
// (SPEC §4.2).
func addSeats(ctx context.Context, tx *sqlx.Tx, env *Env, t store.Task) error {
	key := "order:" + t.OrderNo
	if strings.HasSuffix(t.NKey, ":next") {
		key += ":next"
	}
	return store.SetSeatAdditionProvisioned(ctx, tx, key, env.Who, env.Now())
}
