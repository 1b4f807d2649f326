package invoice

import (
	"bytes"
	"compress/zlib"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderer is built once for the package's tests, as a process would.
var renderer = sync.OnceValues(func() (*Renderer, error) { return NewRenderer(templates.Open("")) })

func mustRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := renderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var customer = Party{
	CustomerNo: "004711",
	Name:       "株式会社みなと精機",
	PostalCode: "2310023",
	Address:    "神奈川県横浜市中区山下町1-2\n港ビル3階",
	Contact:    "総務部 ご担当者様",
}

// onePage is worked invoice 1: a renewal, 12 seats at 15,640 yen a year.
//
//	12 × 15,640 = 187,680; tax floor(18,768.0) = 18,768; total 206,448.
func onePage(t testing.TB) Invoice {
	c := Common{
		Number: "2026-000123", IssueDate: d("2026-11-24"), DueDate: d("2026-12-10"), To: customer,
		ContractNo: "NP-0001234", Product: "Microsoft 365 Business Standard",
		RequestDeadline: d("2027-11-24"), NextTermStart: d("2027-12-24"),
	}
	inv, err := NewRenewal(c, 15640, 12, Period{d("2026-12-24"), d("2027-12-23")})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Subtotal != 187680 || inv.Tax != 18768 || inv.Total != 206448 {
		t.Fatalf("one page: %d + %d = %d", inv.Subtotal, inv.Tax, inv.Total)
	}
	return inv
}

// threePages is worked invoice 2: 45 lines, line i (1…45) of 10,009 + 100·i yen.
//
//	subtotal = 45 × 10,009 + 100 × (1+…+45) = 450,405 + 103,500 = 553,905
//	tax on the sum (§3.3) = floor(55,390.5) = 55,390; total 609,295
//	tax per line would be Σ floor(1,000.9 + 10·i) = 45,000 + 10,350 = 55,350 (40 less).
func threePages(t testing.TB) Invoice {
	var lines []Line
	for i := 1; i <= 45; i++ {
		p := int64(10009 + 100*i)
		lines = append(lines, Line{
			Description: fmt.Sprintf("Azure サブスクリプション 部門%02d", i),
			Period:      Period{d("2026-12-01"), d("2027-11-30")}, Months: 12,
			Quantity: 1, UnitPrice: p, Amount: p, TaxRate: 10,
		})
	}
	c := Common{
		Number: "2026-000124", IssueDate: d("2026-11-24"), DueDate: d("2026-12-08"), To: customer,
		ContractNo: "NP-0002001", Product: "Azure", Subject: "Azure 部門別ご利用料金（次年度）",
		RequestDeadline: d("2027-10-31"), NextTermStart: d("2027-12-01"),
	}
	inv, err := Build(KindRenewal, c, lines)
	if err != nil {
		t.Fatal(err)
	}
	var perLine int64
	for _, l := range lines {
		perLine += l.Amount * 10 / 100
	}
	if inv.Subtotal != 553905 || inv.Tax != 55390 || inv.Total != 609295 || perLine != 55350 {
		t.Fatalf("three pages: %d + %d = %d (per line %d)", inv.Subtotal, inv.Tax, inv.Total, perLine)
	}
	return inv
}

// addition10 is worked invoice 3: 7 seats added for 10 monthly cycles of a term
// 2026-04-15 to 2027-04-14 at 15,640 yen a year (§3.2).
//
//	floor(15,640 × 7 × 10 / 12) = floor(1,094,800 / 12) = floor(91,233.33) = 91,233
//	tax floor(9,123.3) = 9,123; total 100,356.
func addition10(t testing.TB) Invoice {
	c := Common{
		Number: "2026-000125", IssueDate: d("2026-05-20"), DueDate: d("2026-06-03"),
		To:         Party{CustomerNo: "000042", Name: "山田 太郎", Person: true, PostalCode: "060-0001", Address: "北海道札幌市中央区北一条西2-1"},
		ContractNo: "NP-0000042", OrderNo: "EC-20260519-0007", Product: "Microsoft 365 Business Premium",
	}
	inv, err := NewAddition(c, 15640, 7, d("2026-06-15"), d("2027-04-14"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Subtotal != 91233 || inv.Tax != 9123 || inv.Total != 100356 {
		t.Fatalf("addition: %d + %d = %d", inv.Subtotal, inv.Tax, inv.Total)
	}
	return inv
}

// additionOneMonth is the demo's addition: 2 seats for the one cycle left of a term
// ending 2026-12-19, issued 2026-11-24 after that term's request deadline (11-20).
//
//	floor(18,000 × 2 × 1 / 12) = 3,000; tax 300; total 3,300. The next deadline that
//	can be met is the following term's: from 2027-12-20, by 2027-11-20.
func additionOneMonth(t testing.TB) Invoice {
	c := Common{
		Number: "2026-000037", IssueDate: d("2026-11-24"), DueDate: d("2026-12-08"), To: customer,
		ContractNo: "NP-0001011", OrderNo: "EC-20261124-0005", Product: "Microsoft 365 Business Standard",
		NextTermStart: d("2026-12-20"), RequestDeadline: d("2026-11-20"),
	}
	inv, err := NewAddition(c, 18000, 2, d("2026-11-20"), d("2026-12-19"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Total != 3300 || inv.NextTermStart != d("2027-12-20") || inv.RequestDeadline != d("2027-11-20") {
		t.Fatalf("one-month addition: total %d, next term %s, deadline %s", inv.Total, inv.NextTermStart, inv.RequestDeadline)
	}
	return inv
}

// nextTermAddition is the second addition invoice of SPEC §4.2: 2 seats for the whole
// next term 2026-12-20 – 2027-12-19 at 18,000, 36,000 + 3,600 = 39,600.
func nextTermAddition(t testing.TB) Invoice {
	c := Common{
		Number: "2026-000041", IssueDate: d("2026-11-30"), DueDate: d("2026-12-04"), To: customer,
		ContractNo: "NP-0001011", OrderNo: "EC-20261124-0005", Product: "Microsoft 365 Business Standard",
		Subject:       "Microsoft 365 Business Standard ライセンス追加料金（2026年12月20日からの次年度分）",
		NextTermStart: d("2027-12-20"), RequestDeadline: d("2027-11-20"),
	}
	inv, err := NewAddition(c, 18000, 2, d("2026-12-20"), d("2027-12-19"), 12)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Total != 39600 {
		t.Fatalf("next-term addition: total %d", inv.Total)
	}
	return inv
}

// perpetual is a perpetual licence (§3.5): 3 × 68,000 = 204,000, tax 20,400.
func perpetual(t testing.TB) Invoice {
	c := Common{
		Number: "2026-000034", IssueDate: d("2026-11-24"), DueDate: d("2026-12-08"), To: customer,
		ContractNo: "NP-0009020", OrderNo: "EC-20261123-0002", Product: "Office LTSC Standard 2024 (永続ライセンス)",
	}
	inv, err := NewFirstTerm(c, 68000, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Total != 224400 {
		t.Fatalf("perpetual: total %d", inv.Total)
	}
	return inv
}

func reminder() Reminder {
	return Reminder{
		Number: "R2026-000007", IssueDate: d("2026-12-17"), To: customer,
		Invoice:     Ref{Number: "2026-000123", IssueDate: d("2026-11-24"), DueDate: d("2026-12-10"), Subject: "Microsoft 365 Business Standard 次年度ご利用料金（自動継続）", ContractNo: "NP-0001234", Total: 206448},
		Outstanding: 206448, StopDate: d("2026-12-23"),
	}
}

// reminderPartlyPaid is the demo's reminder for an invoice of ¥257,400 of which
// ¥128,700 was received: it asks for the remaining ¥128,700.
func reminderPartlyPaid() Reminder {
	rm := reminder()
	rm.Number = "R2026-000008"
	rm.Invoice.Number, rm.Invoice.Total = "2026-000007", 257400
	rm.Outstanding = 128700
	return rm
}

func cancellation() CancellationNotice {
	return CancellationNotice{
		Number: "C2026-000003", IssueDate: d("2026-11-25"), To: customer,
		Voided:      Ref{Number: "2026-000123", IssueDate: d("2026-11-24"), DueDate: d("2026-12-10"), Subject: "Microsoft 365 Business Standard 次年度ご利用料金（自動継続）", ContractNo: "NP-0001234", Total: 206448},
		Replacement: Ref{Number: "2026-000130", IssueDate: d("2026-11-25"), DueDate: d("2026-12-10"), Subject: "Microsoft 365 Business Standard 次年度ご利用料金（自動継続）", Total: 172044},
		Reason:      RequestReason(d("2026-11-20"), false, 12, 10),
	}
}

// envelope is a separator sheet for two documents (three pages) to one customer.
func envelope() Envelope {
	return Envelope{Date: d("2026-11-25"), Seq: 3, Of: 12, To: customer, Documents: []Enclosed{
		{Number: "C2026-000003", Title: "請求書取消のお知らせ", Pages: 1},
		{Number: "2026-000130", Title: "請求書(更新)", Pages: 2},
	}}
}

type worked struct {
	name  string
	pdf   []byte
	pages int
	want  []string // what the extracted text must hold, spaces ignored
	cells []string // strings drawn whole, found in the content streams without poppler
}

func workedDocs(t *testing.T) []worked {
	r := mustRenderer(t)
	render := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cfg := r.Config()
	issuer := []string{cfg.Issuer.Name, cfg.Issuer.RegistrationNo, "登録番号", cfg.Issuer.Address[0],
		"〒" + cfg.Issuer.PostalCode, cfg.Bank.Name, cfg.Bank.Branch, cfg.Bank.Type + cfg.Bank.Number, cfg.Bank.Number, cfg.Bank.Holder, "振込先"}
	recipient := []string{"〒231-0023", "神奈川県横浜市中区山下町1-2", "港ビル3階", "株式会社みなと精機", "総務部ご担当者様"}
	return []worked{
		{"invoice-one-page", render(r.Invoice(onePage(t))), 1, append(append([]string{
			"請求書", "請求書番号2026-000123", "発行日2026年11月24日", "お客様番号004711", "契約番号NP-0001234",
			"件名Microsoft365BusinessStandard次年度ご利用料金（自動継続）",
			"ご請求金額（税込）¥206,448", "お支払期限2026年12月10日",
			"品目・期間", "数量", "単価（年額）", "金額",
			"Microsoft365BusinessStandard期間2026年12月24日〜2027年12月23日（12ヶ月）1215,640187,680",
			"小計¥187,680", "10%対象小計¥187,680", "消費税（10%）¥18,768", "合計（税込）¥206,448",
			"備考", "自動継続", "2027年12月24日からの期間の減数・解約は、2027年11月24日までに", "esales@npress.jp",
			"振込依頼人名の前にお客様番号004711をご入力ください", "1/1",
		}, issuer...), recipient...), []string{"¥206,448", "¥187,680", "¥18,768", "187,680", "2026-000123", "2026年11月24日",
			"株式会社みなと精機", "〒231-0023", "登録番号 T9010401123456", "1 / 1", "消費税（10%）"}},
		{"invoice-three-pages", render(r.Invoice(threePages(t))), 3, append(append([]string{
			"請求書", "請求書（続き）", "No.2026-000124", "Azureサブスクリプション部門01期間2026年12月1日〜2027年11月30日（12ヶ月）110,10910,109", "Azureサブスクリプション部門45期間2026年12月1日〜2027年11月30日（12ヶ月）114,50914,509",
			"ご請求金額（税込）¥609,295", "小計¥553,905", "10%対象小計¥553,905", "消費税（10%）¥55,390",
			"合計（税込）¥609,295", "1/3", "2/3", "3/3", "2027年10月31日までに",
		}, issuer...), recipient...), []string{"¥609,295", "¥553,905", "¥55,390", "14,509", "1 / 3", "2 / 3", "3 / 3", "請求書（続き）"}},
		{"invoice-addition-10-months", render(r.Invoice(addition10(t))), 1, append([]string{
			"請求書", "請求書番号2026-000125", "注文番号EC-20260519-0007", "山田太郎様", "〒060-0001",
			"品目・期間数量月数単価（年額）金額",
			"Microsoft365BusinessPremium（追加）期間2026年6月15日〜2027年4月14日（月割）710ヶ月15,64091,233",
			"ご請求金額（税込）¥100,356", "小計¥91,233", "消費税（10%）¥9,123", "合計（税込）¥100,356",
			"月割（日割計算なし）", "月割の金額＝単価（年額）×数量×月数÷12（円未満切り捨て）", "開始日の1ヶ月前までに",
		}, issuer...), []string{"¥100,356", "山田 太郎　様", "91,233", "¥9,123", "2026年6月3日", "EC-20260519-0007", "1 / 1", "10ヶ月"}},
		{"reminder", render(r.Reminder(reminder())), 1, append(append([]string{
			"お支払いのお願い", "文書番号R2026-000007", "請求書番号2026-000123", "当初のお支払期限2026年12月10日",
			"ご請求金額（税込）¥206,448", "お支払いいただく金額¥206,448", "2026年12月23日までにご入金の確認ができない場合",
			"サービス停止予定日2026年12月24日",
		}, issuer...), recipient...), []string{"お支払いのお願い", "R2026-000007", "2026-000123", "¥206,448", "2026年12月10日"}},
		{"cancellation", render(r.Cancellation(cancellation())), 1, append([]string{
			"請求書取消のお知らせ", "文書番号C2026-000003", "取り消した請求書", "請求書番号2026-000123", "ご請求金額（税込）¥206,448",
			"新しい請求書", "請求書番号2026-000130", "ご請求金額（税込）¥172,044", "お支払期限2026年12月10日",
			"取消の理由2026年11月20日付の減数のご依頼（12→10ライセンス）を承りましたため",
		}, recipient...), []string{"請求書取消のお知らせ", "2026-000123", "2026-000130", "¥206,448", "¥172,044"}},
		{"reminder-partly-paid", render(r.Reminder(reminderPartlyPaid())), 1, append([]string{
			"お支払いのお願い", "ご入金の一部（¥128,700）は確認いたしましたが", "残額¥128,700を至急お振込",
			"ご請求金額（税込）¥257,400", "ご入金済額¥128,700", "残額¥128,700",
			"お支払いいただく金額（残額）¥128,700", "2026年12月23日までに残額のご入金がない場合",
		}, recipient...), []string{"ご入金済額", "残額", "¥257,400", "¥128,700"}},
		{"invoice-addition-one-month", render(r.Invoice(additionOneMonth(t))), 1, append([]string{
			"品目・期間数量月数単価（年額）金額",
			"Microsoft365BusinessStandard（追加）期間2026年11月20日〜2026年12月19日（月割）21ヶ月18,0003,000",
			"ご請求金額（税込）¥3,300", "月割の金額＝単価（年額）×数量×月数÷12（円未満切り捨て）",
			"2027年12月20日からの期間の減数・解約は、2027年11月20日までに",
		}, issuer...), []string{"¥3,300", "1ヶ月", "18,000", "3,000"}},
		{"invoice-next-term-addition", render(r.Invoice(nextTermAddition(t))), 1, append([]string{
			"件名Microsoft365BusinessStandardライセンス追加料金（2026年12月20日からの次年度分）",
			"品目・期間数量単価（年額）金額",
			"Microsoft365BusinessStandard（追加）期間2026年12月20日〜2027年12月19日（12ヶ月）218,00036,000",
			"ご請求金額（税込）¥39,600", "2027年12月20日からの期間の減数・解約は、2027年11月20日までに",
		}, issuer...), []string{"¥39,600", "36,000"}},
		{"invoice-perpetual", render(r.Invoice(perpetual(t))), 1, append([]string{
			"品目・期間数量単価金額", "OfficeLTSCStandard2024(永続ライセンス)368,000204,000",
			"ご請求金額（税込）¥224,400", "永続ライセンスのため更新のご請求はございません",
		}, issuer...), []string{"¥224,400", "68,000", "単価"}},
		{"envelope", render(r.EnvelopeSheet(envelope())), 1, []string{
			"封入票", "封筒3/12", "同封2通・計3枚", "この用紙は封入しないでください",
			"〒231-0023", "株式会社みなと精機総務部ご担当者様", "2通中1C2026-000003請求書取消のお知らせ1枚",
			"2通中22026-000130請求書(更新)2枚",
		}, []string{"封入票", "封筒 3 / 12", "2 通中 1", "2 通中 2"}},
	}
}

// TestGoldenText extracts the text of the worked documents with pdftotext and compares
// it with testdata/*.golden.txt; it also checks each item of SPEC §8.1 by itself, so
// that a golden file cannot be updated into a wrong one unnoticed.
func TestGoldenText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed: golden text not checked")
	}
	for _, w := range workedDocs(t) {
		t.Run(w.name, func(t *testing.T) {
			text := pdftotext(t, w.pdf, "-layout")
			golden := filepath.Join("testdata", w.name+".golden.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenText -update)", err)
			}
			if text != string(want) {
				t.Errorf("text differs from %s (go test -update to accept):\n%s", golden, text)
			}
			flat := strings.Join(strings.Fields(pdftotext(t, w.pdf, "-raw")), "")
			for _, item := range w.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(item), "")) {
					t.Errorf("extracted text lacks %q", item)
				}
			}
			if got := strings.Count(text, "\f"); got != w.pages {
				t.Errorf("%d pages, want %d", got, w.pages)
			}
		})
	}
}

func pdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("pdftotext", append(append([]string{"-enc", "UTF-8"}, args...), "-", "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestThreePagesRepeatHeader checks the long invoice page by page: the table header on
// each page, the continuation head, and totals only on the last page.
func TestThreePagesRepeatHeader(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	pdf, err := mustRenderer(t).Invoice(threePages(t))
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimSuffix(pdftotext(t, pdf, "-raw"), "\f"), "\f")
	if len(pages) != 3 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, p := range pages {
		flat := strings.Join(strings.Fields(p), "")
		if !strings.Contains(flat, "品目・期間数量単価（年額）金額") {
			t.Errorf("page %d: no table header", i+1)
		}
		if !strings.Contains(flat, fmt.Sprintf("%d/3", i+1)) {
			t.Errorf("page %d: no page number", i+1)
		}
		if (i > 0) != strings.Contains(flat, "請求書（続き）") {
			t.Errorf("page %d: continuation head wrong", i+1)
		}
		if (i == 2) != strings.Contains(flat, "合計（税込）¥609,295") {
			t.Errorf("page %d: totals placement wrong", i+1)
		}
	}
}

// TestWithoutPoppler checks what needs no outside tool: the PDF parses (page tree,
// cross-reference table), the font is a subset embedded as a file, and the page
// content shows the expected glyph sequences (CIDs are Unicode, two bytes each).
func TestWithoutPoppler(t *testing.T) {
	for _, w := range workedDocs(t) {
		t.Run(w.name, func(t *testing.T) {
			n, err := PageCount(w.pdf)
			if err != nil || n != w.pages {
				t.Fatalf("PageCount = %d, %v; want %d", n, err, w.pages)
			}
			if !regexp.MustCompile(`/BaseFont /[A-Z]{6}\+IPAexGothic`).Match(w.pdf) || !bytes.Contains(w.pdf, []byte("/FontFile2")) {
				t.Error("no embedded IPAexGothic subset")
			}
			content := pageContents(t, w.pdf)
			for _, c := range w.cells {
				if !bytes.Contains(content, utf16be(c)) {
					t.Errorf("content stream lacks %q", c)
				}
			}
		})
	}
}

// pageContents returns every FlateDecode stream of a PDF, inflated and concatenated.
func pageContents(t *testing.T, pdf []byte) []byte {
	var all []byte
	re := regexp.MustCompile(`/Filter /FlateDecode /Length (\d+)>>\nstream\n`)
	for _, m := range re.FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatal("no content streams found")
	}
	return all
}

