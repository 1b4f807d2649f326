package jobs_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// wantInvoice is an invoice the demo night must issue, with amounts computed by hand.
type wantInvoice struct {
	number, kind, contract string
	revision, seats        int
	unitPrice              int64
	subtotal, tax, total   int64
	due                    string
	short                  bool
	replaces               string
}

// The demo night's invoices (SPEC §3, §4.1–4.4), in the order the step issues them:
// renewals by contract, orders by order number, then reissues. Tax is 10% of the
// subtotal, rounded down once per invoice.
var demoInvoices = map[string]wantInvoice{
	// next start 2026-12-24: issued 2026-11-24, due 12-24 − 14 = 12-10 (Thu). The term was
	// locked at ¥16,800; the renewal takes the price on its issue date, ¥18,000 (§3.1).
	"renewal:NP-0001326:2026-12-24": {"2026-000012", "renewal", "NP-0001326", 0, 10, 18000, 180000, 18000, 198000, "2026-12-10", false, ""},
	// reduced from 7 to 6 seats for the next term: 6 × 33,000.
	"renewal:NP-0001327:2026-12-24": {"2026-000013", "renewal", "NP-0001327", 0, 6, 33000, 198000, 19800, 217800, "2026-12-10", false, ""},
	// next start 2026-12-05, should have been issued 11-05: caught up, due 11-24 + 14 = 12-08 (Tue).
	"renewal:NP-0001328:2026-12-05": {"2026-000014", "renewal", "NP-0001328", 0, 20, 9000, 180000, 18000, 198000, "2026-12-08", true, ""},
	// new: 12 × 18,000, due issue + 14 days.
	"order:EC-20261123-0001": {"2026-000015", "new", "NP-0001330", 0, 12, 18000, 216000, 21600, 237600, "2026-12-08", false, ""},
	// perpetual licence: 3 × 68,000.
	"order:EC-20261123-0002": {"2026-000016", "new", "NP-0001331", 0, 3, 68000, 204000, 20400, 224400, "2026-12-08", false, ""},
	// migration: 40 × 34,800.
	"order:EC-20261124-0003": {"2026-000017", "new", "NP-0001332", 0, 40, 34800, 1392000, 139200, 1531200, "2026-12-08", false, ""},
	// addition of 5 seats from December to the term 2026-04-15 – 2027-04-14: cycles from
	// 12-15, 4 months, floor(18,000 × 5 × 4 / 12) = 30,000 (§3.2).
	"order:EC-20261124-0004": {"2026-000018", "addition", "NP-0001329", 0, 5, 18000, 30000, 3000, 33000, "2026-12-08", false, ""},
	// addition of 2 seats to NP-0001011 from November: the cycle 11-20 to 12-19, one month,
	// floor(18,000 × 2 × 1 / 12) = 3,000.
	"order:EC-20261124-0005": {"2026-000019", "addition", "NP-0001011", 0, 2, 18000, 3000, 300, 3300, "2026-12-08", false, ""},
	// Its renewal for 2026-12-20 was issued, but the next term's 2 seats are billed on a
	// second addition invoice only once this one is paid (SPEC §4.2): none tonight.
	// The posted renewal of NP-0001012 (16 seats) reduced to 12: revision 1 replaces it;
	// due 12-04 would leave 10 days, so run date + 14 = 12-08.
	"renewal:NP-0001012:2026-12-20": {"2026-000020", "renewal", "NP-0001012", 1, 12, 18000, 216000, 21600, 237600, "2026-12-08", true, "2026-000011"},
}

