package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// yenOf reads the amount the element with id shows (¥1,234 or −¥1,234).
func yenOf(t *testing.T, body, id string) int64 {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>(?:<b>)?(−?)¥([0-9,]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no amount with id %q in the page: %.2000s", id, body)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(m[2], ",", ""), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if m[1] != "" {
		v = -v
	}
	return v
}

// owedNow is Σ total − paid of the open and partially paid invoices, per customer and
// in all: what the booking door says is owed.
func owedNow(t *testing.T, db *store.DB) (map[string]int64, int64) {
	t.Helper()
	by, sum := map[string]int64{}, int64(0)
	for _, st := range []string{store.InvoiceOpen, store.InvoicePartiallyPaid} {
		invs, err := store.ListInvoices(context.Background(), db, store.InvoiceFilter{Status: st})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range invs {
			by[i.CustomerNo] += i.Total - i.Paid
			sum += i.Total - i.Paid
		}
	}
	return by, sum
}

// The 売掛金 page after the demo night, on SQLite and MariaDB: the aging total equals
// what the open invoices owe and the journal's 売掛金 balance, today and on an earlier
// day; every customer's line links to its open invoices, whose page adds up to the line;
// the monthly balance closes on the journal's balance; the night page and report.html
// show the same aging totals.
func TestReceivablesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		f := newFixture(t, db, dsn, Options{})
		f.env.ReceivablesAging = ledger.ReportAging
		f.seedBankNight(t)
		ctx := context.Background()
		today := calendar.InTokyo(morning)
		c := f.client(t)
		f.login(t, c, "viewer1")

		resp, body := get(t, c, f.ts.URL+"/receivables")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/receivables: %d %.500s", resp.StatusCode, body)
		}
		byCustomer, owed := owedNow(t, db)
		bk, err := ledger.AccountingBook(ctx, f.env, today)
		if err != nil {
			t.Fatal(err)
		}
		total := yenOf(t, body, "aging-total")
		if owed == 0 || total != owed || total != bk.ReceivableBalance(today) {
			t.Fatalf("aging total %d, open invoices owe %d, journal 売掛金 %d", total, owed, bk.ReceivableBalance(today))
		}
		if j, o := yenOf(t, body, "journal-balance"), yenOf(t, body, "invoices-owed"); j != total || o != total || !strings.Contains(body, "年齢表の合計と一致しています") {
			t.Errorf("the page's check: journal %d, invoices %d, aging %d", j, o, total)
		}
		for _, want := range []string{"2026年11月24日 現在", "期日前", "1–30日", "91日以上", "売掛金残高一覧表", "2026年11月（2026年11月24日 まで）",
			"弥生会計", "マネーフォワード クラウド会計", `href="/receivables"`} {
			if !strings.Contains(body, want) && !strings.Contains(stripTags(body), want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if overdue := yenOf(t, body, "aging-d1_30"); overdue == 0 {
			t.Errorf("the demo has renewals 1–30 days overdue; the page shows ¥0")
		}
		rows := bk.Aging(today)
		if len(rows) != len(byCustomer) {
			t.Errorf("%d customers in the aging, %d owe by their invoices", len(rows), len(byCustomer))
		}
		for _, r := range rows {
			link := fmt.Sprintf(`href="/receivables/customers/%s?as_of=%s"`, r.Customer, today)
			if !strings.Contains(body, link) {
				t.Errorf("no link to %s's open invoices (%s)", r.Customer, link)
			}
			if r.Total != byCustomer[r.Customer] {
				t.Errorf("%s: aging %d, its invoices owe %d", r.Customer, r.Total, byCustomer[r.Customer])
			}
		}
		// The monthly balance closes on the journal's balance through today.
		if cl := yenOf(t, body, "balance-closing"); cl != total {
			t.Errorf("monthly balance closes on %d, aging %d", cl, total)
		}

		// A customer's open invoices add up to the customer's line.
		r := rows[0]
		for _, row := range rows {
			if row.Total-row.NotDue > 0 {
				r = row // one with an overdue invoice
				break
			}
		}
		resp, cbody := get(t, c, fmt.Sprintf("%s/receivables/customers/%s?as_of=%s", f.ts.URL, r.Customer, today))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("customer page: %d %.500s", resp.StatusCode, cbody)
		}
		if got := yenOf(t, cbody, "customer-open"); got != r.Total {
			t.Errorf("%s's page shows %d open, the aging %d", r.Customer, got, r.Total)
		}
		invs, err := store.ListInvoices(ctx, db, store.InvoiceFilter{CustomerNo: r.Customer})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range invs {
			open := i.Status == store.InvoiceOpen || i.Status == store.InvoicePartiallyPaid
			if open != strings.Contains(cbody, ">"+i.Number+"<") {
				t.Errorf("%s's page: invoice %s (%s) listed %v", r.Customer, i.Number, i.Status, !open)
			}
		}
		if r.Total != r.NotDue && !strings.Contains(cbody, "日超過") {
			t.Errorf("%s owes overdue money; the page marks no invoice overdue", r.Customer)
		}

		// An earlier day: what was open then, the journal's balance then.
		early := calendar.MustParse("2026-11-10")
		resp, body = get(t, c, f.ts.URL+"/receivables?as_of="+early.String()+"&month=2026-10")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("as of %s: %d", early, resp.StatusCode)
		}
		if got, want := yenOf(t, body, "aging-total"), accounting.AgingTotal(bk.Aging(early)).Total; got != want || got != bk.ReceivableBalance(early) {
			t.Errorf("aging as of %s: page %d, ledger %d, journal %d", early, got, want, bk.ReceivableBalance(early))
		}
		if j := yenOf(t, body, "journal-balance"); j != bk.ReceivableBalance(early) || !strings.Contains(body, "年齢表の合計と一致しています") {
			t.Errorf("as of %s the page checks against the journal's %d, want %d", early, j, bk.ReceivableBalance(early))
		}
		if strings.Contains(body, `id="invoices-owed"`) {
			t.Error("the invoices table says what is owed now; it is not compared with an earlier day")
		}
		oct := calendar.MustParse("2026-10-31")
		if cl := yenOf(t, body, "balance-closing"); cl != bk.ReceivableBalance(oct) || !strings.Contains(body, "2026年10月・") {
			t.Errorf("October's balance closes on %d, journal through %s %d", cl, oct, bk.ReceivableBalance(oct))
		}

		// The night page and report.html show the aging totals of the night's date.
		sum := accounting.AgingTotal(bk.Aging(demo.Date))
		for _, u := range []string{"/nights/2026-11-24", "/nights/2026-11-24/report.html"} {
			_, nb := get(t, c, f.ts.URL+u)
			if got := yenOf(t, nb, "aging-total"); got != sum.Total || yenOf(t, nb, "aging-d1_30") != sum.D1to30 {
				t.Errorf("%s: aging total %d, want %d", u, got, sum.Total)
			}
			if !strings.Contains(stripTags(nb), "売掛金（2026年11月24日 現在）") {
				t.Errorf("%s: no 売掛金 section", u)
			}
		}
	})
}

