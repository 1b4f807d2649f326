package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// bankSeeded seeds the demo and its bank cases and drops the demo's bank files.
func bankSeeded(t *testing.T, db *store.DB, env *jobs.Env) {
	t.Helper()
	seeded(t, db)
	if err := demo.SeedBank(context.Background(), db, demo.Date, fixedNow); err != nil {
		t.Fatal(err)
	}
	for name, data := range demo.BankFiles(demo.Date) {
		dropBank(t, env, name, data)
	}
}

func dropBank(t *testing.T, env *jobs.Env, name string, data []byte) {
	t.Helper()
	dir := filepath.Join(env.Config.InboxDir, "bank")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// invoicesOf returns a customer's renewal invoices in number order.
func invoicesOf(t *testing.T, db *store.DB, customer string) []store.Invoice {
	t.Helper()
	invs, err := store.ListInvoices(context.Background(), db, store.InvoiceFilter{CustomerNo: customer})
	if err != nil || len(invs) == 0 {
		t.Fatalf("invoices of %s: %v (%d)", customer, err, len(invs))
	}
	return invs
}

// bankState is what the test reads back: payments by invoice, open exceptions by payer.
type bankState struct {
	payments   map[string][]store.PaymentRow
	exceptions map[string]store.Exception // by the payer in its subject
}

func readBank(t *testing.T, db *store.DB) bankState {
	t.Helper()
	ctx := context.Background()
	ps, err := store.PaymentRows(ctx, db, calendar.Date{})
	if err != nil {
		t.Fatal(err)
	}
	s := bankState{payments: map[string][]store.PaymentRow{}, exceptions: map[string]store.Exception{}}
	for _, p := range ps {
		s.payments[p.InvoiceNumber] = append(s.payments[p.InvoiceNumber], p)
	}
	xs, err := store.OpenExceptions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		if strings.HasPrefix(x.NKey, "bank_txn:") {
			f := strings.Fields(x.Subject) // 振込 ID: DATE PAYER… ¥AMOUNT
			s.exceptions[strings.Join(f[3:len(f)-1], " ")] = x
		}
	}
	return s
}

