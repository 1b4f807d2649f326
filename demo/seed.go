package demo

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/masterimport"
	"github.com/npress/nightly/store"
)

// Date is the run date of `nightly demo`: fixed, so that the demo shows the same
// night on every machine.
var Date = calendar.MustParse("2026-11-24")

// demo company names: word + business, with their readings (フリガナ).
var demoWords = [][2]string{
	{"青葉", "アオバ"}, {"朝日", "アサヒ"}, {"東都", "トウト"}, {"北斗", "ホクト"}, {"大和", "ヤマト"}, {"富士", "フジ"},
	{"瑞穂", "ミズホ"}, {"中央", "チュウオウ"}, {"日進", "ニッシン"}, {"三光", "サンコウ"}, {"丸菱", "マルビシ"},
	{"新光", "シンコウ"}, {"昭栄", "ショウエイ"}, {"東洋", "トウヨウ"}, {"協和", "キョウワ"}, {"明星", "ミョウジョウ"},
	{"高砂", "タカサゴ"}, {"若葉", "ワカバ"}, {"白鷺", "シラサギ"}, {"千代田", "チヨダ"}, {"浪速", "ナニワ"},
	{"北陸", "ホクリク"}, {"九州", "キュウシュウ"}, {"湘南", "ショウナン"}, {"ミライ", "ミライ"}, {"さくら", "サクラ"},
	{"光洋", "コウヨウ"}, {"常盤", "トキワ"}, {"大成", "タイセイ"}, {"栄光", "エイコウ"},
}

var demoTrades = [][2]string{
	{"商事", "ショウジ"}, {"工業", "コウギョウ"}, {"製作所", "セイサクショ"}, {"物産", "ブッサン"}, {"システムズ", "システムズ"},
	{"技研", "ギケン"}, {"運輸", "ウンユ"}, {"建設", "ケンセツ"}, {"電機", "デンキ"}, {"食品", "ショクヒン"},
	{"印刷", "インサツ"}, {"設計", "セッケイ"}, {"不動産", "フドウサン"}, {"化学", "カガク"}, {"精機", "セイキ"},
	{"産業", "サンギョウ"}, {"ソリューションズ", "ソリューションズ"}, {"メディカル", "メディカル"}, {"開発", "カイハツ"}, {"興業", "コウギョウ"},
}

// demoPlaces are real postal codes with their addresses.
var demoPlaces = [][2]string{
	{"100-0005", "東京都千代田区丸の内"}, {"530-0001", "大阪府大阪市北区梅田"}, {"460-0008", "愛知県名古屋市中区栄"},
	{"812-0011", "福岡県福岡市博多区博多駅前"}, {"060-0001", "北海道札幌市中央区北一条西"}, {"980-0021", "宮城県仙台市青葉区中央"},
	{"220-0011", "神奈川県横浜市西区高島"}, {"650-0021", "兵庫県神戸市中央区三宮町"}, {"600-8216", "京都府京都市下京区東塩小路町"},
	{"730-0011", "広島県広島市中区基町"}, {"150-0002", "東京都渋谷区渋谷"}, {"160-0023", "東京都新宿区西新宿"},
	{"105-0011", "東京都港区芝公園"}, {"330-0854", "埼玉県さいたま市大宮区桜木町"}, {"260-0015", "千葉県千葉市中央区富士見"},
	{"420-0857", "静岡県静岡市葵区御幸町"}, {"950-0087", "新潟県新潟市中央区東大通"}, {"760-0019", "香川県高松市サンポート"},
	{"900-0015", "沖縄県那覇市久茂地"}, {"860-0806", "熊本県熊本市中央区花畑町"},
}

var demoPeople = []string{"佐藤 健一", "鈴木 美咲", "高橋 大輔", "田中 陽子", "伊藤 翔太", "渡辺 由美", "山本 拓也", "中村 恵",
	"小林 誠", "加藤 真理子", "吉田 直樹", "山田 花子"}

