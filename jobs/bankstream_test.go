package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// bankOutcome is what a night's bank step left: every payment and every open bank
// exception, with ids left out, and the evidence rows.
func bankOutcome(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	ps, err := store.PaymentRows(ctx, db, demo.Date)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("payment %s %s %d fee %d rule %d %s reversed=%v", p.Payer, p.InvoiceNumber, p.Amount, p.Fee, p.Rule, p.RuleName, p.Reversed))
	}
	xs, err := store.OpenExceptions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		if strings.HasPrefix(x.NKey, "bank_") {
			f := strings.Fields(x.Subject)
			out = append(out, fmt.Sprintf("exception %s %s", x.Kind, strings.Join(f[min(2, len(f)):], " ")))
		}
	}
	var n int
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM bank_txns"); err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("%d transfers", n))
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM evidence WHERE kind = 'bank_file'"); err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("%d bank files kept", n))
	sort.Strings(out)
	return out
}

// TestBankFeedStreamedSameAsWhole: the demo's bank files, every Zengin file streamed
// (two passes, chunks), give the payments and exceptions of the files read whole, and a
// rerun changes nothing.
func TestBankFeedStreamedSameAsWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		env := newEnv(t, db, dsn, t.TempDir())
		bankSeeded(t, db, env)
		if s := runNight(t, env, jobs.Options{Only: []string{"bankfeed"}}); s.Status != "ok" {
			t.Fatalf("night: %s %s", s.Status, s.Error)
		}
		whole := bankOutcome(t, db)

		dsn2 := storetest.SQLiteDSN(t)
		if !strings.HasPrefix(dsn, "sqlite:") {
			dsn2 = storetest.MySQLDSN(t)
		}
		db2 := storetest.Open(t, dsn2)
		env2 := newEnv(t, db2, dsn2, t.TempDir())
		bankSeeded(t, db2, env2)
		defer jobs.SetStreamAbove(0)()
		if s := runNight(t, env2, jobs.Options{Only: []string{"bankfeed"}}); s.Status != "ok" {
			t.Fatalf("streamed night: %s %s", s.Status, s.Error)
		}
		got := bankOutcome(t, db2)
		if strings.Join(got, "\n") != strings.Join(whole, "\n") {
			t.Errorf("streamed:\n%s\nwhole:\n%s", strings.Join(got, "\n"), strings.Join(whole, "\n"))
		}
		// Every file moved; a rerun with the files put back changes nothing.
		for name, data := range demo.BankFiles(demo.Date) {
			dropBank(t, env2, name, data)
		}
		again := runNight(t, env2, jobs.Options{Only: []string{"bankfeed"}})
		if c := changes(again); c["bankfeed.transfers"] != 0 || c["bankfeed.payments"] != 0 {
			t.Errorf("rerun changed %v", c)
		}
		if after := bankOutcome(t, db2); strings.Join(after, "\n") != strings.Join(got, "\n") {
			t.Errorf("rerun changed the books:\n%s", strings.Join(after, "\n"))
		}
	})
}

// malformed01 is a Zengin 01 file of total records of which the first bad have a
// non-numeric amount (built with WriteZengin, then corrupted byte by byte).
func malformed01(t *testing.T, total, bad int) ([]byte, []int) {
	t.Helper()
	d := demo.Date
	g := bankfeed.ZenginGroup{Created: d, From: d, To: d, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", BranchCode: "001",
		BranchName: "ﾎﾝﾃﾝ", AccountType: "1", AccountNumber: "1234567", AccountName: "ｴﾇﾌﾟﾚｽ(ｶ"}
	for i := range total {
		g.Records = append(g.Records, bankfeed.ZenginRecord{RefNo: fmt.Sprintf("%06d", 200000+i), ValueDate: d, Amount: int64(1000 + i), Payer: "ﾔﾏﾀﾞ ﾀﾛｳ"})
	}
	var b bytes.Buffer
	if err := bankfeed.WriteZengin(&b, bankfeed.ZenginFile{Kind: "01", Groups: []bankfeed.ZenginGroup{g}}); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	var broken []int
	for i := range bad {
		rec := 2 + i*total/bad // spread over the file
		copy(data[(rec-1)*202+19:(rec-1)*202+29], "00001X0000")
		broken = append(broken, rec)
	}
	return data, broken
}

// TestBankFeedManyMalformedRecords: a file with 10,000 malformed records is refused
// whole (nothing stored, nothing applied), kept as evidence and moved to rejected/, and
// the exception names the first ten (record, field, reason) and says 10,000; read whole
// or streamed.
func TestBankFeedManyMalformedRecords(t *testing.T) {
	data, broken := malformed01(t, 12000, 10000)
	for _, mode := range []string{"whole", "streamed"} {
		t.Run(mode, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
				ctx := context.Background()
				env := newEnv(t, db, dsn, t.TempDir())
				seeded(t, db)
				if mode == "streamed" {
					defer jobs.SetStreamAbove(0)()
				}
				dropBank(t, env, "many-bad.txt", data)
				s := runNight(t, env, jobs.Options{Only: []string{"bankfeed"}})
				if c := changes(s); c["bankfeed.files_rejected"] != 1 || c["bankfeed.transfers"] != 0 || c["bankfeed.payments"] != 0 {
					t.Fatalf("night: %v; want the file rejected and nothing stored", c)
				}
				var n int
				if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM bank_txns WHERE account <> 'history'"); err != nil || n != 0 {
					t.Errorf("%d transfers stored from a refused file (%v)", n, err)
				}
				if _, err := os.Stat(filepath.Join(env.Config.InboxDir, "rejected", "bank", "many-bad.txt")); err != nil {
					t.Errorf("file not in rejected/bank: %v", err)
				}
				if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM evidence WHERE kind = 'bank_file' AND size = ?", len(data)); err != nil || n != 1 {
					t.Errorf("refused file kept as evidence %d times (%v)", n, err)
				}
				var x store.Exception
				for _, e := range mustOpen(t, db) {
					if e.Kind == "bank_file_rejected" {
						x = e
					}
				}
				if !strings.Contains(x.Message, "many-bad.txt") || !strings.Contains(x.Message, "10,000 件") {
					t.Errorf("exception does not name the file and the count: %s", x.Message)
				}
				for i, rec := range broken[:10] {
					if want := fmt.Sprintf("%d件目のレコード、項目「金額」", rec); !strings.Contains(x.Message, want) {
						t.Errorf("exception does not name defect %d (%s): %.400s", i, want, x.Message)
					}
				}
				if strings.Contains(x.Message, fmt.Sprintf("%d件目", broken[10])) {
					t.Errorf("exception names more than the first ten defects")
				}
			})
		})
	}
}