func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// TestWindowBox checks with pdftotext -bbox that the recipient's postal code, address
// and name lie inside the 長3 window box of the settings, and nothing else does.
func TestWindowBox(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	r := mustRenderer(t)
	l := r.Config().Layout
	const pt = 72 / 25.4
	x0, y0, x1, y1 := l.WindowLeft*pt, l.WindowTop*pt, (l.WindowLeft+l.WindowWidth)*pt, (l.WindowTop+l.WindowHeight)*pt
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	long := customer
	long.Name = "株式会社ロングネームホールディングスインターナショナルジャパン"
	long.Address = "神奈川県横浜市中区山下町1-2-3 山下町センタービルディング別館 南ウイング17階"
	for _, w := range []struct {
		name, first string
		inv         Invoice
		want        []string
	}{
		{"one page", "", onePage(t), []string{"〒231-0023", "神奈川県横浜市中区山下町1-2", "港ビル3階", "株式会社みなと精機", "様"}},
		{"person", "", addition10(t), []string{"〒060-0001", "北海道札幌市中央区北一条西2-1", "山田", "太郎", "様"}},
		{"long", "", func() Invoice { i := onePage(t); i.To = long; return i }(), []string{"〒231-0023", "様"}},
	} {
		t.Run(w.name, func(t *testing.T) {
			pdf, err := r.Invoice(w.inv)
			if err != nil {
				t.Fatal(err)
			}
			html := pdftotext(t, pdf, "-bbox", "-f", "1", "-l", "1")
			found := map[string]bool{}
			var inside []string
			for _, m := range re.FindAllStringSubmatch(html, -1) {
				f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
				in := f(1) >= x0 && f(2) >= y0 && f(3) <= x1 && f(4) <= y1
				over := f(3) > x0 && f(1) < x1 && f(4) > y0 && f(2) < y1
				if over && !in {
					t.Errorf("%q (%.0f,%.0f–%.0f,%.0f pt) crosses the window edge", m[5], f(1), f(2), f(3), f(4))
				}
				if in {
					inside = append(inside, m[5])
					found[m[5]] = true
				}
			}
			joined := strings.Join(inside, "")
			for _, want := range w.want {
				if !strings.Contains(joined, want) {
					t.Errorf("window holds %q, want %q in it", joined, want)
				}
			}
			for _, bad := range []string{"請求書", "サイバーロジスティクス", "¥"} {
				if strings.Contains(joined, bad) {
					t.Errorf("window shows %q, which is not the address", bad)
				}
			}
		})
	}
}