// Every row of the table in issue 5 point 7, on the demo, on both engines.
func TestBankFeedDemoCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		bankSeeded(t, db, env)
		first := runNight(t, env, jobs.Options{})
		if first.Status != "ok" {
			t.Fatalf("night: %s %s", first.Status, first.Error)
		}
		s := readBank(t, db)
		type row struct {
			name, customer string
			inv            int    // index of the customer's invoice
			status         string // invoice status afterwards
			paid           int64  // paid afterwards
			rule           int
			ruleName       string
			fee            int64
			exception      string // kind of the transfer's exception, "" none
			payer          string
			suggests       int // the exception suggests this many invoices at least
		}
		rows := []row{
			{"exact amount, registered kana", "100901", 0, "paid", 59400, 2, "payer-name", 0, "", "", 0},
			{"invoice number in EDI, unknown payer", "100902", 0, "paid", 79200, 1, "invoice-number", 0, "", "", 0},
			{"three invoices in one transfer (1)", "100903", 0, "paid", 19800, 2, "", 0, "", "", 0},
			{"three invoices in one transfer (2)", "100903", 1, "paid", 39600, 2, "", 0, "", "", 0},
			{"three invoices in one transfer (3)", "100903", 2, "paid", 118800, 2, "", 0, "", "", 0},
			{"total − 440", "100904", 0, "paid", 99000, 3, "listed-fee", 440, "", "", 0},
			{"short by the learned ¥1,320", "100905", 0, "paid", 138600, 3, "learned-fee", 1320, "", "", 0},
			{"ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ vs 株式会社ミライ東京", "100906", 0, "paid", 158400, 2, "payer-name", 0, "", "", 0},
			{"alias resolved last month", "100907", 0, "paid", 178200, 2, "alias", 0, "", "", 0},
			{"half the amount", "100908", 0, "partially_paid", 99000, 2, "", 0, "partial", "ｷﾞﾝｶﾞﾃﾞﾝｼ(ｶ", 1},
			{"total + 1,000", "100909", 0, "paid", 217800, 2, "", 0, "overpayment", "ﾜｶｸｻｾｲｶ(ｶ", 0},
			{"two equal invoices (1)", "100910", 0, "open", 0, 0, "", 0, "ambiguous", "ｼﾉﾉﾒｼﾖｳﾃﾝ(ｶ", 2},
			{"two equal invoices (2)", "100910", 1, "open", 0, 0, "", 0, "ambiguous", "ｼﾉﾉﾒｼﾖｳﾃﾝ(ｶ", 2},
			{"01 取消 of an applied transfer", "100911", 0, "open", 0, 2, "", 0, "", "", 0},
			{"03 訂正 of an applied transfer", "100912", 0, "open", 0, 2, "", 0, "", "", 0},
			{"two equal transfers on one day (1)", "100914", 0, "paid", 39600, 1, "invoice-number", 0, "", "", 0},
			{"two equal transfers on one day (2)", "100914", 1, "paid", 39600, 1, "invoice-number", 0, "", "", 0},
			{"payment after suspension", "100913", 0, "lapsed", 0, 0, "", 0, "after_suspension", "ｸﾛｼｵｽｲｻﾝ(ｶ", 1},
		}
		for _, r := range rows {
			inv := invoicesOf(t, db, r.customer)[r.inv]
			if inv.Status != r.status || inv.Paid != r.paid {
				t.Errorf("%s: invoice %s is %s paid %d, want %s paid %d", r.name, inv.Number, inv.Status, inv.Paid, r.status, r.paid)
			}
			ps := s.payments[inv.Number]
			switch {
			case r.rule == 0 && len(ps) > 0:
				t.Errorf("%s: invoice %s has payments %+v, want none", r.name, inv.Number, ps)
			case r.rule > 0 && len(ps) != 1:
				t.Errorf("%s: invoice %s has %d payments, want 1", r.name, inv.Number, len(ps))
			case r.rule > 0:
				p := ps[0]
				if p.Rule != r.rule || (r.ruleName != "" && p.RuleName != r.ruleName) || p.Fee != r.fee {
					t.Errorf("%s: payment rule %d %s fee %d, want rule %d %s fee %d", r.name, p.Rule, p.RuleName, p.Fee, r.rule, r.ruleName, r.fee)
				}
				if wantRev := r.status == "open"; p.Reversed != wantRev {
					t.Errorf("%s: payment reversed = %v, want %v", r.name, p.Reversed, wantRev)
				}
			}
			if r.exception != "" {
				x, ok := s.exceptions[r.payer]
				if !ok || x.Kind != r.exception {
					t.Errorf("%s: exception for %s = %q (%v), want %s", r.name, r.payer, x.Kind, ok, r.exception)
					continue
				}
				sugg := x.Suggestions
				var named []string
				for _, sg := range sugg {
					named = append(named, sg.Invoices...)
				}
				if r.suggests > 0 && !strings.Contains(strings.Join(named, ","), inv.Number) {
					t.Errorf("%s: suggestions %v do not name %s", r.name, x.Suggestions, inv.Number)
				}
				if !strings.Contains(x.Action, "nightly ") {
					t.Errorf("%s: action %q says no command", r.name, x.Action)
				}
			}
		}
		if inv := invoicesOf(t, db, "100903"); s.payments[inv[0].Number][0].TxnID != s.payments[inv[2].Number][0].TxnID {
			t.Errorf("combined payment: the three invoices were paid by different transfers")
		}
		c14 := invoicesOf(t, db, "100914")
		if a, b := s.payments[c14[0].Number], s.payments[c14[1].Number]; len(a) == 1 && len(b) == 1 && a[0].TxnID == b[0].TxnID {
			t.Errorf("two equal transfers were merged into one")
		}
		x, ok := s.exceptions["ﾀﾅｶ ｲﾁﾛｳ"]
		if !ok || x.Kind != "unknown" || len(x.Suggestions) == 0 {
			t.Errorf("unknown payer: exception %+v (%v), want kind unknown with candidates", x, ok)
		}
		// The reversals are recorded; the ignored debit is stored as such.
		rev, err := store.AuditOn(ctx, db, demo.Date, "payment_reversed")
		if err != nil || len(rev) != 2 {
			t.Errorf("reversals recorded: %d, %v; want 2", len(rev), err)
		}
		// The files were archived, and the report shows the payments and exceptions.
		for name := range demo.BankFiles(demo.Date) {
			if _, err := os.Stat(filepath.Join(env.Config.InboxDir, "archive", "bank", demo.Date.String(), name)); err != nil {
				t.Errorf("%s not archived: %v", name, err)
			}
		}
		report := readReport(t, out)
		for _, w := range []string{"入金（銀行）", "登録済みの振込人名", "学習済みの振込手数料", "¥1,760", "過入金", "ﾀﾅｶ ｲﾁﾛｳ", "この請求書に充当する"} {
			if !strings.Contains(report, w) {
				t.Errorf("report does not show %q", w)
			}
		}
		// The provisioning and lifecycle of the demo night are untouched.
		if c := changes(first); c["lifecycle.suspended"] != 2 || c["bankfeed.payments"] == 0 {
			t.Errorf("changes %v", c)
		}

		// The same files again (a rerun, and the file dropped again): nothing changes.
		dump := dumpDB(t, db)
		for name, data := range demo.BankFiles(demo.Date) {
			dropBank(t, env, name, data)
		}
		again := runNight(t, env, jobs.Options{})
		if c := nonZero(changes(again)); len(c) != 0 {
			t.Errorf("same files again changed %v", c)
		}
		if d := dumpDB(t, db); d != dump {
			t.Errorf("same files again changed the database:\n%s", diffLines(dump, d))
		}
	})
}