// demoPlans is the demo price list: Business Standard's price changed on 2026-04-01.
var demoPlans = []struct {
	code, name, kind string
	prices           []store.PlanPrice
}{
	{"M365-BB", "Microsoft 365 Business Basic", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2024-01-01"), UnitPrice: 9000}}},
	{"M365-BS", "Microsoft 365 Business Standard", "subscription", []store.PlanPrice{
		{ValidFrom: calendar.MustParse("2024-01-01"), ValidTo: calendar.MustParse("2026-03-31"), UnitPrice: 16800},
		{ValidFrom: calendar.MustParse("2026-04-01"), UnitPrice: 18000}}},
	{"M365-BP", "Microsoft 365 Business Premium", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2024-01-01"), UnitPrice: 33000}}},
	{"O365-E3", "Office 365 E3", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2024-01-01"), UnitPrice: 34800}}},
	{"LTSC-STD", "Office LTSC Standard 2024 (永続ライセンス)", "perpetual", []store.PlanPrice{{ValidFrom: calendar.MustParse("2024-10-01"), UnitPrice: 68000}}},
}

// demoCase is a contract state the demo night must show.
type demoCase struct {
	name      string
	nextStart int // days from the demo date to the contract's next term start
	renewal   string
	cancel    bool
	noRenew   bool
	hold      bool
}

var demoCases = []demoCase{
	{"rolls over tonight (renewal paid)", 0, "paid", false, false, false},
	{"rolls over tonight (renewal paid)", 0, "paid", false, false, false},
	{"suspended tonight (renewal unpaid)", 0, "open", false, false, false},
	{"suspended tonight (renewal half paid)", 0, "partial", false, false, false},
	{"held by staff (renewal unpaid)", 0, "open", false, false, true},
	{"ended tonight (cancelled)", 0, "", true, false, false},
	{"ended tonight (no auto-renewal)", 0, "", false, true, false},
	{"overdue, reminder due tonight", 7, "open", false, false, false},
	{"overdue, reminder due tonight", 7, "partial", false, false, false},
	{"overdue", 11, "open", false, false, false},
	{"renewal issued, not yet due", 26, "open", false, false, false},
	{"renewal issued, not yet due", 26, "open", false, false, false},
	{"renewal paid early", 21, "paid", false, false, false},
}

// Seed fills an empty database with a realistic reseller for the demo night on day:
// 220 customers, their contracts spread over the year, and contracts in every state the
// night handles. The price list and customers go in as Shift_JIS CSV files and the
// contracts as an .xlsx workbook, through the same validated import as `nightly
// import`; what an import does not carry (cancellations, holds, the renewal invoices
// already issued) is then set directly. It is deterministic.
func Seed(ctx context.Context, db *store.DB, cal *calendar.Calendar, day calendar.Date, now time.Time) (err error) {
	rng := rand.New(rand.NewPCG(20261124, 1))
	env := &jobs.Env{DB: db, Config: config.Default(), Calendar: cal, Now: func() time.Time { return now }, Who: "demo"}
	plans := &masterdata.File{Kind: masterdata.Plans}
	for _, p := range demoPlans {
		for _, pr := range p.prices {
			plans.Plans = append(plans.Plans, masterdata.Plan{Code: p.code, Name: p.name, Kind: masterdata.PlanKind(p.kind),
				UnitPrice: pr.UnitPrice, ValidFrom: pr.ValidFrom, ValidTo: pr.ValidTo})
		}
	}
	custs := demoCustomers(rng)
	customers := &masterdata.File{Kind: masterdata.Customers}
	for _, c := range custs {
		customers.Customers = append(customers.Customers, c)
	}
	contracts := &masterdata.File{Kind: masterdata.Contracts}
	var renewals []seedRenewal
	type extra struct {
		no     string
		c      demoCase
		holdTo calendar.Date
	}
	var extras []extra
	no := 0
	nextNo := func() string { no++; return fmt.Sprintf("NP-%07d", 1000+no) }
	add := func(k masterdata.Contract) { contracts.Contracts = append(contracts.Contracts, k) }
	for i, c := range demoCases {
		k := demoContract(nextNo(), custs[i].No, "M365-BS", 5+i, day.AddDays(c.nextStart), 18000)
		k.AutoRenew = !c.noRenew
		add(k)
		extras = append(extras, extra{k.No, c, day.AddDays(14)})
		if c.renewal != "" {
			renewals = append(renewals, seedRenewal{k, c.renewal, custs[i]})
		}
	}
	planCodes := []string{"M365-BB", "M365-BS", "M365-BP", "O365-E3"}
	prices := map[string]int64{"M365-BB": 9000, "M365-BS": 18000, "M365-BP": 33000, "O365-E3": 34800}
	for i := len(demoCases); i < len(custs); i++ {
		for j := 0; j < 1+rng.IntN(2); j++ {
			plan := planCodes[rng.IntN(len(planCodes))]
			add(demoContract(nextNo(), custs[i].No, plan, 1+rng.IntN(40), day.AddDays(40+rng.IntN(320)), prices[plan]))
		}
	}
	add(masterdata.Contract{No: nextNo(), CustomerNo: custs[len(custs)-1].No, PlanCode: "LTSC-STD", Seats: 3, UnitPrice: 68000,
		TermStart: day.AddDays(-60)})

	if err := importDemoFiles(ctx, env, plans, customers, contracts); err != nil {
		return err
	}
	defer func() {
		if err == nil {
			err = SeedOrders(ctx, db, day, now)
		}
	}()
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, x := range extras {
			if !x.c.cancel && !x.c.hold {
				continue
			}
			k, err := store.GetContract(ctx, tx, x.no)
			if err != nil {
				return err
			}
			k.CancelAtTermEnd = x.c.cancel
			if x.c.hold {
				k.HoldUntil, k.HoldReason = x.holdTo, "経理部長承認: 12月上旬に入金予定との連絡あり"
			}
			if err := store.PutContract(ctx, tx, k, now); err != nil {
				return err
			}
		}
		return seedRenewals(ctx, env, tx, renewals, day, now)
	})
}

// importDemoFiles imports the demo's master data as staff would: the plans and the
// customers as Shift_JIS CSV, the contracts as .xlsx.
func importDemoFiles(ctx context.Context, env *jobs.Env, plans, customers, contracts *masterdata.File) error {
	for _, f := range []struct {
		name string
		file *masterdata.File
		o    masterdata.WriteOptions
	}{
		{"demo-plans.csv", plans, masterdata.WriteOptions{Format: masterdata.CSV, Encoding: masterdata.ShiftJIS, Japanese: true}},
		{"demo-customers.csv", customers, masterdata.WriteOptions{Format: masterdata.CSV, Encoding: masterdata.ShiftJIS, Japanese: true}},
		{"demo-contracts.xlsx", contracts, masterdata.WriteOptions{Format: masterdata.XLSX}},
	} {
		var b bytes.Buffer
		if err := masterdata.Write(&b, f.file, f.o); err != nil {
			return fmt.Errorf("demo %s: %w", f.name, err)
		}
		res, err := masterimport.Import(ctx, env.DB, masterimport.Input{Kind: f.file.Kind, Name: f.name, Data: b.Bytes(), Opts: masterimport.Options{Apply: true}, Config: env.Config, Who: env.Who, Now: env.Now()})
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("demo %s: line %d %s: %s", f.name, res.Errors[0].Line, res.Errors[0].Column, res.Errors[0].Reason)
		}
	}
	return nil
}

