package evidence

import (
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

func yen(n int64) *int64 { return &n }

func TestQueryMatch(t *testing.T) {
	d := calendar.MustParse
	payment := Entry{Kind: KindBankFile, Date: d("2026-11-24"), Amount: 110000, HasAmount: true, Counterparty: "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"}
	mail := Entry{Kind: KindMail, Date: d("2026-11-25"), Counterparty: "山田商事株式会社　総務部"}
	invoice := Entry{Kind: KindInvoicePDF, Date: d("2026-11-01"), Amount: 0, HasAmount: true, Counterparty: "ＡＢＣ Trading 株式会社"}
	undated := Entry{Kind: KindOrderFile, Counterparty: "山田商事"}

	tests := []struct {
		name string
		q    Query
		want []bool // payment, mail, invoice, undated
	}{
		{"no filter matches all", Query{}, []bool{true, true, true, true}},
		{"from is inclusive", Query{From: d("2026-11-24")}, []bool{true, true, false, false}},
		{"to is inclusive", Query{To: d("2026-11-24")}, []bool{true, false, true, false}},
		{"one day", Query{From: d("2026-11-24"), To: d("2026-11-24")}, []bool{true, false, false, false}},
		{"amount min is inclusive", Query{AmountMin: yen(110000)}, []bool{true, false, false, false}},
		{"amount max includes zero amounts", Query{AmountMax: yen(0)}, []bool{false, false, true, false}},
		{"amount range", Query{AmountMin: yen(0), AmountMax: yen(109999)}, []bool{false, false, true, false}},
		{"half-width kana finds half-width kana", Query{Counterparty: "ﾔﾏﾀﾞ"}, []bool{true, false, false, false}},
		{"full-width kana finds half-width kana", Query{Counterparty: "ヤマダ"}, []bool{true, false, false, false}},
		{"kanji with ideographic space", Query{Counterparty: "商事株式会社 総務"}, []bool{false, true, false, false}},
		{"kanji finds several", Query{Counterparty: "山田"}, []bool{false, true, false, true}},
		{"full-width Latin, other case", Query{Counterparty: "abc trading"}, []bool{false, false, true, false}},
		{"only spaces does not filter", Query{Counterparty: "　 "}, []bool{true, true, true, true}},
		{"all three", Query{From: d("2026-11-01"), To: d("2026-11-30"), AmountMin: yen(100000), Counterparty: "ﾔﾏﾀﾞ"}, []bool{true, false, false, false}},
	}
	for _, tt := range tests {
		for i, e := range []Entry{payment, mail, invoice, undated} {
			if got := tt.q.Match(e); got != tt.want[i] {
				t.Errorf("%s: Match(%s %q) = %v, want %v", tt.name, e.Kind, e.Counterparty, got, tt.want[i])
			}
		}
	}
}

func TestQueryValidate(t *testing.T) {
	d := calendar.MustParse
	tests := []struct {
		q    Query
		want string
	}{
		{Query{}, ""},
		{Query{From: d("2026-11-01"), To: d("2026-11-01")}, ""},
		{Query{From: d("2026-11-02"), To: d("2026-11-01")}, "--from 2026-11-02 is after --to 2026-11-01"},
		{Query{AmountMin: yen(5), AmountMax: yen(5)}, ""},
		{Query{AmountMin: yen(6), AmountMax: yen(5)}, "--amount-min 6 is above --amount-max 5"},
	}
	for _, tt := range tests {
		err := tt.q.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.q, err, tt.want)
		}
	}
}

func TestFoldCounterparty(t *testing.T) {
	tests := map[string]string{
		"ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ": "カ)ヤマダシヨウジ",
		"㈱ﾔﾏﾀﾞ":       "(株)ヤマダ",
		"ＡＢＣ　Ｔｒａｄｉｎｇ": "abctrading",
		" 山田 商事\t":    "山田商事",
		"":            "",
	}
	for in, want := range tests {
		if got := FoldCounterparty(in); got != want {
			t.Errorf("FoldCounterparty(%q) = %q, want %q", in, got, want)
		}
	}
}
