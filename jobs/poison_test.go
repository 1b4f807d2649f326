package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/jobs/jobstest"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/masterimport"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// poisonInputs is the corpus of testdata/poison and the two inputs too big to keep
// there: the workbook bomb of masterdata's tests (470 KB unpacking to 140 MB) and a
// 26 MB message.
func poisonInputs(t *testing.T) map[string][]byte {
	in := readPoisonCorpus(t)
	bomb, err := os.ReadFile(filepath.Join("..", "masterdata", "testdata", "orders_bomb.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	in["orders/p52-zip-bomb.xlsx"] = bomb
	in["mail/p53-26mb.eml"] = mailWith("p53", []string{"Subject: big", "Content-Type: text/plain; charset=utf-8"},
		requestBody+strings.Repeat("長い本文の行。\n", 26<<20/22))
	return in
}

// fillInbox drops the demo's bank files and mail into env's inbox, and the inputs.
func fillInbox(t *testing.T, env *jobs.Env, inputs map[string][]byte) {
	t.Helper()
	recv := time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC)
	files := map[string][]byte{}
	for name, data := range demo.BankFiles(demo.Date) {
		files["bank/"+name] = data
	}
	for i, m := range demoMail(t) {
		files[fmt.Sprintf("mail/demo-%02d.eml", i)] = m.Mail
	}
	for p, b := range inputs {
		files[p] = b
	}
	for p, b := range files {
		path := filepath.Join(env.Config.InboxDir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, recv, recv)
	}
}

// appliedFacts is what a night applied, as text to compare: payments, invoices,
// contracts, orders, applied requests and seat additions.
func appliedFacts(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT p.invoice_number, p.amount, p.fee, p.rule, p.reversed, p.moved_to FROM payments p ORDER BY p.invoice_number, p.amount",
		"SELECT number, status, paid, total, seats FROM invoices ORDER BY number",
		"SELECT contract_no, seats, status, COALESCE(next_seats, -1), cancel_at_term_end FROM contracts ORDER BY contract_no",
		"SELECT order_no, status FROM orders ORDER BY order_no",
		"SELECT contract_no, kind, status, applied FROM requests WHERE applied = TRUE ORDER BY contract_no, kind",
		"SELECT akey, seats FROM seat_additions ORDER BY akey",
	} {
		rows, err := db.QueryxContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s: %s", q[7:30], fmt.Sprint(stringify(vals)...)))
		}
		rows.Close()
	}
	return out
}

func stringify(vals []any) []any {
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
		vals[i] = fmt.Sprintf("%v|", vals[i])
	}
	return vals
}

// checkOutputsText fails for every file under dir (a night's output folder) that is
// not valid UTF-8, PDFs aside.
func checkOutputsText(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".pdf") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if !utf8.Valid(b) {
			t.Errorf("output %s is not valid UTF-8", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Every input of the poison corpus, dropped into the inbox of the demo's night beside
// its good bank files and mail: the night and the next night finish ok, what they
// applied is exactly what the same night applies without the corpus, the report names
// each bad input, every output file and every stored text is valid UTF-8 (SPEC §10.0,
// issue 13).
func TestPoisonCorpusNight(t *testing.T) {
	if testing.Short() {
		t.Skip("the poison corpus runs three nights per engine")
	}
	inputs := poisonInputs(t)
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		// The same night without the corpus, on SQLite, is what may be applied.
		cleanDSN := storetest.SQLiteDSN(t)
		cleanDB := storetest.Open(t, cleanDSN)
		cleanEnv := newEnv(t, cleanDB, cleanDSN, t.TempDir())
		jobstest.SeedBank(t, cleanDB, cleanEnv)
		fillInbox(t, cleanEnv, nil)
		if s := runNight(t, cleanEnv, jobs.Options{}); s.Status != "ok" {
			t.Fatalf("the clean night: %s %s", s.Status, s.Error)
		}
		want := appliedFacts(t, cleanDB)

		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		jobstest.SeedBank(t, db, env)
		fillInbox(t, env, inputs)
		if s := runNight(t, env, jobs.Options{}); s.Status != "ok" {
			t.Fatalf("the poisoned night: %s %s", s.Status, s.Error)
		}
		if got := appliedFacts(t, db); !slices.Equal(got, want) {
			t.Errorf("the poisoned night applied other things than the clean one:\n%s", diffFacts(want, got))
		}
		report := readReport(t, out)
		xcsv, _ := os.ReadFile(filepath.Join(out, demo.Date.String(), "exceptions.csv"))
		var unnamed []string
		for p, data := range inputs {
			if !reportNames(t, db, report, string(xcsv), p, data) {
				unnamed = append(unnamed, p)
			}
		}
		slices.Sort(unnamed)
		for _, p := range unnamed {
			t.Errorf("the report does not name %s", p)
		}
		next := runNight(t, env, jobs.Options{Date: demo.Date.AddDays(1)})
		if next.Status != "ok" {
			t.Errorf("the next night: %s %s", next.Status, next.Error)
		}
		if n := checkOutputsText(t, filepath.Join(out, demo.Date.String())) + checkOutputsText(t, filepath.Join(out, demo.Date.AddDays(1).String())); n < 6 {
			t.Errorf("only %d output files checked", n)
		}
		storetest.CheckText(t, db)
	})
}

