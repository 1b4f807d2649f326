package demo

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

// GenOptions says what `nightly gen` makes: a reseller of Contracts contracts as it
// stands on the morning of Date, and the inputs of that night under Inbox.
type GenOptions struct {
	Contracts int
	Date      calendar.Date
	Seed      uint64
	Inbox     string // inbox folder: bank/ and mail/ are written here
	// Peak makes Date the worst night of the year (issue 19): 30% of the contracts'
	// next term starts one month after Date, so that night issues their renewals, and
	// the bank files of Date pay up to PeakTransfers of the earlier renewals, in the
	// usual mix of cases.
	Peak bool
}

// PeakTransfers is how many earlier renewals the bank files of a peak night pay at
// most.
const PeakTransfers = 5000

// GenSummary counts what Gen made.
type GenSummary struct {
	Customers, Contracts, Renewals, Orders, BankFiles, Transfers, Mails int
}

// genPlans is the generated price list (Business Standard's price changed on 2026-04-01).
var genPlans = []struct {
	code, name, kind string
	prices           []store.PlanPrice
	weight           int
}{
	{"M365-BB", "Microsoft 365 Business Basic", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 9000}}, 30},
	{"M365-BS", "Microsoft 365 Business Standard", "subscription", []store.PlanPrice{
		{ValidFrom: calendar.MustParse("2020-01-01"), ValidTo: calendar.MustParse("2026-03-31"), UnitPrice: 16800},
		{ValidFrom: calendar.MustParse("2026-04-01"), UnitPrice: 18000}}, 35},
	{"M365-BP", "Microsoft 365 Business Premium", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 33000}}, 15},
	{"O365-E3", "Office 365 E3", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 34800}}, 10},
	{"M365-E5", "Microsoft 365 E5", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 62400}}, 5},
	{"AZURE-PLAN", "Azure プラン (年額前払い)", "subscription", []store.PlanPrice{{ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 120000}}, 5},
	{"LTSC-STD", "Office LTSC Standard 2024 (永続ライセンス)", "perpetual", []store.PlanPrice{{ValidFrom: calendar.MustParse("2024-10-01"), UnitPrice: 68000}}, 0},
}

var genAreas = [][2]string{{"東京", "トウキョウ"}, {"大阪", "オオサカ"}, {"名古屋", "ナゴヤ"}, {"横浜", "ヨコハマ"}, {"札幌", "サッポロ"},
	{"福岡", "フクオカ"}, {"仙台", "センダイ"}, {"神戸", "コウベ"}, {"京都", "キョウト"}, {"広島", "ヒロシマ"}, {"関東", "カントウ"},
	{"関西", "カンサイ"}, {"中部", "チュウブ"}, {"北海道", "ホッカイドウ"}, {"九州", "キュウシュウ"}, {"東北", "トウホク"}, {"日本", "ニホン"},
	{"湘南", "ショウナン"}, {"信州", "シンシュウ"}, {"四国", "シコク"}}

