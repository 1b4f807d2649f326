package bankfeed

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var bankX = CSVProfile{
	Name: "bankx", SkipRows: 2, Date: "取引日", Amount: "お預入れ", Debit: "お引出し", Payer: "お振込人", Summary: "摘要",
	DefaultAccount: "0009-001-1-1234567",
}

func TestParseCSVStandard(t *testing.T) {
	want := []row{
		{"", "000101", "2026-11-24", 132000, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ミライトウキヨウ", "", false, Credit, false, 0, 2},
		{"", "000102", "2026-11-24", 55000, "ヤマダ　タロウ", "ヤマダタロウ", "2026-000123", false, Credit, false, 0, 3},
		{"", "000103", "2026-11-25", 1100, "", "", "", false, Debit, false, 0, 4},
		{"", "", "2026-11-25", 9900, "ｼﾖｳｼﾞ ﾊﾅｺ", "シヨウジハナコ", "", false, Credit, false, 0, 5},
	}
	for _, file := range []string{"standard_sjis.csv", "standard_utf8_bom.csv"} {
		t.Run(file, func(t *testing.T) {
			data := readFixture(t, file)
			if f, err := Detect(file, data, ParseOptions{}); err != nil || f != "csv:standard" {
				t.Fatalf("Detect = %q, %v; want csv:standard", f, err)
			}
			st, err := Parse(file, data, ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Format != "csv:standard" || st.Ignored != 1 {
				t.Errorf("format %q ignored %d", st.Format, st.Ignored)
			}
			diffRows(t, rowsOf(st.Txns), want)
			if st.Txns[2].Summary != "手数料" {
				t.Errorf("summary %q", st.Txns[2].Summary)
			}
			if len(st.Accounts) != 1 || st.Accounts[0].Credits != 3 || st.Accounts[0].CreditTotal != 196900 || st.Accounts[0].Debits != 1 {
				t.Errorf("accounts %+v", st.Accounts)
			}
		})
	}
}

func TestParseCSVProfiles(t *testing.T) {
	data := readFixture(t, "bankx_utf8.csv")
	want := []row{
		{"0009-001-1-1234567", "", "2026-11-24", 132000, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ミライトウキヨウ", "", false, Credit, false, 0, 4},
		{"0009-001-1-1234567", "", "2026-11-25", 5500, "", "", "", false, Debit, false, 0, 5},
	}

	// Without its profile the file is not recognised, and the error says what to do.
	_, err := Parse("bankx.csv", data, ParseOptions{})
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "tried standard") {
		t.Errorf("no profile: got %v", err)
	}

	// Detected by its header once configured.
	st, err := Parse("bankx.csv", data, ParseOptions{Profiles: []CSVProfile{bankX}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Format != "csv:bankx" {
		t.Errorf("format %q", st.Format)
	}
	diffRows(t, rowsOf(st.Txns), want)

	// The same columns by index, no header row, forced with csv:NAME.
	byIndex := CSVProfile{Name: "bankx-idx", Encoding: "utf8", SkipRows: 3, NoHeader: true, Date: "1", Amount: "3", Debit: "4", Payer: "6", DefaultAccount: bankX.DefaultAccount}
	st, err = Parse("bankx.csv", data, ParseOptions{Format: "csv:bankx-idx", Profiles: []CSVProfile{byIndex}})
	if err != nil {
		t.Fatal(err)
	}
	diffRows(t, rowsOf(st.Txns), want)

	// Forcing the standard profile on it names the missing columns.
	_, err = Parse("bankx.csv", data, ParseOptions{Format: "csv:standard"})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "日付|取引日|勘定日") {
		t.Errorf("standard on bankx: got %v", err)
	}

	// A configured profile of the same name replaces the built-in one.
	own := BuiltinProfiles()[0]
	own.Payer = "依頼人"
	if _, err := Parse("s.csv", readFixture(t, "standard_sjis.csv"), ParseOptions{Format: "csv:standard", Profiles: []CSVProfile{own}}); err == nil {
		t.Errorf("the configured standard profile (payer column 依頼人) should replace the built-in one")
	}
}

func TestParseCSVBad(t *testing.T) {
	const head = "日付,入金額,振込依頼人名,照会番号\n"
	for _, tc := range []struct {
		name, data string
		line       int
		field      string
		err        error
	}{
		{"bad date", head + "2026/11/24,1000,ｱ,1\n2026/13/01,1000,ｲ,2\n", 3, "日付", ErrDate},
		{"bad amount", head + "2026/11/24,1O00,ｱ,1\n", 2, "入金額", ErrAmount},
		{"negative amount", head + "2026/11/24,-1000,ｱ,1\n", 2, "入金額", ErrAmount},
		{"no amount", head + "2026/11/24,,ｱ,1\n", 2, "入金額", ErrAmount},
		{"bare quote", head + "2026/11/24,1000,ｱ\"ｲ,1\n", 2, "", ErrField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("b.csv", []byte(tc.data), ParseOptions{})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want *FormatError", err)
			}
			if fe.Record != tc.line || fe.Field != tc.field || !errors.Is(err, tc.err) {
				t.Errorf("got %v (line %d field %q); want line %d field %q %v", err, fe.Record, fe.Field, tc.line, tc.field, tc.err)
			}
		})
	}
}

func TestParseCSVAmountsAndDates(t *testing.T) {
	data := "取引日,入金額,振込依頼人名\r\n" +
		"2026-11-24,\"¥1,100\",ｱ\r\n" +
		"20261124,１，２００円,ｲ\r\n" +
		"2026年11月4日,1300,ｳ\r\n" +
		",,\r\n" + // a blank row is skipped
		"２０２６/１１/２４,1400,ｴ\r\n"
	st, err := Parse("a.csv", []byte(data), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, t := range st.Txns {
		got = append(got, fmt.Sprintf("%s %d", t.ValueDate, t.Amount))
	}
	want := []string{"2026-11-24 1100", "2026-11-24 1200", "2026-11-04 1300", "2026-11-24 1400"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []ParseOptions{
		{Era: "showa"},
		{Eras: map[string]string{"1234567": "taisho"}},
		{Format: "ofx"},
		{Format: "csv:nosuch"},
		{Profiles: []CSVProfile{{Name: "x", Encoding: "euc", Date: "1", Amount: "2", Payer: "3"}}},
		{Profiles: []CSVProfile{{Name: "x", Date: "日付"}}},
		{Profiles: []CSVProfile{{Name: "x", NoHeader: true, Date: "日付", Amount: "2", Payer: "3"}}},
	} {
		if _, err := Parse("x", []byte("x"), o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if _, err := Detect("e", nil, ParseOptions{}); !errors.Is(err, ErrUnknown) {
		t.Errorf("empty file: %v", err)
	}
}
