package masterdata

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

func TestParseDate(t *testing.T) {
	d := calendar.MustParse
	tests := []struct {
		in   string
		xlsx bool
		want calendar.Date
		err  string // substring of the error; "" for success
	}{
		{"2026/4/1", false, d("2026-04-01"), ""},
		{"2026-04-01", false, d("2026-04-01"), ""},
		{"2026.4.1", false, d("2026-04-01"), ""},
		{"２０２６／４／１", false, d("2026-04-01"), ""},
		{"2026年4月1日", false, d("2026-04-01"), ""},
		{"20260401", false, d("2026-04-01"), ""},
		{"令和8年4月1日", false, d("2026-04-01"), ""},
		{"令和元年5月1日", false, d("2019-05-01"), ""},
		{"R8.4.1", false, d("2026-04-01"), ""},
		{"r8/4/1", false, d("2026-04-01"), ""},
		{"平成31年4月30日", false, d("2019-04-30"), ""},
		{"H30.12.31", false, d("2018-12-31"), ""},
		{"2026/4/1 0:00", false, d("2026-04-01"), ""},
		{"2026-04-01 13:45:12", false, d("2026-04-01"), ""},
		{"46113", true, d("2026-04-01"), ""},
		{"46113.5", true, d("2026-04-01"), ""},
		{" 2026-04-01 ", false, d("2026-04-01"), ""},
		{"2026-02-30", false, calendar.Date{}, "という日はありません"},
		{"2025/2/29", false, calendar.Date{}, "という日はありません"},
		{"2026/13/1", false, calendar.Date{}, "という日はありません"},
		{"令和8年2月30日", false, calendar.Date{}, "という日はありません"},
		{"1/2/2026", false, calendar.Date{}, "月と日の順が分かりません"},
		{"26/4/1", false, calendar.Date{}, "年が2桁で分かりません"},
		{"4/1", false, calendar.Date{}, "日付ではありません"},
		{"2026-4/1", false, calendar.Date{}, "区切り文字が混ざっています"},
		{"平成32年1月1日", false, calendar.Date{}, "は平成の範囲外です"},
		{"令和1年4月1日", false, calendar.Date{}, "は令和の範囲外です"},
		{"46113", false, calendar.Date{}, "Excel のシリアル値"},
		{"1026-04-01", false, calendar.Date{}, "1990〜2100 の範囲外"},
		{"", false, calendar.Date{}, "空欄です"},
		{"tomorrow", false, calendar.Date{}, "日付ではありません"},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in, tt.xlsx, false)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseDate(%q) error = %v; want it to say %q", tt.in, err, tt.err)
		}
	}
}

func TestParseDate1904(t *testing.T) {
	got, err := parseDate("44651", true, true) // 1904 system: 1462 days less than 1900
	if err != nil || got != calendar.MustParse("2026-04-01") {
		t.Errorf("1904 serial 44651 = %v, %v; want 2026-04-01", got, err)
	}
}

func TestParseYearMonth(t *testing.T) {
	tests := []struct {
		in   string
		xlsx bool
		want YearMonth
		err  string
	}{
		{"2026-06", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"2026/6", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"2026年6月", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"202606", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"令和8年6月", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"R8.6", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"2026/6/1", false, YearMonth{Year: 2026, Month: time.June}, ""},
		{"46174", true, YearMonth{Year: 2026, Month: time.June}, ""},
		{"2026/6/15", false, YearMonth{}, "は日付で、月ではありません"},
		{"2026-13", false, YearMonth{}, "13 月はありません"},
		{"令和1年4月", false, YearMonth{}, "は令和の範囲外です"},
		{"June", false, YearMonth{}, "月ではありません"},
		{"", false, YearMonth{}, "空欄です"},
	}
	for _, tt := range tests {
		got, err := parseYearMonth(tt.in, tt.xlsx, false)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("parseYearMonth(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseYearMonth(%q) error = %v; want it to say %q", tt.in, err, tt.err)
		}
	}
}