// Gen fills an empty, migrated database with a realistic reseller and writes the
// inputs of the night of o.Date (SPEC issue 8): customers with 1–20 contracts each,
// term starts spread over the year with piles at month ends and in April, the renewal
// invoices already issued (most paid), orders received the day before, bank files that
// pay most of what is due, and a folder of request e-mails. The same seed gives the
// same database and byte-identical input files.
func Gen(ctx context.Context, env *jobs.Env, o GenOptions) (GenSummary, error) {
	var sum GenSummary
	if o.Contracts < 1 {
		return sum, fmt.Errorf("gen: --contracts must be at least 1")
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x6e6967687479))
	now := o.Date.Start().Add(-2 * time.Hour) // the evening before the night
	day := o.Date
	if err := genPlanRows(ctx, env, now); err != nil {
		return sum, err
	}
	customerN, contractN, due, err := genMaster(ctx, env, rng, o, now)
	if err != nil {
		return sum, err
	}
	sum.Customers, sum.Contracts = customerN, contractN
	issued, err := genRenewals(ctx, env, rng, due, day, now, o.Peak)
	if err != nil {
		return sum, err
	}
	sum.Renewals = len(issued)
	// Earlier nights rendered and kept the PDFs of those invoices.
	if err := jobs.RenderUnrendered(ctx, env, day.AddDays(-1), now); err != nil {
		return sum, fmt.Errorf("gen: render the invoices of earlier nights: %w", err)
	}
	orders, err := genOrders(ctx, env, rng, o.Contracts, customerN, day, now)
	if err != nil {
		return sum, err
	}
	sum.Orders = orders
	if o.Inbox != "" {
		files, transfers, err := genBank(ctx, env, rng, filepath.Join(o.Inbox, "bank"), issued, day, now, o.Peak)
		if err != nil {
			return sum, err
		}
		sum.BankFiles, sum.Transfers = files, transfers
		mails, err := genMails(rng, filepath.Join(o.Inbox, "mail"), issued, day)
		if err != nil {
			return sum, err
		}
		sum.Mails = mails
	}
	return sum, nil
}

// genPlanRows stores the generator's plans and their price lists.
func genPlanRows(ctx context.Context, env *jobs.Env, now time.Time) error {
	return env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, p := range genPlans {
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
		return nil
	})
}

// genMaster stores o.Contracts contracts of customers with 1–20 each, in transactions
// of about 2,000 contracts, and returns how many customers and contracts it stored and
// the contracts whose renewal was issued before the night.
func genMaster(ctx context.Context, env *jobs.Env, rng *rand.Rand, o GenOptions, now time.Time) (int, int, []store.Contract, error) {
	var (
		custs     []store.Customer
		contracts []store.Contract
		due       []store.Contract // renewal already issued before the night
		customerN = 0
		contractN = 0
		usedNames = map[string]bool{}
		day       = o.Date
	)
	flush := func() error {
		if len(custs) == 0 && len(contracts) == 0 {
			return nil
		}
		err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			if err := store.InsertCustomers(ctx, tx, custs, now); err != nil {
				return err
			}
			return store.InsertContracts(ctx, tx, contracts, now)
		})
		custs, contracts = custs[:0], contracts[:0]
		return err
	}
	for contractN < o.Contracts {
		if err := ctx.Err(); err != nil {
			return 0, 0, nil, err
		}
		customerN++
		c := genCustomer(rng, customerN, usedNames)
		custs = append(custs, c)
		for k := genContractsPerCustomer(rng); k > 0 && contractN < o.Contracts; k-- {
			contractN++
			k := genContract(rng, contractN, c.No, day)
			if o.Peak && rng.IntN(100) < 30 {
				peakContract(&k, day)
			}
			contracts = append(contracts, k)
			if ns := contract.NextStart(k.TermStart); k.AutoRenew && !k.CancelAtTermEnd && !contract.RenewalIssueDate(ns).After(day.AddDays(-1)) {
				due = append(due, k)
			}
		}
		if len(contracts) >= 2000 {
			if err := flush(); err != nil {
				return 0, 0, nil, err
			}
			progressf(env, "gen: %d contracts", contractN)
		}
	}
	return customerN, contractN, due, flush()
}

// progressf prints a line of progress for a person at a terminal.
func progressf(e *jobs.Env, format string, args ...any) {
	if e.Progress != nil {
		fmt.Fprintf(e.Progress, format+"\n", args...)
	}
}

