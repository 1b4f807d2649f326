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
		{"2026-02-30", false, calendar.Date{}, "does not exist"},
		{"2025/2/29", false, calendar.Date{}, "does not exist"},
		{"2026/13/1", false, calendar.Date{}, "does not exist"},
		{"令和8年2月30日", false, calendar.Date{}, "does not exist"},
		{"1/2/2026", false, calendar.Date{}, "ambiguous (day and month order"},
		{"26/4/1", false, calendar.Date{}, "ambiguous (two-digit year"},
		{"4/1", false, calendar.Date{}, "not a date"},
		{"2026-4/1", false, calendar.Date{}, "mixes separators"},
		{"平成32年1月1日", false, calendar.Date{}, "outside the 平成 era"},
		{"令和1年4月1日", false, calendar.Date{}, "outside the 令和 era"},
		{"46113", false, calendar.Date{}, "Excel serial number"},
		{"1026-04-01", false, calendar.Date{}, "outside 1990–2100"},
		{"", false, calendar.Date{}, "is empty"},
		{"tomorrow", false, calendar.Date{}, "not a date"},
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
		{"2026/6/15", false, YearMonth{}, "is a day, not a month"},
		{"2026-13", false, YearMonth{}, "no month 13"},
		{"令和1年4月", false, YearMonth{}, "outside the 令和 era"},
		{"June", false, YearMonth{}, "not a month"},
		{"", false, YearMonth{}, "is empty"},
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
		{"1200.5", 0, "fraction of a yen"},
		{"1,20", 0, "not an amount"},
		{"1.200", 0, "fraction of a yen"},
		{"-100", 0, "negative"},
		{"▲100", 0, "negative"},
		{"abc", 0, "not an amount"},
		{"", 0, "is empty"},
		{"100,000,001", 0, "larger than"},
		{"99999999999999999999", 0, "larger than"},
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
		{"0", 0, "seats must be 1 or more"},
		{"-3", 0, "negative"},
		{"2.5", 0, "not a whole number"},
		{"", 0, "is empty"},
		{"1000001", 0, "more than 1,000,000"},
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
		{"100-005", "", "not a postal code of the form NNN-NNNN"},
		{"10-00005", "", "not a postal code"},
		{"600001", "", "6 digits"},
		{"", "", "is empty"},
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
		{"やまもと", "", "hiragana"},
		{"山本精機", "", "not katakana"},
		{"ABCショウジ", "", "not katakana"},
		{"", "", "is empty"},
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
		{"山本精機", nil, "as the bank shows it"},
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
		{"8000012050002", "", "wrong check digit (the first digit should be 7)"},
		{"700001205000", "", "want 13 digits"},
	})
}

func TestParseCustomerAndContractNo(t *testing.T) {
	checkText(t, "parseCustomerNo", parseCustomerNo, []textCase{
		{"100001", "100001", ""},
		{"１００００１", "100001", ""},
		{"12345", "", "has 5 digits, want 6"},
		{"1000010", "", "want exactly 6 digits"},
		{"A00001", "", "want exactly 6 digits"},
	})
	re := regexp.MustCompile(DefaultContractPattern)
	checkText(t, "parseContractNo", func(s string) (string, error) { return parseContractNo(s, re) }, []textCase{
		{"NP-0001234", "NP-0001234", ""},
		{"np－０００１２３４", "NP-0001234", ""},
		{"NP0001234", "", "not a contract number of the form"},
		{"NP-123", "", "not a contract number"},
		{"", "", "is empty"},
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
		{"", "JP", ""}, {"jp", "JP", ""}, {"日本", "JP", ""}, {"US", "US", ""}, {"USA", "", "not an ISO country code"},
	})
	checkText(t, "parseEmail", parseEmail, []textCase{
		{"keiri@example.co.jp", "keiri@example.co.jp", ""}, {"", "", ""},
		{"経理 <keiri@example.co.jp>", "", "not an e-mail address"}, {"keiri@", "", "not an e-mail"}, {"keiri@localhost", "", "not an e-mail"},
	})
	checkText(t, "parseEmails", parseEmails, []textCase{
		{"keiri@example.co.jp", "keiri@example.co.jp", ""}, {"", "", ""},
		{"keiri@example.co.jp; it@example.co.jp", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp；ｉｔ@example.co.jp", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp\nit@example.co.jp;", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp;KEIRI@example.co.jp", "keiri@example.co.jp", ""},
		{"keiri@example.co.jp;;it@example.co.jp", "keiri@example.co.jp;it@example.co.jp", ""},
		{"keiri@example.co.jp; 経理 <it@example.co.jp>", "", `address 2 of 2, "経理 <it@example.co.jp>", is not an e-mail address`},
		{"keiri@example.co.jp, it@example.co.jp", "", "separate several addresses with ;"},
		{"keiri@example.co.jp、it@example.co.jp", "", "not a comma or 、"},
		{"keiri@", "", "not an e-mail address"},
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
