package accounting

import (
	"strings"
	"testing"
)

// With revenue recognised monthly, an invoice books 前受金 and each month end of its
// service 前受金 / 売上高; a void takes back only what was recognised.
func TestMonthlyRevenue(t *testing.T) {
	renewal := inv("M", 132000, "2026-11-01", "2026-11-17")
	renewal.ServiceStart, renewal.ServiceMonths = d("2026-12-01"), 12
	renewal.VoidedOn = d("2027-02-10")
	catchUp := inv("X", 10000, "2026-11-20", "2026-12-04")
	catchUp.Rates = []Rate{{Rate: 10, Amount: 10000, Tax: 909}}
	catchUp.ServiceStart, catchUp.ServiceMonths = d("2026-09-15"), 3
	pending := inv("N", 11000, "2026-11-05", "2026-11-19")
	pending.Kind, pending.ServiceMonths = "new", 12
	perpetual := inv("P", 55000, "2026-11-05", "2026-11-19")
	o := testOptions
	o.Revenue, o.Today = RevenueMonthly, d("2027-03-31")
	bk, err := Build(Facts{Invoices: []Invoice{renewal, catchUp, pending, perpetual}}, o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range bk.Entries {
		if !e.Balanced() {
			t.Errorf("%s does not balance", e.ID)
		}
		got = append(got, show(t, bk, e))
	}
	want := []string{
		"2026-11-01 issue:M: 借 売掛金<M> 132000 貸 前受金 132000",
		"2026-11-05 issue:N: 借 売掛金<N> 11000 貸 前受金 11000",
		"2026-11-05 issue:P: 借 売掛金<P> 55000 貸 売上高 55000/5000",
		"2026-11-20 issue:X: 借 売掛金<X> 10000 貸 前受金 10000",
		// September, October and November of X all fall on the month of issue.
		"2026-11-30 recognition:X:2026-11: 借 前受金 10000 貸 売上高 10000/909",
		"2026-12-31 recognition:M:2026-12: 借 前受金 11000 貸 売上高 11000/1000",
		"2027-01-31 recognition:M:2027-01: 借 前受金 11000 貸 売上高 11000/1000",
		"2027-02-10 void:M: 借 売上高 22000/2000 借 前受金 110000 貸 売掛金<M> 132000",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The remainder falls on the later months: 10,000 over 3 is 3,333 + 3,333 + 3,334.
	even := inv("Y", 10000, "2026-11-01", "2026-11-15")
	even.ServiceStart, even.ServiceMonths = d("2026-11-01"), 3
	o.Today = d("2027-01-31") // January's month end is today: not yet
	bk, err = Build(Facts{Invoices: []Invoice{even}}, o)
	if err != nil {
		t.Fatal(err)
	}
	var amounts []string
	for _, e := range bk.Entries {
		if e.Kind == KindRecognition {
			amounts = append(amounts, e.Date.String()+"="+itoa(e.Lines[0].Amount)+"/"+itoa(e.Lines[1].Tax))
		}
	}
	if w := "2026-11-30=3333/303 2026-12-31=3333/303"; strings.Join(amounts, " ") != w {
		t.Errorf("recognised %v, want %s (none on or after today)", amounts, w)
	}
}

func TestAgingBuckets(t *testing.T) {
	asOf := d("2026-12-31")
	var invs []Invoice
	for i, days := range []int{-5, 0, 1, 30, 31, 60, 61, 90, 91, 400} {
		due := asOf.AddDays(-days)
		invs = append(invs, inv(string(rune('a'+i)), int64(1000*(i+1)), due.AddDays(-14).String(), due.String()))
	}
	later := inv("late", 99000, "2027-01-05", "2027-01-19") // issued after the day asked
	voided := inv("void", 77000, "2026-12-01", "2026-12-15")
	voided.VoidedOn = d("2026-12-31") // void on the day asked: no longer a receivable
	lapsed := inv("lapsed", 66000, "2026-12-01", "2026-12-15")
	lapsed.LapsedOn = d("2027-01-02") // lapsed after the day asked: still one then
	bk, err := Build(Facts{Invoices: append(invs, later, voided, lapsed)}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	rows := bk.Aging(asOf)
	want := AgingRow{Customer: "100001", Name: "株式会社青葉商事", NotDue: 1000 + 2000, D1to30: 3000 + 4000 + 66000,
		D31to60: 5000 + 6000, D61to90: 7000 + 8000, D91Plus: 9000 + 10000}
	want.Total = want.NotDue + want.D1to30 + want.D31to60 + want.D61to90 + want.D91Plus
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("aging:\n got %+v\nwant %+v", rows, want)
	}
	if got := bk.ReceivableBalance(asOf); got != want.Total {
		t.Errorf("journal 売掛金 %d, aging %d", got, want.Total)
	}
}

func TestBuildRefusesContradictions(t *testing.T) {
	bad := inv("B", 11000, "2026-11-01", "2026-11-15")
	bad.Rates = []Rate{{Rate: 10, Amount: 10000, Tax: 1000}}
	cases := []struct {
		name string
		f    Facts
		o    Options
		want string
	}{
		{"rates that do not add up", Facts{Invoices: []Invoice{bad}}, testOptions, "invoice B: its lines by tax rate add up to 10000"},
		{"payment of an unknown invoice", Facts{Transfers: []Transfer{txn(1, 100, "2026-11-01", "2026-11-02")},
			Payments: []Payment{pay(1, 1, "NOPE", 100, 0, "2026-11-02")}}, testOptions, "invoice NOPE does not exist"},
		{"payment of an unknown transfer", Facts{Invoices: []Invoice{inv("A", 100, "2026-11-01", "2026-11-15")},
			Payments: []Payment{pay(1, 9, "A", 100, 0, "2026-11-02")}}, testOptions, "its transfer 9 is not among the credits"},
		{"unknown revenue", Facts{}, Options{Revenue: "yearly"}, `revenue "yearly"`},
	}
	for _, c := range cases {
		_, err := Build(c.f, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	eight := inv("E", 10800, "2026-11-01", "2026-11-15")
	eight.Rates = []Rate{{Rate: 8, Amount: 10800, Tax: 800}}
	eight.Tax = 800
	bk, err := Build(Facts{Invoices: []Invoice{eight}}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := testChart.Rows(bk.Entries[0], bk.Names); err == nil || !strings.Contains(err.Error(), "8% tax") {
		t.Errorf("a line at 8%% with categories for 10%%: %v", err)
	}
}
