package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// ErrMoneyInvariant is returned by Run when a night finished with books that do not add
// up (SPEC §4.8): its work is committed, an `invariant` exception names the difference
// and the report shows it in red; the next night runs normally.
var ErrMoneyInvariant = errors.New("the money check found yen not accounted for (SPEC §4.8); see the `invariant` exception in the morning report")

// CheckMoney checks the counting rule of SPEC §4.8 over the whole database: every yen
// received is applied, held for staff or refunded, and every invoice's paid is its
// applied payments. `nightly check` and every full night call it.
func CheckMoney(ctx context.Context, q sqlx.ExtContext) ([]store.MoneyGap, error) {
	return store.MoneyGaps(ctx, q)
}

// checkMoney runs CheckMoney at the end of a full night. When the books do not add up it
// records an open `invariant` exception naming the differences; when they do, it closes
// the invariant exceptions of earlier nights (the data was fixed).
func (n *Night) checkMoney(ctx context.Context) error {
	gaps, err := CheckMoney(ctx, n.Q())
	if err != nil {
		return err
	}
	n.moneyGaps = gaps
	return n.Tx(ctx, func(tx *sqlx.Tx) error {
		open, err := store.OpenExceptions(ctx, tx)
		if err != nil {
			return err
		}
		msg, key := wording.MoneyGaps(gaps), ""
		if len(gaps) > 0 {
			h := sha256.Sum256([]byte(msg))
			key = "invariant:" + n.Date.String() + ":" + hex.EncodeToString(h[:4])
		}
		for _, x := range open {
			if x.Kind == "invariant" && x.NKey != key {
				why := "金額の検算が " + n.Date.String() + " に一致しました"
				if key != "" {
					why = "差異の内容が変わりました（" + key + "）"
				}
				if _, err := store.CloseException(ctx, tx, x.NKey, "nightly", why, n.Now); err != nil {
					return err
				}
			}
		}
		if key == "" {
			return nil
		}
		_, err = store.AddException(ctx, tx, wording.MoneyGapException(key, n.Date, msg))
		return err
	})
}