// genCustomer draws a customer whose name and reading no other customer has: two
// companies with one reading would make every transfer from them ambiguous.
func genCustomer(rng *rand.Rand, n int, used map[string]bool) store.Customer {
	var name, kana string
	for tries := 0; ; tries++ {
		a := genAreas[rng.IntN(len(genAreas))]
		w := demoWords[rng.IntN(len(demoWords))]
		t := demoTrades[rng.IntN(len(demoTrades))]
		name, kana = a[0]+w[0]+t[0], a[1]+w[1]+t[1]
		if tries > 3 {
			w2 := demoWords[rng.IntN(len(demoWords))]
			name, kana = a[0]+w[0]+w2[0]+t[0], a[1]+w[1]+w2[1]+t[1]
		}
		if !used[kana] {
			used[kana] = true
			break
		}
	}
	full := "株式会社" + name
	switch r := rng.IntN(20); {
	case r < 4:
		full = name + "株式会社"
	case r < 6:
		full = "有限会社" + name
	case r < 7:
		full = name + "合同会社"
	}
	place := demoPlaces[rng.IntN(len(demoPlaces))]
	return store.Customer{
		No:         fmt.Sprintf("%06d", 200000+n),
		Name:       full,
		Kana:       kana,
		PostalCode: place[0],
		Address:    fmt.Sprintf("%s%d丁目%d番%d号", place[1], 1+rng.IntN(5), 1+rng.IntN(20), 1+rng.IntN(30)),
		Contact:    demoPeople[rng.IntN(len(demoPeople))],
		Email:      fmt.Sprintf("it-%06d@example.co.jp", 200000+n),
		Country:    "JP",
	}
}

// genContractsPerCustomer draws 1–20: most customers have one or two contracts.
func genContractsPerCustomer(rng *rand.Rand) int {
	switch r := rng.IntN(100); {
	case r < 50:
		return 1
	case r < 72:
		return 2
	case r < 84:
		return 3
	case r < 93:
		return 4 + rng.IntN(3)
	case r < 98:
		return 7 + rng.IntN(6)
	default:
		return 13 + rng.IntN(8)
	}
}

// genContract draws a contract whose next term starts within a year of day: April and
// the first and last days of a month pile up, as they do in Japanese companies.
func genContract(rng *rand.Rand, n int, customer string, day calendar.Date) store.Contract {
	var ns calendar.Date
	switch r := rng.IntN(100); {
	case r < 12: // the fiscal year: 4/1
		ns = calendar.New(day.Year, 4, 1)
	case r < 30: // the first of a month
		m := day.AddMonths(rng.IntN(12))
		ns = calendar.New(m.Year, m.Month, 1)
	case r < 40: // the last day of a month
		m := day.AddMonths(rng.IntN(12))
		ns = calendar.New(m.Year, m.Month, calendar.DaysIn(m.Year, m.Month))
	default:
		ns = day.AddDays(rng.IntN(365))
	}
	for ns.Before(day) {
		ns = contract.NextStart(ns)
	}
	if !ns.Before(day.AddDays(365)) {
		ns = ns.AddMonths(-12)
	}
	start := ns.AddMonths(-12)
	p := genPlan(rng)
	seats := 1 + rng.IntN(10)
	if rng.IntN(10) == 0 {
		seats = 10 + rng.IntN(190)
	}
	price := p.prices[len(p.prices)-1].UnitPrice
	for _, pr := range p.prices {
		if !start.Before(pr.ValidFrom) && (pr.ValidTo.IsZero() || !start.After(pr.ValidTo)) {
			price = pr.UnitPrice
		}
	}
	k := store.Contract{No: fmt.Sprintf("NP-%07d", n), CustomerNo: customer, PlanCode: p.code, Seats: seats, UnitPrice: price,
		TermStart: start, TermEnd: contract.TermEnd(start), Status: store.StatusActive, AutoRenew: rng.IntN(100) < 98}
	if ns.Before(day.AddDays(45)) {
		switch r := rng.IntN(100); {
		case r < 2:
			k.CancelAtTermEnd = true
		case r < 5 && seats > 1:
			k.NextSeats.Int64, k.NextSeats.Valid = int64(seats-1-rng.IntN(seats-1)), true
		}
	}
	return k
}

// peakContract moves k's next term to start one month after day (SPEC §2.4), so that
// the night of day issues its renewal: a peak night's share of the year's renewals.
func peakContract(k *store.Contract, day calendar.Date) {
	ns := day.AddMonths(1)
	k.TermStart = ns.AddMonths(-12)
	k.TermEnd = contract.TermEnd(k.TermStart)
	k.CancelAtTermEnd, k.NextSeats = false, sql.NullInt64{}
}