// reportNames reports whether the night's report (or exceptions.csv) names the input
// at path: a bank or order file by its name; a message by the start of its SHA-256 (a
// message that could not be read or was too big) or by the reply draft of the request
// it became.
func reportNames(t *testing.T, db *store.DB, report, xcsv, path string, data []byte) bool {
	t.Helper()
	name := path[strings.IndexByte(path, '/')+1:]
	if !strings.HasPrefix(path, "mail/") {
		return strings.Contains(report, name) || strings.Contains(xcsv, name)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if strings.Contains(report, sha[:12]) || strings.Contains(xcsv, sha[:12]) {
		return true
	}
	var ids []int64
	if err := db.SelectContext(context.Background(), &ids, "SELECT id FROM requests WHERE message_sha256 = ?", sha); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !strings.Contains(report, fmt.Sprintf("replies/%d.eml", id)) {
			return false
		}
	}
	return len(ids) > 0
}

// diffFacts shows what is only in want (-) and only in got (+).
func diffFacts(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "+ %s\n", g)
		}
	}
	return b.String()
}

// manyAddresses is n distinct addresses separated by ";" (22 characters each).
func manyAddresses(n int) string {
	var as []string
	for i := range n {
		as = append(as, fmt.Sprintf("keiri%02d@towa-logi.co.jp", i))
	}
	return strings.Join(as, ";")
}

// Master data files with broken rows, imported into the demo's database on both
// engines, are refused row by row with a reason and change nothing: a name of 5,000
// characters, bytes of no charset, NULs, broken lists of addresses, a broken workbook.
func TestPoisonMasterData(t *testing.T) {
	head := "customer_no,name,kana,postal_code,address,contact,email,payer_names,parent_customer_no,parent_share,country,corporate_no\r\n"
	row := func(name, email string) string {
		return "199998," + name + ",トウワ,105-0011,東京都港区芝公園2丁目4番1号,経理,\"" + email + "\",,,,JP,\r\n"
	}
	files := []struct {
		kind   masterdata.Kind
		name   string
		data   []byte
		column string
		says   string
	}{
		{masterdata.Customers, "long-name.csv", []byte(head + row(strings.Repeat("東", 5000), "keiri@towa.co.jp")), "name", "入るのは 200 文字まで"},
		{masterdata.Customers, "bad-bytes.csv", []byte(head + row("東和\xff\xfe", "keiri@towa.co.jp")), "", ""},
		{masterdata.Customers, "nul.csv", []byte(head + row("東和\x00物流", "keiri@towa.co.jp")), "name", "制御文字"},
		{masterdata.Customers, "emails-comma.csv", []byte(head + row("東和物流", "keiri@towa.co.jp, it@towa.co.jp")), "email", "（セミコロン）で区切ってください"},
		{masterdata.Customers, "emails-broken.csv", []byte(head + row("東和物流", "keiri@towa.co.jp;it@")), "email", "2 件中 2 件目"},
		{masterdata.Customers, "emails-too-many.csv", []byte(head + row("東和物流", manyAddresses(12))), "email", "入るのは 254 文字まで"},
		{masterdata.Plans, "broken.xlsx", []byte("PK\x03\x04 not a workbook"), "", "not a readable .xlsx workbook"},
		{masterdata.Contracts, "random.csv", poisonCorpus()["orders/p25-random-bytes.csv"], "", ""},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		env := newEnv(t, db, dsn, t.TempDir())
		seeded(t, db)
		before := appliedFacts(t, db)
		for _, f := range files {
			r, err := masterimport.Import(context.Background(), env.DB, masterimport.Input{Kind: f.kind, Name: f.name, Data: f.data, Opts: masterimport.Options{Apply: true}, Config: env.Config, Who: env.Who, Now: env.Now()})
			if err != nil {
				t.Errorf("%s: %v", f.name, err)
				continue
			}
			found := false
			for _, e := range r.Errors {
				if (f.column == "" || e.Column == f.column) && strings.Contains(e.Reason, f.says) {
					found = true
				}
			}
			if !found || r.Applied || r.Created > 0 {
				t.Errorf("%s: applied %v, errors %v; want a row error of %q saying %q", f.name, r.Applied, r.Errors, f.column, f.says)
			}
		}
		if after := appliedFacts(t, db); !slices.Equal(before, after) {
			t.Errorf("refused files changed the database:\n%s", diffFacts(before, after))
		}
		var n int
		if err := db.GetContext(context.Background(), &n, "SELECT COUNT(*) FROM customers WHERE customer_no = '199998'"); err != nil || n != 0 {
			t.Errorf("customer 199998 stored (%d, %v)", n, err)
		}
		storetest.CheckText(t, db)
	})
}