func checkDemoInvoices(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	invs, err := store.ListInvoices(ctx, db, store.InvoiceFilter{IssueDate: demo.Date})
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != len(demoInvoices) {
		t.Errorf("issued %d invoices on %s, want %d", len(invs), demo.Date, len(demoInvoices))
	}
	for _, i := range invs {
		w, ok := demoInvoices[i.NKey]
		if !ok {
			t.Errorf("unexpected invoice %s %s", i.Number, i.NKey)
			continue
		}
		got := wantInvoice{i.Number, i.Kind, i.ContractNo, i.Revision, i.Seats, i.UnitPrice, i.Subtotal, i.Tax, i.Total,
			i.DueDate.String(), i.ShortNotice, i.Replaces}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", i.NKey, got, w)
		}
		if i.PDFSHA256.String == "" || i.Pages < 1 {
			t.Errorf("%s has no stored PDF", i.Number)
		}
	}
	// Numbers are gapless: 2026-000001 … the counter.
	all, _ := store.ListInvoices(ctx, db, store.InvoiceFilter{})
	for k, i := range all {
		if i.Year != 2026 || i.Seq != k+1 {
			t.Errorf("invoice %d is %s: numbers are not gapless", k+1, i.Number)
		}
	}
	old, _ := store.GetInvoice(ctx, db, "2026-000011")
	if old.Status != store.InvoiceVoid || old.VoidedOn != demo.Date || old.ReissueNeeded {
		t.Errorf("2026-000011: status %s voided %s reissue %v, want void on %s", old.Status, old.VoidedOn, old.ReissueNeeded, demo.Date)
	}
	c, _ := store.GetContract(ctx, db, "NP-0001330")
	if c.Status != store.StatusPending || !c.TermStart.IsZero() || c.OrderNo.String != "EC-20261123-0001" {
		t.Errorf("contract of the new order: %+v", c)
	}
	for no, status := range map[string]string{"EC-20261123-0001": "invoiced", "EC-20261124-0005": "invoiced", "EC-20261125-0006": "received"} {
		if o, _ := store.GetOrder(ctx, db, no); o.Status != status {
			t.Errorf("order %s: %s, want %s", no, o.Status, status)
		}
	}
	ns, _ := store.ListNotices(ctx, db, demo.Date)
	want := map[string]string{"2026-000006-R": "reminder", "2026-000007-R": "reminder", "2026-000011-C": "cancellation"}
	if len(ns) != len(want) {
		t.Errorf("notices %+v, want %v", ns, want)
	}
	for _, n := range ns {
		if want[n.Number] != n.Kind || !n.PDFSHA256.Valid {
			t.Errorf("notice %s %s pdf %v", n.Number, n.Kind, n.PDFSHA256.Valid)
		}
		if n.Kind == "cancellation" && n.ReplacedBy != "2026-000020" {
			t.Errorf("notice %s replaced by %q, want 2026-000020", n.Number, n.ReplacedBy)
		}
	}
}

// readTree returns every file under dir by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return nil
	})
	return out
}

