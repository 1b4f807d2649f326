package demo

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/store"
)

// demoBankCustomer is a customer the demo's bank files pay (issue 5, point 7): its
// contracts' seats (one renewal invoice each, ¥19,800 a seat with tax) and the payer
// name its bank prints.
type demoBankCustomer struct {
	no, name, kana string
	seats          []int
	payer          string
	suspended      bool
}

// demoBankCustomers are the bank cases, one customer each; the first invoices issued
// for them are numbered right after the demo's seeded renewals, in this order.
var demoBankCustomers = []demoBankCustomer{
	{"100902", "株式会社北星工業", "ホクセイコウギョウ", []int{4}, "ﾔﾏﾀﾞ ﾊﾅｺ", false},               // invoice number in EDI, payer unknown
	{"100914", "株式会社菜の花農園", "ナノハナノウエン", []int{2, 2}, "ﾅﾉﾊﾅﾉｳｴﾝ(ｶ", false},          // two equal transfers on one day
	{"100901", "株式会社青空商会", "アオゾラショウカイ", []int{3}, "ｱｵｿﾞﾗｼﾖｳｶｲ", false},             // exact amount, registered kana
	{"100903", "株式会社三葉物産", "ミツバブッサン", []int{1, 2, 6}, "ﾐﾂﾊﾞﾌﾞﾂｻﾝ(ｶ", false},        // one transfer = three invoices
	{"100904", "有限会社緑川設計", "ミドリカワセッケイ", []int{5}, "ﾐﾄﾞﾘｶﾜｾﾂｹｲ(ﾕ", false},           // total − 440
	{"100905", "株式会社白山精工", "ハクサンセイコウ", []int{7}, "ﾊｸｻﾝｾｲｺｳ(ｶ", false},              // short by the learned ¥1,320
	{"100906", "株式会社ミライ東京", "ミライトウキョウ", []int{8}, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", false},            // abbreviation in the middle
	{"100907", "株式会社大空ロジスティクス", "オオゾラロジスティクス", []int{9}, "ｵｵｿﾞﾗﾎｰﾙﾃﾞｲﾝｸﾞｽ", false}, // learned alias
	{"100908", "株式会社銀河電子", "ギンガデンシ", []int{10}, "ｷﾞﾝｶﾞﾃﾞﾝｼ(ｶ", false},              // half the amount
	{"100909", "株式会社若草製菓", "ワカクサセイカ", []int{11}, "ﾜｶｸｻｾｲｶ(ｶ", false},               // total + 1,000
	{"100910", "株式会社東雲商店", "シノノメショウテン", []int{12, 12}, "ｼﾉﾉﾒｼﾖｳﾃﾝ(ｶ", false},       // two equal invoices
	{"100911", "株式会社紅葉観光", "モミジカンコウ", []int{13}, "ﾓﾐｼﾞｶﾝｺｳ(ｶ", false},              // 01 取消
	{"100912", "株式会社桜川工務店", "サクラガワコウムテン", []int{14}, "ｻｸﾗｶﾞﾜｺｳﾑﾃﾝ(ｶ", false},       // 03 訂正
	{"100913", "株式会社黒潮水産", "クロシオスイサン", []int{15}, "ｸﾛｼｵｽｲｻﾝ(ｶ", true},              // after suspension
}

// Demo bank figures.
const (
	demoSeatPrice      = 18000
	demoSeatWithTax    = 19800
	demoBankLearnedFee = 1320
	demoBankListedFee  = 440
	demoUnknownAmount  = 12345
	demoUnknownPayer   = "ﾀﾅｶ ｲﾁﾛｳ"
)

// Demo bank accounts: the 01 file's, the 03 file's and the CSV's.
const (
	DemoAccount01  = "0005-001-1-1234567"
	DemoAccount03  = "0005-001-1-7654321"
	DemoAccountCSV = "1111111"
)

func demoBankCust(no string) demoBankCustomer {
	for _, c := range demoBankCustomers {
		if c.no == no {
			return c
		}
	}
	panic("demo bank customer " + no) // a typo in this file, not input
}

// demoBankInvoiceNumbers returns the invoice numbers SeedBank gives each bank
// customer: they follow the renewals Seed issues, in demoBankCustomers order.
func demoBankInvoiceNumbers(day calendar.Date) map[string][]string {
	seq := 0
	for _, c := range demoCases {
		if c.renewal != "" {
			seq++
		}
	}
	out := map[string][]string{}
	for _, c := range demoBankCustomers {
		for range c.seats {
			seq++
			out[c.no] = append(out[c.no], fmt.Sprintf("%04d-%06d", demoBankIssueDate(day).Year, seq))
		}
	}
	return out
}

// demoBankNextStart is the next term start of the bank customers' contracts: their
// renewal invoices are issued on the demo day and due in two weeks or so.
func demoBankNextStart(day calendar.Date) calendar.Date { return day.AddDays(20) }

func demoBankIssueDate(day calendar.Date) calendar.Date {
	return contract.RenewalIssueDate(demoBankNextStart(day))
}

// BankValueDate is the 勘定日 of the demo's transfers: the business day before day.
func BankValueDate(day calendar.Date) calendar.Date {
	return calendar.NewCalendar(calendar.Options{}).AddBusinessDays(day, -1)
}

// SeedBank adds what the demo's bank files need to the seeded demo (call it after
// Seed's renewals): the customers of demoBankCustomers with their contracts and
// renewal invoices, one contract already suspended with its renewal lapsed, an alias
// staff resolved last month and a fee staff once accepted. It is deterministic, and
// does nothing when the bank customers are there already.
func SeedBank(ctx context.Context, db *store.DB, day calendar.Date, now time.Time) error {
	cal := calendar.NewCalendar(calendar.Options{})
	want := demoBankInvoiceNumbers(day)
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.GetCustomer(ctx, tx, demoBankCustomers[0].no); err == nil {
			return nil // seeded already (Seed calls it, and so may a test)
		} else if !store.IsNoRows(err) {
			return err
		}
		contractNo := 9000
		for _, c := range demoBankCustomers {
			if err := store.PutCustomer(ctx, tx, store.Customer{No: c.no, Name: c.name, Kana: c.kana, PostalCode: "100-0005",
				Address: "東京都千代田区丸の内1丁目1番1号", Contact: "経理部", Email: "keiri-" + c.no + "@example.co.jp", Country: "JP"}, now); err != nil {
				return err
			}
			for i, seats := range c.seats {
				contractNo++
				ns := demoBankNextStart(day)
				if c.suspended {
					ns = day.AddDays(-20)
				}
				start := ns.AddMonths(-12)
				k := store.Contract{No: fmt.Sprintf("NP-%07d", contractNo), CustomerNo: c.no, PlanCode: "M365-BS", Seats: seats,
					UnitPrice: demoSeatPrice, TermStart: start, TermEnd: contract.TermEnd(start), Status: store.StatusActive, AutoRenew: true}
				if c.suspended {
					k.Status, k.StatusChangedOn = store.StatusSuspended, ns
				}
				if err := store.PutContract(ctx, tx, k, now); err != nil {
					return err
				}
				dates := contract.RenewalDates(cal, ns, contract.RenewalIssueDate(ns), 14)
				sub := int64(seats) * demoSeatPrice
				inv, err := store.IssueInvoice(ctx, tx, store.Invoice{NKey: "renewal:" + k.No + ":" + ns.String(), Kind: "renewal",
					CustomerNo: c.no, ContractNo: k.No, TermStart: ns, IssueDate: dates.IssueDate, DueDate: dates.DueDate,
					Subtotal: sub, Tax: sub / 10, Total: sub + sub/10, Seats: seats, UnitPrice: demoSeatPrice, ToName: c.name,
					ToPostalCode: "100-0005", ToAddress: "東京都千代田区丸の内1丁目1番1号", PostedAt: sql.NullTime{Time: now, Valid: true}},
					[]store.InvoiceLine{{Description: "Microsoft 365 Business Standard", PeriodStart: ns, PeriodEnd: contract.TermEnd(ns),
						Quantity: seats, UnitPrice: demoSeatPrice, Amount: sub, TaxRate: 10}}, now)
				if err != nil {
					return err
				}
				if !c.suspended && inv.Number != want[c.no][i] {
					return fmt.Errorf("demo bank: invoice of %s is %s, the demo bank files expect %s: call SeedBank right after Seed's renewals", k.No, inv.Number, want[c.no][i])
				}
				if c.suspended {
					if _, err := store.SetInvoiceStatus(ctx, tx, inv.Number, store.InvoiceOpen, store.InvoiceLapsed); err != nil {
						return err
					}
				}
			}
		}
		alias := demoBankCust("100907")
		if err := store.PutPayerAlias(ctx, tx, store.PayerAlias{Name: bankfeed.Normalize(alias.payer), CustomerNo: alias.no,
			LearnedBy: "suzuki", LearnedAt: now.AddDate(0, -1, 0)}); err != nil {
			return err
		}
		return store.PutLearnedFee(ctx, tx, "100905", demoBankLearnedFee, "suzuki", now.AddDate(0, -2, 0))
	})
}

