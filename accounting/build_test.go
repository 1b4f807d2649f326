package accounting

import (
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

var d = calendar.MustParse

// testChart names the accounts as the defaults do, one 売掛金 line per invoice.
var testChart = Chart{
	Names: map[Account]string{Receivable: "売掛金", Sales: "売上高", Deferred: "前受金", Bank: "普通預金", Suspense: "仮受金",
		Deposits: "預り金", Fee: "売上値引"},
	SalesTax: "課税売上込10%", FeeTax: "課税売上返還込10%", NoTax: "対象外", TaxRate: 10, CustomerSub: "name",
	BankSubs: map[string]string{"1234567": "本店普通"},
}

var testOptions = Options{TaxRate: 10, Today: d("2027-12-31"),
	HoldAccounts: map[string]Account{"overpayment": Deposits, "voided_paid": Deposits, "lapsed_paid": Deposits}}

// show writes an entry as one line: date, ID, then its netted lines as the formats
// write them ("借 普通預金[本店普通] 10560", "貸 売掛金<A> 11000", tax after a slash).
func show(t *testing.T, bk *Book, e Entry) string {
	t.Helper()
	dr, cr, err := testChart.Rows(e, bk.Names)
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{e.Date.String() + " " + e.ID + ":"}
	for _, side := range []struct {
		s    string
		rows []Row
	}{{"借", dr}, {"貸", cr}} {
		for _, r := range side.rows {
			p := side.s + " " + r.Account
			if r.Invoice != "" {
				p += "<" + r.Invoice + ">"
			} else if r.Sub != "" {
				p += "[" + r.Sub + "]"
			}
			p += " " + itoa(r.Amount)
			if r.Taxed {
				p += "/" + itoa(r.Tax)
			}
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

func itoa(v int64) string { return num(v).v }

func inv(no string, total int64, issued, due string) Invoice {
	return Invoice{Number: no, Kind: "renewal", CustomerNo: "100001", CustomerName: "株式会社青葉商事", IssueDate: d(issued),
		DueDate: d(due), Total: total, Tax: total / 11}
}

func txn(id int64, amount int64, value, run string) Transfer {
	return Transfer{ID: id, Account: "1234567", Payer: "ｱｵﾊﾞｼﾖｳｼﾞ(ｶ", ValueDate: d(value), RunDate: d(run), Amount: amount}
}

func pay(id, txnID int64, invoice string, amount, fee int64, run string) Payment {
	return Payment{ID: id, TxnID: txnID, Invoice: invoice, Amount: amount, Fee: fee, RunDate: d(run),
		Created: time.Date(2026, 1, 1, 0, 0, int(id), 0, time.UTC)}
}

// sampleFacts holds one business event of each kind for customer 100001.
func sampleFacts() Facts {
	void := inv("V", 11000, "2026-11-01", "2026-11-15")
	void.VoidedOn = d("2026-11-16")
	repl := inv("R", 8800, "2026-11-16", "2026-11-30")
	repl.Replaces = "V"
	lapsed := inv("L", 11000, "2026-10-01", "2026-10-15")
	lapsed.LapsedOn = d("2026-11-02")
	early := inv("E", 11000, "2026-11-07", "2026-11-21")
	moved := pay(71, 7, "V", 11000, 0, "2026-11-05")
	moved.MovedTo, moved.MovedOn = "R", d("2026-11-16")
	movedIn := pay(72, 7, "R", 8800, 0, "2026-11-16")
	lapsedPay := pay(81, 8, "L", 5000, 0, "2026-10-20")
	lapsedPay.MovedTo, lapsedPay.MovedOn = "exception:moved:L:8", d("2026-11-02")
	unbooked := pay(61, 6, "A", 11000, 0, "2026-11-11")
	unbooked.UnbookedOn = d("2026-11-14")
	staff := pay(62, 6, "B", 11000, 0, "2026-11-14")
	staff.Staff = true
	resolved := pay(51, 5, "C", 11000, 0, "2026-11-13")
	resolved.Staff = true
	reversed := pay(91, 9, "D", 11000, 0, "2026-11-11")
	reversed.Reversed = true
	t9 := txn(9, 11000, "2026-11-10", "2026-11-11")
	t9.ReversedOn = d("2026-11-20")
	f := Facts{
		Invoices: []Invoice{inv("A", 11000, "2026-11-01", "2026-11-15"), inv("B", 11000, "2026-11-01", "2026-11-15"),
			inv("C", 11000, "2026-11-01", "2026-11-15"), inv("D", 11000, "2026-11-01", "2026-11-15"), void, repl, lapsed, early,
			inv("F", 11000, "2026-11-01", "2026-11-15"), inv("G", 22000, "2026-11-01", "2026-11-15"), inv("O", 11000, "2026-11-01", "2026-11-15")},
		Transfers: []Transfer{txn(1, 10560, "2026-11-10", "2026-11-11"), txn(3, 33000, "2026-11-10", "2026-11-11"),
			txn(4, 12000, "2026-11-10", "2026-11-11"), txn(5, 11000, "2026-11-10", "2026-11-11"), txn(6, 11000, "2026-11-10", "2026-11-11"),
			txn(7, 11000, "2026-11-04", "2026-11-05"), txn(8, 5000, "2026-10-19", "2026-10-20"), t9, txn(10, 11000, "2026-11-05", "2026-11-06")},
		Payments: []Payment{pay(11, 1, "A", 11000, 440, "2026-11-11"), pay(31, 3, "F", 11000, 0, "2026-11-11"), pay(32, 3, "G", 22000, 0, "2026-11-11"),
			pay(41, 4, "O", 11000, 0, "2026-11-11"), resolved, unbooked, staff, moved, movedIn, lapsedPay, reversed,
			pay(101, 10, "E", 11000, 0, "2026-11-06")},
		Holds: []Hold{
			{Key: "overpayment:4", Kind: "overpayment", TxnID: 4, Held: 1000, OpenedOn: d("2026-11-11"), Refund: 1000, RefundedOn: d("2026-11-20")},
			{Key: "unknown:5", Kind: "unknown", TxnID: 5, Held: 11000, OpenedOn: d("2026-11-11"), Release: ReleaseResolved, ReleasedOn: d("2026-11-13")},
			{Key: "moved:V:7", Kind: "voided_paid", TxnID: 7, Held: 2200, MovedFrom: "V", OpenedOn: d("2026-11-16")},
			{Key: "moved:L:8", Kind: "lapsed_paid", TxnID: 8, Held: 5000, MovedFrom: "L", OpenedOn: d("2026-11-02")},
		},
	}
	f.Invoices[0].Rates = []Rate{{Rate: 10, Amount: 11000, Tax: 1000}}
	return f
}

// TestEntryKinds books one business event of each kind and compares the entries with
// what an accountant would write by hand.
func TestEntryKinds(t *testing.T) {
	bk, err := Build(sampleFacts(), testOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"issue:A":                   "2026-11-01 issue:A: 借 売掛金<A> 11000 貸 売上高 11000/1000",
		"credit:1":                  "2026-11-10 credit:1: 借 普通預金[本店普通] 10560 借 売上値引 440/40 貸 売掛金<A> 11000",
		"credit:3":                  "2026-11-10 credit:3: 借 普通預金[本店普通] 33000 貸 売掛金<F> 11000 貸 売掛金<G> 22000",
		"credit:4":                  "2026-11-10 credit:4: 借 普通預金[本店普通] 12000 貸 売掛金<O> 11000 貸 預り金 1000",
		"refund:overpayment:4":      "2026-11-20 refund:overpayment:4: 借 預り金 1000 貸 普通預金[本店普通] 1000",
		"credit:5":                  "2026-11-10 credit:5: 借 普通預金[本店普通] 11000 貸 仮受金 11000",
		"resolve:5:2026-11-13":      "2026-11-13 resolve:5:2026-11-13: 借 仮受金 11000 貸 売掛金<C> 11000",
		"credit:6":                  "2026-11-10 credit:6: 借 普通預金[本店普通] 11000 貸 売掛金<A> 11000",
		"resolve:6:2026-11-14":      "2026-11-14 resolve:6:2026-11-14: 借 売掛金<A> 11000 貸 売掛金<B> 11000",
		"void:V":                    "2026-11-16 void:V: 借 売上高 11000/1000 貸 売掛金<V> 11000",
		"issue:R":                   "2026-11-16 issue:R: 借 売掛金<R> 8800 貸 売上高 8800/800",
		"move:7:V":                  "2026-11-16 move:7:V: 借 売掛金<V> 11000 貸 売掛金<R> 8800 貸 預り金 2200",
		"lapse:L":                   "2026-11-02 lapse:L: 借 売上高 11000/1000 貸 売掛金<L> 11000",
		"move:8:L":                  "2026-11-02 move:8:L: 借 売掛金<L> 5000 貸 預り金 5000",
		"credit:9":                  "2026-11-10 credit:9: 借 普通預金[本店普通] 11000 貸 売掛金<D> 11000",
		"reversal:9":                "2026-11-20 reversal:9: 借 売掛金<D> 11000 貸 普通預金[本店普通] 11000",
		"credit:10":                 "2026-11-05 credit:10: 借 普通預金[本店普通] 11000 貸 仮受金 11000",
		"application:10:2026-11-07": "2026-11-07 application:10:2026-11-07: 借 仮受金 11000 貸 売掛金<E> 11000",
	}
	got := map[string]string{}
	for _, e := range bk.Entries {
		if !e.Balanced() {
			t.Errorf("%s does not balance: %+v", e.ID, e.Lines)
		}
		got[e.ID] = show(t, bk, e)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s:\n got %s\nwant %s", id, got[id], w)
		}
	}
	if _, ok := got["resolve:6:2026-11-14"]; !ok {
		t.Error("the re-resolve on 11-14 has no entry")
	}
	// The aging and the journal agree at every day of the walk, and the monthly balance
	// closes on the journal's balance.
	for day := d("2026-10-01"); !day.After(d("2026-12-01")); day = day.AddDays(1) {
		aging := AgingTotal(bk.Aging(day)).Total
		if j := bk.ReceivableBalance(day); j != aging {
			t.Errorf("%s: journal 売掛金 %d, aging %d", day, j, aging)
		}
	}
	bal := BalanceTotal(bk.Receivables(d("2026-11-01"), d("2026-11-30")))
	if bal.Closing != bk.ReceivableBalance(d("2026-11-30")) || bal.Opening != bk.ReceivableBalance(d("2026-10-31")) {
		t.Errorf("balance %+v, journal %d → %d", bal, bk.ReceivableBalance(d("2026-10-31")), bk.ReceivableBalance(d("2026-11-30")))
	}
	if bal.Opening+bal.Invoiced-bal.Collected-bal.Fees+bal.Other != bal.Closing {
		t.Errorf("balance does not add up: %+v", bal)
	}
	// By hand: L owed 6,000 at the end of October; November invoiced 118,800 (A–G, O, R,
	// V), collected 109,560 in cash and 440 in fees; voids, lapses, moves and the reversal
	// of D come to −3,800; D's 11,000 is left, 15 days past due.
	wantBal := BalanceRow{Opening: 6000, Invoiced: 118800, Collected: 109560, Fees: 440, Other: -3800, Closing: 11000}
	if bal != wantBal {
		t.Errorf("November:\n got %+v\nwant %+v", bal, wantBal)
	}
	wantAging := []AgingRow{{Customer: "100001", Name: "株式会社青葉商事", D1to30: 11000, Total: 11000}}
	if a := bk.Aging(d("2026-11-30")); len(a) != 1 || a[0] != wantAging[0] {
		t.Errorf("aging on 11-30: %+v, want %+v", a, wantAging)
	}
	if a := bk.Aging(d("2026-10-31")); len(a) != 1 || a[0].D1to30 != 6000 || a[0].Total != 6000 {
		t.Errorf("aging on 10-31: %+v, want L's 6,000 16 days past due", a)
	}
}
