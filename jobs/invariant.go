package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// ErrMoneyInvariant is returned by Run when a night finished with books that do not add
// up (SPEC §4.8): its work is committed, an `invariant` exception names the difference
// and the report shows it in red; the next night runs normally.
var ErrMoneyInvariant = errors.New("the money check found yen not accounted for (SPEC §4.8); see the `invariant` exception in the morning report")

// maxGapsShown is how many gaps the invariant exception names.
const maxGapsShown = 20

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
		msg, key := describeGaps(gaps), ""
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
		_, err = store.AddException(ctx, tx, store.Exception{NKey: key, RunDate: n.Date, Kind: "invariant", Subject: "金額の検算",
			Message: msg, Action: "開発担当に連絡してください。差異の原因を直してから、この日付を再実行すると検算がやり直されます（`nightly check` で単独でも確認できます）。"})
		return err
	})
}

// describeGaps says in Japanese which transfers and invoices do not add up.
func describeGaps(gaps []store.MoneyGap) string {
	if len(gaps) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "入金と請求書の金額が一致しない箇所が %d 件あります。", len(gaps))
	for i, g := range gaps {
		if i == maxGapsShown {
			fmt.Fprintf(&b, "\nほか %d 件", len(gaps)-maxGapsShown)
			break
		}
		b.WriteString("\n")
		b.WriteString(DescribeGap(g))
	}
	return b.String()
}

// DescribeGap says one gap in Japanese: what, which, the amounts and the difference.
func DescribeGap(g store.MoneyGap) string {
	switch g.Kind {
	case "transfer":
		return fmt.Sprintf("振込 %s: 金額 %s に対し、充当・保留・返金の合計が %s（差 %s）", g.Subject, wording.Yen(g.Want), wording.Yen(g.Got), wording.Yen(g.Want-g.Got))
	case "invoice":
		return fmt.Sprintf("請求書 %s: 入金額 %s に対し、充当された入金の合計が %s（差 %s）", g.Subject, wording.Yen(g.Want), wording.Yen(g.Got), wording.Yen(g.Want-g.Got))
	}
	return fmt.Sprintf("例外 %s: どの振込にも結び付かない保留額 %s", g.Subject, wording.Yen(g.Got))
}