func genPlan(rng *rand.Rand) struct {
	code, name, kind string
	prices           []store.PlanPrice
	weight           int
} {
	r := rng.IntN(100)
	for _, p := range genPlans {
		if r < p.weight {
			return p
		}
		r -= p.weight
	}
	return genPlans[0]
}

// genIssued is a renewal invoice Gen issued, and whether it is still open.
type genIssued struct {
	inv      store.Invoice
	contract store.Contract
	open     bool
}

// genRenewals issues the renewal invoices that earlier nights would have issued, in
// issue-date order, and marks most of those due before the night paid.
func genRenewals(ctx context.Context, env *jobs.Env, rng *rand.Rand, due []store.Contract, day calendar.Date, now time.Time, peak bool) ([]genIssued, error) {
	type item struct {
		c     store.Contract
		dates contract.Renewal
		ns    calendar.Date
	}
	items := make([]item, 0, len(due))
	for _, c := range due {
		ns := contract.NextStart(c.TermStart)
		items = append(items, item{c, contract.RenewalDates(env.Calendar, ns, contract.RenewalIssueDate(ns), env.Config.Invoice.RenewalLeadDays), ns})
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if c := a.dates.IssueDate.Compare(b.dates.IssueDate); c != 0 {
			return c
		}
		return strings.Compare(a.c.No, b.c.No)
	})
	var out []genIssued
	for i := 0; i < len(items); i += 500 {
		batch := items[i:min(i+500, len(items))]
		// Drawn before the transaction, which may run twice (a conflict, a lost node).
		paid := make([]bool, len(batch))
		for j, it := range batch { // paid before the night: most of those already due, some early payers
			paid[j] = rng.IntN(100) < 40
			if it.dates.DueDate.Before(day.AddDays(-3)) {
				paid[j] = rng.IntN(100) < 90
			}
			if peak { // the bank files of the night pay them
				paid[j] = false
			}
		}
		mark := len(out)
		err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			out = out[:mark]
			var paidBefore []jobs.EarlierPayment
			for j, it := range batch {
				c := it.c
				seats := c.Seats
				if c.NextSeats.Valid {
					seats = int(c.NextSeats.Int64)
				}
				price, err := store.PriceOn(ctx, tx, c.PlanCode, it.dates.IssueDate)
				if err != nil {
					return err
				}
				sub := price * int64(seats)
				tax := sub * int64(env.Config.Invoice.TaxRate) / 100
				cu, err := store.GetCustomer(ctx, tx, c.CustomerNo)
				if err != nil {
					return err
				}
				inv, err := store.IssueInvoice(ctx, tx, store.Invoice{
					NKey: "renewal:" + c.No + ":" + it.ns.String(), Kind: "renewal", CustomerNo: c.CustomerNo, ContractNo: c.No,
					TermStart: it.ns, IssueDate: it.dates.IssueDate, DueDate: it.dates.DueDate, Subtotal: sub, Tax: tax, Total: sub + tax,
					Seats: seats, UnitPrice: price, ToName: cu.Name, ToPostalCode: cu.PostalCode, ToAddress: cu.Address,
					PostedAt: sqlNullTime(now),
				}, []store.InvoiceLine{{Description: c.PlanCode + " 年間利用料", PeriodStart: it.ns, PeriodEnd: contract.TermEnd(it.ns),
					Quantity: seats, UnitPrice: price, Amount: sub, TaxRate: env.Config.Invoice.TaxRate}}, now)
				if err != nil {
					return err
				}
				if paid[j] {
					vd := inv.DueDate
					if !vd.Before(day) {
						vd = day.AddDays(-1)
					}
					paidBefore = append(paidBefore, jobs.EarlierPayment{Invoice: inv.Number, Amount: inv.Total, ValueDate: vd, Payer: cu.Kana})
				}
				out = append(out, genIssued{inv: inv, contract: c, open: !paid[j]})
			}
			return jobs.BookEarlierPayments(ctx, env, tx, paidBefore, "gen", now)
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// genOrders records the EC store's orders of the day before the night.
func genOrders(ctx context.Context, env *jobs.Env, rng *rand.Rand, contracts, customers int, day calendar.Date, now time.Time) (int, error) {
	n := max(1, contracts/1000)
	var os []store.Order
	desired := contract.YearMonthOf(day.AddMonths(1)).String()
	for i := 0; i < n; i++ {
		cust := fmt.Sprintf("%06d", 200001+rng.IntN(customers))
		o := store.Order{No: fmt.Sprintf("EC-%s-%05d", strings.ReplaceAll(day.AddDays(-1).String(), "-", ""), i+1),
			CustomerNo: cust, PlanCode: genPlan(rng).code, Seats: 1 + rng.IntN(20), OrderDate: day.AddDays(-1), DesiredStart: desired}
		switch r := rng.IntN(10); {
		case r < 5:
			o.Kind = "addition"
			k, err := store.FirstContractOf(ctx, env.DB, cust)
			if err != nil {
				return 0, fmt.Errorf("gen: contract of customer %s: %w", cust, err)
			}
			o.ContractNo.String, o.ContractNo.Valid = k.No, true
			o.PlanCode = k.PlanCode
		case r < 8:
			o.Kind = "new"
		default:
			o.Kind = "migration"
		}
		os = append(os, o)
	}
	return len(os), env.DB.Tx(ctx, func(tx *sqlx.Tx) error { return store.InsertOrders(ctx, tx, os, now) })
}

// genMails writes request e-mails (ISO-2022-JP, as Japanese mail clients send them) for
// a few of the contracts whose renewal is coming: reductions, cancellations, some with
// a field missing, some naming an unknown contract.
func genMails(rng *rand.Rand, dir string, issued []genIssued, day calendar.Date) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	n := 0
	received := day.Start().Add(-14 * time.Hour) // 10:00 JST the day before
	for i, is := range issued {
		if rng.IntN(40) != 0 {
			continue
		}
		n++
		c := is.contract
		product := genPlanName(c.PlanCode)
		var body string
		subject := "減数のお願い"
		switch r := rng.IntN(10); {
		case r < 5 && c.Seats > 1:
			body = fmt.Sprintf("ご契約番号: %s\r\nご契約者名: %s\r\n対象製品: %s\r\n数量: %d\r\n内容: 減数\r\n", c.No, is.inv.ToName, product, c.Seats-1)
		case r < 8:
			subject = "解約のお願い"
			body = fmt.Sprintf("いつもお世話になっております。%sの情報システム担当です。\r\nご契約番号: %s\r\nご契約者名: %s\r\n対象製品: %s\r\n内容: 解約（次回更新しない）\r\n", is.inv.ToName, c.No, is.inv.ToName, product)
		default:
			body = "お世話になっております。ライセンスを減らしたいのですが、手続きを教えてください。\r\n"
		}
		raw, err := genMail(fmt.Sprintf("<gen-%d-%d@example.co.jp>", day.Year, i), fmt.Sprintf("it-%s@example.co.jp", c.CustomerNo), subject, body, received.Add(time.Duration(n)*time.Minute))
		if err != nil {
			return n, err
		}
		path := filepath.Join(dir, fmt.Sprintf("request-%05d.eml", n))
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			return n, err
		}
		t := received.Add(time.Duration(n) * time.Minute)
		if err := os.Chtimes(path, t, t); err != nil {
			return n, err
		}
	}
	return n, nil
}

