package bankfeed

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

// book is the customers and open invoices of the matcher tests: one customer per case
// of the table in issue 5, point 7.
func book() MatchInput {
	due := calendar.MustParse("2026-11-30")
	inv := func(num, cust string, open int64, dueOffset int) OpenInvoice {
		return OpenInvoice{Number: num, CustomerNo: cust, Open: open, Total: open, DueDate: due.AddDays(dueOffset)}
	}
	return MatchInput{
		Invoices: []OpenInvoice{
			inv("2026-000101", "100001", 132000, 0), // ミライ東京
			inv("2026-000102", "100002", 55000, 0),  // サクラ電機
			inv("2026-000123", "100003", 77000, 0),  // アオイ商事, paid with the number in EDI
			inv("2026-000141", "100004", 11000, 0),  // ホシノ商事: three paid at once
			inv("2026-000142", "100004", 22000, 1),
			inv("2026-000143", "100004", 33000, 2),
			inv("2026-000144", "100004", 50000, 3),
			inv("2026-000151", "100005", 88000, 0),  // キタカゼ: pays less a ¥440 fee
			inv("2026-000161", "100006", 220000, 0), // ヒガシ建設: deducts its usual ¥1,320
			inv("2026-000171", "100007", 44000, 0),  // ツキノワ工務店: paid by its president
			inv("2026-000181", "100008", 100000, 0), // ニシ物産: pays half
			inv("2026-000191", "100009", 30000, 0),  // ミナミ運輸: pays ¥1,000 too much
			inv("2026-000201", "100010", 16500, 0),  // コスモ電子: two equal invoices
			inv("2026-000202", "100010", 16500, 1),
			inv("2026-000211", "100011", 12455, 0),  // an invoice ¥110 above the unknown transfer
			inv("2026-000221", "100013", 27500, 0),  // ミドリ工業: the bank misspells it
			inv("2026-000231", "100012", 19800, 0),  // スズキ: types its customer number
			inv("2026-000999", "100099", 500000, 0), // someone else
		},
		Payers: []Payer{
			{"100001", []string{"株式会社ミライ東京", "ミライトウキョウ"}},
			{"100002", []string{"サクラ電機株式会社", "サクラデンキ"}},
			{"100003", []string{"アオイ商事株式会社", "アオイショウジ"}},
			{"100004", []string{"有限会社ホシノ商事", "ホシノショウジ"}},
			{"100005", []string{"キタカゼ合同会社", "キタカゼ"}},
			{"100006", []string{"東建設株式会社", "ヒガシケンセツ"}},
			{"100007", []string{"ツキノワ工務店", "ツキノワコウムテン"}},
			{"100008", []string{"ニシ物産株式会社", "ニシブッサン"}},
			{"100009", []string{"南運輸株式会社", "ミナミウンユ"}},
			{"100010", []string{"コスモ電子株式会社", "コスモデンシ"}},
			{"100011", []string{"株式会社ワダ", "ワダ"}},
			{"100012", []string{"鈴木 一郎", "スズキ イチロウ"}},
			{"100013", []string{"ミドリ工業株式会社", "ミドリコウギョウ"}},
			{"100099", []string{"大口顧客株式会社", "オオグチコキャク"}},
		},
		Aliases:     []Alias{{Name: Normalize("ﾀｶﾊｼ ｹﾝｼﾞ"), CustomerNo: "100007"}},
		LearnedFees: map[string]int64{"100006": 1320},
	}
}

func credit(record int, amount int64, payer, edi string) Txn {
	return Txn{Account: mizuho, RefNo: fmt.Sprintf("%06d", record), ValueDate: calendar.MustParse("2026-11-24"), Amount: amount, Payer: payer, EDI: edi, Kind: Credit, Record: record}
}