// RejectedOrderFile is an order file from the EC store with bad rows, which the
// demo drops in the inbox so that the morning report shows a rejected file.
func RejectedOrderFile() []byte {
	return []byte("\ufefforder_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\r\n" +
		"EC-20261123-0091,new,100010,,M365-BB,5,2026-11-23,2026-12\r\n" +
		"EC-20261123-0092,addition,100011,NP-0001011,M365-BS,0,2026-11-23,2026-12\r\n" +
		"EC-20261123-0093,new,999999,,M365-XX,3,2026-11-31,2026-12\r\n")
}

type seedRenewal struct {
	c     masterdata.Contract
	state string
	cust  masterdata.Customer
}

func demoCustomers(rng *rand.Rand) []masterdata.Customer {
	var out []masterdata.Customer
	used := map[string]bool{}
	for len(out) < 220 {
		w, t := demoWords[rng.IntN(len(demoWords))], demoTrades[rng.IntN(len(demoTrades))]
		name := w[0] + t[0]
		if used[name] {
			continue
		}
		used[name] = true
		full := "株式会社" + name
		switch rng.IntN(10) {
		case 0:
			full = name + "株式会社"
		case 1:
			full = "有限会社" + name
		case 2:
			full = name + "合同会社"
		}
		place := demoPlaces[rng.IntN(len(demoPlaces))]
		out = append(out, masterdata.Customer{
			No:         fmt.Sprintf("%06d", 100001+len(out)),
			Name:       full,
			Kana:       w[1] + t[1],
			PostalCode: place[0],
			Address:    fmt.Sprintf("%s%d丁目%d番%d号", place[1], 1+rng.IntN(5), 1+rng.IntN(20), 1+rng.IntN(30)),
			Contact:    demoPeople[rng.IntN(len(demoPeople))],
			Email:      fmt.Sprintf("it-%d@example.co.jp", 100001+len(out)),
			Country:    "JP",
		})
	}
	return out
}