// BankFiles returns the demo night's bank files by name: a 全銀協 01 file, an 03
// file and a CSV in the built-in "standard" profile (Shift_JIS), which together show
// every case of issue 5 point 7 against the invoices of SeedBank.
func BankFiles(day calendar.Date) map[string][]byte {
	vd := BankValueDate(day)
	nums := demoBankInvoiceNumbers(day)
	total := func(no string, i int) int64 { return int64(demoBankCust(no).seats[i]) * demoSeatWithTax }
	rec := func(ref, no string, amount int64) bankfeed.ZenginRecord {
		return bankfeed.ZenginRecord{RefNo: ref, ValueDate: vd, Amount: amount, Payer: demoBankCust(no).payer, FromBank: "ﾐｽﾞﾎ", FromBranch: "ﾎﾝﾃﾝ"}
	}
	group := func(number string) bankfeed.ZenginGroup {
		return bankfeed.ZenginGroup{Created: day, From: vd, To: vd, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", BranchCode: "001",
			BranchName: "ﾎﾝﾃﾝ", AccountType: "1", AccountNumber: number, AccountName: "ｴﾇﾌﾟﾚｽ(ｶ"}
	}
	g01 := group("1234567")
	edi := rec("000102", "100902", total("100902", 0))
	edi.EDI = nums["100902"][0]
	cancel := rec("000112", "100911", total("100911", 0))
	cancel.Cancelled = true
	g01.Records = []bankfeed.ZenginRecord{
		rec("000101", "100901", total("100901", 0)),
		edi,
		rec("000103", "100903", total("100903", 0)+total("100903", 1)+total("100903", 2)),
		rec("000104", "100904", total("100904", 0)-demoBankListedFee),
		rec("000105", "100905", total("100905", 0)-demoBankLearnedFee),
		rec("000106", "100906", total("100906", 0)),
		rec("000107", "100907", total("100907", 0)),
		rec("000108", "100908", total("100908", 0)/2),
		rec("000109", "100909", total("100909", 0)+1000),
		rec("000110", "100910", total("100910", 0)),
		rec("000111", "100911", total("100911", 0)),
		cancel,
	}
	g03 := group("7654321")
	corr := rec("00000202", "100912", total("100912", 0))
	corr.Debit, corr.TxnCode = true, "19"
	g03.Records = []bankfeed.ZenginRecord{
		rec("00000201", "100912", total("100912", 0)),
		corr,
		rec("00000203", "100913", total("100913", 0)),
		{RefNo: "00000204", ValueDate: vd, Amount: 550, Debit: true, TxnCode: "18", Summary: "ﾃｽｳﾘﾖｳ"},
	}
	out := map[string][]byte{}
	for name, f := range map[string]bankfeed.ZenginFile{
		"zengin01-" + day.String() + ".txt": {Kind: "01", Groups: []bankfeed.ZenginGroup{g01}},
		"zengin03-" + day.String() + ".txt": {Kind: "03", Groups: []bankfeed.ZenginGroup{g03}},
	} {
		var b bytes.Buffer
		if err := bankfeed.WriteZengin(&b, f); err != nil {
			panic(err) // the demo's own fixed data
		}
		out[name] = b.Bytes()
	}
	rows := [][]string{{"日付", "入金額", "出金額", "振込依頼人名", "照会番号", "EDI情報", "口座番号", "摘要"}}
	date := vd.String()
	c14 := demoBankCust("100914")
	for i := range c14.seats {
		rows = append(rows, []string{date, strconv.FormatInt(total("100914", i), 10), "", c14.payer, "", nums["100914"][i], DemoAccountCSV, "振込"})
	}
	rows = append(rows, []string{date, strconv.Itoa(demoUnknownAmount), "", demoUnknownPayer, "", "", DemoAccountCSV, "振込"})
	out["bank-"+day.String()+".csv"] = BankCSV(rows)
	return out
}

// BankCSV writes the demo's fixed rows as a bank's CSV export (see bankCSV); the
// demo's text is known to encode, so a failure is a bug in this file.
func BankCSV(rows [][]string) []byte {
	b, err := bankCSV(rows)
	if err != nil {
		panic(err) // the demo's own fixed text
	}
	return b
}

// bankCSV writes rows as a bank's CSV export: CRLF, Shift_JIS.
func bankCSV(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	sj, err := japanese.ShiftJIS.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("bank CSV: a character Shift_JIS cannot hold: %w", err)
	}
	return sj, nil
}