// An overlapping file adds only its new transfers; a malformed file is refused whole;
// a file of another source for an account is evidence only; staff resolve an unknown
// payer and the next night's transfer from that payer matches by the learned alias.
func TestBankFeedOverlapRejectResolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		bankSeeded(t, db, env)
		runNight(t, env, jobs.Options{})
		day2 := demo.Date.AddDays(1)
		vd := demo.Date

		c1 := invoicesOf(t, db, "100901")[0]
		c8 := invoicesOf(t, db, "100908")[0]
		group := bankfeed.ZenginGroup{Created: day2, From: vd, To: vd, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", BranchCode: "001",
			BranchName: "ﾎﾝﾃﾝ", AccountType: "1", AccountNumber: "1234567", AccountName: "ｴﾇﾌﾟﾚｽ(ｶ"}
		// Overlap: record 000101 again (already applied) and the other half from 100908.
		overlap := group
		overlap.Records = []bankfeed.ZenginRecord{
			{RefNo: "000101", ValueDate: demo.BankValueDate(demo.Date), Amount: 59400, Payer: "ｱｵｿﾞﾗｼﾖｳｶｲ"},
			{RefNo: "000113", ValueDate: vd, Amount: 99000, Payer: "ｷﾞﾝｶﾞﾃﾞﾝｼ(ｶ"},
			{RefNo: "000115", ValueDate: vd, Amount: 237600 - 770, Payer: "ｼﾉﾉﾒｼﾖｳﾃﾝ(ｶ"}, // fits either equal invoice, less a fee
		}
		var ob bytes.Buffer
		if err := bankfeed.WriteZengin(&ob, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{overlap}}); err != nil {
			t.Fatal(err)
		}
		dropBank(t, env, "a-overlap.txt", ob.Bytes())
		// Malformed: a good record whose trailer total is wrong.
		bad := group
		bad.Records = []bankfeed.ZenginRecord{{RefNo: "000114", ValueDate: vd, Amount: 79200, Payer: "ﾔﾏﾀﾞ ﾀﾛｳ"}}
		var bb bytes.Buffer
		if err := bankfeed.WriteZengin(&bb, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{bad}}); err != nil {
			t.Fatal(err)
		}
		broken := bytes.Replace(bb.Bytes(), []byte("000000079200"), []byte("000000079201"), 1) // 振込合計金額
		if bytes.Equal(broken, bb.Bytes()) {
			t.Fatal("test file: trailer total not found")
		}
		dropBank(t, env, "b-broken.txt", broken)
		// Evidence only: a CSV for the 01 account.
		dropBank(t, env, "c-csv-for-01-account.csv", demo.BankCSV([][]string{
			{"日付", "入金額", "振込依頼人名", "口座番号"},
			{demo.BankValueDate(demo.Date).String(), "59400", "ｱｵｿﾞﾗｼﾖｳｶｲ", "1234567"},
			{demo.BankValueDate(demo.Date).String(), "1000", "ｽｽﾞｷ ｼﾞﾛｳ", "1234567"},
		}))

		sum := runNight(t, env, jobs.Options{Date: day2})
		c := changes(sum)
		if c["bankfeed.transfers"] != 2 || c["bankfeed.files_rejected"] != 1 || c["bankfeed.files_evidence_only"] != 1 {
			t.Errorf("second night: %v; want 2 new transfers, 1 file rejected, 1 evidence only", c)
		}
		if got, _ := store.GetInvoice(ctx, db, c1.Number); got.Paid != 59400 {
			t.Errorf("overlap: invoice %s paid %d, want 59400 (once)", c1.Number, got.Paid)
		}
		if got, _ := store.GetInvoice(ctx, db, c8.Number); got.Status != "paid" {
			t.Errorf("overlap: the new transfer did not complete %s: %s", c8.Number, got.Status)
		}
		if _, err := os.Stat(filepath.Join(env.Config.InboxDir, "rejected", "bank", "b-broken.txt")); err != nil {
			t.Errorf("broken file not in rejected/bank: %v", err)
		}
		var n int
		if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM bank_txns WHERE ref_no = '000114'"); err != nil || n != 0 {
			t.Errorf("rejected file: %d transfers stored, %v", n, err)
		}
		var x store.Exception
		for _, e := range mustOpen(t, db) {
			if e.Kind == "bank_file_rejected" {
				x = e
			}
		}
		if !strings.Contains(x.Message, "b-broken.txt") || !strings.Contains(x.Message, "振込合計金額") || !strings.Contains(x.Message, "レコード") {
			t.Errorf("rejected file exception %q does not name file, record and field", x.Message)
		}
		files, _ := store.BankFilesOn(ctx, db, day2)
		var evid store.BankFile
		for _, f := range files {
			if f.Status == store.BankFileEvidenceOnly {
				evid = f
			}
		}
		dv, _ := evid.Detail.Value()
		if detail := dv.(string); !strings.Contains(detail, `"account":"0005-001-1-1234567"`) || !strings.Contains(detail, `"found":1`) || !strings.Contains(detail, "ｽｽﾞｷ ｼﾞﾛｳ") {
			t.Errorf("evidence-only file not compared: %q", detail)
		}

		// Staff resolve the unknown payer's transfer onto 100910's second invoice.
		unknown := readBank(t, db).exceptions["ﾀﾅｶ ｲﾁﾛｳ"]
		var id int64
		if _, err := jsonSscan(strings.TrimPrefix(unknown.NKey, "bank_txn:"), &id); err != nil {
			t.Fatalf("exception key %q", unknown.NKey)
		}
		c10 := invoicesOf(t, db, "100910")[1]
		if err := jobs.ResolvePayment(ctx, env, id, []string{c10.Number}, 0, ""); err == nil {
			t.Error("resolve without why: no error")
		}
		if err := jobs.ResolvePayment(ctx, env, id, []string{c10.Number}, 0, "電話で確認: 東雲商店の経理担当 田中様"); err != nil {
			t.Fatal(err)
		}
		if got, _ := store.GetInvoice(ctx, db, c10.Number); got.Paid != 12345 || got.Status != "partially_paid" {
			t.Errorf("resolved: %s paid %d %s", c10.Number, got.Paid, got.Status)
		}
		if x, err := store.GetException(ctx, db, unknown.NKey); err != nil || x.Status != "closed" || x.ClosedBy != "test" {
			t.Errorf("exception after resolve: %+v %v", x, err)
		}
		// Staff book the ambiguous transfer short by ¥770 to the first invoice, accepting
		// the fee: it is learned for the customer.
		var feeTxn int64
		for _, e := range mustOpen(t, db) {
			if strings.Contains(e.Subject, "¥236,830") {
				jsonSscan(strings.TrimPrefix(e.NKey, "bank_txn:"), &feeTxn)
			}
		}
		c10a := invoicesOf(t, db, "100910")[0]
		if err := jobs.ResolvePayment(ctx, env, feeTxn, []string{c10a.Number}, 770, "振込手数料を差し引いたとのこと"); err != nil {
			t.Fatalf("resolve with fee (transfer %d): %v", feeTxn, err)
		}
		fees, _ := store.LearnedFees(ctx, db)
		if got, _ := store.GetInvoice(ctx, db, c10a.Number); got.Status != "paid" || fees["100910"] != 770 {
			t.Errorf("resolved with fee: %s %s, learned fee %d", c10a.Number, got.Status, fees["100910"])
		}
		// Next night: ﾀﾅｶ ｲﾁﾛｳ pays the rest and is matched by the learned alias (rule 2).
		day3 := day2.AddDays(1)
		next := group
		next.Created = day3
		next.Records = []bankfeed.ZenginRecord{{RefNo: "000120", ValueDate: day2, Amount: 237600 - 12345, Payer: "ﾀﾅｶ ｲﾁﾛｳ"}}
		var nb bytes.Buffer
		if err := bankfeed.WriteZengin(&nb, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{next}}); err != nil {
			t.Fatal(err)
		}
		dropBank(t, env, "d-next.txt", nb.Bytes())
		runNight(t, env, jobs.Options{Date: day3})
		got, _ := store.GetInvoice(ctx, db, c10.Number)
		if got.Status != "paid" {
			t.Errorf("after the alias was learned: %s is %s", c10.Number, got.Status)
		}
		var rules []string
		for _, p := range readBank(t, db).payments[c10.Number] {
			rules = append(rules, fmt.Sprintf("%d %s", p.Rule, p.RuleName))
		}
		if strings.Join(rules, ",") != "0 staff,2 alias" {
			t.Errorf("payments of %s: %v, want staff's then rule 2 alias", c10.Number, rules)
		}
	})
}