// Bad input on the 売掛金 pages is answered with what to do, never a page of wrong
// figures; without a login they send to the login page.
func TestReceivablesRefuses(t *testing.T) {
	f := sqliteFixture(t, Options{})
	anon := f.client(t)
	for _, u := range []string{"/receivables", "/receivables/customers/100005", "/receivables/journal?format=yayoi&month=2026-11"} {
		resp, _ := get(t, anon, f.ts.URL+u)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s without a login: %d %s", u, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	c := f.client(t)
	f.login(t, c, "viewer1")
	for _, tc := range []struct {
		u      string
		status int
		want   string
	}{
		{"/receivables?as_of=2026-13-01", 400, "基準日 &#34;2026-13-01&#34; が読めません"},
		{"/receivables?as_of=2026-11-25", 400, "今日（2026年11月24日）より後です"},
		{"/receivables?month=2026-12", 400, "2026年12月 はまだ始まっていません"},
		{"/receivables?month=next", 400, "月 &#34;next&#34; が読めません"},
		{"/receivables/customers/999999", 404, "お客様 999999 はいません"},
		{"/receivables/customers/100005?as_of=x", 400, "基準日"},
		{"/receivables/journal?format=excel&month=2026-11", 400, "形式 &#34;excel&#34; はありません"},
		{"/receivables/journal?month=2026-11", 400, "形式"},
		{"/receivables/journal?format=yayoi&month=2027-01", 400, "まだ始まっていません"},
	} {
		resp, body := get(t, c, f.ts.URL+tc.u)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want %d with %q: %.600s", tc.u, resp.StatusCode, tc.status, tc.want, body)
		}
	}
	// What export journal would warn of is on the page before anything is downloaded.
	if _, err := f.env.DB.Exec("UPDATE customers SET name = '𠮷田商事株式会社' WHERE customer_no = '100005'"); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, c, f.ts.URL+"/receivables?month=2026-10") // 100005's renewal was issued in October
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "〓 で書きました（名前を確認してください）") {
		t.Errorf("a name Shift_JIS cannot hold: %d, no warning on the page", resp.StatusCode)
	}
	// A customer who owes nothing has a page that says so.
	resp, body = get(t, c, f.ts.URL+"/receivables/customers/100001?as_of=2026-11-24")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "未回収の請求書はありません") {
		t.Errorf("a customer owing nothing: %d %.600s", resp.StatusCode, body)
	}
}