// The demo night issues what SPEC §4 says, with hand-checked amounts and gapless
// numbers; its files are the stored bytes; a rerun issues nothing; a deleted day
// folder is written again byte for byte.
func TestInvoicingDemoNight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		first := runNight(t, env, jobs.Options{})
		c := changes(first)
		for k, v := range map[string]int{"invoicing.renewals": 3, "invoicing.short_notice": 1, "invoicing.new": 3, "invoicing.contracts": 3,
			"invoicing.additions": 2, "invoicing.voided": 1, "invoicing.reissued": 1, "invoicing.cancellation_notices": 1} {
			if c[k] != v {
				t.Errorf("%s = %d, want %d", k, c[k], v)
			}
		}
		checkDemoInvoices(t, db)

		day := filepath.Join(out, demo.Date.String())
		files := readTree(t, day)
		invs, _ := store.ListInvoices(ctx, db, store.InvoiceFilter{IssueDate: demo.Date})
		for _, i := range invs {
			b, ok := files[filepath.Join("invoices", i.Number+".pdf")]
			stored, err := env.Evidence.Get(i.PDFSHA256.String)
			if !ok || err != nil || !bytes.Equal(b, stored) {
				t.Errorf("invoices/%s.pdf: written %v, stored %v; must be the stored bytes", i.Number, ok, err)
			}
		}
		for _, n := range []string{"2026-000006-R", "2026-000007-R", "2026-000011-C"} {
			if b := files[filepath.Join("notices", n+".pdf")]; !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("notices/%s.pdf missing", n)
			}
		}
		if _, ok := files[filepath.Join("invoices", "2026-000011.pdf")]; ok {
			t.Error("a voided invoice issued earlier was written to tonight's invoices/")
		}
		checkDispatch(t, db, files[filepath.Join("print", "dispatch.csv")])
		checkBundle(t, files[filepath.Join("print", "bundle.pdf")])
		if !bytes.HasPrefix(files[filepath.Join("print", "bundle.pdf")], []byte("%PDF-")) {
			t.Error("print/bundle.pdf missing")
		}
		qpdfCheck(t, filepath.Join(day, "print", "bundle.pdf"))
		rep := string(files["report.html"])
		for _, s := range []string{"郵送してはいけない請求書", "2026-000011", "2026-000020</span> を代わりに郵送", "2026-000011-C</span> を同封",
			"支払期限を短縮した更新請求書", "2026-000014", `href="invoices/2026-000015.pdf"`, `href="notices/2026-000011-C.pdf"`, "print/bundle.pdf"} {
			if !strings.Contains(rep, s) {
				t.Errorf("report does not show %q", s)
			}
		}
		dump := dumpDB(t, db)

		second := runNight(t, env, jobs.Options{})
		if c := nonZero(changes(second)); len(c) != 0 {
			t.Errorf("rerun changed %v", c)
		}
		if d := dumpDB(t, db); d != dump {
			t.Errorf("rerun changed the database:\n%s", diffLines(dump, d))
		}
		os.RemoveAll(day)
		runNight(t, env, jobs.Options{})
		again := readTree(t, day)
		for name, b := range files {
			if name == "report.html" {
				continue
			}
			if !bytes.Equal(again[name], b) {
				t.Errorf("%s differs after deleting the folder and rerunning", name)
			}
		}
		if len(again) != len(files) {
			t.Errorf("rerun wrote %d files, first run %d", len(again), len(files))
		}
	})
}

func checkDispatch(t *testing.T, db *store.DB, b []byte) {
	t.Helper()
	ctx := context.Background()
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("dispatch.csv has no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "郵便番号,住所,宛名,書類番号,種類,金額,枚数,封筒,同封" {
		t.Errorf("header %v", rows[0])
	}
	seen := map[string][]string{}
	prev, prevEnv, envelopes := "", "", map[string]string{} // envelope → its 宛名
	for _, r := range rows[1:] {
		seen[r[3]] = r
		if r[0] < prev {
			t.Errorf("dispatch list not in postal-code order: %s after %s", r[0], prev)
		}
		prev = r[0]
		// One recipient's documents are together, in one envelope, counted k/n.
		if name, ok := envelopes[r[7]]; ok && (name != r[2] || r[7] != prevEnv) {
			t.Errorf("envelope %s holds documents for %q and %q, or not in a row", r[7], name, r[2])
		}
		envelopes[r[7]] = r[2]
		prevEnv = r[7]
		// 宛名 as the PDF's window shows it: 様 on the contact line, or 御中, never both.
		if strings.HasSuffix(r[2], "様") == strings.HasSuffix(r[2], "御中") || strings.Contains(r[2], "御中") && strings.Contains(r[2], "様") {
			t.Errorf("%s: 宛名 %q", r[3], r[2])
		}
	}
	// Tonight's unposted documents are there; the void one and the posted ones are not.
	for _, n := range []string{"2026-000012", "2026-000020", "2026-000011-C", "2026-000006-R"} {
		if seen[n] == nil {
			t.Errorf("dispatch list lacks %s", n)
		}
	}
	for _, n := range []string{"2026-000011", "2026-000001"} {
		if seen[n] != nil {
			t.Errorf("dispatch list holds %s, which must not be posted", n)
		}
	}
	if len(rows)-1 != 12 {
		t.Errorf("dispatch list has %d documents, want 12 (9 invoices, 3 notices)", len(rows)-1)
	}
	// NP-0001012's customer gets the notice and the corrected invoice in one envelope,
	// addressed as its PDFs are: the company, then its contact with 様.
	cust, err := store.GetCustomer(ctx, db, "100012")
	if err != nil {
		t.Fatal(err)
	}
	c, r := seen["2026-000011-C"], seen["2026-000020"]
	if c == nil || r == nil || c[7] != r[7] || c[8] != "1/2" || r[8] != "2/2" || c[2] != cust.Name+" "+cust.Contact+" 様" {
		t.Errorf("notice %v and replacement %v: want one envelope 1/2, 2/2 addressed %q", c, r, cust.Name+" "+cust.Contact+" 様")
	}
	// A reminder of a half-paid invoice lists what it asks for: the remainder.
	inv, err := store.GetInvoice(ctx, db, "2026-000007")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Paid <= 0 || inv.Paid >= inv.Total {
		t.Fatalf("2026-000007 should be paid in part: paid %d of %d", inv.Paid, inv.Total)
	}
	if rm := seen["2026-000007-R"]; rm == nil || rm[5] != strconv.FormatInt(inv.Total-inv.Paid, 10) {
		t.Errorf("reminder row %v: want the remaining %d", rm, inv.Total-inv.Paid)
	}
}

