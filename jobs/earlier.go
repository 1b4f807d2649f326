package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// EarlierAccount is the bank account under which money received before nightly kept the
// books is recorded (the demo's and the generator's history): a payment source of its
// own, so that the money check of SPEC §4.8 counts those transfers like any other.
const EarlierAccount = "history"

// EarlierPayment is a transfer received before the first night, that paid Invoice: the
// demo and the generator seed every paid yen as one of these.
type EarlierPayment struct {
	Invoice   string
	Amount    int64 // what the customer sent
	ValueDate calendar.Date
	Payer     string
}

// BookEarlierPayments stores each earlier payment as a credit transfer of
// EarlierAccount and books it on its invoice through the one door for money (SPEC
// §4.8: every yen in the database gets there through the same booking functions), in
// tx. who names the seeder ("demo", "gen").
func BookEarlierPayments(ctx context.Context, env *Env, tx sqlx.ExtContext, ps []EarlierPayment, who string, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	if err := store.SetAccountSource(ctx, tx, EarlierAccount, EarlierAccount, "", now); err != nil {
		return err
	}
	norm := bankfeed.NormalizerFrom(env.Config.Bank)
	for _, p := range ps {
		t := store.BankTxn{Txn: bankfeed.Txn{Account: EarlierAccount, ValueDate: p.ValueDate, Amount: p.Amount, Payer: p.Payer,
			PayerNormalized: norm.Normalize(p.Payer), Kind: bankfeed.Credit},
			Source: EarlierAccount, TKey: "paid:" + p.Invoice, Ordinal: 1, Status: store.TxnMatched, RunDate: p.ValueDate}
		for {
			ok, err := store.AddBankTxn(ctx, tx, &t)
			if err != nil {
				return fmt.Errorf("earlier payment of %s: %w", p.Invoice, err)
			}
			if ok {
				break
			}
			t.Ordinal++ // a second earlier payment of the same invoice
		}
		b := books{env: env, tx: tx, day: p.ValueDate, now: now, who: who}
		if _, err := b.apply(ctx, t, payment{Invoice: p.Invoice, Amount: p.Amount, RuleName: "earlier"}); err != nil {
			return fmt.Errorf("earlier payment of %s: %w", p.Invoice, err)
		}
	}
	return nil
}
