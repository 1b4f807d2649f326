package jobs_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// The demo night shows every kind of customer paper of issue 16, and each reads as a
// Japanese customer expects: a reminder of a partly paid invoice, a notice after a
// reduction with the customer's reason, an addition with a 月割 line that adds up and
// a deadline that can still be met, a perpetual licence headed 単価, and a bundle with
// a separator sheet before an envelope of several documents.
func TestDemoPapers(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed: the demo's papers not read")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		runNight(t, env, jobs.Options{})
		day := filepath.Join(out, demo.Date.String())
		for _, tt := range []struct {
			file      string
			want, not []string
		}{
			{"notices/2026-000007-R.pdf", []string{"ご入金の一部（¥128,700）は確認いたしましたが", "ご請求金額（税込）¥257,400",
				"ご入金済額¥128,700", "残額¥128,700", "お支払いいただく金額（残額）¥128,700",
				"件名Microsoft365BusinessStandard次年度ご利用料金（自動継続）"},
				[]string{"年間利用料", "本日までにご入金の確認ができておりません"}},
			{"notices/2026-000006-R.pdf", []string{"お支払いいただく金額¥237,600"}, []string{"ご入金済額", "年間利用料"}},
			{"notices/2026-000011-C.pdf", []string{"取消の理由2026年11月20日付の減数のご依頼（16→12ライセンス）を承りましたため",
				"新しい請求書", "2026-000020"}, []string{"request", "受理", "年間利用料"}},
			// 2 seats for one cycle, issued after that term's deadline (2026-11-20).
			{"invoices/2026-000019.pdf", []string{"数量月数単価（年額）金額", "21ヶ月18,0003,000",
				"月割の金額＝単価（年額）×数量×月数÷12（円未満切り捨て）", "2027年12月20日からの期間の減数・解約は、2027年11月20日までに"},
				[]string{"2026年11月20日までに"}},
			{"invoices/2026-000018.pdf", []string{"54ヶ月18,00030,000"}, nil},
			{"invoices/2026-000016.pdf", []string{"数量単価金額", "368,000204,000", "永続ライセンスのため更新のご請求はございません"},
				[]string{"年額", "月数", "自動継続"}},
			{"invoices/2026-000012.pdf", []string{"数量単価（年額）金額", "1018,000180,000"}, []string{"月数", "月割"}},
		} {
			pdf, err := os.ReadFile(filepath.Join(day, tt.file))
			if err != nil {
				t.Errorf("the demo night wrote no %s: %v", tt.file, err)
				continue
			}
			text := pdfText(t, pdf)
			flat := strings.Join(strings.Fields(text), "")
			for _, w := range tt.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
					t.Errorf("%s lacks %q:\n%s", tt.file, w, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("%s says %q:\n%s", tt.file, n, text)
				}
			}
		}
		bundle, err := os.ReadFile(filepath.Join(day, "print", "bundle.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		pages := strings.Split(pdfText(t, bundle), "\f")
		for i, p := range pages {
			if !strings.Contains(p, "封入票") {
				continue
			}
			flat := strings.Join(strings.Fields(p), "")
			if !strings.Contains(flat, "同封2通・計2枚") || !strings.Contains(flat, "2通中12026-000011-C") ||
				!strings.Contains(flat, "2通中22026-000020") || !strings.Contains(pages[i+1], "2026-000011-C") {
				t.Errorf("separator sheet on page %d:\n%s", i+1, p)
			}
			return
		}
		t.Error("the demo's bundle has no envelope of several documents with its separator sheet")
	})
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
