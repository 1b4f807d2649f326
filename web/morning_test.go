package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/width"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/store"
)

var sectionID = regexp.MustCompile(`<section id="([a-z_]+)"`)

func sectionIDs(page string) []string {
	var ids []string
	for _, m := range sectionID.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// The web's night page shows every section report.html has, in the same order, and
// both lead with 今朝の対応, whose tiles link to the sections below.
func TestNightPageHasEveryReportSection(t *testing.T) {
	f := demoFixture(t)
	c := f.client(t)
	f.login(t, c, "viewer1")
	_, rep := get(t, c, f.ts.URL+"/nights/2026-11-24/report.html")
	_, web := get(t, c, f.ts.URL+"/nights/2026-11-24")
	want, got := sectionIDs(rep), sectionIDs(web)
	if len(want) < 10 || !slices.Equal(want, got) {
		t.Errorf("report.html sections %v, the night page's %v", want, got)
	}
	if want[0] != "morning" || want[1] != "print" {
		t.Errorf("report.html does not lead with 今朝の対応 and the print list: %v", want)
	}
	for _, page := range []string{rep, web} {
		for _, link := range []string{`href="#tasks"`, `href="#ex-overpayment"`, `href="#ex-after_suspension"`, `href="#voided"`} {
			if !strings.Contains(page, link) {
				t.Errorf("今朝の対応 has no tile linking %s", link)
			}
		}
		for _, anchor := range []string{`id="tasks"`, `id="ex-overpayment"`, `id="ex-after_suspension"`, `id="voided"`} {
			if !strings.Contains(page, anchor) {
				t.Errorf("a tile links to %s, which is not on the page", anchor)
			}
		}
	}
}

// 過入金 and 停止後の入金 offer one button, 返金した, which records the refund with the
// function behind `nightly exceptions close ID --refund YEN --on D --why TEXT`; no
// exception holding money is offered a plain close.
func TestRefundButton(t *testing.T) {
	f := demoFixture(t)
	ctx := context.Background()
	c := f.client(t)
	tok := f.login(t, c, "finance1")
	_, page := get(t, c, f.ts.URL+"/exceptions")
	xs, err := store.OpenExceptions(ctx, f.env.DB)
	if err != nil {
		t.Fatal(err)
	}
	var over store.Exception
	for _, x := range xs {
		row := rowOf(t, page, x.NKey)
		refund := strings.Contains(row, `action="/actions/exceptions/refund"`)
		closeForm := strings.Contains(row, `action="/actions/exceptions/close"`)
		switch {
		case x.Kind == "overpayment" || x.Kind == "after_suspension":
			if !refund || closeForm || !strings.Contains(row, ">返金した</button>") || !strings.Contains(row, `name="yen" value="`+strconv.FormatInt(x.Held, 10)+`"`) {
				t.Errorf("%s (%s): no 返金した button for %d yen", x.NKey, x.Kind, x.Held)
			}
			if x.Kind == "overpayment" {
				over = x
			}
		case x.Held > 0 && closeForm:
			t.Errorf("%s (%s) holds %d yen and is offered a plain close", x.NKey, x.Kind, x.Held)
		}
	}
	if over.NKey == "" {
		t.Fatal("the demo night left no overpayment")
	}
	resp, _ := post(t, c, f.ts.URL+"/actions/exceptions/refund", url.Values{"csrf": {tok}, "id": {over.NKey}, "yen": {strconv.FormatInt(over.Held, 10)},
		"on": {demo.Date.String()}, "why": {"超過分を振込で返金"}, "back": {"/exceptions"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund: %d", resp.StatusCode)
	}
	x, err := store.GetException(ctx, f.env.DB, over.NKey)
	if err != nil || x.Status != "closed" || x.Refund != over.Held || x.RefundedOn != demo.Date || x.ClosedBy != "finance1" {
		t.Errorf("after 返金した: %+v %v", x, err)
	}
	if !auditHas(t, f.env.DB, over.NKey, "refunded", "finance1") {
		t.Error("the refund is not in the audit trail")
	}
	if _, body := get(t, c, f.ts.URL+"/exceptions"); !strings.Contains(body, "を 2026年11月24日 に返金したと記録し、対応済みにしました") {
		t.Error("no confirmation of the refund")
	}
	// A refund dated after today is refused in words, and so is a second one.
	for _, bad := range []url.Values{{"on": {"2026-11-25"}}, {"on": {"2026-11-24"}}} {
		bad.Set("csrf", tok)
		bad.Set("id", over.NKey)
		bad.Set("yen", strconv.FormatInt(over.Held, 10))
		bad.Set("why", "再度")
		bad.Set("back", "/exceptions")
		if resp, body := post(t, c, f.ts.URL+"/actions/exceptions/refund", bad); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "できませんでした") {
			t.Errorf("refund %v: %d", bad, resp.StatusCode)
		}
	}
}

// rowOf is the table row of exception key on the exceptions page, with the row of its
// suggestions that follows it.
func rowOf(t *testing.T, page, key string) string {
	t.Helper()
	i := strings.Index(page, `<tr id="x-`+key+`"`)
	if i < 0 {
		t.Fatalf("no row for exception %s", key)
	}
	rest := page[i+1:]
	end := len(rest)
	for _, stop := range []string{`<tr id="x-`, "</tbody>"} {
		if j := strings.Index(rest, stop); j >= 0 && j < end {
			end = j
		}
	}
	return rest[:end]
}

// A suggestion names its customer by number, company name and kana; it has no 点数
// and none is for ¥0.
func TestSuggestionsNameTheCustomer(t *testing.T) {
	f := demoFixture(t)
	c := f.client(t)
	f.login(t, c, "finance1")
	x := openTxnException(t, f.env.DB, "ambiguous")
	cu, err := store.GetCustomer(context.Background(), f.env.DB, x.Suggestions[0].CustomerNo)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/exceptions", "/nights/2026-11-24", "/nights/2026-11-24/report.html"} {
		_, page := get(t, c, f.ts.URL+p)
		if !strings.Contains(page, cu.No+"</span> "+cu.Name) || !strings.Contains(page, cu.Kana) {
			t.Errorf("%s: customer %s without its name %s and kana %s", p, cu.No, cu.Name, cu.Kana)
		}
		if strings.Contains(page, "点数") || strings.Contains(page, ">¥0<") && p == "/exceptions" {
			t.Errorf("%s shows a score or a ¥0 suggestion", p)
		}
	}
	for _, v := range []exceptionView{x} {
		for _, s := range v.Suggestions {
			if s.Amount <= 0 || s.Open <= 0 && !s.Void {
				t.Errorf("suggestion for nothing: %+v", s)
			}
		}
	}
}

// A request staff decided has no 受理/却下 buttons; one that waits for the desk has.
func TestDecidedRequestHasNoButtons(t *testing.T) {
	f := demoFixture(t)
	ctx := context.Background()
	c := f.client(t)
	tok := f.login(t, c, "finance1")
	rs, err := store.ListRequests(ctx, f.env.DB, store.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var waiting store.Request
	for _, r := range rs {
		if r.Status == store.RequestLate || r.Status == store.RequestMismatch {
			waiting = r
		}
	}
	if waiting.ID == 0 {
		t.Fatal("no request waiting for the desk in the demo")
	}
	form := `name="id" value="` + strconv.FormatInt(waiting.ID, 10) + `"`
	if _, page := get(t, c, f.ts.URL+"/requests"); !strings.Contains(page, form) {
		t.Fatalf("request %d waits and has no decision form", waiting.ID)
	}
	if resp, _ := post(t, c, f.ts.URL+"/actions/requests/decide", url.Values{"csrf": {tok}, "id": {strconv.FormatInt(waiting.ID, 10)},
		"decision": {"reject"}, "why": {"お客様が撤回"}, "back": {"/requests"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: %d", resp.StatusCode)
	}
	_, page := get(t, c, f.ts.URL+"/requests")
	if strings.Contains(page, form) {
		t.Errorf("request %d was decided and still has 受理/却下 buttons", waiting.ID)
	}
	if !strings.Contains(page, "finance1 さんが判断済み: お客様が撤回") {
		t.Error("the decision is not shown")
	}
	for _, r := range rs {
		if (r.Status == store.RequestDuplicate || r.Status == store.RequestSuperseded) && strings.Contains(page, `name="id" value="`+strconv.FormatInt(r.ID, 10)+`"`) {
			t.Errorf("request %d (%s) has decision buttons", r.ID, r.Status)
		}
	}
}

var contractRow = regexp.MustCompile(`<tr><td><a href="/contracts/(NP-\d{7})">`)

// The contracts list is searched by company name, kana (katakana, hiragana, half
// width), number and status, and pages through more than 200 contracts.
func TestContractsSearchAndPages(t *testing.T) {
	f := demoFixture(t)
	ctx := context.Background()
	c := f.client(t)
	f.login(t, c, "viewer1")
	all, err := store.CountContracts(ctx, f.env.DB, store.ContractQuery{})
	if err != nil || all <= contractsPageSize {
		t.Fatalf("the demo has %d contracts (%v), want more than a page", all, err)
	}
	seen := map[string]bool{}
	next := "/contracts"
	for pages := 0; next != ""; pages++ {
		_, page := get(t, c, f.ts.URL+next)
		for _, m := range contractRow.FindAllStringSubmatch(page, -1) {
			if seen[m[1]] {
				t.Errorf("contract %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`href="(/contracts\?[^"]*after=[^"]*)">次の`).FindStringSubmatch(page); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		if pages > 5 {
			t.Fatal("the pages do not end")
		}
	}
	if len(seen) != all {
		t.Errorf("paging showed %d contracts of %d", len(seen), all)
	}
	cu, err := store.GetCustomer(ctx, f.env.DB, "100005")
	if err != nil {
		t.Fatal(err)
	}
	hira := strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - 0x60
		}
		return r
	}, cu.Kana)
	for _, q := range []string{cu.Name, cu.Kana, hira, width.Narrow.String(cu.Kana), "１００００５", "np-0001005"} {
		_, page := get(t, c, f.ts.URL+"/contracts?q="+url.QueryEscape(q))
		if !strings.Contains(page, `href="/contracts/NP-0001005"`) || len(contractRow.FindAllString(page, -1)) > 20 {
			t.Errorf("search %q does not find NP-0001005 (of %s) alone", q, cu.Name)
		}
	}
	_, page := get(t, c, f.ts.URL+"/contracts?status=suspended")
	for _, m := range contractRow.FindAllStringSubmatch(page, -1) {
		if ct, _ := store.GetContract(ctx, f.env.DB, m[1]); ct.Status != store.StatusSuspended {
			t.Errorf("status=suspended lists %s (%s)", m[1], ct.Status)
		}
	}
	if len(contractRow.FindAllString(page, -1)) == 0 {
		t.Error("no suspended contract listed")
	}
}
