package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
)

// The morning report shows the aging totals of its date, bucket by bucket in yen with
// separators, overdue buckets in red; a report without them has no 売掛金 section.
func TestReportShowsAging(t *testing.T) {
	day := calendar.MustParse("2026-11-24")
	rows := []accounting.AgingRow{
		{Customer: "100005", Name: "株式会社青葉運輸", D1to30: 178200, Total: 178200},
		{Customer: "100207", Name: "丸菱精機株式会社", NotDue: 1531200, D91Plus: 1000, Total: 1532200},
	}
	a := NewAging(day, rows)
	if a.Customers != 2 || a.Total.Total != 1710400 || a.Overdue() != 179200 {
		t.Fatalf("aging %+v, overdue %d", a, a.Overdue())
	}
	var labels []string
	for _, c := range a.Cells() {
		labels = append(labels, c.Label)
	}
	if got := strings.Join(labels, ","); got != "期日前,1–30日,31–60日,61–90日,91日以上,合計" {
		t.Errorf("bucket labels %s", got)
	}
	html, err := Render("", Data{Date: day, Aging: a})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{
		`売掛金（2026年11月24日 現在）`, `2 社・合計 ¥1,710,400・うち期日超過 ¥179,200`,
		`<td class="num" id="aging-not_due">¥1,531,200</td>`, `<td class="num late" id="aging-d1_30">¥178,200</td>`,
		`<td class="num" id="aging-d31_60">¥0</td>`, `<td class="num late" id="aging-d91_plus">¥1,000</td>`,
		`<td class="num" id="aging-total">¥1,710,400</td>`, `画面の「売掛金」`,
	} {
		if !strings.Contains(s, want) && !strings.Contains(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""), want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	html, err = Render("", Data{Date: day})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), `id="aging"`) {
		t.Error("a report without the aging shows a 売掛金 section")
	}
	if z := NewAging(day, nil); z.Customers != 0 || z.Total.Total != 0 || z.Overdue() != 0 {
		t.Errorf("nobody owes anything: %+v", z)
	}
}