// TestPDFTools runs qpdf --check and pdffonts on every worked document.
func TestPDFTools(t *testing.T) {
	docs := workedDocs(t)
	t.Run("qpdf", func(t *testing.T) {
		if _, err := exec.LookPath("qpdf"); err != nil {
			t.Skip("qpdf not installed")
		}
		for _, w := range docs {
			f := filepath.Join(t.TempDir(), w.name+".pdf")
			if err := os.WriteFile(f, w.pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("qpdf", "--check", f)
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
				t.Errorf("%s: qpdf --check: %v\n%s", w.name, err, out)
			}
		}
	})
	t.Run("pdffonts", func(t *testing.T) {
		if _, err := exec.LookPath("pdffonts"); err != nil {
			t.Skip("pdffonts (poppler-utils) not installed")
		}
		re := regexp.MustCompile(`(?m)^[A-Z]{6}\+IPAexGothic\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes`)
		for _, w := range docs {
			cmd := exec.Command("pdffonts", "-")
			cmd.Stdin = bytes.NewReader(w.pdf)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pdffonts: %v", err)
			}
			if !re.Match(out) || strings.Count(string(out), "\n") != 3 {
				t.Errorf("%s: want one embedded, subset IPAexGothic:\n%s", w.name, out)
			}
		}
	})
	t.Run("size", func(t *testing.T) {
		// A regression guard, not the target: a one-page document is about 6 KB plus
		// about 120 bytes per distinct character (the subset's glyph outlines); the
		// worked documents are 29.7–33.2 KB. The upstream library gives about 46 KB.
		for _, w := range docs {
			t.Logf("%s: %d bytes", w.name, len(w.pdf))
			if w.pages == 1 && len(w.pdf) >= 34<<10 {
				t.Errorf("%s: %d bytes, want < 34 KB", w.name, len(w.pdf))
			}
		}
	})
}

