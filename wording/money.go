package wording

import (
	"fmt"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// maxGapsShown is how many gaps the invariant exception names.
const maxGapsShown = 20

// MoneyGapException is the open exception of a night whose books do not add up (SPEC
// §4.8): key names the night and the differences, msg is MoneyGaps of them.
func MoneyGapException(key string, day calendar.Date, msg string) store.Exception {
	return store.Exception{NKey: key, RunDate: day, Kind: "invariant", Subject: "金額の検算", Message: msg,
		Action: "開発担当に連絡してください。差異の原因を直してから、この日付を再実行すると検算がやり直されます（`nightly check` で単独でも確認できます）。"}
}

// MoneyGaps says in Japanese which transfers and invoices do not add up.
func MoneyGaps(gaps []store.MoneyGap) string {
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
		b.WriteString(MoneyGap(g))
	}
	return b.String()
}

// MoneyGap says one gap in Japanese: what, which, the amounts and the difference.
func MoneyGap(g store.MoneyGap) string {
	switch g.Kind {
	case "transfer":
		return fmt.Sprintf("振込 %s: 金額 %s に対し、充当・保留・返金の合計が %s（差 %s）", g.Subject, Yen(g.Want), Yen(g.Got), Yen(g.Want-g.Got))
	case "invoice":
		return fmt.Sprintf("請求書 %s: 入金額 %s に対し、充当された入金の合計が %s（差 %s）", g.Subject, Yen(g.Want), Yen(g.Got), Yen(g.Want-g.Got))
	}
	return fmt.Sprintf("例外 %s: どの振込にも結び付かない保留額 %s", g.Subject, Yen(g.Got))
}
