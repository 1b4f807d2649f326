package invoice

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

// TestWhatPapersMustNotSay checks, in the text of the worked documents, the mistakes a
// customer noticed (issue 16): a passed deadline, a 月割 remark on a whole year, 年額
// on a perpetual licence, a partly paid reminder worded as if nothing was received,
// internal ids in a notice, a subject cut inside a word.
func TestWhatPapersMustNotSay(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	absent := map[string][]string{
		"invoice-one-page":           {"（自\n", "\n動継続）", "月数"},
		"invoice-addition-one-month": {"2026年11月20日までに", "2026年12月20日からの期間"},
		"invoice-next-term-addition": {"月割", "月数"},
		"invoice-perpetual":          {"単価（年額）", "年額", "自動継続", "減数"},
		"reminder":                   {"ご入金済額", "残額"},
		"reminder-partly-paid":       {"本日までにご入金の確認ができておりません", "お支払いいただく金額\n"},
		"cancellation":               {"request", "mail", "受理"},
		"invoice-addition-10-months": {"（10ヶ月分・月割）"},
		"invoice-three-pages":        {"月数", "月割"},
		"envelope":                   {"御中"},
	}
	seen := 0
	for _, w := range workedDocs(t) {
		bad, ok := absent[w.name]
		if !ok {
			t.Errorf("%s: no list of what it must not say", w.name)
			continue
		}
		seen++
		text := pdftotext(t, w.pdf, "-layout")
		for _, s := range bad {
			if strings.Contains(text, s) {
				t.Errorf("%s says %q:\n%s", w.name, s, text)
			}
		}
	}
	if seen < 10 {
		t.Errorf("checked %d documents", seen)
	}
}

// TestSubjectOnWholeLines: the 件名 of an invoice, and of the invoice a reminder or a
// notice names, is printed on one line, or broken only between words so that a
// bracketed phrase stays whole.
func TestSubjectOnWholeLines(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	whole := map[string][]string{
		"invoice-one-page":           {"件名 Microsoft 365 Business Standard", "次年度ご利用料金（自動継続）"},
		"invoice-next-term-addition": {"件名 Microsoft 365 Business Standard", "ライセンス追加料金（2026年12月20日からの次年度分）"},
		"invoice-perpetual":          {"件名 Office LTSC Standard 2024 (永続ライセンス) ご利用料金"},
		"reminder":                   {"件名 Microsoft 365 Business Standard 次年度ご利用料金（自動継続）"},
		"cancellation":               {"件名 Microsoft 365 Business Standard 次年度ご利用料金（自動継続）"},
	}
	for _, w := range workedDocs(t) {
		want, ok := whole[w.name]
		if !ok {
			continue
		}
		var lines []string
		for _, l := range strings.Split(pdftotext(t, w.pdf, "-layout"), "\n") {
			lines = append(lines, strings.Join(strings.Fields(l), " "))
		}
		for _, s := range want {
			found := false
			for _, l := range lines {
				found = found || strings.Contains(l, s)
			}
			if !found {
				t.Errorf("%s: no line holds %q whole", w.name, s)
			}
		}
	}
}

// TestLinesAddUp checks that every line of the worked invoices adds up on its face:
// 単価 × 数量 = 金額 for a whole year or a licence, and 単価（年額）× 数量 × 月数 ÷ 12
// (rounded down, SPEC §3.2) = 金額 for a 月割 line, with the months the 月数 column
// shows.
func TestLinesAddUp(t *testing.T) {
	for name, inv := range map[string]Invoice{
		"one page": onePage(t), "three pages": threePages(t), "addition 10 months": addition10(t),
		"addition one month": additionOneMonth(t), "next-term addition": nextTermAddition(t), "perpetual": perpetual(t),
	} {
		cols := columnsFor(inv.Lines)
		for i, l := range inv.Lines {
			want := l.UnitPrice * int64(l.Quantity)
			if l.PartYear() {
				if !cols.months {
					t.Errorf("%s line %d bills %d months but the table has no 月数 column", name, i+1, l.BilledMonths())
				}
				want = want * int64(l.BilledMonths()) / 12
			}
			if l.Amount != want {
				t.Errorf("%s line %d: %d × %d (%d months) reads %d, printed amount %d", name, i+1, l.UnitPrice, l.Quantity, l.BilledMonths(), want, l.Amount)
			}
		}
	}
}

