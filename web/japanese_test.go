package web

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"github.com/npress/nightly/demo"
)

// allowedWords are the only words in Latin letters staff may read on a page: product
// and brand names and standard abbreviations. Command words, kinds, keys and English
// prose are not among them.
var allowedWords = map[string]bool{
	"microsoft": true, "office": true, "business": true, "basic": true, "standard": true, "premium": true,
	"ltsc": true, "npress": true, "excel": true, "pdf": true, "csv": true, "edi": true, "sha": true, "ec": true, "freee": true, "jis": true,
}

var (
	// dataTokens are values people typed or received, shown as they are: e-mail
	// addresses, file names, hashes.
	dataTokens = []*regexp.Regexp{
		regexp.MustCompile(`[\w.+-]+@[\w.-]+`),
		regexp.MustCompile(`[\w.-]+\.(?i:txt|csv|pdf|eml|xlsx|html|json)\b`),
		regexp.MustCompile(`\b[0-9a-f]{12,}\b`),
	}
	latinToken = regexp.MustCompile(`[A-Za-z0-9_][A-Za-z0-9_.:/\-]*`)
	latinWord  = regexp.MustCompile(`[A-Za-z]+`)
	hasDigit   = regexp.MustCompile(`[0-9]`)
	// bareMoney is an amount of 4 digits or more written without separators.
	bareMoney = regexp.MustCompile(`[¥￥]\s*[0-9]{4,}|[0-9]{4,}\s*円`)
	bareCount = regexp.MustCompile(`^\s*[0-9]{4,}\s*$`)
)

// pageText is what a person reads on an HTML page: its title and visible text, the
// placeholders of its fields and the questions it asks before sending a form; one
// string per text node, and the text of cells of class "num" marked with a leading tab.
func pageText(t *testing.T, doc string) []string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node, num bool)
	walk = func(n *html.Node, num bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style":
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "placeholder", "data-confirm", "aria-label":
					out = append(out, a.Val)
				case "class":
					num = num || slices.Contains(strings.Fields(a.Val), "num")
				}
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			if num {
				out = append(out, "\t"+n.Data)
			} else {
				out = append(out, n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, num)
		}
	}
	walk(root, false)
	return out
}

// notJapanese lists the English words (width- and case-folded) and the amounts of 4
// digits or more without separators in the texts of a page.
func notJapanese(texts []string) []string {
	var bad []string
	for _, s := range texts {
		if strings.HasPrefix(s, "\t") && bareCount.MatchString(s) {
			bad = append(bad, "number without separators: "+strings.TrimSpace(s))
		}
		s = norm.NFKC.String(s)
		for _, m := range bareMoney.FindAllString(s, -1) {
			bad = append(bad, "amount without separators: "+m)
		}
		for _, re := range dataTokens {
			s = re.ReplaceAllString(s, " ")
		}
		for _, tok := range latinToken.FindAllString(s, -1) {
			if strings.Contains(tok, "_") {
				bad = append(bad, "raw key: "+tok)
				continue
			}
			if hasDigit.MatchString(tok) {
				continue // a number: a contract, an invoice, a plan code, a date
			}
			for _, w := range latinWord.FindAllString(tok, -1) {
				if !allowedWords[strings.ToLower(w)] {
					bad = append(bad, "English: "+w+" (in "+strings.TrimSpace(tok)+")")
				}
			}
		}
	}
	slices.Sort(bad)
	return slices.Compact(bad)
}

// Every page of the web UI on the demo night, the error and login pages, a rerun's
// progress page, and report.html as the night wrote it are in Japanese: no English word
// outside product names and standard abbreviations, no raw key, and every amount of 4
// digits or more with its separators.
func TestPagesAreJapanese(t *testing.T) {
	f := demoFixture(t)
	c := f.client(t)
	pages := map[string]string{}
	_, pages["/login"] = get(t, c, f.ts.URL+"/login")
	tok := f.login(t, c, "admin1")
	for _, p := range demoPages {
		resp, body := get(t, c, f.ts.URL+p.path)
		if resp.StatusCode != 200 && resp.StatusCode != 404 || !strings.Contains(body, p.want) {
			t.Errorf("GET %s: %d, want %q", p.path, resp.StatusCode, p.want)
		}
		pages[p.path] = body
	}
	// A failed action shows the page again with the reason on top.
	_, pages["hold refused"] = post(t, c, f.ts.URL+"/actions/contracts/hold", url.Values{"csrf": {tok}, "no": {"NP-9999999"},
		"until": {demo.Date.AddDays(3).String()}, "why": {"確認中"}, "back": {"/contracts"}})
	_, pages["close refused"] = post(t, c, f.ts.URL+"/actions/exceptions/close", url.Values{"csrf": {tok}, "id": {"bank_txn:999"},
		"why": {"確認中"}, "back": {"/exceptions"}})
	// A rerun from the web, and its progress page once done.
	resp, _ := post(t, c, f.ts.URL+"/actions/run", url.Values{"csrf": {tok}, "date": {"2026-11-24"}, "dry_run": {"1"}})
	loc := resp.Header.Get("Location")
	waitRun(t, c, f.ts.URL+loc+"/status")
	_, pages[loc] = get(t, c, f.ts.URL+loc)
	written, err := os.ReadFile(filepath.Join(f.env.Config.OutDir, "2026-11-24", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	pages["report.html as written"] = string(written)
	for name, body := range pages {
		if bad := notJapanese(pageText(t, body)); len(bad) > 0 {
			t.Errorf("%s:\n  %s", name, strings.Join(bad, "\n  "))
		}
	}
	_ = context.Background
}

// The check itself finds what it must: English words folded or not, raw keys, bare
// amounts; and lets product names, numbers and data through.
func TestNotJapanese(t *testing.T) {
	for _, c := range []struct {
		text string
		bad  int
	}{
		{"契約 NP-0001001 の請求書 2026-000010-C", 0},
		{"Microsoft 365 Business Standard（PDF・CSV）", 0},
		{"yamada@aoba.co.jp から zengin01-2026-11-24.txt", 0},
		{"先頭ハッシュ 3f2a9b0c1d", 0},
		{"¥1,234,567", 0},
		{"¥1234567", 1},
		{"12000円", 1},
		{"\t12345", 1},
		{"\t123", 0},
		{"nightly exceptions close", 3},
		{"ｃｌｏｓｅ", 1},
		{"CLOSE", 1},
		{"bank_txn:23", 1},
		{"DRY RUN", 2},
	} {
		if got := notJapanese([]string{c.text}); len(got) != c.bad {
			t.Errorf("%q: %v, want %d findings", c.text, got, c.bad)
		}
	}
}
