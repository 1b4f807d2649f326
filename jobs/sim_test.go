package jobs_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// The lifecycle simulator (issue 12): a deterministic random walk over nights of a
// small reseller — orders, additions before and after renewals and paid before and
// after them, reductions and cancellations around their deadlines, exact, short,
// over, partial, combined, late, unknown and void-quoting payments in bank CSV and
// Zengin files, and staff resolving and refunding — that after every night asserts
// the money check of SPEC §4.8, gapless invoice numbers, that no paid contract is
// reminded or suspended, that every renewal bills what §4.2's seat arithmetic gives,
// and that a rerun changes nothing.
//
// go test runs a short walk of each seed below (the regression seeds included). Longer:
//
//	NIGHTLY_SIM_SEED=42 NIGHTLY_SIM_NIGHTS=365 go test ./jobs -run TestLifecycleSimulator -timeout 0
//	NIGHTLY_SIM_MINUTES=5 go test ./jobs -run TestLifecycleSimulator -timeout 0   # new seeds until the time is up
//	NIGHTLY_SIM_MINUTES=600 NIGHTLY_SIM_NIGHTS=365 …                                # the long walk: ~10,000 nights
var simSeeds = []uint64{1, 2}

// simRegressionSeeds failed once, after this many nights of a year's walk; a
// time-boxed walk (NIGHTLY_SIM_MINUTES, .ci/run) walks them first. 1004 and 1008: the
// reissue of a renewal whose term had begun billed the running term's additions, so the
// next renewal left them out (TestReissueOfARunningTermKeepsItsSeats).
var simRegressionSeeds = []uint64{1004, 1008}

func TestLifecycleSimulator(t *testing.T) {
	nights, seeds, budget := simSettings(t)
	start := time.Now()
	next := uint64(1000)
	for i := 0; ; i++ {
		var seed uint64
		switch {
		case i < len(seeds):
			seed = seeds[i]
		case budget > 0 && time.Since(start) < budget:
			for slices.Contains(seeds, next) {
				next++ // a seed walked above (a regression seed) is not walked twice
			}
			seed, next = next, next+1
		default:
			return
		}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
				n := nights
				if db.Dialect == store.MySQL && os.Getenv("NIGHTLY_SIM_NIGHTS") == "" {
					n = nights / 2 // the same walk, shorter, on MariaDB
				}
				walkNights(t, db, dsn, seed, n)
			})
		})
		if t.Failed() {
			t.Logf("keep the failing seed as a regression case in simRegressionSeeds; rerun it with NIGHTLY_SIM_SEED=%d", seed)
			return
		}
	}
}

// simSettings reads the walk's length, seeds and time box from the environment.
func simSettings(t *testing.T) (nights int, seeds []uint64, budget time.Duration) {
	nights, seeds = 40, simSeeds
	if v := os.Getenv("NIGHTLY_SIM_NIGHTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("NIGHTLY_SIM_NIGHTS=%q: want a number of nights", v)
		}
		nights = n
	}
	if v := os.Getenv("NIGHTLY_SIM_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("NIGHTLY_SIM_SEED=%q: want a number", v)
		}
		seeds = []uint64{s}
	}
	if v := os.Getenv("NIGHTLY_SIM_MINUTES"); v != "" {
		m, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("NIGHTLY_SIM_MINUTES=%q: want minutes", v)
		}
		budget = time.Duration(m * float64(time.Minute))
		if os.Getenv("NIGHTLY_SIM_SEED") == "" {
			seeds = append(slices.Clone(simRegressionSeeds), seeds...)
		}
	}
	return nights, seeds, budget
}

// simCustomer is a customer of the walk with how its bank prints its name.
type simCustomer struct {
	no, name, kana, payer string
}

var simCustomers = []simCustomer{
	{"100001", "株式会社青葉商事", "アオバショウジ", "ｱｵﾊﾞｼﾖｳｼﾞ(ｶ"},
	{"100002", "朝日工業株式会社", "アサヒコウギョウ", "ｱｻﾋｺｳｷﾞﾖｳ(ｶ"},
	{"100003", "有限会社北斗運輸", "ホクトウンユ", "ﾕ)ﾎｸﾄｳﾝﾕ"},
	{"100004", "株式会社大和物産", "ヤマトブッサン", "ｶ)ﾔﾏﾄﾌﾞﾂｻﾝ"},
	{"100005", "富士設計合同会社", "フジセッケイ", "ﾌｼﾞｾﾂｹｲ(ﾄﾞ"},
}

