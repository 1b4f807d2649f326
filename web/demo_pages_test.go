package web

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/jobs"
)

// demoFixture is the web UI over the demo's night as `nightly demo` runs it: bank files
// of every matching case, the mailbox with every request outcome, the rejected order
// file; and a refund, a hold and a completed task made by staff, so that the audit trail
// shows what people did.
func demoFixture(t *testing.T) *fixture {
	t.Helper()
	f := sqliteFixture(t, Options{})
	f.env.Who = "夜間担当"
	orders := filepath.Join(f.env.Config.InboxDir, "orders")
	if err := os.MkdirAll(orders, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(orders, "ec-orders-20261123.csv"), demo.RejectedOrderFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	f.seedBankNight(t)
	staff := jobs.NewStaff(f.env)
	ctx := context.Background()
	if err := staff.HoldContract(ctx, "finance1", "NP-0001001", demo.Date.AddDays(10), "入金予定の連絡あり（担当 山田）"); err != nil {
		t.Logf("demo hold: %v", err) // the contract may not be active in every demo
	}
	return f
}

// demoPages are the pages of the web UI a person reads, on the demo night, with a
// word each must show.
var demoPages = []struct{ path, want string }{
	{"/nights", "2026年11月24日"},
	{"/nights/2026-11-24", "今朝の対応"},
	{"/nights/2026-11-24/report.html", "今朝の対応"},
	{"/nights/2026-11-25", "成功した夜間処理がありません"},
	{"/nights/2026-11-25/report.html", "成功した夜間処理がありません"},
	{"/nights/2026-11-24/invoices", "この日に発行した請求書"},
	{"/exceptions", "例外"},
	{"/tasks", "作業"},
	{"/requests", "依頼"},
	{"/contracts", "NP-0001001"},
	{"/contracts?q=アオバ", "契約"},
	{"/contracts/NP-0001001", "変更の履歴"},
	{"/evidence", "検索"},
	{"/evidence?from=2026-11-01&to=2026-11-30", "証跡"},
	{"/evidence?amount_min=十二", "円の整数ではありません"},
	{"/runs/new", "処理日"},
	{"/receivables?as_of=2026-11-24", "売掛金年齢表"},
	{"/receivables/customers/100005?as_of=2026-11-24", "未回収の請求書"},
	{"/contracts/NP-9999999", "ありません"},
}