// genMail encodes one message in ISO-2022-JP with an RFC 2047 subject.
func genMail(id, from, subject, body string, date time.Time) ([]byte, error) {
	enc := func(s string) (string, error) {
		b, err := japanese.ISO2022JP.NewEncoder().String(s)
		return b, err
	}
	subj, err := enc(subject)
	if err != nil {
		return nil, err
	}
	text, err := enc(body)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Message-ID: %s\r\nDate: %s\r\nFrom: %s\r\nTo: esales@npress.jp\r\n", id, date.In(calendar.Tokyo).Format(time.RFC1123Z), from)
	fmt.Fprintf(&b, "Subject: =?ISO-2022-JP?B?%s?=\r\n", base64.StdEncoding.EncodeToString([]byte(subj)))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
	b.WriteString(text)
	return b.Bytes(), nil
}

func sqlNullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t.UTC(), Valid: true} }

func genPlanName(code string) string {
	for _, p := range genPlans {
		if p.code == code {
			return p.name
		}
	}
	return code
}

// genPayer is how a bank prints a customer's name: half-width katakana without small
// kana, the legal form abbreviated in front.
func genPayer(kana string) string {
	large := strings.NewReplacer("ャ", "ヤ", "ュ", "ユ", "ョ", "ヨ", "ッ", "ツ", "ァ", "ア", "ィ", "イ", "ゥ", "ウ", "ェ", "エ", "ォ", "オ")
	marks := strings.NewReplacer("\u3099", "\uff9e", "\u309a", "\uff9f") // combining voiced marks → ﾞ ﾟ
	p := "ｶ)" + width.Narrow.String(marks.Replace(norm.NFD.String(large.Replace(kana))))
	if r := []rune(p); len(r) > 48 { // 48 bytes of JIS X 0201: one byte a character
		p = string(r[:48])
	}
	return p
}