func TestBilledMonths(t *testing.T) {
	for _, tt := range []struct {
		name string
		l    Line
		want int
		part bool
	}{
		{"months given", Line{Months: 4, Period: Period{d("2026-12-15"), d("2027-04-14")}}, 4, true},
		{"year from the period (rebuilt from rows)", Line{Period: Period{d("2026-12-20"), d("2027-12-19")}}, 12, false},
		{"ten cycles from the period", Line{Period: Period{d("2026-06-15"), d("2027-04-14")}}, 10, true},
		{"one cycle", Line{Period: Period{d("2026-11-20"), d("2026-12-19")}}, 1, true},
		{"clamped month end", Line{Period: Period{d("2026-02-28"), d("2027-01-30")}}, 11, true},
		{"perpetual", Line{PeriodNote: "永続ライセンス"}, 0, false},
		{"new order, term from activation", Line{Months: 12, PeriodNote: "ご利用開始日から12ヶ月"}, 12, false},
		{"period longer than a term", Line{Period: Period{d("2026-01-01"), d("2027-12-31")}}, 0, false},
		{"period backwards", Line{Period: Period{d("2027-01-01"), d("2026-01-31")}}, 0, false},
	} {
		if got := tt.l.BilledMonths(); got != tt.want || tt.l.PartYear() != tt.part {
			t.Errorf("%s: BilledMonths %d, PartYear %v; want %d, %v", tt.name, got, tt.l.PartYear(), tt.want, tt.part)
		}
	}
}