func TestParseYen(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"1200", 1200, ""},
		{"1,200", 1200, ""},
		{"¥1,200", 1200, ""},
		{"￥１，２００", 1200, ""},
		{`\1,200`, 1200, ""}, // ¥ as Shift_JIS 0x5C decodes
		{"1,200円", 1200, ""},
		{"22,488", 22488, ""},
		{"1200.00", 1200, ""},
		{"0", 0, ""},
		{"100,000,000", 100_000_000, ""},
		{"1200.5", 0, "1円未満の端数"},
		{"1,20", 0, "円の金額ではありません"},
		{"1.200", 0, "1円未満の端数"},
		{"-100", 0, "負の値です"},
		{"▲100", 0, "負の値です"},
		{"abc", 0, "円の金額ではありません"},
		{"", 0, "空欄です"},
		{"100,000,001", 0, "を超えています。金額を確認"},
		{"99999999999999999999", 0, "を超えています。金額を確認"},
	}
	for _, tt := range tests {
		got, err := parseYen(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("parseYen(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseYen(%q) error = %v; want it to say %q", tt.in, err, tt.err)
		}
	}
}

func TestParseSeats(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"1", 1, ""}, {"２５", 25, ""}, {"1,000", 1000, ""}, {"10.0", 10, ""}, {"5席", 5, ""},
		{"0", 0, "数量は1以上です"},
		{"-3", 0, "負の値です"},
		{"2.5", 0, "数量（整数）ではありません"},
		{"", 0, "空欄です"},
		{"1000001", 0, "上限 1,000,000 を超えています"},
	}
	for _, tt := range tests {
		got, err := parseSeats(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("parseSeats(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parseSeats(%q) error = %v; want it to say %q", tt.in, err, tt.err)
		}
	}
}

// textCase is a table row for the parsers that return normalised text.
type textCase struct {
	in, want, err string
}

func checkText(t *testing.T, name string, parse func(string) (string, error), tests []textCase) {
	t.Helper()
	for _, tt := range tests {
		got, err := parse(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("%s(%q) = %q, %v; want %q", name, tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s(%q) error = %v; want it to say %q", name, tt.in, err, tt.err)
		}
	}
}

func TestParsePostalCode(t *testing.T) {
	checkText(t, "parsePostalCode", parsePostalCode, []textCase{
		{"100-0005", "100-0005", ""},
		{"〒100-0005", "100-0005", ""},
		{"〒 １００－０００５", "100-0005", ""},
		{"100ー0005", "100-0005", ""},
		{"1000005", "100-0005", ""},
		{"100-005", "", "郵便番号の形（NNN-NNNN"},
		{"10-00005", "", "郵便番号の形"},
		{"600001", "", "6桁です"},
		{"", "", "空欄です"},
	})
}

func TestParseKana(t *testing.T) {
	checkText(t, "parseKana", parseKana, []textCase{
		{"ヤマモトセイキ", "ヤマモトセイキ", ""},
		{"ﾔﾏﾓﾄｾｲｷ", "ヤマモトセイキ", ""},
		{"ﾄｳﾜﾛｼﾞﾃｯｸ", "トウワロジテック", ""},
		{"ホクト　システムズ", "ホクト\u3000システムズ", ""},
		{"ホクト  ｼｽﾃﾑｽﾞ ", "ホクト\u3000システムズ", ""},
		{"エヌ・プレス", "エヌ・プレス", ""},
		{"やまもと", "", "ひらがな"},
		{"山本精機", "", "カタカナでない文字"},
		{"ABCショウジ", "", "カタカナでない文字"},
		{"", "", "空欄です"},
	})
}

func TestParsePayerNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"ｶ)ﾔﾏﾓﾄｾｲｷ", []string{"ｶ)ﾔﾏﾓﾄｾｲｷ"}, ""},
		{"カ）ヤマモトセイキ；ヤマモト　ケンイチ", []string{"ｶ)ﾔﾏﾓﾄｾｲｷ", "ﾔﾏﾓﾄ ｹﾝｲﾁ"}, ""},
		{"ﾄｳﾜﾛｼﾞﾃﾂｸ(ｶ;ﾄｳﾜﾛｼﾞﾃﾂｸ(ｶ", []string{"ﾄｳﾜﾛｼﾞﾃﾂｸ(ｶ"}, ""},
		{"ガッコウ", []string{"ｶﾞｯｺｳ"}, ""},
		{"abc shoji", []string{"ABC SHOJI"}, ""},
		{"", nil, ""},
		{"山本精機", nil, "銀行の表示どおり"},
	}
	for _, tt := range tests {
		got, err := parsePayerNames(tt.in)
		if tt.err == "" {
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("parsePayerNames(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("parsePayerNames(%q) error = %v; want it to say %q", tt.in, err, tt.err)
		}
	}
}