// genBank writes the bank files of the night: a Zengin 01 file for the main account and
// a CSV in the built-in profile for a second account, paying most open renewal invoices
// due soon, with every case of the matcher in realistic proportions: exact (most),
// invoice number in EDI, combined, fee deducted, a learned alias, partial, over, and
// transfers nobody can place.
func genBank(ctx context.Context, env *jobs.Env, rng *rand.Rand, dir string, issued []genIssued, day calendar.Date, now time.Time, peak bool) (files, transfers int, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	t := genTransfers{rng: rng, vd: env.Calendar.OnOrBefore(day.AddDays(-1)), now: now}
	if peak {
		t.limit = PeakTransfers
	}
	if err := t.pay(ctx, env, issued, day); err != nil {
		return 0, 0, err
	}
	if len(t.aliases) > 0 {
		err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			for _, a := range t.aliases {
				if err := store.PutPayerAlias(ctx, tx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
	}
	files, err = t.write(dir, day)
	return files, len(t.main) + len(t.second), err
}

// genTransfers are the transfers of the generated bank files: the main account's
// (Zengin), the second account's (CSV), and the payer names learned before the night.
type genTransfers struct {
	rng          *rand.Rand
	vd           calendar.Date // the value date
	now          time.Time
	ref          int
	main, second []bankfeed.ZenginRecord
	aliases      []store.PayerAlias
	kana         map[string]string
	limit, paid  int // at most limit invoices paid (0: no limit)
}

// add adds one transfer, to the second account one time in five.
func (t *genTransfers) add(amount int64, payer, edi string) {
	t.ref++
	r := bankfeed.ZenginRecord{RefNo: fmt.Sprintf("%06d", t.ref), ValueDate: t.vd, Amount: amount, Payer: payer, EDI: edi,
		FromBank: "ﾐｽﾞﾎ", FromBranch: "ﾎﾝﾃﾝ"}
	if t.rng.IntN(5) == 0 {
		t.second = append(t.second, r)
	} else {
		t.main = append(t.main, r)
	}
}

// pay adds the transfers that pay the open invoices due by day + 20, per customer in
// the usual mix of cases: not paid yet, one transfer for all, exact, another payer
// name with the number in EDI, a fee deducted, a learned payer name, half, too much,
// an unknown payer.
func (t *genTransfers) pay(ctx context.Context, env *jobs.Env, issued []genIssued, day calendar.Date) error {
	byCustomer := map[string][]genIssued{}
	var order []string
	for _, is := range issued {
		if !is.open || is.inv.DueDate.After(day.AddDays(20)) {
			continue
		}
		if _, ok := byCustomer[is.inv.CustomerNo]; !ok {
			order = append(order, is.inv.CustomerNo)
		}
		byCustomer[is.inv.CustomerNo] = append(byCustomer[is.inv.CustomerNo], is)
	}
	t.kana = map[string]string{}
	for _, cno := range order {
		invs := byCustomer[cno]
		if t.limit > 0 && t.paid+len(invs) > t.limit {
			break
		}
		if t.rng.IntN(100) < 15 { // not paid yet
			continue
		}
		if _, ok := t.kana[cno]; !ok {
			cu, err := store.GetCustomer(ctx, env.DB, cno)
			if err != nil {
				return err
			}
			t.kana[cno] = cu.Kana
		}
		t.payCustomer(cno, genPayer(t.kana[cno]), invs)
		t.paid += len(invs)
	}
	return nil
}

// payCustomer adds the transfers of one customer's open invoices invs.
func (t *genTransfers) payCustomer(cno, payer string, invs []genIssued) {
	rng := t.rng
	if len(invs) > 1 && rng.IntN(100) < 50 { // one transfer for all (一括入金)
		var total int64
		for _, is := range invs {
			total += is.inv.Total
		}
		t.add(total, payer, "")
		return
	}
	for _, is := range invs {
		switch r := rng.IntN(100); {
		case r < 60:
			t.add(is.inv.Total, payer, "")
		case r < 70:
			t.add(is.inv.Total, "ｹｲﾘ ﾀﾝﾄｳ", is.inv.Number)
		case r < 80:
			t.add(is.inv.Total-[]int64{440, 660, 770, 880}[rng.IntN(4)], payer, "")
		case r < 85:
			alias := fmt.Sprintf("ﾀﾞｲﾋｮｳ ﾀﾅｶ %03d", len(t.aliases))
			t.aliases = append(t.aliases, store.PayerAlias{Name: bankfeed.Normalize(alias), CustomerNo: cno, LearnedBy: "gen", LearnedAt: t.now})
			t.add(is.inv.Total, alias, "")
		case r < 90:
			t.add(is.inv.Total/2, payer, "")
		case r < 93:
			t.add(is.inv.Total+1000, payer, "")
		default:
			t.add(is.inv.Total, fmt.Sprintf("ﾌﾒｲ ﾌﾘｺﾐﾆﾝ %03d", r), "")
		}
	}
}

// write writes the main account's Zengin file and the second account's CSV into dir
// and returns how many files it wrote.
func (t *genTransfers) write(dir string, day calendar.Date) (int, error) {
	vd, files := t.vd, 0
	group := func(number string, recs []bankfeed.ZenginRecord) bankfeed.ZenginGroup {
		return bankfeed.ZenginGroup{Created: day, From: vd, To: vd, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", BranchCode: "001",
			BranchName: "ﾎﾝﾃﾝ", AccountType: "1", AccountNumber: number, AccountName: "ｴﾇﾌﾟﾚｽ(ｶ", Records: recs}
	}
	name := func(ext string) string { return "gen-" + strings.ReplaceAll(vd.String(), "-", "") + ext }
	if len(t.main) > 0 {
		var b bytes.Buffer
		if err := bankfeed.WriteZengin(&b, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{group("1234567", t.main)}}); err != nil {
			return files, fmt.Errorf("gen: bank file: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name("-01.txt")), b.Bytes(), 0o644); err != nil {
			return files, err
		}
		files++
	}
	if len(t.second) > 0 {
		rows := [][]string{{"日付", "入金額", "振込依頼人名", "照会番号", "EDI", "口座番号"}}
		for _, r := range t.second {
			rows = append(rows, []string{r.ValueDate.String(), fmt.Sprint(r.Amount), r.Payer, r.RefNo, r.EDI, "7654321"})
		}
		b, err := bankCSV(rows)
		if err != nil {
			return files, fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name(".csv")), b, 0o644); err != nil {
			return files, err
		}
		files++
	}
	return files, nil
}