func mustOpen(t *testing.T, db *store.DB) []store.Exception {
	t.Helper()
	xs, err := store.OpenExceptions(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return xs
}

func jsonSscan(s string, v *int64) (int, error) { return 1, json.Unmarshal([]byte(s), v) }

// A new order's invoice paid → an activation task due 3 business days after the night
// that confirmed it; an addition paid after its first billed cycle began → an add-seats
// task and an exception for the month paid and not served (SPEC §4.1, §4.2, §6.8).
func TestBankFeedProvisioningTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		env := newEnv(t, db, dsn, t.TempDir())
		now := fixedNow
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(store.PutCustomer(ctx, db, store.Customer{No: "100950", Name: "株式会社朝霧通信", Kana: "アサギリツウシン", Country: "JP"}, now))
		termStart := calendar.MustParse("2026-06-01")
		must(store.PutContract(ctx, db, store.Contract{No: "NP-0009100", CustomerNo: "100950", PlanCode: "M365-BS", Seats: 5, UnitPrice: 18000, Status: "pending",
			OrderNo: sql.NullString{String: "EC-1", Valid: true}}, now))
		must(store.PutContract(ctx, db, store.Contract{No: "NP-0009101", CustomerNo: "100950", PlanCode: "M365-BB", Seats: 10, UnitPrice: 9000, Status: "active",
			TermStart: termStart, TermEnd: calendar.MustParse("2027-05-31")}, now))
		must(store.PutOrder(ctx, db, store.Order{No: "EC-1", Kind: "new", CustomerNo: "100950", ContractNo: sql.NullString{String: "NP-0009100", Valid: true},
			PlanCode: "M365-BS", Seats: 5, OrderDate: calendar.MustParse("2026-11-01"), Status: "invoiced"}, now))
		must(store.PutOrder(ctx, db, store.Order{No: "EC-2", Kind: "addition", CustomerNo: "100950", ContractNo: sql.NullString{String: "NP-0009101", Valid: true},
			PlanCode: "M365-BB", Seats: 2, OrderDate: calendar.MustParse("2026-10-20"), DesiredStart: "2026-11", Status: "invoiced"}, now))
		var numbers []string
		for _, inv := range []store.Invoice{
			{NKey: "order:EC-1", Kind: "new", CustomerNo: "100950", ContractNo: "NP-0009100", OrderNo: "EC-1", IssueDate: calendar.MustParse("2026-11-02"),
				DueDate: calendar.MustParse("2026-11-16"), Subtotal: 90000, Tax: 9000, Total: 99000, Seats: 5, UnitPrice: 18000},
			{NKey: "order:EC-2", Kind: "addition", CustomerNo: "100950", ContractNo: "NP-0009101", OrderNo: "EC-2", TermStart: calendar.MustParse("2026-11-01"),
				IssueDate: calendar.MustParse("2026-10-21"), DueDate: calendar.MustParse("2026-11-04"), Subtotal: 15000, Tax: 1500, Total: 16500, Seats: 2, UnitPrice: 9000},
		} {
			got, err := store.IssueInvoice(ctx, db, inv, nil, now)
			must(err)
			numbers = append(numbers, got.Number)
		}
		g := bankfeed.ZenginGroup{Created: demo.Date, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼ", BranchCode: "001", BranchName: "ﾎﾝﾃﾝ", AccountType: "1",
			AccountNumber: "1234567", AccountName: "ｴﾇﾌﾟﾚｽ(ｶ", Records: []bankfeed.ZenginRecord{
				{RefNo: "000001", ValueDate: demo.Date.AddDays(-4), Amount: 99000, Payer: "ｱｻｷﾞﾘﾂｳｼﾝ(ｶ"},
				{RefNo: "000002", ValueDate: demo.Date.AddDays(-4), Amount: 16500, Payer: "ｱｻｷﾞﾘﾂｳｼﾝ(ｶ"},
			}}
		var b bytes.Buffer
		must(bankfeed.WriteZengin(&b, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{g}}))
		dropBank(t, env, "asagiri.txt", b.Bytes())
		runNight(t, env, jobs.Options{Only: []string{"bankfeed"}})

		due := contract.ProvisioningDue(env.Calendar, demo.Date)
		act, err := store.GetTask(ctx, db, "activate:EC-1")
		if err != nil || act.Kind != "activate" || act.DueDate != due || act.ContractNo != "NP-0009100" || act.InvoiceNumber != numbers[0] {
			t.Errorf("activation task %+v, %v; want due %s", act, err, due)
		}
		add, err := store.GetTask(ctx, db, "add_seats:EC-2")
		if err != nil || add.Kind != "add_seats" || add.DueDate != due || !strings.Contains(add.Detail, "2026-12-01") {
			t.Errorf("add-seats task %+v, %v; want due %s, effective 2026-12-01", add, err, due)
		}
		x, err := store.GetException(ctx, db, "addition_late:"+numbers[1])
		if err != nil || !strings.Contains(x.Message, "2026-11-01") || !strings.Contains(x.Message, "2026-12-01") {
			t.Errorf("late addition exception %+v, %v", x, err)
		}
	})
}

// A dry run reads and matches the bank files but keeps nothing: the files stay in the
// inbox, no transfer, payment or evidence is stored.
func TestBankFeedDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		env := newEnv(t, db, dsn, t.TempDir())
		bankSeeded(t, db, env)
		before := dumpDB(t, db)
		sum := runNight(t, env, jobs.Options{DryRun: true})
		if c := changes(sum); c["bankfeed.payments"] == 0 || c["bankfeed.files_applied"] != 3 {
			t.Errorf("dry run computed %v, want the payments of 3 files", c)
		}
		if after := dumpDB(t, db); after != before {
			t.Errorf("dry run changed the database:\n%s", diffLines(before, after))
		}
		left, _ := os.ReadDir(filepath.Join(env.Config.InboxDir, "bank"))
		if len(left) != 3 {
			t.Errorf("dry run moved bank files: %d left", len(left))
		}
		var kept int
		filepath.WalkDir(env.Config.EvidenceDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				kept++
			}
			return nil
		})
		if kept != 0 {
			t.Errorf("dry run stored %d evidence files", kept)
		}
	})
}
