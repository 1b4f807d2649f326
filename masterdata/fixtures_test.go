package masterdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
)

func readFixture(t *testing.T, kind Kind, name string, o Options) *File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(kind, name, data, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestExcelCSV reads the customers file as Japanese Excel saves it, once as
// "CSV (コンマ区切り)" (Shift_JIS) and once as "CSV UTF-8" (BOM), and expects the
// same records from both.
func TestExcelCSV(t *testing.T) {
	raw, err := os.ReadFile("testdata/customers_excel_sjis.csv")
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(raw) || !strings.Contains(string(raw), "\r\n") {
		t.Fatal("fixture customers_excel_sjis.csv is not Shift_JIS with CRLF; regenerate with -gen")
	}
	want := []Customer{
		{No: "100001", Name: "㈱山本精機", Kana: "ヤマモトセイキ", PostalCode: "450-0002", Address: "愛知県名古屋市中村区名駅4丁目5番28号",
			Contact: "髙橋 一郎", Email: "soumu@yamamoto-seiki.co.jp", PayerNames: []string{"ｶ)ﾔﾏﾓﾄｾｲｷ", "ﾔﾏﾓﾄｾｲｷ"}, Country: "JP",
			CorporateNo: "5180001034512", Line: 2},
		{No: "100002", Name: "東和ロジテック株式会社", Kana: "トウワロジテック", PostalCode: "105-0011", Address: "東京都港区芝公園2丁目4番1号\n芝パークビル5階",
			Contact: "経理部 佐藤, 鈴木", Email: "keiri@towa-logitech.co.jp", PayerNames: []string{"ﾄｳﾜﾛｼﾞﾃﾂｸ(ｶ"}, Country: "JP", Line: 3},
		{No: "100003", Name: `東和ロジサービス株式会社 "川崎"`, Kana: "トウワロジサービス", PostalCode: "210-0007", Address: "神奈川県川崎市川崎区駅前本町11番2号",
			ParentNo: "100002", ParentShare: Percent(60), Country: "JP", Line: 5}, // line 5: the address above spans lines 3–4
	}
	for _, tc := range []struct {
		file string
		enc  Encoding
	}{{"customers_excel_sjis.csv", ShiftJIS}, {"customers_excel_utf8bom.csv", UTF8}} {
		f := readFixture(t, Customers, tc.file, Options{})
		if len(f.Errors) != 0 {
			t.Errorf("%s: %v", tc.file, f.Errors)
		}
		if f.Encoding != tc.enc || f.Format != CSV || f.Rows != 3 {
			t.Errorf("%s: encoding %s format %s rows %d; want %s csv 3", tc.file, f.Encoding, f.Format, f.Rows, tc.enc)
		}
		if len(f.Customers) != len(want) {
			t.Fatalf("%s: %d customers, want %d", tc.file, len(f.Customers), len(want))
		}
		for i := range want {
			if d := Diff(want[i], f.Customers[i], nil); len(d) != 0 || f.Customers[i].Line != want[i].Line {
				t.Errorf("%s: customer %d (line %d): %v", tc.file, i, f.Customers[i].Line, d)
			}
		}
	}
}

func TestExcelCSVPlansWithYen(t *testing.T) {
	f := readFixture(t, Plans, "plans_excel_sjis.csv", Options{})
	if len(f.Errors) != 0 || len(f.Plans) != 3 {
		t.Fatalf("%v %+v", f.Errors, f.Plans)
	}
	d := calendar.MustParse
	want := []Plan{
		{Code: "M365-BB", Name: "Microsoft 365 Business Basic", Kind: Subscription, UnitPrice: 9000, ValidFrom: d("2025-04-01"), ValidTo: d("2026-03-31")},
		{Code: "M365-BB", Name: "Microsoft 365 Business Basic", Kind: Subscription, UnitPrice: 10788, ValidFrom: d("2026-04-01")},
		{Code: "LTSC-STD-2024", Name: "Office LTSC Standard 2024", Kind: Perpetual, UnitPrice: 58800, ValidFrom: d("2024-10-01")},
	}
	for i := range want {
		if diff := Diff(want[i], f.Plans[i], nil); len(diff) != 0 {
			t.Errorf("plan %d: %v", i, diff)
		}
	}
}

func TestSalesSystemCSV(t *testing.T) {
	f := readFixture(t, Orders, "orders_ec_utf8_lf.csv", Options{Lookup: stored()})
	if len(f.Errors) != 0 || len(f.Orders) != 2 {
		t.Fatalf("%v %+v", f.Errors, f.Orders)
	}
	if o := f.Orders[1]; o.Kind != Addition || o.ContractNo != "NP-0000101" || o.OrderDate != calendar.MustParse("2026-05-11") || o.Line != 3 {
		t.Errorf("order %+v", o)
	}
}

func TestXLSX(t *testing.T) {
	f := readFixture(t, Contracts, "contracts.xlsx", Options{Lookup: storedWithoutContracts()})
	if len(f.Errors) != 0 {
		t.Fatalf("%v", f.Errors)
	}
	d := calendar.MustParse
	want := []Contract{
		{No: "NP-0000101", CustomerNo: "100001", PlanCode: "M365-BS", Seats: 25, UnitPrice: 22488, TermStart: d("2025-06-01"), AutoRenew: true, Line: 2},
		{No: "NP-0000102", CustomerNo: "100001", PlanCode: "M365-BB", Seats: 10, UnitPrice: 9000, TermStart: d("2025-06-01"), AutoRenew: true, Line: 3},
		{No: "NP-0000107", CustomerNo: "100002", PlanCode: "LTSC-STD", Seats: 3, UnitPrice: 58800, TermStart: d("2025-08-01"), AutoRenew: false, Line: 5},
	}
	if f.Format != XLSX || f.Rows != 3 || len(f.Contracts) != 3 {
		t.Fatalf("format %s rows %d contracts %+v", f.Format, f.Rows, f.Contracts)
	}
	for i := range want {
		if diff := Diff(want[i], f.Contracts[i], nil); len(diff) != 0 || f.Contracts[i].Line != want[i].Line {
			t.Errorf("contract %d (line %d): %v", i, f.Contracts[i].Line, diff)
		}
	}
	named := readFixture(t, Contracts, "contracts.xlsx", Options{Sheet: "解約済み", Lookup: storedWithoutContracts()})
	if len(named.Errors) != 0 || len(named.Contracts) != 1 || named.Contracts[0].TermStart != d("2024-04-01") {
		t.Errorf("sheet 解約済み: %v %+v", named.Errors, named.Contracts)
	}
}

func TestXLSXBadRows(t *testing.T) {
	f := readFixture(t, Orders, "orders_bad.xlsx", Options{Lookup: stored()})
	want := []string{
		"4 contract_no 追加の注文には、ライセンスを追加する契約の番号が必要です",
		"4 seats 数量は1以上です",
		"5  見出しの 8 列より右に値があります",
	}
	var got []string
	for _, e := range f.Errors {
		got = append(got, e.Error())
	}
	if len(f.Errors) != len(want) {
		t.Fatalf("errors %q; want %d", got, len(want))
	}
	for i, w := range want {
		parts := strings.SplitN(w, " ", 3)
		e := f.Errors[i]
		if itoa(e.Line) != parts[0] || e.Column != parts[1] || !strings.Contains(e.Reason, parts[2]) {
			t.Errorf("error %d = %v; want %q", i, e, w)
		}
	}
	if len(f.Orders) != 1 || f.Orders[0].DesiredStart.String() != "2026-06" || f.Orders[0].OrderDate != calendar.MustParse("2026-05-08") {
		t.Errorf("good order %+v; want EC-1 starting 2026-06 from the date cell 2026/6/1", f.Orders)
	}
}