// checkBundle wants a separator sheet (封入票) before each envelope of several
// documents and before no other page.
func checkBundle(t *testing.T, pdf []byte) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed: the bundle's pages not checked")
		return
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
	var sheets []int
	for i, p := range pages {
		if strings.Contains(p, "封入票") {
			sheets = append(sheets, i)
		}
	}
	if len(sheets) == 0 {
		t.Fatal("the bundle has no separator sheet, though one customer gets two documents")
	}
	first := regexp.MustCompile(`\d+ 通中 1 (\S+)`)
	for _, i := range sheets {
		m := first.FindStringSubmatch(pages[i])
		if m == nil || i+2 >= len(pages) || !strings.Contains(pages[i+1], m[1]) {
			t.Errorf("separator sheet on page %d does not announce the next page's document:\n%s", i+1, pages[i])
		}
	}
	if len(pages) != 12+len(sheets) {
		t.Errorf("bundle has %d pages, want 12 documents of one page and %d separator sheets", len(pages), len(sheets))
	}
}

func qpdfCheck(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Log("qpdf not installed: bundle not checked with qpdf")
		return
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check %s: %v\n%s", path, err, out)
	}
}

// A dry run issues and renders in its rolled-back transaction: no number is consumed,
// no PDF written, and the real night then takes the same numbers.
func TestInvoicingDryRunConsumesNoNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		s := runNight(t, env, jobs.Options{DryRun: true})
		if c := changes(s); c["invoicing.renewals"] != 3 || c["invoicing.reissued"] != 1 {
			t.Errorf("dry run computed %v", c)
		}
		var last int
		if err := db.GetContext(context.Background(), &last, "SELECT last_seq FROM invoice_counters WHERE year = 2026"); err != nil || last != 11 {
			t.Errorf("after the dry run the 2026 counter is %d (%v), want 11", last, err)
		}
		for _, sub := range []string{"invoices", "notices", "print", filepath.Join("dry-run", "invoices"), filepath.Join("dry-run", "print")} {
			if _, err := os.Stat(filepath.Join(out, demo.Date.String(), sub)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("dry run wrote %s: %v", sub, err)
			}
		}
		runNight(t, env, jobs.Options{})
		checkDemoInvoices(t, db)
	})
}

