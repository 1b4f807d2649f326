package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/store"
)

// DemoDate is the run date of `nightly demo`: fixed, so that the demo shows the same
// night on every machine.
var DemoDate = calendar.MustParse("2026-11-24")

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

// SeedDemo fills an empty database with a realistic reseller for the demo night on day:
// 220 customers, their contracts spread over the year, and contracts in every state the
// night handles. It is deterministic.
func SeedDemo(ctx context.Context, db *store.DB, cal *calendar.Calendar, day calendar.Date, now time.Time) error {
	rng := rand.New(rand.NewPCG(20261124, 1))
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range demoPlans {
			if err := store.PutPlan(ctx, tx, store.Plan{Code: p.code, Name: p.name, Kind: p.kind}, now); err != nil {
				return err
			}
			for _, pr := range p.prices {
				pr.PlanCode = p.code
				if err := store.PutPlanPrice(ctx, tx, pr); err != nil {
					return err
				}
			}
		}
		custs, err := seedCustomers(ctx, tx, rng, now)
		if err != nil {
			return err
		}
		var renewals []seedRenewal
		no := 0
		nextNo := func() string { no++; return fmt.Sprintf("NP-%07d", 1000+no) }
		for i, c := range demoCases {
			ns := day.AddDays(c.nextStart)
			k := contractFor(nextNo(), custs[i], "M365-BS", 5+i, ns, 18000)
			k.CancelAtTermEnd, k.AutoRenew = c.cancel, !c.noRenew
			if c.hold {
				k.HoldUntil, k.HoldReason = day.AddDays(14), "経理部長承認: 12月上旬に入金予定との連絡あり"
			}
			if err := store.PutContract(ctx, tx, k, now); err != nil {
				return err
			}
			if c.renewal != "" {
				renewals = append(renewals, seedRenewal{k, c.renewal, custs[i]})
			}
		}
		plans := []string{"M365-BB", "M365-BS", "M365-BP", "O365-E3"}
		prices := map[string]int64{"M365-BB": 9000, "M365-BS": 18000, "M365-BP": 33000, "O365-E3": 34800}
		for i := len(demoCases); i < len(custs); i++ {
			for j := 0; j < 1+rng.IntN(2); j++ {
				plan := plans[rng.IntN(len(plans))]
				ns := day.AddDays(40 + rng.IntN(320))
				k := contractFor(nextNo(), custs[i], plan, 1+rng.IntN(40), ns, prices[plan])
				if err := store.PutContract(ctx, tx, k, now); err != nil {
					return err
				}
			}
		}
		perp := store.Contract{No: nextNo(), CustomerNo: custs[len(custs)-1].No, PlanCode: "LTSC-STD", Seats: 3, UnitPrice: 68000,
			TermStart: day.AddDays(-60), Status: store.StatusActive}
		if err := store.PutContract(ctx, tx, perp, now); err != nil {
			return err
		}
		return seedRenewals(ctx, tx, cal, renewals, day, now)
	})
}

type seedCustomer struct{ No, Name, PostalCode, Address string }

type seedRenewal struct {
	c     store.Contract
	state string
	cust  seedCustomer
}

func seedCustomers(ctx context.Context, tx *sqlx.Tx, rng *rand.Rand, now time.Time) ([]seedCustomer, error) {
	var out []seedCustomer
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
		c := store.Customer{
			No:         fmt.Sprintf("%06d", 100001+len(out)),
			Name:       full,
			Kana:       w[1] + t[1],
			PostalCode: place[0],
			Address:    fmt.Sprintf("%s%d丁目%d番%d号", place[1], 1+rng.IntN(5), 1+rng.IntN(20), 1+rng.IntN(30)),
			Contact:    demoPeople[rng.IntN(len(demoPeople))],
			Email:      fmt.Sprintf("it-%d@example.co.jp", 100001+len(out)),
			Country:    "JP",
		}
		if err := store.PutCustomer(ctx, tx, c, now); err != nil {
			return nil, err
		}
		out = append(out, seedCustomer{c.No, c.Name, c.PostalCode, c.Address})
	}
	return out, nil
}

func contractFor(no string, c seedCustomer, plan string, seats int, nextStart calendar.Date, price int64) store.Contract {
	start := nextStart.AddMonths(-12)
	return store.Contract{No: no, CustomerNo: c.No, PlanCode: plan, Seats: seats, UnitPrice: price,
		TermStart: start, TermEnd: contract.TermEnd(start), Status: store.StatusActive, AutoRenew: true}
}

// seedRenewals issues the renewal invoices the demo's contracts already have, in the
// order of their issue dates so that the numbers run with the dates.
func seedRenewals(ctx context.Context, tx *sqlx.Tx, cal *calendar.Calendar, rs []seedRenewal, day calendar.Date, now time.Time) error {
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
		}, []store.InvoiceLine{{Description: "Microsoft 365 Business Standard 年間利用料", PeriodStart: ns, PeriodEnd: contract.TermEnd(ns),
			Quantity: r.c.Seats, UnitPrice: r.c.UnitPrice, Amount: sub, TaxRate: 10}}, now)
		if err != nil {
			return err
		}
		switch r.state {
		case "paid":
			err = store.AddPaid(ctx, tx, inv.Number, inv.Total)
		case "partial":
			err = store.AddPaid(ctx, tx, inv.Number, inv.Total/2)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
