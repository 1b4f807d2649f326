package report

import (
	"database/sql"
	"regexp"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

var day = calendar.MustParse("2026-11-24")

func exc(key, kind string, held int64, action string) store.Exception {
	return store.Exception{NKey: key, RunDate: day, Kind: kind, Held: held, Subject: "件名", Message: "内容", Action: action,
		TxnID: sql.NullInt64{Int64: 7, Valid: strings.HasPrefix(key, "bank_txn:")}}
}

// A morning's data with something in every part of 今朝の対応; the stored actions say
// commands, as the night stores them for the command line.
func sample() Data {
	return Data{Date: day,
		Tasks: []TaskLine{
			{Task: store.Task{NKey: "stop:NP-0001003", Kind: "stop_service", ContractNo: "NP-0001003", DueDate: day}},
			{Task: store.Task{NKey: "stop:NP-0001004", Kind: "stop_service", ContractNo: "NP-0001004", DueDate: day.AddDays(1)}},
			{Task: store.Task{NKey: "activate:NP-0001020", Kind: "activate", ContractNo: "NP-0001020", DueDate: day.AddDays(-2)}, Overdue: true},
		},
		Exceptions: []store.Exception{
			exc("order_file:ab", "order_file_rejected", 0, "直してください"),
			exc("bank_txn:7", "overpayment", 1000, "`nightly exceptions close bank_txn:7 --refund 1000 --on 返金日 --why 理由`"),
			exc("bank_txn:8", "unknown", 12345, "`nightly payments resolve 8 --invoice N --why 理由`"),
			exc("bank_txn:9", "overpayment", 500, "`nightly exceptions close bank_txn:9 --refund 500`"),
		},
		Voided: []store.VoidedInvoice{{Number: "2026-000010", ContractNo: "NP-0001011", Total: 297000}},
		Requests: RequestLines([]store.Request{
			{ID: 3, Status: store.RequestLate, RunDate: day, TermStart: day.AddDays(390), ContractNo: "NP-0001012", Kind: "cancellation"},
			{ID: 6, Status: store.RequestUnverified, RunDate: day, ContractNo: "NP-0001011", Kind: "cancellation",
				Sender: sql.NullString{String: "山本 <y@free.example.net>", Valid: true}, RegisteredEmail: sql.NullString{String: "it@example.co.jp", Valid: true}},
		}, day, testWords),
	}
}

var testWords = RequestWords{Field: func(f string) string { return "«" + f + "»" }, Reason: func(r string) string { return "«" + r + "»" },
	Registered: func(e string) []string { return strings.Split(e, ";") }}

// 今朝の対応 counts the stops due today, the exceptions by kind (the ones that hold
// money first), the documents not to post and the overdue tasks, each a link.
func TestMorning(t *testing.T) {
	var got []string
	for _, tl := range sample().Morning() {
		got = append(got, tl.Label+"="+string(rune('0'+tl.N))+tl.Href)
	}
	want := []string{"今日のサービス停止=1#tasks", "例外: 過入金=2#ex-overpayment", "例外: 振込人不明=1#ex-unknown",
		"例外: 注文ファイル不正=1#ex-order_file_rejected", "郵送してはいけない書類=1#voided", "期限を過ぎた作業=1#tasks"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tiles\n got %v\nwant %v", got, want)
	}
	if tiles := (Data{Date: day}).Morning(); len(tiles) != 4 || tiles[1].Label != "未対応の例外" || tiles[1].N != 0 {
		t.Errorf("a quiet morning: %+v", tiles)
	}
}

// report.html leads with 今朝の対応 and then the print list, and carries no command
// line: what staff do is said in words and named by the web page's button.
func TestReportHasNoCommandLines(t *testing.T) {
	b, err := Render("", sample())
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	morning, print, exceptions := strings.Index(page, `id="morning"`), strings.Index(page, `id="print"`), strings.Index(page, `id="exceptions"`)
	if morning < 0 || !(morning < print && print < exceptions) {
		t.Errorf("sections in the order morning %d, print %d, exceptions %d", morning, print, exceptions)
	}
	text := regexp.MustCompile(`(?s)<style>.*</style>|<[^>]+>`).ReplaceAllString(page, " ")
	if cmd := regexp.MustCompile(`nightly|--[a-z]+|bank_txn|accept|reject`).FindAllString(text, -1); len(cmd) > 0 {
		t.Errorf("report.html shows command words %q", cmd)
	}
	for _, w := range []string{`<a href="#ex-overpayment"`, "「返金した」", "「この請求書に充当する」", "お預かり ¥1,000", `id="voided"`, "「却下」"} {
		if !strings.Contains(page, w) {
			t.Errorf("report.html does not show %s", w)
		}
	}
}

// A date with no successful night shows a red banner and no figures at all.
func TestNotRunBanner(t *testing.T) {
	d := sample()
	d.NotRun = true
	d.Attempts = []store.Run{{RunDate: day, Trigger: "cron", Who: "nightly", Status: "failed"}}
	b, err := Render("", d)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.Contains(page, `class="notrun" role="alert"`) || !strings.Contains(page, "2026年11月24日</span> は成功した夜間処理がありません") ||
		!strings.Contains(page, "失敗（定時、夜間処理）") {
		t.Errorf("no banner: %s", page)
	}
	if strings.Contains(page, "今朝の対応") || strings.Contains(page, `id="print"`) || strings.Contains(page, "0 件（") {
		t.Errorf("a date that did not run shows a report")
	}
}

func TestExceptionGroupsAndRequestLines(t *testing.T) {
	gs := ExceptionGroups(sample().Exceptions)
	if len(gs) != 3 || gs[0].Kind != "overpayment" || len(gs[0].Items) != 2 || gs[0].Items[1].NKey != "bank_txn:9" || gs[2].Kind != "order_file_rejected" {
		t.Errorf("groups %+v", gs)
	}
	ls := sample().Requests
	if len(ls) != 2 || !strings.Contains(ls[0].Action, "適用しない場合は「却下」") || !strings.Contains(ls[1].Action, "確認できたら「受理」") ||
		ls[1].Registered != "it@example.co.jp" || ls[0].Reply != "replies/3.eml" {
		t.Errorf("request lines %+v", ls)
	}
	l := RequestLineOf(store.Request{ID: 4, Status: store.RequestIncomplete, Missing: "contract_no,seats", Kind: "reduction"}, testWords)
	if l.MissingNames != "«contract_no»、«seats»" || !strings.Contains(l.Action, "不足項目（«contract_no»、«seats»）") {
		t.Errorf("incomplete %+v", l)
	}
	earlier := RequestLines([]store.Request{{ID: 2, Status: store.RequestMismatch, RunDate: day.AddDays(-2)}}, day, testWords)
	if len(earlier) != 1 || earlier[0].Reply != "../2026-11-22/replies/2.eml" {
		t.Errorf("a request of an earlier night links its draft as %+v", earlier)
	}
	old := store.Request{ID: 1, Status: store.RequestIncomplete, RunDate: day.AddDays(-20)}
	if ls := RequestLines([]store.Request{old}, day, testWords); len(ls) != 0 {
		t.Errorf("a request waiting since 20 days is shown: %+v", ls)
	}
}