// `invoices void --reissue` on a posted invoice: the next night voids it, issues
// revision 1 with the contract's seats now, and a notice of cancellation; a void
// invoice cannot be marked posted; a plain void of an unposted invoice has no notice.
func TestVoidReissueAndPosted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		out := t.TempDir()
		env := newEnv(t, db, dsn, out)
		seeded(t, db)
		runNight(t, env, jobs.Options{})
		env.Who = "sato"

		if n, err := jobs.MarkPosted(ctx, env, []string{"2026-000012", "2026-000006-R"}); err != nil || n != 2 {
			t.Fatalf("posted: %d, %v", n, err)
		}
		if n, err := jobs.MarkPosted(ctx, env, []string{"2026-000012"}); err != nil || n != 0 {
			t.Errorf("posted twice: %d, %v", n, err)
		}
		if _, err := jobs.MarkPosted(ctx, env, []string{"2026-000011"}); err == nil {
			t.Error("a void invoice was marked posted")
		}
		if _, err := jobs.MarkPosted(ctx, env, []string{"2026-999999"}); !errors.Is(err, jobs.ErrNoDocument) {
			t.Errorf("unknown number: %v", err)
		}
		if err := jobs.VoidInvoice(ctx, env, "2026-000012", "", true); err == nil {
			t.Error("void without a reason accepted")
		}
		if _, err := db.ExecContext(ctx, "UPDATE contracts SET next_seats = 8 WHERE contract_no = 'NP-0001326'"); err != nil {
			t.Fatal(err)
		}
		if err := jobs.VoidInvoice(ctx, env, "2026-000012", "減数（10→8）を受理", true); err != nil {
			t.Fatal(err)
		}
		if err := jobs.VoidInvoice(ctx, env, "2026-000015", "注文取消", false); err != nil {
			t.Fatal(err)
		}
		a, _ := store.AuditOf(ctx, db, "2026-000012")
		if len(a) < 2 || a[len(a)-1].Who != "sato" || a[len(a)-1].Why != "減数（10→8）を受理" {
			t.Errorf("audit of the void: %+v", a)
		}

		next := calendar.MustParse("2026-11-25")
		runNight(t, env, jobs.Options{Date: next})
		invs, _ := store.ListInvoices(ctx, db, store.InvoiceFilter{IssueDate: next})
		var rev *store.Invoice
		for k := range invs {
			if invs[k].NKey == "renewal:NP-0001326:2026-12-24" {
				rev = &invs[k]
			}
		}
		if rev == nil {
			t.Fatalf("no reissue on %s: %+v", next, invs)
		}
		// 8 × 18,000 = 144,000, tax 14,400; due 12-10 as scheduled (15 days left).
		if rev.Revision != 1 || rev.Replaces != "2026-000012" || rev.Seats != 8 || rev.Subtotal != 144000 || rev.Tax != 14400 ||
			rev.Total != 158400 || rev.DueDate.String() != "2026-12-10" || rev.ShortNotice {
			t.Errorf("reissue %+v", *rev)
		}
		old, _ := store.GetInvoice(ctx, db, "2026-000012")
		if old.Status != store.InvoiceVoid || old.VoidedOn != next {
			t.Errorf("2026-000012 after the night: %s %s", old.Status, old.VoidedOn)
		}
		ns, _ := store.ListNotices(ctx, db, next)
		if len(ns) != 1 || ns[0].Number != "2026-000012-C" || ns[0].ReplacedBy != rev.Number || !ns[0].PDFSHA256.Valid {
			t.Errorf("notices of %s: %+v", next, ns)
		}
		if _, err := os.Stat(filepath.Join(out, next.String(), "notices", "2026-000012-C.pdf")); err != nil {
			t.Errorf("notice file: %v", err)
		}
		plain, _ := store.GetInvoice(ctx, db, "2026-000015")
		if plain.Status != store.InvoiceVoid || plain.ReissueNeeded {
			t.Errorf("plain void: %+v", plain)
		}
		if r, _ := store.Replacement(ctx, db, "2026-000015"); r != "" {
			t.Errorf("a plain void was reissued as %s", r)
		}
		// The next night's bundle holds what is still unposted, not the void ones.
		nums, err := jobs.BundleNumbers(ctx, env, next)
		if err != nil {
			t.Fatal(err)
		}
		joined := strings.Join(nums, " ")
		if strings.Contains(joined, "2026-000012 ") || strings.Contains(joined, "2026-000015") || !strings.Contains(joined, rev.Number) {
			t.Errorf("bundle of %s: %s", next, joined)
		}
		if n, err := jobs.MarkPosted(ctx, env, nums); err != nil || n != len(nums) {
			t.Errorf("posted --bundle: %d of %d, %v", n, len(nums), err)
		}
		if nums, _ := jobs.BundleNumbers(ctx, env, next); len(nums) != 0 {
			t.Errorf("after posting the bundle %d remain", len(nums))
		}
	})
}