func demoContract(no, customer, plan string, seats int, nextStart calendar.Date, price int64) masterdata.Contract {
	return masterdata.Contract{No: no, CustomerNo: customer, PlanCode: plan, Seats: seats, UnitPrice: price,
		TermStart: nextStart.AddMonths(-12), AutoRenew: true}
}

// seedRenewals issues the renewal invoices the demo's contracts already have, in the
// order of their issue dates so that the numbers run with the dates, and books what was
// paid on them as earlier transfers, through the booking functions.
func seedRenewals(ctx context.Context, env *jobs.Env, tx *sqlx.Tx, rs []seedRenewal, day calendar.Date, now time.Time) error {
	cal := env.Calendar
	var paid []jobs.EarlierPayment
	type issued struct {
		seedRenewal
		dates contract.Renewal
	}
	var is []issued
	for _, r := range rs {
		ns := contract.NextStart(r.c.TermStart)
		is = append(is, issued{r, contract.RenewalDates(cal, ns, contract.RenewalIssueDate(ns), 14)})
	}
	slices.SortStableFunc(is, func(a, b issued) int { return a.dates.IssueDate.Compare(b.dates.IssueDate) })
	for _, r := range is {
		ns := contract.NextStart(r.c.TermStart)
		sub := r.c.UnitPrice * int64(r.c.Seats)
		tax := sub * 10 / 100
		inv, err := store.IssueInvoice(ctx, tx, store.Invoice{
			NKey: "renewal:" + r.c.No + ":" + ns.String(), Kind: "renewal", CustomerNo: r.c.CustomerNo, ContractNo: r.c.No,
			TermStart: ns, IssueDate: r.dates.IssueDate, DueDate: r.dates.DueDate, Subtotal: sub, Tax: tax, Total: sub + tax,
			Seats: r.c.Seats, UnitPrice: r.c.UnitPrice, ToName: r.cust.Name, ToPostalCode: r.cust.PostalCode, ToAddress: r.cust.Address,
			PostedAt: sql.NullTime{Time: now, Valid: true},
		}, []store.InvoiceLine{{Description: "Microsoft 365 Business Standard", PeriodStart: ns, PeriodEnd: contract.TermEnd(ns),
			Quantity: r.c.Seats, UnitPrice: r.c.UnitPrice, Amount: sub, TaxRate: 10}}, now)
		if err != nil {
			return err
		}
		ep := jobs.EarlierPayment{Invoice: inv.Number, ValueDate: inv.DueDate, Payer: r.cust.Kana}
		if !ep.ValueDate.Before(day) {
			ep.ValueDate = day.AddDays(-1)
		}
		switch r.state {
		case "paid":
			ep.Amount = inv.Total
		case "partial":
			ep.Amount = inv.Total / 2
		}
		if ep.Amount > 0 {
			paid = append(paid, ep)
		}
	}
	return jobs.BookEarlierPayments(ctx, env, tx, paid, "demo", now)
}