// The downloads are the files `nightly export journal` writes for the month up to
// today, byte for byte: 弥生 in CP932 with CRLF and no header, MF and freee with their
// header rows; each reads back balanced as its importer would read it.
func TestJournalDownloads(t *testing.T) {
	f := sqliteFixture(t, Options{})
	f.seedBankNight(t)
	c := f.client(t)
	f.login(t, c, "viewer1")
	today := calendar.InTokyo(morning)
	sjis := func(s string) []byte {
		b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		format accounting.Format
		first  string // the first cells of the file, in CP932
	}{
		{accounting.FormatYayoi, "2"}, // 識別フラグ 2000 or 2110: no header row
		{accounting.FormatMF, "取引No,取引日,"},
		{accounting.FormatFreee, "収支区分,管理番号,"},
		{accounting.FormatFreeeJournal, "日付,伝票番号,"},
	} {
		resp, err := c.Get(f.ts.URL + "/receivables/journal?format=" + string(tc.format) + "&month=2026-11")
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %.500s", tc.format, resp.StatusCode, got.String())
		}
		name := fmt.Sprintf(`attachment; filename="journal-%s-20261101-20261124.csv"`, tc.format)
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, name) {
			t.Errorf("%s: Content-Disposition %q, want %s", tc.format, cd, name)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=Shift_JIS" {
			t.Errorf("%s: Content-Type %q", tc.format, ct)
		}
		var want bytes.Buffer
		res, err := ledger.ExportJournal(context.Background(), f.env, ledger.JournalOptions{Format: tc.format,
			From: calendar.MustParse("2026-11-01"), To: today, Today: today}, &want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) || res.Entries == 0 {
			t.Errorf("%s: the download (%d bytes) is not what export journal writes (%d bytes, %d entries)", tc.format, got.Len(), want.Len(), res.Entries)
		}
		b := got.Bytes()
		if n, err := accounting.Check(tc.format, b, accounting.CP932); err != nil || n != res.Entries {
			t.Errorf("%s: reads back %d of %d entries: %v", tc.format, n, res.Entries, err)
		}
		if !bytes.HasPrefix(b, sjis(tc.first)) {
			t.Errorf("%s: starts %q, want %q", tc.format, b[:min(len(b), 20)], tc.first)
		}
		if bytes.Count(b, []byte("\r\n")) != bytes.Count(b, []byte("\n")) || !bytes.HasSuffix(b, []byte("\r\n")) {
			t.Errorf("%s: a line does not end in CRLF", tc.format)
		}
		if !bytes.Contains(b, sjis("売上高")) || utf8.Valid(b) {
			t.Errorf("%s: not Shift_JIS text naming 売上高", tc.format)
		}
	}
}

// stripTags is the text of a page with its tags removed (dates and numbers are wrapped
// in spans that keep them on one line).
func stripTags(html string) string { return tagRE.ReplaceAllString(html, "") }

var tagRE = regexp.MustCompile(`<[^>]*>`)