// The stored PDF handed out later is the night's file, byte for byte.
func TestStoredPDFIsTheNightsFile(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	db := storetest.Open(t, dsn)
	out := t.TempDir()
	env := newEnv(t, db, dsn, out)
	seeded(t, db)
	runNight(t, env, jobs.Options{})
	for _, n := range []string{"2026-000016", "2026-000011-C", "2026-000001"} {
		got, err := jobs.StoredPDF(ctx, env, n)
		if err != nil {
			t.Fatal(err)
		}
		if n == "2026-000001" { // issued before tonight: kept as evidence, not in tonight's folder
			if !bytes.HasPrefix(got, []byte("%PDF-")) {
				t.Errorf("%s: not a PDF", n)
			}
			continue
		}
		sub := "invoices"
		if strings.Contains(n, "-C") {
			sub = "notices"
		}
		want, _ := os.ReadFile(filepath.Join(out, demo.Date.String(), sub, n+".pdf"))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: stored PDF differs from the night's file", n)
		}
	}
	if _, err := jobs.StoredPDF(ctx, env, "2026-999999"); !errors.Is(err, jobs.ErrNoDocument) {
		t.Errorf("unknown number: %v", err)
	}
	pdf, err := jobs.PreviewRenewal(ctx, env, "NP-0001329")
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("preview: %v", err)
	}
	if _, err := jobs.PreviewRenewal(ctx, env, "NP-0001331"); err == nil {
		t.Error("preview of a pending perpetual licence accepted")
	}
}

// BenchmarkInvoicingNight issues and renders the renewals of N contracts (default
// 2,000; NIGHTLY_BENCH_CONTRACTS to change) due on one night, on SQLite:
//
//	NIGHTLY_BENCH_CONTRACTS=2000 go test -run '^$' -bench InvoicingNight -benchtime 1x ./jobs/
func BenchmarkInvoicingNight(b *testing.B) {
	count := 2000
	if v, err := strconv.Atoi(os.Getenv("NIGHTLY_BENCH_CONTRACTS")); err == nil && v > 0 {
		count = v
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := context.Background()
		dir := b.TempDir()
		dsn := "sqlite:" + filepath.Join(dir, "bench.db")
		db, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if err := seedBench(ctx, db, count); err != nil {
			b.Fatal(err)
		}
		env := invoicingBenchEnv(b, db, dsn, dir)
		b.StartTimer()
		sums, err := jobs.Run(ctx, env, jobs.Options{Date: demo.Date, Only: []string{"invoicing"}})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := changes(sums[0])["invoicing.renewals"]; got != count {
			b.Fatalf("issued %d renewals, want %d", got, count)
		}
		b.ReportMetric(float64(count)/b.Elapsed().Seconds()*float64(i+1), "invoices/s")
		db.Close()
	}
}