// zenginAccount is the second account of the walk, whose statements come as Zengin 01.
var zenginAccount = bankfeed.ZenginGroup{BankCode: "0005", BankName: "ﾐﾂﾋﾞｼ", BranchCode: "001", BranchName: "ﾎﾝﾃﾝ",
	AccountType: "1", AccountNumber: "7654321", AccountName: "ｻｲﾊﾞｰﾛｼﾞｽﾃｲｸｽ(ｶ"}

// walker is one walk: the world, its random source and what staff know.
type walker struct {
	*world
	rng   *rand.Rand
	day   calendar.Date
	seq   int
	meant map[string]string // payer text of an unidentifiable transfer → the invoice it was for
	late  map[string]bool   // renewals (by natural key) whose customer does not pay in time
	// monthEnds are the month ends passed, checked again at the end (sim_accounting_test.go).
	monthEnds []calendar.Date
}

func walkNights(t *testing.T, db *store.DB, dsn string, seed uint64, nights int) {
	w := &walker{world: newWorld(t, db, dsn), rng: rand.New(rand.NewPCG(seed, 12)), meant: map[string]string{}, late: map[string]bool{}}
	w.setUp()
	for i := 0; i < nights && !t.Failed(); i++ {
		w.day = calendar.MustParse("2026-10-01").AddDays(i)
		w.inputs()
		w.runChecked()
		w.staff()
		w.books()
		w.checkMonthEnd()
	}
	w.checkMonthEnds()
	if w.db.Dialect == store.SQLite {
		w.summary() // (|| is SQLite's concatenation; the walk is the same on MariaDB)
	}
}

// setUp puts in the customers and contracts of the walk: terms ending over the year, so
// that renewals, reminders, suspensions and roll-overs come.
func (w *walker) setUp() {
	for _, c := range simCustomers[3:] {
		w.must(store.PutCustomer(w.ctx, w.db, store.Customer{No: c.no, Name: c.name, Kana: c.kana, PostalCode: "100-0005",
			Address: "東京都千代田区丸の内1-1", Email: "it@" + c.no + ".example.co.jp", Country: "JP"}, fixedNow))
	}
	for i := 0; i < 12; i++ {
		cu := simCustomers[i%len(simCustomers)]
		plan, price := "M365-BS", int64(18000)
		if i%3 == 2 {
			plan, price = "M365-BB", 9000
		}
		ts := calendar.MustParse("2025-10-20").AddDays(i*23 + w.rng.IntN(20))
		w.must(store.PutContract(w.ctx, w.db, store.Contract{No: fmt.Sprintf("NP-%07d", 100+i), CustomerNo: cu.no, PlanCode: plan,
			Seats: 1 + w.rng.IntN(25), UnitPrice: price, TermStart: ts, TermEnd: contract.TermEnd(ts), Status: store.StatusActive, AutoRenew: true}, fixedNow))
	}
}

// prev is the day before the night: when the inputs of the night were received.
func (w *walker) prev() calendar.Date { return w.day.AddDays(-1) }

// inputs drops tonight's orders, transfers and e-mails.
func (w *walker) inputs() {
	var issued []string
	w.must(w.db.SelectContext(w.ctx, &issued, "SELECT nkey FROM invoices WHERE kind = 'renewal' AND revision = 0 AND issue_date = ?", w.prev()))
	for _, k := range issued {
		w.late[k] = w.rng.IntN(100) < 15
	}
	if w.rng.IntN(100) < 8 {
		w.newOrder()
	}
	if w.rng.IntN(100) < 15 {
		w.additionOrder()
	}
	w.payments()
	w.requests()
}

func (w *walker) newOrder() {
	w.seq++
	cu := simCustomers[w.rng.IntN(len(simCustomers))]
	w.must(store.PutOrder(w.ctx, w.db, store.Order{No: fmt.Sprintf("EC-N%04d", w.seq), Kind: "new", CustomerNo: cu.no, PlanCode: "M365-BB",
		Seats: 1 + w.rng.IntN(9), OrderDate: w.prev(), DesiredStart: contract.YearMonthOf(w.day).String(), Status: "received"}, fixedNow))
}