func TestParseCorporateNo(t *testing.T) {
	checkText(t, "parseCorporateNo", parseCorporateNo, []textCase{
		{"7000012050002", "7000012050002", ""}, // reference/invoices.md
		{"T7000012050002", "7000012050002", ""},
		{"７０００－０１２０５－０００２", "7000012050002", ""},
		{"5180001034512", "5180001034512", ""},
		{"8000012050002", "", "チェックデジットが違います（先頭の桁は 7 のはずです）"},
		{"700001205000", "", "13桁で書いてください"},
	})
}

func TestParseCustomerAndContractNo(t *testing.T) {
	checkText(t, "parseCustomerNo", parseCustomerNo, []textCase{
		{"100001", "100001", ""},
		{"１００００１", "100001", ""},
		{"12345", "", "は5桁です。6桁で書いてください"},
		{"1000010", "", "6桁の数字で書いてください"},
		{"A00001", "", "6桁の数字で書いてください"},
	})
	re := regexp.MustCompile(DefaultContractPattern)
	checkText(t, "parseContractNo", func(s string) (string, error) { return parseContractNo(s, re) }, []textCase{
		{"NP-0001234", "NP-0001234", ""},
		{"np－０００１２３４", "NP-0001234", ""},
		{"NP0001234", "", "契約番号の形"},
		{"NP-123", "", "契約番号の形"},
		{"", "", "空欄です"},
	})
}

func TestParseShareCountryEmail(t *testing.T) {
	for in, want := range map[string]Share{"51": 5100, "51%": 5100, "５１％": 5100, "66.67": 6667, "66.5": 6650, "100": 10000} {
		if got, err := parseShare(in); err != nil || got != want {
			t.Errorf("parseShare(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "101", "51.555", "half", "-5"} {
		if _, err := parseShare(in); err == nil {
			t.Errorf("parseShare(%q) accepted", in)
		}
	}
	if got := Share(6650).String(); got != "66.5" {
		t.Errorf("Share(6650).String() = %q", got)
	}
	checkText(t, "parseCountry", parseCountry, []textCase{
		{"", "JP", ""}, {"jp", "JP", ""}, {"日本", "JP", ""}, {"US", "US", ""}, {"USA", "", "国コード（JP、US など）ではありません"},
	})
	checkText(t, "parseEmail", parseEmail, []textCase{
		{"keiri@example.co.jp", "keiri@example.co.jp", ""}, {"", "", ""},
		{"経理 <keiri@example.co.jp>", "", "メールアドレスではありません"}, {"keiri@", "", "メールアドレスではありません"}, {"keiri@localhost", "", "メールアドレスではありません"},
	})
	checkText(t, "parseEmails", parseEmails, []textCase{
		{"keiri@example.co.jp", "keiri@example.co.jp", ""}, {"", "", ""},
		{"keiri@example.co.jp; it@example.co.jp", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp；ｉｔ@example.co.jp", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp\nit@example.co.jp;", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp;KEIRI@example.co.jp", "keiri@example.co.jp", ""},
		{"keiri@example.co.jp;;it@example.co.jp", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp; 経理 <it@example.co.jp>", "", `2 件中 2 件目の "経理 <it@example.co.jp>" はメールアドレスではありません`},
		{"keiri@example.co.jp, it@example.co.jp", "", "（セミコロン）で区切ってください"},
		{"keiri@example.co.jp、it@example.co.jp", "", "カンマや「、」ではなく"},
		{"keiri@", "", "メールアドレスではありません"},
	})
	if got := (Customer{Email: "a@x.co.jp;b@y.co.jp"}).Emails(); len(got) != 2 || got[1] != "b@y.co.jp" {
		t.Errorf("Emails() = %q", got)
	}
}

func TestPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"5.180001034512E+12": "5180001034512",
		"1E+5":               "100000",
		"1.5E+0":             "1.5E+0",
		"100001":             "100001",
		"山本":                 "山本",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("plainNumber(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestCleanTextWaveDash(t *testing.T) {
	got, err := cleanText("1〜3番地", false)
	if err != nil || got != "1～3番地" {
		t.Errorf("cleanText = %q, %v", got, err)
	}
	if _, err := cleanText("山本\x07精機", false); err == nil {
		t.Error("a control character is accepted")
	}
}
