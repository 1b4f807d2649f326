package wording

import (
	"testing"
	"time"

	"github.com/npress/nightly/store"
)

func TestProse(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"振込 23: 2026-11-20 ｸﾛｼｵ ¥297,000", "振込 23: 2026年11月20日 ｸﾛｼｵ ¥297,000"},
		{"継続請求書 2026-000003 が未入金（請求 138600 円、入金 0 円）", "更新請求書 2026-000003 が未入金（請求 ¥138,600、入金 0 円）"},
		{"¥79200 をお預かり", "¥79,200 をお預かり"},
		{"2026-11-20〜2026-11-23", "2026年11月20日〜2026年11月23日"},
		{"2026-11-20 2026-11-23", "2026年11月20日 2026年11月23日"},
		// Not dates: a file name, an invoice number, a day that does not exist.
		{"zengin01-2026-11-24.txt", "zengin01-2026-11-24.txt"},
		{"請求書 2026-000010-C", "請求書 2026-000010-C"},
		{"2026-02-30", "2026-02-30"},
		{"", ""},
	} {
		if got := Prose(c.in); got != c.want {
			t.Errorf("Prose(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTimesInJapan(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 5, 9, 0, time.UTC) // 02:05:09 on the 24th in Japan
	if got := Minute(at); got != "2026年11月24日 02:05" {
		t.Errorf("Minute = %q", got)
	}
	if got := Time(at); got != "2026年11月24日 02:05:09" {
		t.Errorf("Time = %q", got)
	}
	if Minute(time.Time{}) != "" || Time(time.Time{}) != "" {
		t.Error("a zero time is written")
	}
}

// Each exception has one button: what its kind needs, unless the money it holds
// forbids a plain close, or it is about no transfer to book.
func TestStepOf(t *testing.T) {
	for _, c := range []struct {
		kind       string
		held       int64
		txn        bool
		form, butt string
	}{
		{"overpayment", 1000, true, "refund", "返金した"},
		{"after_suspension", 297000, true, "refund", "返金した"},
		{"unknown", 12345, true, "resolve", "この請求書に充当する"},
		{"unknown", 0, false, "close", "対応済みにする"}, // nothing held, no transfer
		{"ambiguous", 237600, true, "resolve", "この請求書に充当する"},
		{"partial", 0, true, "close", "確認した"},
		{"review", 0, true, "close", "確認した"},
		{"voided_paid", 79200, false, "refund", "返金した"}, // money held off a transfer's key
		{"order_file_rejected", 0, false, "close", "対応済みにする"},
		{"no_renewal_invoice", 5000, false, "refund", "返金した"}, // money held: never a plain close
		{"brand_new_kind", 0, false, "close", "対応済みにする"},
	} {
		s := StepOf(c.kind, c.held, c.txn)
		if s.Form != c.form || s.Button != c.butt || s.Todo == "" {
			t.Errorf("StepOf(%s, %d, %v) = %+v, want %s %s", c.kind, c.held, c.txn, s, c.form, c.butt)
		}
	}
	for kind, s := range exceptionSteps {
		if _, ok := ExceptionKinds[kind]; !ok {
			t.Errorf("step for %s, a kind the catalogue does not name", kind)
		}
		if s.Todo == "" || s.Button == "" {
			t.Errorf("step for %s: %+v", kind, s)
		}
	}
}

func TestChangeAndFormatNames(t *testing.T) {
	for key, want := range map[string]string{
		"payments": "入金の充当", "requests_late": "ご依頼（期限後）", "overpayment": "例外（過入金）", "what_is_this": "what_is_this",
	} {
		if got := ChangeName(key); got != want {
			t.Errorf("ChangeName(%q) = %q, want %q", key, got, want)
		}
	}
	for f, want := range map[string]string{"zengin01": "全銀 振込入金通知", "csv:standard": "銀行CSV（標準）", "csv:mizuho": "銀行CSV（mizuho）"} {
		if got := BankFormat(f); got != want {
			t.Errorf("BankFormat(%q) = %q, want %q", f, got, want)
		}
	}
}

// The audit trail reads as sentences: when, who, what changed from what to what, why;
// the values in the catalogue's words.
func TestAuditSentence(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		e    store.AuditEntry
		want string
	}{
		{store.AuditEntry{At: at, Who: "finance1", Action: "hold", Field: "hold_until", FromValue: "2026-12-04", ToValue: "2026-12-08", Why: "入金予定"},
			"2026年11月24日 09:30、finance1 さんが停止を保留しました。停止の保留期限を「2026年12月4日」から「2026年12月8日」に変更しました。理由: 入金予定"},
		{store.AuditEntry{At: at, Who: "nightly", Action: "suspended", Field: "status", FromValue: "active", ToValue: "suspended", Why: "継続請求書 2026-000003 が未入金（請求 138600 円）"},
			"2026年11月24日 09:30、夜間処理が契約を停止しました。状態を「有効」から「停止」に変更しました。理由: 更新請求書 2026-000003 が未入金（請求 ¥138,600）"},
		{store.AuditEntry{At: at, Who: "demo", Action: "import", ToValue: "created", Why: "imported from demo-contracts.xlsx"},
			"2026年11月24日 09:30、デモがマスタデータを取り込みました。新規に登録しました。理由: ファイル demo-contracts.xlsx の取り込み"},
		{store.AuditEntry{At: at, Who: "nightly", Action: "payment_applied", Field: "invoices", ToValue: "2026-000013", Why: "rule 1 invoice-number, fee 440"},
			"2026年11月24日 09:30、夜間処理が入金を充当しました。充当先の請求書を「2026-000013」にしました。理由: 照合（請求書番号）、振込手数料 ¥440"},
		{store.AuditEntry{At: at, Who: "unknown", Action: "request_applied", Field: "next_term", FromValue: "seats=as_now cancel=false", ToValue: "seats=10 cancel=false", Why: "request 1 (mail ef56012c6740)"},
			"2026年11月24日 09:30、（不明な実行者）がご依頼を契約に反映しました。次期の内容を「今期と同じ」から「10 ライセンス」に変更しました。理由: ご依頼 1（メール ef56012c6740）"},
		{store.AuditEntry{At: at, Who: "sato", Action: "refunded", Field: "refund", ToValue: "297000", Why: "返金済み（返金日 2026-11-24）"},
			"2026年11月24日 09:30、sato さんが返金を記録しました。返金額を「¥297,000」にしました。理由: 返金済み（返金日 2026年11月24日）"},
		{store.AuditEntry{At: at, Who: "sato", Action: "payment_resolved", Field: "invoices", ToValue: "2026-000016", Why: "電話で確認 (fee 0, payer ﾀﾅｶ → customer 100903)"},
			"2026年11月24日 09:30、sato さんが入金を手作業で充当しました。充当先の請求書を「2026-000016」にしました。理由: 電話で確認（振込人 ﾀﾅｶ をお客様 100903 として学習）"},
		{store.AuditEntry{At: at, Who: "sato", Action: "posted", Field: "posted_at", ToValue: "2026-11-24T01:00:00Z"},
			"2026年11月24日 09:30、sato さんが郵送済みにしました。郵送済みにした日時を「2026年11月24日 10:00」にしました。"},
	} {
		if got := AuditSentence(c.e); got != c.want {
			t.Errorf("AuditSentence(%+v)\n got %q\nwant %q", c.e, got, c.want)
		}
	}
}