// summary prints what a test asserts of a Result, in one line.
func summary(r Result) string {
	var applied []string
	for _, a := range r.Applied {
		applied = append(applied, fmt.Sprintf("%s:%d", a.Invoice, a.Amount))
	}
	var sugg []string
	for _, s := range r.Suggestions {
		sugg = append(sugg, strings.Join(s.Invoices, "+"))
	}
	return fmt.Sprintf("rule=%d %s cust=%s applied=[%s] fee=%d refund=%d exc=%s review=%v combined=%v sugg=[%s]",
		r.Rule, r.RuleName, r.CustomerNo, strings.Join(applied, " "), r.Fee, r.Refund, r.Exception, r.Review, r.Combined, strings.Join(sugg, " "))
}

// TestMatchIssueTable asserts every pure matching row of the table in issue 5, point 7.
func TestMatchIssueTable(t *testing.T) {
	cases := []struct {
		name string
		txn  Txn
		want string
	}{
		{"exact amount, payer = registered kana", credit(2, 55000, "ｻｸﾗﾃﾞﾝｷ(ｶ", ""),
			"rule=2 payer-name cust=100002 applied=[2026-000102:55000] fee=0 refund=0 exc= review=false combined=false sugg=[]"},
		{"invoice number in EDI, payer unknown", credit(3, 77000, "ﾔﾏﾀﾞ ﾀﾛｳ", "2026-000123"),
			"rule=1 invoice-number cust=100003 applied=[2026-000123:77000] fee=0 refund=0 exc= review=false combined=false sugg=[]"},
		{"one transfer = three open invoices", credit(4, 66000, "ﾎｼﾉｼﾖｳｼﾞ(ﾕ", ""),
			"rule=2 payer-name cust=100004 applied=[2026-000141:11000 2026-000142:22000 2026-000143:33000] fee=0 refund=0 exc= review=false combined=true sugg=[]"},
		{"total − 440 from a known payer", credit(5, 87560, "ｷﾀｶｾﾞ(ﾄﾞ", ""),
			"rule=3 listed-fee cust=100005 applied=[2026-000151:88000] fee=440 refund=0 exc= review=false combined=false sugg=[]"},
		{"short by the learned ¥1,320", credit(6, 218680, "ﾋｶﾞｼｹﾝｾﾂ(ｶ", ""),
			"rule=3 learned-fee cust=100006 applied=[2026-000161:220000] fee=1320 refund=0 exc= review=false combined=false sugg=[]"},
		{"ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ vs 株式会社ミライ東京", credit(7, 132000, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", ""),
			"rule=2 payer-name cust=100001 applied=[2026-000101:132000] fee=0 refund=0 exc= review=false combined=false sugg=[]"},
		{"alias resolved by staff last month", credit(8, 44000, "ﾀｶﾊｼ ｹﾝｼﾞ", ""),
			"rule=2 alias cust=100007 applied=[2026-000171:44000] fee=0 refund=0 exc= review=false combined=false sugg=[]"},
		{"half the amount", credit(9, 50000, "ﾆｼﾌﾞﾂｻﾝ(ｶ", ""),
			"rule=2 payer-name cust=100008 applied=[2026-000181:50000] fee=0 refund=0 exc=partial review=true combined=false sugg=[2026-000181]"},
		{"total + 1,000", credit(10, 31000, "ﾐﾅﾐｳﾝﾕ(ｶ", ""),
			"rule=2 payer-name cust=100009 applied=[2026-000191:30000] fee=0 refund=1000 exc=overpayment review=true combined=false sugg=[]"},
		{"two invoices of equal amount", credit(11, 16500, "ｺｽﾓﾃﾞﾝｼ(ｶ", ""),
			"rule=2 payer-name cust=100010 applied=[] fee=0 refund=0 exc=ambiguous review=true combined=false sugg=[2026-000201 2026-000202]"},
		{"payer and amount unknown", credit(12, 12345, "ﾜｶﾗﾅｲ ｼﾖｳｶｲ", ""),
			"rule=0  cust= applied=[] fee=0 refund=0 exc=unknown review=true combined=false sugg=[2026-000211]"},
		{"misspelt name, exact amount (rule 4)", credit(13, 27500, "ﾐﾄﾞﾘｺｳｷﾞﾖ(ｶ", ""),
			"rule=4 similarity cust=100013 applied=[2026-000221:27500] fee=0 refund=0 exc= review=true combined=false sugg=[]"},
		{"customer number before the name", credit(14, 19800, "100012 ｽｽﾞｷ", ""),
			"rule=1 customer-number cust=100012 applied=[2026-000231:19800] fee=0 refund=0 exc= review=false combined=false sugg=[]"},
	}
	// Each case alone against the full book.
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := book()
			in.Txns = []Txn{tc.txn}
			res := Match(in)
			if len(res) != 1 {
				t.Fatalf("%d results", len(res))
			}
			if got := summary(res[0]); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	// All together in one batch, in reverse order: the same outcomes.
	in := book()
	for i := len(cases) - 1; i >= 0; i-- {
		in.Txns = append(in.Txns, cases[i].txn)
	}
	res := Match(in)
	if len(res) != len(cases) {
		t.Fatalf("%d results for %d transfers", len(res), len(cases))
	}
	for _, r := range res {
		tc := cases[len(cases)-1-r.Index]
		if got := summary(r); got != tc.want {
			t.Errorf("in one batch, %s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	if res[0].Txn.EDI != "2026-000123" {
		t.Errorf("the transfer naming an invoice should be matched first, got %+v first", res[0].Txn)
	}
}

func TestMatchDetails(t *testing.T) {
	due := calendar.MustParse("2026-11-30")
	for _, tc := range []struct {
		name     string
		invoices []OpenInvoice
		payers   []Payer
		txns     []Txn
		fees     []int64
		want     []string
	}{
		{
			name:     "an invoice settled by one transfer is not open for the next",
			invoices: []OpenInvoice{{Number: "2026-000001", CustomerNo: "100001", Open: 10000, DueDate: due}},
			payers:   []Payer{{"100001", []string{"アカネ"}}},
			txns:     []Txn{credit(2, 10000, "ｱｶﾈ", ""), credit(3, 10000, "ｱｶﾈ", "")},
			want: []string{
				"rule=2 payer-name cust=100001 applied=[2026-000001:10000] fee=0 refund=0 exc= review=false combined=false sugg=[]",
				"rule=2 payer-name cust=100001 applied=[] fee=0 refund=10000 exc=overpayment review=true combined=false sugg=[]",
			},
		},
		{
			name: "two different subsets fit: ambiguous",
			invoices: []OpenInvoice{
				{Number: "2026-000001", CustomerNo: "100001", Open: 10000, DueDate: due},
				{Number: "2026-000002", CustomerNo: "100001", Open: 20000, DueDate: due},
				{Number: "2026-000003", CustomerNo: "100001", Open: 30000, DueDate: due},
				{Number: "2026-000004", CustomerNo: "100001", Open: 40000, DueDate: due},
			},
			payers: []Payer{{"100001", []string{"アカネ"}}},
			txns:   []Txn{credit(2, 50000, "ｱｶﾈ", "")},
			want:   []string{"rule=2 payer-name cust=100001 applied=[] fee=0 refund=0 exc=ambiguous review=true combined=false sugg=[2026-000001+2026-000004 2026-000002+2026-000003]"},
		},
		{
			name: "a partial payment books the oldest invoice it does not cover",
			invoices: []OpenInvoice{
				{Number: "2026-000002", CustomerNo: "100001", Open: 20000, DueDate: due.AddDays(1)},
				{Number: "2026-000001", CustomerNo: "100001", Open: 30000, DueDate: due},
			},
			payers: []Payer{{"100001", []string{"アカネ"}}},
			txns:   []Txn{credit(2, 5000, "ｱｶﾈ", ""), credit(3, 25000, "ｱｶﾈ", "")},
			want: []string{
				"rule=2 payer-name cust=100001 applied=[2026-000001:5000] fee=0 refund=0 exc=partial review=true combined=false sugg=[2026-000001 2026-000002]",
				// 30,000 − 5,000 = 25,000 is now open: an exact match
				"rule=2 payer-name cust=100001 applied=[2026-000001:25000] fee=0 refund=0 exc= review=false combined=false sugg=[]",
			},
		},
		{
			name: "invoice number without hyphen, full width, in the payer field",
			invoices: []OpenInvoice{
				{Number: "2026-000777", CustomerNo: "100001", Open: 10000, DueDate: due},
				{Number: "2026-000778", CustomerNo: "100001", Open: 10000, DueDate: due},
			},
			txns: []Txn{credit(2, 10000, "ﾀﾅｶ 2026000777", ""), credit(3, 10000, "ﾀﾅｶ", "２０２６－０００７７８"), credit(4, 10000, "ﾀﾅｶ", "2026/000777")},
			want: []string{
				"rule=1 invoice-number cust=100001 applied=[2026-000777:10000] fee=0 refund=0 exc= review=false combined=false sugg=[]",
				"rule=1 invoice-number cust=100001 applied=[2026-000778:10000] fee=0 refund=0 exc= review=false combined=false sugg=[]",
				// 777 is paid now: the third is not identified, and nothing else has this amount
				"rule=0  cust= applied=[] fee=0 refund=0 exc=unknown review=true combined=false sugg=[]",
			},
		},
		{
			name:     "invoice number with a fee deducted",
			invoices: []OpenInvoice{{Number: "2026-000777", CustomerNo: "100001", Open: 10000, DueDate: due}},
			txns:     []Txn{credit(2, 9780, "ﾀﾅｶ", "2026-000777")},
			want:     []string{"rule=1 invoice-number cust=100001 applied=[2026-000777:10000] fee=220 refund=0 exc= review=false combined=false sugg=[]"},
		},
		{
			name: "invoice number named, amount fits another invoice of the customer: review",
			invoices: []OpenInvoice{
				{Number: "2026-000777", CustomerNo: "100001", Open: 10000, DueDate: due},
				{Number: "2026-000888", CustomerNo: "100001", Open: 25000, DueDate: due},
			},
			txns: []Txn{credit(2, 25000, "ﾀﾅｶ", "2026-000777")},
			want: []string{"rule=1 invoice-number cust=100001 applied=[2026-000888:25000] fee=0 refund=0 exc= review=true combined=false sugg=[]"},
		},
		{
			name:     "cancellations, reversals and debits are not payments",
			invoices: []OpenInvoice{{Number: "2026-000001", CustomerNo: "100001", Open: 10000, DueDate: due}},
			payers:   []Payer{{"100001", []string{"アカネ"}}},
			txns: []Txn{
				{Amount: 10000, Payer: "ｱｶﾈ", Kind: Credit, Cancelled: true},
				{Amount: 10000, Payer: "ｱｶﾈ", Kind: Debit, Reversal: true},
				{Amount: 10000, Payer: "ｱｶﾈ", Kind: Debit},
			},
			want: nil,
		},
		{
			name: "one payer name, two customers: the one whose invoice fits",
			invoices: []OpenInvoice{
				{Number: "2026-000001", CustomerNo: "100001", Open: 10000, DueDate: due},
				{Number: "2026-000002", CustomerNo: "100002", Open: 20000, DueDate: due},
			},
			payers: []Payer{{"100001", []string{"ヤマダタロウ"}}, {"100002", []string{"山田太郎", "ヤマダ タロウ"}}},
			txns:   []Txn{credit(2, 20000, "ﾔﾏﾀﾞ ﾀﾛｳ", "")},
			want:   []string{"rule=2 payer-name cust=100002 applied=[2026-000002:20000] fee=0 refund=0 exc= review=false combined=false sugg=[]"},
		},
		{
			name:     "a configured fee list replaces the default",
			invoices: []OpenInvoice{{Number: "2026-000001", CustomerNo: "100001", Open: 10000, DueDate: due}},
			payers:   []Payer{{"100001", []string{"アカネ"}}},
			fees:     []int64{300},
			txns:     []Txn{credit(2, 9700, "ｱｶﾈ", ""), credit(3, 9560, "ｱｶﾈ", "")},
			want: []string{
				"rule=3 listed-fee cust=100001 applied=[2026-000001:10000] fee=300 refund=0 exc= review=false combined=false sugg=[]",
				"rule=2 payer-name cust=100001 applied=[] fee=0 refund=9560 exc=overpayment review=true combined=false sugg=[]",
			},
		},
		{
			name: "more than one invoice but less than all: the largest, surplus to refund",
			invoices: []OpenInvoice{
				{Number: "2026-000001", CustomerNo: "100001", Open: 10000, DueDate: due},
				{Number: "2026-000002", CustomerNo: "100001", Open: 20000, DueDate: due},
			},
			payers: []Payer{{"100001", []string{"アカネ"}}},
			txns:   []Txn{credit(2, 25000, "ｱｶﾈ", "")},
			want:   []string{"rule=2 payer-name cust=100001 applied=[2026-000002:20000] fee=0 refund=5000 exc=overpayment review=true combined=false sugg=[2026-000002 2026-000001]"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Match(MatchInput{Txns: tc.txns, Invoices: tc.invoices, Payers: tc.payers, FeeList: tc.fees})
			var got []string
			for _, r := range res {
				got = append(got, summary(r))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
			}
		})
	}
}

// TestMatchCombinedAmongTwenty: the subset is searched among the 20 oldest invoices,
// found by meet-in-the-middle (this would be 2^20 tries by enumeration).
func TestMatchCombinedAmongTwenty(t *testing.T) {
	due := calendar.MustParse("2026-01-31")
	var in MatchInput
	in.Payers = []Payer{{"100001", []string{"アカネ"}}}
	var want int64
	for i := range 25 {
		// powers-of-two-ish amounts make every subset sum distinct
		amt := int64(1000 * (1 << (i % 20)))
		if i >= 20 {
			amt = int64(1000*(1<<19)) + int64(i)
		}
		in.Invoices = append(in.Invoices, OpenInvoice{Number: fmt.Sprintf("2026-%06d", i+1), CustomerNo: "100001", Open: amt, DueDate: due.AddDays(i)})
		if i == 1 || i == 7 || i == 19 {
			want += amt
		}
	}
	in.Txns = []Txn{credit(2, want, "ｱｶﾈ", "")}
	res := Match(in)
	got := summary(res[0])
	if !strings.Contains(got, "applied=[2026-000002:2000 2026-000008:128000 2026-000020:524288000]") || !res[0].Combined {
		t.Errorf("got %s", got)
	}
}

func TestMatchDeterministic(t *testing.T) {
	in := matchFixture(2000)
	a, b := Match(in), Match(in)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of Match on the same input differ")
	}
	// Every transfer gets a result, every applied amount is positive and no invoice is
	// booked beyond its open amount.
	open := map[string]int64{}
	for _, inv := range in.Invoices {
		open[inv.Number] = inv.Open
	}
	counts := map[string]int{}
	for _, r := range a {
		counts[fmt.Sprintf("%d/%s", r.Rule, r.Exception)]++
		var sum int64
		for _, ap := range r.Applied {
			if ap.Amount <= 0 {
				t.Fatalf("non-positive amount in %+v", r)
			}
			open[ap.Invoice] -= ap.Amount
			if open[ap.Invoice] < 0 {
				t.Fatalf("invoice %s booked beyond its amount", ap.Invoice)
			}
			sum += ap.Amount
		}
		if len(r.Applied) > 0 && sum != r.Txn.Amount+r.Fee-r.Refund {
			t.Fatalf("applied %d ≠ amount %d + fee %d − refund %d: %s", sum, r.Txn.Amount, r.Fee, r.Refund, summary(r))
		}
	}
	if len(a) != len(in.Txns) {
		t.Fatalf("%d results for %d transfers", len(a), len(in.Txns))
	}
	t.Logf("outcomes (rule/exception): %v", counts)
}

func TestRuleNameJapanese(t *testing.T) {
	for in, want := range map[string]string{"invoice-number": "請求書番号", "alias": "学習済みの振込人名", "listed-fee": "振込手数料（一覧）", "": "担当者の判断", "other": "other"} {
		if got := RuleNameJapanese(in); got != want {
			t.Errorf("RuleNameJapanese(%q) = %q, want %q", in, got, want)
		}
	}
}
