package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// world is a small reseller for the money tests: a few customers and contracts put in
// directly, nights run on chosen dates with the clock set to each, and bank transfers
// dropped as CSV files of the built-in standard profile.
type world struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	env   *jobs.Env
	files int
}

// worldAccount is the reseller's bank account in the world's CSV files.
const worldAccount = "1234567"

func newWorld(t *testing.T, db *store.DB, dsn string) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: db, env: newEnv(t, db, dsn, t.TempDir())}
	now := fixedNow
	w.must(store.PutPlan(w.ctx, db, store.Plan{Code: "M365-BS", Name: "Microsoft 365 Business Standard", Kind: "subscription"}, now))
	w.must(store.PutPlanPrice(w.ctx, db, store.PlanPrice{PlanCode: "M365-BS", ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 18000}))
	w.must(store.PutPlan(w.ctx, db, store.Plan{Code: "M365-BB", Name: "Microsoft 365 Business Basic", Kind: "subscription"}, now))
	w.must(store.PutPlanPrice(w.ctx, db, store.PlanPrice{PlanCode: "M365-BB", ValidFrom: calendar.MustParse("2020-01-01"), UnitPrice: 9000}))
	for i, c := range [][2]string{{"株式会社青葉商事", "アオバショウジ"}, {"朝日工業株式会社", "アサヒコウギョウ"}, {"有限会社北斗運輸", "ホクトウンユ"}} {
		no := fmt.Sprintf("%06d", 100001+i)
		w.must(store.PutCustomer(w.ctx, db, store.Customer{No: no, Name: c[0], Kana: c[1], PostalCode: "100-0005", Address: "東京都千代田区丸の内1-1",
			Email: fmt.Sprintf("it@%s.example.co.jp", no), Country: "JP"}, now))
	}
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// contract puts in an active contract of customer 100001 on M365-BS.
func (w *world) contract(no string, seats int, termStart string) {
	w.t.Helper()
	ts := calendar.MustParse(termStart)
	w.must(store.PutContract(w.ctx, w.db, store.Contract{No: no, CustomerNo: "100001", PlanCode: "M365-BS", Seats: seats, UnitPrice: 18000,
		TermStart: ts, TermEnd: ts.AddMonths(12).AddDays(-1), Status: store.StatusActive, AutoRenew: true}, fixedNow))
}

// addition puts in an addition order received on ordered.
func (w *world) addition(order, contractNo string, seats int, ordered, desired string) {
	w.t.Helper()
	w.must(store.PutOrder(w.ctx, w.db, store.Order{No: order, Kind: "addition", CustomerNo: "100001",
		ContractNo: sql.NullString{String: contractNo, Valid: true}, PlanCode: "M365-BS", Seats: seats,
		OrderDate: calendar.MustParse(ordered), DesiredStart: desired, Status: "received"}, fixedNow))
}

// at sets the clock to 02:00 JST of day: the night runs then, staff act later that day.
func (w *world) at(day calendar.Date, hour int) {
	w.env.Now = func() time.Time { return time.Date(day.Year, day.Month, day.Day, hour, 0, 0, 0, calendar.Tokyo) }
}

// night runs the night of date and returns its summary; a money check failure is
// returned as the summary's status, not as a test failure.
func (w *world) night(date string) jobs.Summary {
	w.t.Helper()
	d := calendar.MustParse(date)
	w.at(d, 2)
	sums, err := jobs.Run(w.ctx, w.env, jobs.Options{Date: d})
	if err != nil && len(sums) > 0 && sums[len(sums)-1].Status == "invariant" {
		return sums[len(sums)-1]
	}
	if err != nil {
		w.t.Fatalf("night %s: %v", date, err)
	}
	return sums[len(sums)-1]
}

// transfer drops a bank CSV (standard profile) with one credit into the inbox, received
// the day before the night of date.
func (w *world) transfer(date string, amount int64, payer, edi string) {
	w.t.Helper()
	w.csv(date, true, fmt.Sprintf("%s,%d,%s,%s", calendar.MustParse(date).AddDays(-1), amount, payer, edi))
}

// csv drops a bank CSV of rows ("date,amount,payer,edi"), with or without the account
// column.
func (w *world) csv(date string, withAccount bool, rows ...string) {
	w.t.Helper()
	w.files++
	var b strings.Builder
	b.WriteString("日付,入金額,振込依頼人名,EDI")
	if withAccount {
		b.WriteString(",口座番号")
	}
	b.WriteString("\r\n")
	for _, r := range rows {
		b.WriteString(r)
		if withAccount {
			b.WriteString("," + worldAccount)
		}
		b.WriteString("\r\n")
	}
	dir := filepath.Join(w.env.Config.InboxDir, "bank")
	w.must(os.MkdirAll(dir, 0o755))
	w.must(os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%03d.csv", date, w.files)), []byte(b.String()), 0o644))
}

// invoice returns the latest revision of the invoice with natural key nkey.
func (w *world) invoice(nkey string) store.Invoice {
	w.t.Helper()
	var inv store.Invoice
	w.must(w.db.GetContext(w.ctx, &inv, "SELECT * FROM invoices WHERE nkey = ? ORDER BY revision DESC LIMIT 1", nkey))
	return inv
}

// exceptions returns the open exceptions of a kind.
func (w *world) exceptions(kind string) []store.Exception {
	w.t.Helper()
	xs, err := store.OpenExceptions(w.ctx, w.db)
	w.must(err)
	var out []store.Exception
	for _, x := range xs {
		if x.Kind == kind {
			out = append(out, x)
		}
	}
	return out
}

// contractNow returns a contract as stored.
func (w *world) contractNow(no string) store.Contract {
	w.t.Helper()
	c, err := store.GetContract(w.ctx, w.db, no)
	w.must(err)
	return c
}

// seatsOn returns the seats in effect of a contract on day.
func (w *world) seatsOn(no, day string) int {
	w.t.Helper()
	m, err := store.SeatsInEffect(w.ctx, w.db, []store.Contract{w.contractNow(no)}, calendar.MustParse(day))
	w.must(err)
	return m[no]
}

// books asserts the money check of SPEC §4.8.
func (w *world) books() {
	w.t.Helper()
	gaps, err := jobs.CheckMoney(w.ctx, w.db)
	w.must(err)
	for _, g := range gaps {
		w.t.Errorf("books do not add up: %s", wording.MoneyGap(g))
	}
}

func sqlInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: true} }