// additionOrder orders seats for an active contract from a cycle still ahead (or just
// begun), before or after its renewal was issued.
func (w *walker) additionOrder() {
	cs := w.active()
	if len(cs) == 0 {
		return
	}
	c := cs[w.rng.IntN(len(cs))]
	var months []contract.YearMonth
	for _, s := range contract.CycleStarts(c.TermStart) {
		if !s.Before(w.day.AddDays(-10)) {
			months = append(months, contract.YearMonthOf(s))
		}
	}
	if len(months) == 0 {
		return
	}
	w.seq++
	w.must(store.PutOrder(w.ctx, w.db, store.Order{No: fmt.Sprintf("EC-A%04d", w.seq), Kind: "addition", CustomerNo: c.CustomerNo,
		ContractNo: sql.NullString{String: c.No, Valid: true}, PlanCode: c.PlanCode, Seats: 1 + w.rng.IntN(5), OrderDate: w.prev(),
		DesiredStart: months[w.rng.IntN(min(len(months), 3))].String(), Status: "received"}, fixedNow))
}

// active returns the active contracts with a term.
func (w *walker) active() []store.Contract {
	var cs []store.Contract
	w.must(w.db.SelectContext(w.ctx, &cs, "SELECT * FROM contracts WHERE status = 'active' AND term_start IS NOT NULL ORDER BY contract_no"))
	return cs
}

// payments pays some of the open invoices, each in one of the ways customers pay.
func (w *walker) payments() {
	var open []store.Invoice
	w.must(w.db.SelectContext(w.ctx, &open, "SELECT * FROM invoices WHERE status IN ('open', 'partially_paid') ORDER BY number"))
	var rows []string
	var zen []bankfeed.ZenginRecord
	paidBy := map[string]bool{}
	for _, inv := range open {
		p := 8
		if w.day.After(inv.DueDate) {
			p = 20
		}
		if inv.Kind == "renewal" && w.late[inv.NKey] {
			p = 0 // pays only once the contract is stopped
		}
		if paidBy[inv.Number] || w.rng.IntN(100) >= p {
			continue
		}
		cu := customerOf(inv.CustomerNo)
		owed := inv.Total - inv.Paid
		amount, payer, edi := owed, cu.payer, ""
		switch r := w.rng.IntN(100); {
		case r < 40: // exact, by name
		case r < 55: // the invoice number (or the number it replaced) in EDI
			edi = inv.Number
			if inv.Replaces != "" && w.rng.IntN(2) == 0 {
				edi = inv.Replaces
			}
		case r < 65:
			amount -= 440 // the bank fee deducted
		case r < 72:
			amount = owed / 2 // partial
		case r < 78:
			amount += 1000 // too much
		case r < 90: // every open invoice of the customer in one transfer
			amount = 0
			for _, o := range open {
				if o.CustomerNo == inv.CustomerNo && !paidBy[o.Number] {
					amount += o.Total - o.Paid
					paidBy[o.Number] = true
				}
			}
		default: // a payer nobody knows: staff find out later
			w.seq++
			payer = fmt.Sprintf("ｼﾗﾅｲﾋﾄ%d", w.seq)
			w.meant[payer] = inv.Number
		}
		paidBy[inv.Number] = true
		if amount <= 0 {
			continue
		}
		if w.rng.IntN(4) == 0 {
			zen = append(zen, bankfeed.ZenginRecord{RefNo: fmt.Sprintf("%06d", len(zen)+1), ValueDate: w.prev(), Amount: amount,
				Payer: payer, EDI: edi, FromBank: "ﾐｽﾞﾎ", FromBranch: "ﾎﾝﾃﾝ"})
			continue
		}
		rows = append(rows, fmt.Sprintf("%s,%d,%s,%s", w.prev(), amount, payer, edi))
	}
	var lapsed []store.Invoice
	w.must(w.db.SelectContext(w.ctx, &lapsed, "SELECT * FROM invoices WHERE status = 'lapsed' ORDER BY number"))
	for _, inv := range lapsed {
		if !w.late[inv.NKey+":paid"] && w.rng.IntN(100) < 10 { // the money comes after the stop (§4.7)
			w.late[inv.NKey+":paid"] = true
			rows = append(rows, fmt.Sprintf("%s,%d,%s,%s", w.prev(), inv.Total, customerOf(inv.CustomerNo).payer, inv.Number))
		}
	}
	if len(rows) > 0 {
		w.csv(w.day.String(), w.rng.IntN(5) > 0, rows...)
	}
	if len(zen) > 0 {
		g := zenginAccount
		g.Created, g.From, g.To, g.Records = w.prev(), w.prev(), w.prev(), zen
		var b bytes.Buffer
		w.must(bankfeed.WriteZengin(&b, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{g}}))
		w.files++
		dir := filepath.Join(w.env.Config.InboxDir, "bank")
		w.must(os.MkdirAll(dir, 0o755))
		w.must(os.WriteFile(filepath.Join(dir, fmt.Sprintf("zengin-%s-%d.txt", w.day, w.files)), b.Bytes(), 0o644))
	}
}