func seedBench(ctx context.Context, db *store.DB, count int) error {
	now := fixedNow
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.PutPlan(ctx, tx, store.Plan{Code: "M365-BS", Name: "Microsoft 365 Business Standard", Kind: "subscription"}, now); err != nil {
			return err
		}
		if err := store.PutPlanPrice(ctx, tx, store.PlanPrice{PlanCode: "M365-BS", ValidFrom: calendar.MustParse("2024-01-01"), UnitPrice: 18000}); err != nil {
			return err
		}
		start := demo.Date.AddMonths(1).AddMonths(-12)
		for i := 0; i < count; i++ {
			cu := store.Customer{No: fmt.Sprintf("%06d", 200000+i), Name: fmt.Sprintf("株式会社ベンチ%d", i), PostalCode: "100-0005",
				Address: "東京都千代田区丸の内1丁目1番1号", Country: "JP"}
			if err := store.PutCustomer(ctx, tx, cu, now); err != nil {
				return err
			}
			k := store.Contract{No: fmt.Sprintf("NP-%07d", 100000+i), CustomerNo: cu.No, PlanCode: "M365-BS", Seats: 1 + i%50,
				UnitPrice: 18000, TermStart: start, TermEnd: contract.TermEnd(start), Status: store.StatusActive, AutoRenew: true}
			if err := store.PutContract(ctx, tx, k, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func invoicingBenchEnv(b *testing.B, db *store.DB, dsn, out string) *jobs.Env {
	c := config.Default()
	c.DB, c.OutDir = dsn, out
	c.Resolve()
	c.EvidenceDir = filepath.Join(out, "evidence")
	ev, err := evidence.Open(c.EvidenceDir)
	if err != nil {
		b.Fatal(err)
	}
	return &jobs.Env{DB: db, Config: c, Calendar: calendar.NewCalendar(calendar.Options{}), Evidence: ev,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return fixedNow }, Who: "bench"}
}

// Orders the night cannot invoice become exceptions for staff and leave the order
// marked, so that a rerun does not repeat them; no number is taken for them.
func TestInvoicingRefusesBadOrders(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	db := storetest.Open(t, dsn)
	env := newEnv(t, db, dsn, t.TempDir())
	seeded(t, db)
	bad := []store.Order{
		// NP-0001329's term runs 2026-04-15 to 2027-04-14: no cycle starts in May 2027.
		{No: "EC-BAD-1", Kind: "addition", CustomerNo: "100204", ContractNo: sql.NullString{String: "NP-0001329", Valid: true},
			PlanCode: "M365-BS", Seats: 1, OrderDate: demo.Date, DesiredStart: "2027-05"},
		{No: "EC-BAD-2", Kind: "addition", CustomerNo: "100204", ContractNo: sql.NullString{String: "NP-0009999", Valid: true},
			PlanCode: "M365-BS", Seats: 1, OrderDate: demo.Date},
		{No: "EC-BAD-3", Kind: "new", CustomerNo: "100204", PlanCode: "NO-SUCH", Seats: 1, OrderDate: demo.Date},
		{No: "EC-BAD-4", Kind: "new", CustomerNo: "999999", PlanCode: "M365-BS", Seats: 1, OrderDate: demo.Date},
	}
	for _, o := range bad {
		o.Status = "received"
		if err := store.PutOrder(ctx, db, o, fixedNow); err != nil {
			t.Fatal(err)
		}
	}
	s := runNight(t, env, jobs.Options{})
	if c := changes(s); c["invoicing.new"] != 3 || c["invoicing.additions"] != 2 {
		t.Errorf("the good orders: %v", c)
	}
	xs, _ := store.OpenExceptions(ctx, db)
	found := map[string]string{}
	for _, x := range xs {
		if x.Kind == "order_invalid" {
			found[x.Subject] = x.Message
		}
	}
	for _, o := range bad {
		if found[o.No] == "" {
			t.Errorf("no exception for %s (%v)", o.No, found)
		}
		if got, _ := store.GetOrder(ctx, db, o.No); got.Status != "exception" {
			t.Errorf("order %s: status %s, want exception", o.No, got.Status)
		}
	}
	if !strings.Contains(found["EC-BAD-1"], "2027年5月") {
		t.Errorf("EC-BAD-1: %s", found["EC-BAD-1"])
	}
	var last int
	db.GetContext(ctx, &last, "SELECT last_seq FROM invoice_counters WHERE year = 2026")
	if last != 20 {
		t.Errorf("counter %d after the night, want 20: a refused order took a number", last)
	}
	if c := nonZero(changes(runNight(t, env, jobs.Options{}))); len(c) != 0 {
		t.Errorf("rerun changed %v", c)
	}
}