func TestColumnsFor(t *testing.T) {
	year := Line{Months: 12, Period: Period{d("2026-12-20"), d("2027-12-19")}}
	part := Line{Months: 1, Period: Period{d("2026-11-20"), d("2026-12-19")}}
	once := Line{PeriodNote: "永続ライセンス"}
	for _, tt := range []struct {
		name  string
		lines []Line
		want  columns
	}{
		{"renewal", []Line{year}, columns{annual: true}},
		{"addition", []Line{part}, columns{months: true, annual: true}},
		{"addition and year", []Line{year, part}, columns{months: true, annual: true}},
		{"perpetual", []Line{once}, columns{}},
		{"perpetual with a subscription", []Line{once, year}, columns{mixed: true}},
	} {
		if got := columnsFor(tt.lines); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestMeetableDeadline: an invoice prints the next reduction deadline that can still
// be met on its issue date (SPEC §4.4: next start − 1 month).
func TestMeetableDeadline(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		issue, next, deadline  string
		wantNext, wantDeadline string
	}{
		{"renewal, a year ahead", "2026-11-24", "2027-12-24", "2027-11-24", "2027-12-24", "2027-11-24"},
		{"addition after the deadline", "2026-11-24", "2026-12-20", "2026-11-20", "2027-12-20", "2027-11-20"},
		{"addition on the deadline day", "2026-11-20", "2026-12-20", "2026-11-20", "2026-12-20", "2026-11-20"},
		{"addition the day after", "2026-11-21", "2026-12-20", "2026-11-20", "2027-12-20", "2027-11-20"},
		{"two terms behind (reissued late)", "2028-01-10", "2026-12-20", "2026-11-20", "2028-12-20", "2028-11-20"},
		{"term from 2/29", "2025-02-01", "2024-02-29", "2024-01-29", "2025-03-01", "2025-02-01"},
	} {
		n, dl := MeetableDeadline(d(tt.issue), d(tt.next), d(tt.deadline))
		if n != d(tt.wantNext) || dl != d(tt.wantDeadline) {
			t.Errorf("%s: %s, %s; want %s, %s", tt.name, n, dl, tt.wantNext, tt.wantDeadline)
		}
	}
	if n, dl := MeetableDeadline(d("2026-11-24"), calendar.Date{}, calendar.Date{}); !n.IsZero() || !dl.IsZero() {
		t.Errorf("no renewal: %s, %s", n, dl)
	}
	// Build applies it, so that every path that makes an invoice prints a live deadline.
	if inv := additionOneMonth(t); inv.RequestDeadline != d("2027-11-20") {
		t.Errorf("Build kept the passed deadline: %s", inv.RequestDeadline)
	}
}

// TestWrapPhrases: a subject wraps between words or before a bracket, never inside
// a word or a bracketed phrase, and loses no character.
func TestWrapPhrases(t *testing.T) {
	r := mustRenderer(t)
	d := r.newDoc("t", "t", d("2026-11-24"), customer, false)
	d.addPage()
	for _, s := range []string{
		"Microsoft 365 Business Standard 次年度ご利用料金（自動継続）",
		"Microsoft 365 Business Standard 年間利用料 次年度ご利用料金（自動継続）",
		"Microsoft 365 Business Standard ライセンス追加料金（2026年12月20日からの次年度分）",
		"Office LTSC Standard 2024 (永続ライセンス) ご利用料金",
		"とても長い一語だけの件名でどこにも区切りがないので文字の間で折り返すしかない件名です",
	} {
		for _, w := range []float64{40, 60, 88} {
			lines := d.wrapPhrases(s, w, 9)
			// A phrase wider than the line itself may only be split inside.
			longPhrase := false
			for _, p := range phrases(s, false) {
				d.fontSize(9)
				longPhrase = longPhrase || d.pdf.GetStringWidth(strings.TrimSpace(p)) > w
			}
			at := 0 // byte offset in s where the next line starts
			for i, l := range lines {
				d.fontSize(9)
				if d.pdf.GetStringWidth(l) > w+0.01 {
					t.Errorf("%q at %.0f mm: line %q is %.1f mm wide", s, w, l, d.pdf.GetStringWidth(l))
				}
				for at < len(s) && s[at] == ' ' {
					at++
				}
				if !strings.HasPrefix(s[at:], l) {
					t.Errorf("%q at %.0f mm: line %d %q is not the text that follows (lines %q)", s, w, i+1, l, lines)
					break
				}
				at += len(l)
				if i == len(lines)-1 {
					if at != len(s) {
						t.Errorf("%q at %.0f mm: lines %q lose the end", s, w, lines)
					}
					continue
				}
				rest := s[at:]
				atSpace := strings.HasPrefix(rest, " ")
				beforeBracket := strings.HasPrefix(rest, "（") || strings.HasPrefix(rest, "(")
				if !atSpace && !beforeBracket && !longPhrase {
					t.Errorf("%q at %.0f mm: broken inside a word after %q (lines %q)", s, w, l, lines)
				}
			}
		}
	}
}

func TestRequestReason(t *testing.T) {
	for _, tt := range []struct {
		received string
		cancel   bool
		from, to int
		want     string
	}{
		{"2026-11-20", false, 15, 10, "2026年11月20日付の減数のご依頼（15→10ライセンス）を承りましたため"},
		{"2026-11-20", true, 15, 0, "2026年11月20日付の解約のご依頼を承りましたため"},
		{"2026-11-20", false, 0, 10, "2026年11月20日付の減数のご依頼を承りましたため"},
		{"", false, 16, 12, "減数のご依頼（16→12ライセンス）を承りましたため"},
	} {
		var on calendar.Date
		if tt.received != "" {
			on = d(tt.received)
		}
		got := RequestReason(on, tt.cancel, tt.from, tt.to)
		if got != tt.want {
			t.Errorf("RequestReason(%s, %v, %d, %d) = %q, want %q", tt.received, tt.cancel, tt.from, tt.to, got, tt.want)
		}
		for _, bad := range []string{"request", "mail", "受理", "("} {
			if strings.Contains(got, bad) {
				t.Errorf("%q holds %q", got, bad)
			}
		}
	}
}

// TestAddressee: the dispatch list's 宛名 is what the envelope window shows.
func TestAddressee(t *testing.T) {
	for _, tt := range []struct {
		p    Party
		want string
	}{
		{Party{Name: "株式会社ミライ東京"}, "株式会社ミライ東京 御中"},
		{Party{Name: "株式会社ミライ東京", Contact: "山本 拓也"}, "株式会社ミライ東京 山本 拓也 様"},
		{Party{Name: "株式会社ミライ東京", Contact: "情報システム部 御中"}, "株式会社ミライ東京 情報システム部 御中"},
		{Party{Name: " 山田 太郎 ", Person: true}, "山田 太郎 様"},
	} {
		if got := tt.p.Addressee(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestCancellationWithoutReplacement(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	cn := cancellation()
	cn.Replacement = Ref{}
	cn.Reason = RequestReason(d("2026-11-20"), true, 12, 0)
	pdf, err := mustRenderer(t).Cancellation(cn)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdftotext(t, pdf, "-raw")), "")
	for _, want := range []string{"下記の請求書を取り消しましたので", "お支払いの必要はございません", "ご返金について別途ご連絡",
		"取消の理由2026年11月20日付の解約のご依頼を承りましたため"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice without replacement lacks %q", want)
		}
	}
	for _, bad := range []string{"新しい請求書", "お支払い不要"} {
		if strings.Contains(text, bad) {
			t.Errorf("notice without replacement says %q", bad)
		}
	}
}

func TestEnvelopeSheetRefuses(t *testing.T) {
	r := mustRenderer(t)
	for name, e := range map[string]func(*Envelope){
		"no documents":  func(e *Envelope) { e.Documents = nil },
		"seq past of":   func(e *Envelope) { e.Seq = 13 },
		"seq zero":      func(e *Envelope) { e.Seq = 0 },
		"no recipient":  func(e *Envelope) { e.To.Name = "" },
		"no print date": func(e *Envelope) { e.Date = calendar.Date{} },
	} {
		env := envelope()
		e(&env)
		if _, err := r.EnvelopeSheet(env); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
	if env := envelope(); env.Pages() != 3 {
		t.Errorf("Pages = %d, want 3", env.Pages())
	}
}
