package web

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium is the browser the layout tests drive: NIGHTLY_TEST_CHROMIUM, else a
// chromium on PATH; "" when there is none.
func chromium() string {
	if exe := os.Getenv(EnvChromium); exe != "" {
		return exe
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// layoutProbe runs in the page and lists what a person would see as broken: the page
// wider than the window, a table cell so narrow that it holds a character or two per
// line, and a contract number, invoice number, date, amount or badge broken over two
// lines.
const layoutProbe = `(() => {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > window.innerWidth + 1) out.push("page is " + de.scrollWidth + "px wide in a " + window.innerWidth + "px window");
  const unbroken = /NP-\d{7}|\d{4}-\d{6}|\d{4}年\d{1,2}月\d{1,2}日|¥[\d,]+|\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/g;
  const lines = (range) => new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  document.querySelectorAll("td, th").forEach((cell) => {
    if (cell.offsetParent === null) return;
    const text = cell.innerText.replace(/\s+/g, "");
    const cs = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const fs = parseFloat(cs.fontSize);
    if (text.length >= 3 && inner < 2.5 * fs) out.push("cell " + JSON.stringify(text.slice(0, 30)) + " is " + Math.round(inner) + "px wide");
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.data.matchAll(unbroken)) {
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        if (lines(r) > 1) out.push(JSON.stringify(m[0]) + " breaks over lines");
      }
    }
  });
  document.querySelectorAll("td .tag, td .chip").forEach((el) => {
    if (el.offsetParent !== null && lines(el) > 1) out.push("badge " + JSON.stringify(el.innerText) + " breaks over lines");
  });
  return out;
})()`

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// At 1024 and 1440 px no page of the demo is wider than the window, and no table
// squeezes a cell to a character per line or breaks a contract number, a date, an
// amount or a badge over two lines. NIGHTLY_TEST_SCREENSHOTS=DIR also saves each page
// at each width as a PNG there, to look at.
func TestLayoutInBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("no chromium: set " + EnvChromium + "=/usr/bin/chromium (Debian: apt-get install chromium) to check the pages' layout")
	}
	f := demoFixture(t)
	shots := os.Getenv("NIGHTLY_TEST_SCREENSHOTS")
	bctx := browser(t, exe, 4*time.Minute, chromedp.Flag("hide-scrollbars", true))
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	check := func(name string, width int64) {
		t.Helper()
		problems, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](layoutProbe))
		if err != nil {
			t.Fatalf("%s at %d px: %v", name, width, err)
		}
		if len(problems) > 0 {
			t.Errorf("%s at %d px:\n  %s", name, width, strings.Join(problems, "\n  "))
		}
		if shots == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		file := fmt.Sprintf("%s-%d.png", strings.Trim(nonWord.ReplaceAllString(name, "_"), "_"), width)
		if err := os.WriteFile(filepath.Join(shots, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, width := range []int64{1024, 1440} {
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(f.ts.URL+"/login"), chromedp.WaitVisible(css(`form.login`))); err != nil {
			t.Fatal(err)
		}
		check("/login", width)
	}
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1024, 800),
		chromedp.Navigate(f.ts.URL+"/login"),
		chromedp.WaitVisible(css(`input[name=name]`)),
		chromedp.SendKeys(css(`input[name=name]`), "admin1"),
		chromedp.SendKeys(css(`input[name=password]`), password),
		chromedp.Click(css(`form.login button`)),
		chromedp.WaitVisible(css(`header nav`)),
	); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1024, 1440} {
		for _, p := range demoPages {
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(f.ts.URL+p.path), chromedp.WaitReady(css(`body`))); err != nil {
				t.Fatalf("%s at %d px: %v", p.path, width, err)
			}
			check(p.path, width)
		}
	}
	// A dry run started from the web: its progress page once the night is done.
	if err := chromedp.Do(bctx, chromedp.Navigate(f.ts.URL+"/runs/new?date=2026-11-24"), chromedp.WaitVisible(css(`form.card button`)),
		chromedp.Click(css(`form.card button`)), chromedp.WaitVisible(css(`#run-links`))); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1024, 1440} {
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(width, 800), chromedp.Reload(), chromedp.WaitVisible(css(`#run-links`))); err != nil {
			t.Fatal(err)
		}
		check("/runs/1", width)
	}
}