func customerOf(no string) simCustomer {
	for _, c := range simCustomers {
		if c.no == no {
			return c
		}
	}
	return simCustomer{no: no, payer: "ﾌﾒｲ"}
}

// requests sends reductions and cancellations for contracts whose request deadline is
// near: a day or two before, on it, and a day after (late).
func (w *walker) requests() {
	for _, c := range w.active() {
		deadline := contract.RequestDeadline(c.TermEnd.AddDays(1))
		if d := w.prev().DaysUntil(deadline); d < -1 || d > 2 || w.rng.IntN(100) >= 30 {
			continue
		}
		cu := customerOf(c.CustomerNo)
		held, err := store.SeatsHeld(w.ctx, w.db, c)
		w.must(err)
		kind, qty := "解約", held
		if held > 1 && w.rng.IntN(3) > 0 {
			kind, qty = "減数", held-1-w.rng.IntN(min(held-1, 3))
		}
		plan, err := store.GetPlan(w.ctx, w.db, c.PlanCode)
		w.must(err)
		w.seq++
		quantity := fmt.Sprintf("■数量：%d\n", qty)
		if kind == "解約" {
			quantity = "" // the contract ends whole
		}
		body := fmt.Sprintf("いつもお世話になっております。\n下記の通りお申込みいたします。\n\n■ご契約番号：%s\n■ご契約者名：%s\n■対象製品：%s\n%s■希望される内容：%s\n\n以上、よろしくお願いいたします。\n",
			c.No, cu.name, plan.Name, quantity, kind)
		msg := fmt.Sprintf("From: %s <it@%s.example.co.jp>\r\nTo: esales@npress.jp\r\nSubject: %sのご依頼 %s\r\nDate: %s\r\nMessage-ID: <sim-%d-%d@%s.example.co.jp>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
			"Tanaka", cu.no, kind, c.No, w.received().Format(time.RFC1123Z), w.seq, w.rng.IntN(1e6), cu.no, strings.ReplaceAll(body, "\n", "\r\n"))
		dir := filepath.Join(w.env.Config.InboxDir, "mail")
		w.must(os.MkdirAll(dir, 0o755))
		path := filepath.Join(dir, fmt.Sprintf("sim-%04d.eml", w.seq))
		w.must(os.WriteFile(path, []byte(msg), 0o644))
		w.must(os.Chtimes(path, w.received(), w.received()))
	}
}

// received is when tonight's e-mails arrived: the afternoon before the night.
func (w *walker) received() time.Time {
	p := w.prev()
	return time.Date(p.Year, p.Month, p.Day, 14, 0, 0, 0, calendar.Tokyo)
}

// summary logs what the walk did, so that a reader sees it exercised the rules.
func (w *walker) summary() {
	var rows []struct {
		What string `db:"what"`
		N    int    `db:"n"`
	}
	w.must(w.db.SelectContext(w.ctx, &rows, `
		SELECT 'invoice ' || kind || ' ' || status AS what, COUNT(*) AS n FROM invoices GROUP BY kind, status
		UNION ALL SELECT 'exception ' || kind || ' ' || status, COUNT(*) FROM exceptions GROUP BY kind, status
		UNION ALL SELECT 'request ' || kind || ' ' || status || ' ' || reason || ' ' || missing, COUNT(*) FROM requests GROUP BY kind, status, reason, missing
		UNION ALL SELECT 'payment rule ' || rule_name, COUNT(*) FROM payments GROUP BY rule_name
		UNION ALL SELECT 'audit ' || action, COUNT(*) FROM audit WHERE action IN ('suspended', 'rolled_over', 'ended', 'seats_effective', 'refunded', 'invoice_voided') GROUP BY action
		UNION ALL SELECT 'seat addition confirmed', COUNT(*) FROM seat_additions WHERE confirmed_on IS NOT NULL`))
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n  %5d %s", r.N, r.What)
	}
	w.t.Logf("after %s:%s", w.day, b.String())
}
