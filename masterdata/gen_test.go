package masterdata

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"
)

var gen = flag.Bool("gen", false, "regenerate the byte-exact fixtures in testdata/")

// The fixtures are files as Japanese Excel and sales systems write them. Excel's
// "CSV (コンマ区切り)" is Shift_JIS (CP932) with CRLF line ends, quotes only fields
// with a comma, quote or line break, writes an in-cell line break as a bare LF inside
// the quotes, shows currency as \ (0x5C, the yen sign in Shift_JIS) and dates as
// 2026/4/1. "CSV UTF-8" is the same in UTF-8 with a BOM.
var (
	excelCustomersCSV = "お客様番号,会社名,フリガナ,郵便番号,住所,担当者,メールアドレス,振込依頼人名,親会社お客様番号,親会社出資比率,国,法人番号\r\n" +
		"100001,㈱山本精機,ﾔﾏﾓﾄｾｲｷ,〒450-0002,愛知県名古屋市中村区名駅4丁目5番28号,髙橋 一郎,soumu@yamamoto-seiki.co.jp,ｶ)ﾔﾏﾓﾄｾｲｷ;ﾔﾏﾓﾄｾｲｷ,,,JP,5180001034512\r\n" +
		"100002,東和ロジテック株式会社,トウワロジテック,105-0011,\"東京都港区芝公園2丁目4番1号\n芝パークビル5階\",\"経理部 佐藤, 鈴木\",keiri@towa-logitech.co.jp,ﾄｳﾜﾛｼﾞﾃﾂｸ(ｶ,,,JP,\r\n" +
		"100003,\"東和ロジサービス株式会社 \"\"川崎\"\"\",トウワロジサービス,２１０－０００７,神奈川県川崎市川崎区駅前本町11番2号,,,,100002,60%,JP,\r\n" +
		",,,,,,,,,,,\r\n"
	excelPlansCSV = "プランコード,プラン名,種別,単価,適用開始日,適用終了日\r\n" +
		"M365-BB,Microsoft 365 Business Basic,サブスクリプション,\"\\9,000\",2025/4/1,2026/3/31\r\n" +
		"M365-BB,Microsoft 365 Business Basic,サブスクリプション,\"\\10,788\",2026/4/1,\r\n" +
		"LTSC-STD-2024,Office LTSC Standard 2024,永続,\"\\58,800\",令和6年10月1日,\r\n"
	ecOrdersCSV = "order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\n" +
		"EC-20260508-0001,new,100001,,M365-BB,20,2026-05-08 13:45:12,2026-06\n" +
		"EC-20260511-0002,addition,100001,NP-0000101,M365-BS,5,2026-05-11 09:02:55,2026-06\n"
)

func TestGenerateFixtures(t *testing.T) {
	if !*gen {
		t.Skip("run with -gen to regenerate testdata/")
	}
	sjis, err := japanese.ShiftJIS.NewEncoder().String(excelCustomersCSV)
	if err != nil {
		t.Fatal(err)
	}
	writeFixture(t, "customers_excel_sjis.csv", []byte(sjis))
	// The \ in excelPlansCSV encodes to 0x5C, the byte Excel writes for ¥.
	if sjis, err = japanese.ShiftJIS.NewEncoder().String(excelPlansCSV); err != nil {
		t.Fatal(err)
	}
	writeFixture(t, "plans_excel_sjis.csv", []byte(sjis))
	writeFixture(t, "customers_excel_utf8bom.csv", append([]byte("\uFEFF"), excelCustomersCSV...))
	writeFixture(t, "orders_ec_utf8_lf.csv", []byte(ecOrdersCSV))
	writeFixture(t, "contracts.xlsx", contractsWorkbook(t))
	writeFixture(t, "orders_bad.xlsx", badOrdersWorkbook(t))
}

func writeFixture(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// contractsWorkbook is a sheet as staff keep it: a first sheet 契約一覧 with Japanese
// headers, numbers typed as numbers, dates as date cells, a blank row, and a second
// sheet 解約済み.
func contractsWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "契約一覧"))
	_, err := f.NewSheet("解約済み")
	must(err)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	dateFmt := "yyyy/m/d"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	must(err)
	rows := [][]any{
		{"契約番号", "お客様番号", "プランコード", "シート数", "単価", "契約開始日", "自動更新"},
		{"NP-0000101", 100001, "M365-BS", 25, 22488, day("2025-06-01"), 1},
		{"NP-0000102", 100001, "M365-BB", 10, 9000, day("2025-06-01"), nil},
		{},
		{"NP-0000107", 100002, "LTSC-STD", 3, 58800, day("2025-08-01"), 0},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("契約一覧", cell, &r))
		if len(r) > 5 {
			c, _ := excelize.CoordinatesToCellName(6, i+1)
			must(f.SetCellStyle("契約一覧", c, c, dateStyle))
		}
	}
	must(f.SetSheetRow("解約済み", "A1", &[]any{"契約番号", "お客様番号", "プランコード", "シート数", "単価", "契約開始日", "自動更新"}))
	must(f.SetSheetRow("解約済み", "A2", &[]any{"NP-0000090", "100002", "M365-BB", 2, 9000, "2024/4/1", "0"}))
	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

// badOrdersWorkbook has bad rows after a blank row, so that the reported line is the
// sheet row, and a desired start month typed as 2026/6 (a date cell of 2026-06-01).
func badOrdersWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	rows := [][]any{
		{"注文番号", "注文種別", "お客様番号", "契約番号", "プランコード", "数量", "注文日", "利用開始希望月"},
		{"EC-1", "新規", "100001", nil, "M365-BB", 20, day("2026-05-08"), day("2026-06-01")},
		{},
		{"EC-2", "追加", "100001", nil, "M365-BS", 0, day("2026-05-08"), "2026-06"},
		{"EC-3", "新規", "100010", nil, "M365-BB", 1, day("2026-05-08"), day("2026-04-01"), "余計な値"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
