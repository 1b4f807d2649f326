package mailintake

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func ip(n int) *int { return &n }

func eqp(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func fmtp(p *int) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// TestContractNumberForms checks every way SPEC §1.1 says customers write the number.
func TestContractNumberForms(t *testing.T) {
	for _, s := range []string{
		"NP-0001234", "np-0001234", "Np0001234", "NP 0001234", "NP - 0001234", "NP-000 1234",
		"ＮＰ－０００１２３４", "ｎｐ０００１２３４", "NP‐0001234", "NP‑0001234", "NP‒0001234", "NP–0001234",
		"NP—0001234", "NP―0001234", "NP−0001234", "NPー0001234", "NPｰ0001234", "契約番号:NP-0001234です",
		"(NP-0001234)", "【NP-0001234】",
	} {
		m := &Mail{Text: "契約 " + s + " を解約します"}
		r := Extract(m, ExtractOptions{})
		if len(r) != 1 || r[0].Contract != "NP-0001234" {
			t.Errorf("%q: got %+v, want NP-0001234", s, r)
		}
	}
	for _, s := range []string{"NP-00012345", "SNP-0001234", "NP-001234", "0001234"} {
		m := &Mail{Text: s + " を解約します"}
		if r := Extract(m, ExtractOptions{}); r[0].Contract != "" {
			t.Errorf("%q: read contract %q, want none", s, r[0].Contract)
		}
	}
	// A configured pattern.
	re, err := CompileContractPattern(`CT[\s\-]*(\d{5})`)
	if err != nil {
		t.Fatal(err)
	}
	r := Extract(&Mail{Text: "ｃｔ－１２３４５ 解約"}, ExtractOptions{ContractPattern: re, ContractFormat: "CT-%s"})
	if r[0].Contract != "CT-12345" {
		t.Errorf("configured pattern: got %q", r[0].Contract)
	}
	if _, err := CompileContractPattern(`NP\d+`); err == nil {
		t.Error("a pattern without a capture group was accepted")
	}
}

func TestSeatsAndKind(t *testing.T) {
	tests := []struct {
		text                   string
		before, after, removed *int
		kind                   Kind
	}{
		{"20 → 15", ip(20), ip(15), nil, KindReduction},
		{"数量：20→15", ip(20), ip(15), nil, KindReduction},
		{"20ライセンス⇒15ライセンス", ip(20), ip(15), nil, KindReduction},
		{"15ライセンスに減数してください", nil, ip(15), nil, KindReduction},
		{"ライセンス数を１５本に変更", nil, ip(15), nil, KindReduction},
		{"5ライセンス減でお願いします", nil, nil, ip(5), KindReduction},
		{"５ライセンスを減らしたい", nil, nil, ip(5), KindReduction},
		{"減数 3席", nil, nil, ip(3), KindReduction},
		// A bare quantity says nothing without the kind: reduction to it, or a
		// cancellation of that many seats (issue 15).
		{"数量: 15", nil, nil, nil, ""},
		{"ライセンス数：12本", nil, nil, nil, ""},
		{"数量: 15\n減数でお願いします", nil, ip(15), nil, KindReduction},
		{"減数数：4件", nil, nil, ip(4), KindReduction},
		{"現在20ライセンスのところ、15ライセンスで継続します", ip(20), ip(15), nil, KindReduction},
		{"30ライセンスから25ライセンスに減らします", ip(30), ip(25), nil, KindReduction},
		{"2ライセンスを解約したい", nil, nil, ip(2), KindReduction},
		{"一部解約をお願いします", nil, nil, nil, KindReduction},
		{"解約します", nil, nil, nil, KindCancellation},
		{"契約を解除したい", nil, nil, nil, KindCancellation},
		{"次回は更新しない", nil, nil, nil, KindCancellation},
		{"自動更新を停止してください", nil, nil, nil, KindCancellation},
		{"全てのライセンスを解約", nil, nil, nil, KindCancellation},
		{"0ライセンスにしてください", nil, ip(0), nil, KindCancellation},
		{"減数・解約の手続きを教えてください", nil, nil, nil, ""},
		{"解約ではなく減数でお願いします 10ライセンスに", nil, ip(10), nil, KindReduction},
		{"2027年4月1日に15ライセンスに", nil, ip(15), nil, KindReduction},
		{"Please reduce the licenses to 8", nil, ip(8), nil, KindReduction},
	}
	for _, tt := range tests {
		r := Extract(&Mail{Text: fold(tt.text)}, ExtractOptions{})[0]
		if !eqp(r.SeatsBefore, tt.before) || !eqp(r.SeatsAfter, tt.after) || !eqp(r.SeatsRemoved, tt.removed) || r.Kind != tt.kind {
			t.Errorf("%q: before %s after %s removed %s kind %q; want %s %s %s %q", tt.text,
				fmtp(r.SeatsBefore), fmtp(r.SeatsAfter), fmtp(r.SeatsRemoved), r.Kind,
				fmtp(tt.before), fmtp(tt.after), fmtp(tt.removed), tt.kind)
		}
	}
}

func TestRequestedTerm(t *testing.T) {
	sent := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct{ text, want string }{
		{"2027年4月の更新から減数", "2027-04"},
		{"２０２７年４月から", "2027-04"},
		{"2027/04/01より", "2027-04-01"},
		{"2027-04-15以降", "2027-04-15"},
		{"2027年3月末で解約", "2027-04"},
		{"2027年3月31日をもって解約", "2027-04-01"},
		{"令和9年4月から", "2027-04"},
		{"4月から減らしたい", "2027-04"},
		{"12月から", "2026-12"},
		{"2026年10月1日にお問い合わせした件", ""},
		{"適用時期：2027年4月", "2027-04"},
		{"解約日：2027年3月31日", "2027-04-01"},
		{"2027年13月から", ""},
	}
	for _, tt := range tests {
		r := Extract(&Mail{Text: fold(tt.text), Date: sent}, ExtractOptions{})[0]
		if r.RequestedTerm != tt.want {
			t.Errorf("%q: term %q, want %q", tt.text, r.RequestedTerm, tt.want)
		}
	}
}

func TestContractorAndProduct(t *testing.T) {
	tests := []struct{ text, contractor, product string }{
		{"サイバーロジスティクス株式会社 御中\n株式会社サンプル商事の山田です。", "株式会社サンプル商事", ""},
		{"契約者名: ㈱丸一", "㈱丸一", ""},
		{"会社名：（株）テスト", "(株)テスト", ""},
		{"弊社サンプル商事株式会社では", "サンプル商事株式会社", ""},
		{"Microsoft 365 Business Standardを減数", "", "Microsoft 365 Business Standard"},
		{"製品名：Ｏｆｆｉｃｅ　３６５　Ｅ１", "", "Office 365 E1"},
		{"対象：Exchange Online (Plan 1) 10 licenses", "", "Exchange Online (Plan 1)"},
		{"日本マイクロソフト株式会社の製品", "", ""},
	}
	for _, tt := range tests {
		r := Extract(&Mail{Text: fold(tt.text)}, ExtractOptions{})[0]
		if r.Contractor != tt.contractor || r.Product != tt.product {
			t.Errorf("%q: contractor %q product %q; want %q %q", tt.text, r.Contractor, r.Product, tt.contractor, tt.product)
		}
	}
}

func TestMissing(t *testing.T) {
	r := Extract(&Mail{Text: "NP-0001234 を解約", Subject: "解約"}, ExtractOptions{})[0]
	if !slices.Equal(r.Missing, []string{FieldContractor, FieldProduct}) {
		t.Errorf("cancellation without name and product: missing %v", r.Missing)
	}
	r = Extract(&Mail{Text: "株式会社A NP-0001234 Microsoft 365 E3 を減数"}, ExtractOptions{})[0]
	if !slices.Equal(r.Missing, []string{FieldSeats}) {
		t.Errorf("reduction without seats: missing %v", r.Missing)
	}
	if got := Extract(nil, ExtractOptions{}); len(got) != 1 || len(got[0].Missing) != 5 || !got[0].Empty() {
		t.Errorf("nil mail: %+v", got)
	}
}

func TestQuotedContractIgnored(t *testing.T) {
	body := "15ライセンスに減数します。\n\nOn Thu, Oct 1, 2026 at 10:00 AM nPress <esales@npress.jp> wrote:\n> NP-0009999 について\n"
	m := &Mail{Body: body}
	sp := splitBody(body, false)
	m.Text = sp.text
	r := Extract(m, ExtractOptions{})
	if len(r) != 1 || r[0].Contract != "" {
		t.Errorf("contract read from a quote: %+v", r)
	}
}

// TestFromToAndCancelPhrasings: the from-to and by-how-many forms of a reduction, the
// ways customers say they will not renew, the desk's own form filled in for a
// cancellation, and numbers no contract has (issue 15).
func TestFromToAndCancelPhrasings(t *testing.T) {
	tests := []struct {
		text                   string
		before, after, removed *int
		kind                   Kind
		missingSeats           bool
	}{
		{"40から35に", ip(40), ip(35), nil, KindReduction, false},
		{"40→35", ip(40), ip(35), nil, KindReduction, false},
		{"40本を35本へ", ip(40), ip(35), nil, KindReduction, false},
		{"5ライセンス減らして35", nil, ip(35), ip(5), KindReduction, false},
		{"次の更新から40から35に減らしたい", ip(40), ip(35), nil, KindReduction, false},
		{"更新は不要です", nil, nil, nil, KindCancellation, false},
		{"更新を希望しません", nil, nil, nil, KindCancellation, false},
		{"来期は継続しません", nil, nil, nil, KindCancellation, false},
		{"次年度は利用しない予定です", nil, nil, nil, KindCancellation, false},
		{"契約を終了したいと考えております", nil, nil, nil, KindCancellation, false},
		{"■数量：5\n■希望される内容：解約", nil, nil, ip(5), KindCancellation, false},
		{"数量：5\n希望される内容：減数", nil, ip(5), nil, KindReduction, false},
		{"数量: 15", nil, nil, nil, "", true},
		{"17 → 99999999999999999999 に減数", nil, nil, nil, KindReduction, true},
		{"数量：99999999999\n希望される内容：解約", nil, nil, nil, KindCancellation, true},
		{"1,000,000ライセンスに減らす", nil, nil, nil, KindReduction, true},
	}
	for _, tt := range tests {
		r := Extract(&Mail{Text: fold(tt.text)}, ExtractOptions{})[0]
		if !eqp(r.SeatsBefore, tt.before) || !eqp(r.SeatsAfter, tt.after) || !eqp(r.SeatsRemoved, tt.removed) || r.Kind != tt.kind ||
			slices.Contains(r.Missing, FieldSeats) != tt.missingSeats {
			t.Errorf("%q: before %s after %s removed %s kind %q missing %v; want %s %s %s %q seats missing %v", tt.text,
				fmtp(r.SeatsBefore), fmtp(r.SeatsAfter), fmtp(r.SeatsRemoved), r.Kind, r.Missing,
				fmtp(tt.before), fmtp(tt.after), fmtp(tt.removed), tt.kind, tt.missingSeats)
		}
	}
}

// TestContractorInProse: a name written in a sentence is read whole, to its natural
// end, not cut after its legal form (issue 15).
func TestContractorInProse(t *testing.T) {
	tests := []struct{ text, want string }{
		{"契約者は一般社団法人みなと観光協会です。", "一般社団法人みなと観光協会"},
		{"弊社（株式会社みらい企画）で利用しているライセンスです。", "株式会社みらい企画"},
		{"契約者名義は、公益財団法人さくら国際交流財団となっております。", "公益財団法人さくら国際交流財団"},
		{"株式会社サンプル商事 総務部の山田です。", "株式会社サンプル商事"},
		{"当社、東邦精機株式会社の契約について", "東邦精機株式会社"},
	}
	for _, tt := range tests {
		r := Extract(&Mail{Text: fold(tt.text)}, ExtractOptions{})[0]
		if r.Contractor != fold(tt.want) {
			t.Errorf("%q: contractor %q, want %q", tt.text, r.Contractor, tt.want)
		}
	}
}

// TestSeatPhrasings: more of the ways customers state the seats they want or give up.
func TestSeatPhrasings(t *testing.T) {
	tests := []struct {
		text           string
		after, removed *int
	}{
		{"ライセンス数を20から15へ変更", ip(15), nil},
		{"次回更新時の数量は15でお願いします", ip(15), nil},
		{"10ライセンス分を減らしたい", nil, ip(10)},
		{"15ライセンスのみ更新してください", ip(15), nil},
		{"15に減らしてください", ip(15), nil},
		{"マイナス5でお願いします", nil, ip(5)},
		{"ライセンスを15に減数", ip(15), nil},
		{"15本だけ残して解約", ip(15), nil},
		{"人数が減ったので15人分にしてください", ip(15), nil},
		{"15ライセンスとしてください", ip(15), nil},
		{"Please reduce the number of licenses to 15.", ip(15), nil},
		{"数量：15（5ライセンス減）\n希望される内容：減数", ip(15), ip(5)},
		{"残す数量：15\n内容：減数", ip(15), nil},
		{"新数量：12\n内容：減数", ip(12), nil},
		{"5つ減らしてください", nil, ip(5)},
		{"20本 から 15本 に減らす", ip(15), nil},
		{"現在の20本から5本減らす", nil, ip(5)},
		{"NP-0015500 Microsoft 365 E3：50→45", ip(45), nil},
		{"製品A:10→8 に減数", ip(8), nil},
		{"数量 20＞15", ip(15), nil},
		{"数量 20ー>15", ip(15), nil},
		{"Business Standard を 15 にしてください（減数）", ip(15), nil},
		{"15で継続、残りは減数", ip(15), nil},
		{"15残して減らします", ip(15), nil},
		{"20本から15本でお願いします", ip(15), nil},
		{"We only need 15 licenses from the next term; please reduce.", ip(15), nil},
		{"Please cut 5 licenses at renewal (reduce).", nil, ip(5)},
		{"ライセンス数：15本（現在20本）\n内容：減数", ip(15), nil},
	}
	for _, tt := range tests {
		r := Extract(&Mail{Text: fold(tt.text)}, ExtractOptions{})[0]
		if !eqp(r.SeatsAfter, tt.after) || !eqp(r.SeatsRemoved, tt.removed) || r.Kind != KindReduction {
			t.Errorf("%q: after %s removed %s kind %q; want %s %s reduction", tt.text, fmtp(r.SeatsAfter), fmtp(r.SeatsRemoved), r.Kind, fmtp(tt.after), fmtp(tt.removed))
		}
	}
}
