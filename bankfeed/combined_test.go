package bankfeed

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

// payerBooks returns one customer (アカネ, 100001) with the open amounts given, due one
// day apart in that order.
func payerBooks(amounts []int64) MatchInput {
	due := calendar.MustParse("2026-01-31")
	in := MatchInput{Payers: []Payer{{"100001", []string{"アカネ"}}}}
	for i, a := range amounts {
		in.Invoices = append(in.Invoices, OpenInvoice{Number: fmt.Sprintf("2026-%06d", i+1), CustomerNo: "100001", Open: a, Total: a, DueDate: due.AddDays(i)})
	}
	return in
}

// The combined payments of SPEC §6.9: searched among up to 200 open invoices (not only
// the oldest 20), one invoice that fits and a different combination that fits too are
// ambiguous, over 200 open invoices or past the step budget is an exception.
func TestMatchCombinedSearch(t *testing.T) {
	distinct := func(n int) []int64 { // every subset sum distinct up to 40 amounts
		out := make([]int64, n)
		for i := range out {
			out[i] = 1000 + int64(i)*7919 + int64(i*i)*104729
		}
		return out
	}
	thirty := distinct(30)
	twoHundredOne := make([]int64, 201)
	for i := range twoHundredOne {
		twoHundredOne[i] = 10000 + int64(i)
	}
	// 200 small even amounts and an odd transfer: no combination fits, and proving it
	// takes far more steps than the budget (subsets of about ten of 200).
	even := make([]int64, 200)
	for i := range even {
		even[i] = 2 * (500 + int64(i)*3)
	}
	tests := []struct {
		name    string
		amounts []int64
		pay     int64
		want    string // part of summary()
	}{
		{"the 25th and 28th of 30 open invoices", thirty, thirty[24] + thirty[27], "applied=[2026-000025:" + fmt.Sprint(thirty[24]) + " 2026-000028:" + fmt.Sprint(thirty[27]) + "] fee=0 refund=0 exc= review=false combined=true"},
		{"three of 30, the oldest among them", thirty, thirty[0] + thirty[13] + thirty[29], "combined=true"},
		{"one invoice fits", []int64{30000, 12000, 5000}, 30000, "applied=[2026-000001:30000] fee=0 refund=0 exc= "},
		{"one invoice and a combination both fit: ambiguous", []int64{30000, 18000, 12000}, 30000, "exc=ambiguous review=true combined=false sugg=[2026-000001 2026-000002+2026-000003]"},
		{"one invoice fits and a combination fits with the learned fee: the exact one wins", []int64{30000, 18000, 12440}, 30000, "applied=[2026-000001:30000]"},
		{"over 200 open invoices: an exception with suggestions", twoHundredOne, 20001, "exc=ambiguous"},
		{"the budget spent: an exception, not a guess", even, 20001, "exc=ambiguous"},
	}
	for _, tt := range tests {
		in := payerBooks(tt.amounts)
		in.Txns = []Txn{credit(1, tt.pay, "ｱｶﾈ", "")}
		start := time.Now()
		res := Match(in)
		took := time.Since(start)
		got := summary(res[0])
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s:\n got %s\nwant …%s…", tt.name, got, tt.want)
		}
		if strings.Contains(tt.want, "exc=ambiguous") && len(res[0].Suggestions) == 0 {
			t.Errorf("%s: an exception without suggestions", tt.name)
		}
		if took > slowdown*5*time.Second {
			t.Errorf("%s: took %s; the step budget should keep a transfer well under a second", tt.name, took)
		}
	}
	// The budget is counted in steps: the same books give the same answer every time.
	in := payerBooks(even)
	in.Txns = []Txn{credit(1, 20001, "ｱｶﾈ", "")}
	a, b := summary(Match(in)[0]), summary(Match(in)[0])
	if a != b || !strings.Contains(a, "exc=ambiguous") {
		t.Errorf("budget exhaustion is not deterministic: %s / %s", a, b)
	}
}

// A transfer quoting the number of a void invoice pays the invoice that replaced it
// (SPEC §4.7), also when the replacement was itself replaced.
func TestMatchVoidNumberPaysReplacement(t *testing.T) {
	in := MatchInput{
		Invoices: []OpenInvoice{{Number: "2026-000050", CustomerNo: "100001", Open: 198000, Total: 198000, DueDate: calendar.MustParse("2026-12-10")}},
		Payers:   []Payer{{"100001", []string{"アカネ"}}},
		Replaced: map[string]string{"2026-000011": "2026-000030", "2026-000030": "2026-000050"},
	}
	in.Txns = []Txn{credit(1, 198000, "ｼﾗﾅｲ", "2026-000011")}
	got := summary(Match(in)[0])
	if !strings.Contains(got, "rule=1 invoice-number cust=100001 applied=[2026-000050:198000]") {
		t.Errorf("got %s; want the replacement paid by rule 1", got)
	}
}
