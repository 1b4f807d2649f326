package web

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/npress/nightly/store"
)

// EnvChromium names the chromium binary the browser test drives, e.g. /usr/bin/chromium.
// NIGHTLY_TEST_SCREENSHOTS=DIR also saves PNGs of the main pages there, to look at.
const EnvChromium = "NIGHTLY_TEST_CHROMIUM"

// In a real browser: log in, open a night, view an invoice PDF, close an exception,
// resolve an unmatched transfer by choosing a suggestion and see the payment booked and
// the payer name learned; a viewer sees no form and an attempt to act is refused.
func TestInBrowser(t *testing.T) {
	exe := os.Getenv(EnvChromium)
	if exe == "" {
		t.Skip(EnvChromium + " not set: the browser test needs chromium (e.g. NIGHTLY_TEST_CHROMIUM=/usr/bin/chromium; .ci/run sets it)")
	}
	f := sqliteFixture(t, Options{})
	ctx := context.Background()
	f.seedBankNight(t) // the demo night with its bank files: unmatched transfers with suggestions
	ux := openTxnException(t, f.env.DB, "ambiguous")
	if len(ux.Suggestions) < 2 {
		t.Fatalf("ambiguous exception %s: %d suggestions", ux.NKey, len(ux.Suggestions))
	}
	pick := ux.Suggestions[1]
	txn, err := store.GetBankTxn(ctx, f.env.DB, ux.TxnID)
	if err != nil {
		t.Fatal(err)
	}
	paidBefore := invoicePaid(t, f.env.DB, pick.Invoices[0])
	addException(t, f.env.DB, "x:browser")
	addException(t, f.env.DB, "x:viewer")
	invs, err := store.ListInvoices(ctx, f.env.DB, store.InvoiceFilter{})
	if err != nil || len(invs) == 0 {
		t.Fatalf("no invoice to show: %v", err)
	}
	inv := invs[0]
	pdf := minimalPDF()
	if !inv.PDFSHA256.Valid {
		sha, err := f.env.Evidence.Put(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SetInvoicePDF(ctx, f.env.DB, inv.Number, sha, 1); err != nil {
			t.Fatal(err)
		}
	} else if pdf, err = f.env.Evidence.Get(inv.PDFSHA256.String); err != nil {
		t.Fatal(err)
	}

	bctx := browser(t, exe, 90*time.Second, chromedp.WindowSize(1280, 900))
	shot := screenshot
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	base := f.ts.URL
	login := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/nights"),
			chromedp.WaitVisible(css(`input[name=name]`)),
			shot("login"),
			chromedp.SendKeys(css(`input[name=name]`), name),
			chromedp.SendKeys(css(`input[name=password]`), password),
			chromedp.Click(css(`form.login button`)),
			chromedp.WaitVisible(css(`header nav`)),
		)
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	str := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(bctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	do(login("finance1"), shot("nights"))
	url := str(chromedp.Location())
	do(chromedp.Click(css(`a[href="/nights/2026-11-24"]`)), chromedp.WaitVisible(css(`#exceptions`)), shot("night"))
	title := str(chromedp.Title())
	if !strings.HasSuffix(url, "/nights") || !strings.Contains(title, "2026年11月24日") {
		t.Fatalf("after login at %s, night page title %q", url, title)
	}
	// The PDF, as the browser receives it from the invoice list's link.
	do(chromedp.Navigate(base+"/nights/"+inv.IssueDate.String()+"/invoices"),
		chromedp.WaitVisible(css(`a[href="/documents/`+inv.Number+`"]`)), shot("invoices"))
	pdfCheck := str(chromedp.Evaluate[string](`fetch("/documents/`+inv.Number+`").then(async r => r.status + " " +
		r.headers.get("content-type") + " " + (await r.arrayBuffer()).byteLength)`, chromedp.EvalAwaitPromise))
	if want := "200 application/pdf " + strconv.Itoa(len(pdf)); pdfCheck != want {
		t.Errorf("PDF in the browser: %q, want %q", pdfCheck, want)
	}
	// Open the PDF itself in the tab: the browser gets it inline.
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(base+"/documents/"+inv.Number))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.MimeType != "application/pdf" {
		t.Errorf("navigating to the PDF: %d %s", resp.Status, resp.MimeType)
	}
	// Resolve an exception.
	form := `//form[.//input[@name="id"][@value="x:browser"]]`
	do(chromedp.Navigate(base+"/exceptions"),
		chromedp.WaitVisible(chromedp.Search(form)),
		shot("exceptions"),
		chromedp.SendKeys(chromedp.Search(form+`//input[@name="why"]`), "入金を確認しました"),
		chromedp.Click(chromedp.Search(form+`//button`)),
		chromedp.WaitVisible(css(`.flash`)))
	flash := str(chromedp.Text(css(`.flash`)))
	// Resolve an unmatched transfer by choosing a suggestion: the script fills the
	// invoice field from the choice; the reason is typed.
	rform := `//form[@action="/actions/payments/resolve"][.//input[@name="txn"][@value="` + strconv.FormatInt(ux.TxnID, 10) + `"]]`
	do(chromedp.Navigate(base+"/exceptions"),
		chromedp.WaitVisible(chromedp.Search(rform)),
		chromedp.Click(chromedp.Search(rform+`//input[@name="suggestion"][@value="`+pick.Choice+`"]`)))
	if filled := str(chromedp.Value(chromedp.Search(rform + `//input[@name="invoice"]`))); filled != strings.Join(pick.Invoices, ", ") {
		t.Errorf("choosing suggestion %s filled the invoice field with %q", pick.Choice, filled)
	}
	do(chromedp.SendKeys(chromedp.Search(rform+`//input[@name="why"]`), "電話で確認"),
		shot("resolve"),
		chromedp.Click(chromedp.Search(rform+`//button[@type="submit"]`)),
		chromedp.WaitVisible(css(`.flash`)))
	rflash := str(chromedp.Text(css(`.flash`)))
	if !strings.Contains(rflash, "振込 "+strconv.FormatInt(ux.TxnID, 10)+" を請求書 "+pick.Invoices[0]) {
		t.Errorf("after resolving in the browser the page says %q", rflash)
	}
	if ps, err := store.PaymentsOfTxn(ctx, f.env.DB, ux.TxnID); err != nil || len(ps) != 1 || ps[0].InvoiceNumber != pick.Invoices[0] || ps[0].CreatedBy != "finance1" {
		t.Errorf("payments of transfer %d after the browser's resolve: %+v %v", ux.TxnID, ps, err)
	}
	if paid := invoicePaid(t, f.env.DB, pick.Invoices[0]); paid != paidBefore+txn.Amount {
		t.Errorf("invoice %s paid %d → %d, want +%d", pick.Invoices[0], paidBefore, paid, txn.Amount)
	}
	aliases, _ := store.PayerAliases(ctx, f.env.DB)
	learned := false
	for _, a := range aliases {
		learned = learned || (a.Name == txn.PayerNormalized && a.CustomerNo == pick.CustomerNo && a.LearnedBy == "finance1")
	}
	if !learned {
		t.Errorf("the browser's resolve did not learn %q → %s: %+v", txn.PayerNormalized, pick.CustomerNo, aliases)
	}
	do(chromedp.Navigate(base+"/contracts/NP-0001001"), chromedp.WaitVisible(css(`table.kv`)), shot("contract"))
	// A dry run from the web; the progress page polls until the night is done.
	do(chromedp.Navigate(base+"/runs/new?date=2026-11-24"), chromedp.WaitVisible(css(`form.card button`)),
		chromedp.Click(css(`form.card button`)), chromedp.WaitVisible(css(`#run-links`)), shot("run"))
	if msg := str(chromedp.Text(css(`#run-message`))); !strings.Contains(msg, "試算が終わりました") {
		t.Errorf("progress page says %q", msg)
	}
	var x store.Exception
	if err := f.env.DB.Get(&x, "SELECT * FROM exceptions WHERE nkey = 'x:browser'"); err != nil {
		t.Fatal(err)
	}
	if x.Status != "closed" || x.ClosedBy != "finance1" || x.ClosedWhy != "入金を確認しました" || !strings.Contains(flash, "を対応済みにしました") || !strings.Contains(flash, x.Subject) {
		t.Errorf("after closing in the browser: %+v, flash %q", x, flash)
	}
	// A viewer sees no form and a forged attempt is refused.
	do(chromedp.Click(css(`form.who button`)), chromedp.WaitVisible(css(`form.login`)), login("viewer1"),
		chromedp.Navigate(base+"/exceptions"), chromedp.WaitVisible(css(`main table`)))
	forms, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action^="/actions/"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	status := str(chromedp.Evaluate[string](`fetch("/actions/exceptions/close", {method: "POST",
		headers: {"Content-Type": "application/x-www-form-urlencoded"},
		body: new URLSearchParams({csrf: document.querySelector('form.who input[name=csrf]').value, id: "x:viewer", why: "viewer"})
	}).then(r => String(r.status))`, chromedp.EvalAwaitPromise))
	if forms != 0 || status != "403" {
		t.Errorf("viewer: %d close forms, POST answered %s, want 0 and 403", forms, status)
	}
	if err := f.env.DB.Get(&x, "SELECT * FROM exceptions WHERE nkey = 'x:viewer'"); err != nil || x.Status != "open" {
		t.Errorf("the viewer's attempt changed x:viewer: %+v %v", x, err)
	}
}

func invoicePaid(t *testing.T, db *store.DB, number string) int64 {
	t.Helper()
	inv, err := store.GetInvoice(context.Background(), db, number)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Paid
}