// TestDeterministic renders the same documents twice, and from several goroutines at
// once, and wants the same bytes each time.
func TestDeterministic(t *testing.T) {
	r := mustRenderer(t)
	first := workedDocs(t)
	second := workedDocs(t)
	for i := range first {
		if !bytes.Equal(first[i].pdf, second[i].pdf) {
			t.Errorf("%s: two renderings differ", first[i].name)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3; i++ {
				b, err := r.Invoice(threePages(t))
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(b, first[1].pdf) {
					errs <- errors.New("concurrent rendering gave other bytes")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPreview(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	inv := onePage(t)
	inv.Number = ""
	pdf, err := mustRenderer(t).Preview(inv)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(pdftotext(t, pdf, "-raw")), "")
	for _, want := range []string{"請求書（見本）", "見本PREVIEW", "（見本・未発行）", "¥206,448"} {
		if !strings.Contains(flat, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if _, err := mustRenderer(t).Invoice(inv); !errors.Is(err, ErrInput) {
		t.Errorf("an invoice without a number: err = %v, want ErrInput", err)
	}
}

// TestBadInput covers what must not panic or pass: missing fields, characters the
// font lacks, notices without the invoice they name.
func TestBadInput(t *testing.T) {
	r := mustRenderer(t)
	inv := onePage(t)
	inv.To.Name = "株式会社𠮷野家\x07ホールディングス"
	inv.To.Address = "東京都\t中央区 😀"
	pdf, err := r.Invoice(inv)
	if err != nil {
		t.Fatalf("characters outside the font: %v", err)
	}
	if !bytes.Contains(pageContents(t, pdf), utf16be("株式会社〓野家ホールディングス")) {
		t.Error("the missing character is not shown as 〓")
	}
	bad := onePage(t)
	bad.To.Name = ""
	if _, err := r.Invoice(bad); !errors.Is(err, ErrInput) {
		t.Errorf("no recipient: %v", err)
	}
	rm := reminder()
	rm.StopDate = calendar.Date{}
	if _, err := r.Reminder(rm); !errors.Is(err, ErrInput) {
		t.Errorf("reminder without stop date: %v", err)
	}
	rm2 := reminder()
	rm2.Invoice.Number = ""
	if _, err := r.Reminder(rm2); !errors.Is(err, ErrInput) {
		t.Errorf("reminder without invoice: %v", err)
	}
	cn := cancellation()
	cn.Voided.Number = ""
	if _, err := r.Cancellation(cn); !errors.Is(err, ErrInput) {
		t.Errorf("notice without voided invoice: %v", err)
	}
	cn = cancellation()
	cn.Replacement = Ref{}
	if _, err := r.Cancellation(cn); err != nil {
		t.Errorf("notice without replacement: %v", err)
	}
}

// TestTemplateOverride edits a copy of invoice.toml in an override folder, as staff
// would, with a seal image; and refuses broken settings with ErrConfig.
func TestTemplateOverride(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("..", "templates", ConfigPath))
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, toml string, seal bool) string {
		dir := t.TempDir()
		p := filepath.Join(dir, ConfigPath)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		if seal {
			img := image.NewNRGBA(image.Rect(0, 0, 60, 60))
			for y := 0; y < 60; y++ {
				for x := 0; x < 60; x++ {
					if x < 4 || y < 4 || x > 55 || y > 55 || x == y {
						img.Set(x, y, color.NRGBA{200, 30, 30, 220})
					}
				}
			}
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(filepath.Dir(p), "seal.png"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	t.Run("edited wording and seal", func(t *testing.T) {
		s := strings.Replace(string(orig), `seal = ""`, `seal = "seal.png"`, 1)
		s = strings.Replace(s, `greeting = "下記の通りご請求申し上げます。"`, `greeting = "毎度ありがとうございます。下記の通りご請求申し上げます。"`, 1)
		r, err := NewRenderer(templates.Open(write(t, s, true)))
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := r.Invoice(onePage(t))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
			t.Error("no seal image in the PDF")
		}
		if !bytes.Contains(pageContents(t, pdf), utf16be("毎度ありがとうございます")) {
			t.Error("edited greeting not used")
		}
	})
	for _, tt := range []struct{ name, old, new string }{
		{"bad registration number", `registration_no = "T9010401123456"`, `registration_no = "T1010401123456"`},
		{"unknown key", `seal = ""`, `seel = ""`},
		{"bank type", `type = "普通"`, `type = "貯蓄"`},
		{"window off the page", `window_left = 22.0`, `window_left = 80.0`},
		{"missing seal", `seal = ""`, `seal = "nothere.png"`},
		{"not toml", `[issuer]`, `[issuer`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(orig), tt.old) {
				t.Fatalf("%q not in invoice.toml", tt.old)
			}
			_, err := NewRenderer(templates.Open(write(t, strings.Replace(string(orig), tt.old, tt.new, 1), false)))
			if !errors.Is(err, ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
		})
	}
}

func TestCheckRegistrationNo(t *testing.T) {
	for s, ok := range map[string]bool{
		"T7000012050002": true, "T9010401123456": true, "T8010001187654": true,
		"T7000012050003": false, "7000012050002": false, "T700001205000": false, "T70000120500a2": false, "": false,
	} {
		if err := CheckRegistrationNo(s); (err == nil) != ok {
			t.Errorf("CheckRegistrationNo(%q) = %v", s, err)
		}
	}
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "¥0", 999: "¥999", 1000: "¥1,000", 1234567: "¥1,234,567", -1234: "-¥1,234"} {
		if got := yen(n); got != want {
			t.Errorf("yen(%d) = %q, want %q", n, got, want)
		}
	}
	for in, want := range map[string]string{"1000001": "100-0001", "１００－０００１": "100-0001", "100-0001": "100-0001", "abc": "abc"} {
		if got := formatPostal(in); got != want {
			t.Errorf("formatPostal(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDump writes the worked documents and a bundle of them to $INVOICE_DUMP_DIR, to
// look at (pdftoppm -png -r 80); it does nothing otherwise.
func TestDump(t *testing.T) {
	dir := os.Getenv("INVOICE_DUMP_DIR")
	if dir == "" {
		t.Skip("INVOICE_DUMP_DIR not set")
	}
	var all bytes.Buffer
	b := NewBundle(&all)
	for _, w := range workedDocs(t) {
		if err := os.WriteFile(filepath.Join(dir, w.name+".pdf"), w.pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Add(w.name, w.pdf); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bundle.pdf"), all.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
