package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/wording"
)

// In a real browser at 1024 and 1440 px: the 売掛金 page shows the aging total the
// ledger computes and fits the window (its tables scroll inside their box, not the page);
// a customer's number opens its open invoices; the night page shows the aging totals.
// NIGHTLY_TEST_SCREENSHOTS=DIR saves the pages as PNGs.
func TestReceivablesInBrowser(t *testing.T) {
	exe := os.Getenv(EnvChromium)
	if exe == "" {
		t.Skip(EnvChromium + " not set: the browser test needs chromium (e.g. NIGHTLY_TEST_CHROMIUM=/usr/bin/chromium)")
	}
	f := sqliteFixture(t, Options{})
	f.env.ReceivablesAging = ledger.ReportAging
	f.seedBankNight(t)
	today := calendar.InTokyo(morning)
	bk, err := ledger.AccountingBook(context.Background(), f.env, today)
	if err != nil {
		t.Fatal(err)
	}
	rows := bk.Aging(today)
	total := wording.Yen(accounting.AgingTotal(rows).Total)

	bctx := browser(t, exe, 90*time.Second, chromedp.WindowSize(1440, 900))
	shot := screenshot
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	base := f.ts.URL
	do(chromedp.Navigate(base+"/receivables"), chromedp.WaitVisible(css(`input[name=name]`)),
		chromedp.SendKeys(css(`input[name=name]`), "viewer1"), chromedp.SendKeys(css(`input[name=password]`), password),
		chromedp.Click(css(`form.login button`)), chromedp.WaitVisible(css(`#aging-total`)))
	for _, w := range []int64{1024, 1440} {
		do(chromedp.EmulateViewport(w, 900), chromedp.Navigate(base+"/receivables"), chromedp.WaitVisible(css(`#aging-total`)),
			shot(fmt.Sprintf("receivables-%d", w)))
		got, err := chromedp.Run(bctx, chromedp.Text(css(`#aging-total`)))
		if err != nil {
			t.Fatal(err)
		}
		if got != total {
			t.Errorf("at %d px the page shows the aging total %q, the ledger %s", w, got, total)
		}
		wide, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if wide {
			t.Errorf("at %d px the page is wider than the window", w)
		}
	}
	first := rows[0]
	do(chromedp.Click(css(`#aging a[href^="/receivables/customers/`+first.Customer+`"]`)), chromedp.WaitVisible(css(`#customer-open`)),
		shot("receivables-customer"))
	if got, err := chromedp.Run(bctx, chromedp.Text(css(`#customer-open`))); err != nil || got != wording.Yen(first.Total) {
		t.Errorf("%s's open invoices add up to %q, the aging line %s (%v)", first.Customer, got, wording.Yen(first.Total), err)
	}
	do(chromedp.Navigate(base+"/nights/"+today.String()), chromedp.WaitVisible(css(`#aging`)))
	if shots := os.Getenv("NIGHTLY_TEST_SCREENSHOTS"); shots != "" {
		png, err := chromedp.Run(bctx, chromedp.Screenshot(css(`#aging`)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, "night-aging.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := chromedp.Run(bctx, chromedp.Text(css(`#aging #aging-total`))); err != nil || got != total {
		t.Errorf("the night page shows the aging total %q, want %s (%v)", got, total, err)
	}
}
