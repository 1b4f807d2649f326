package wording

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// The audit trail as staff read it: one Japanese sentence per entry, saying when, who,
// what changed from what to what, and why. The entries themselves keep the English
// actions, fields and values the program recorded.

var (
	// AuditActions are what an audit entry records, as the verb of its sentence.
	AuditActions = Vocabulary{
		"activated": "開通しました", "close_exception": "例外を対応済みにしました", "decide_request": "ご依頼を判断しました",
		"hold": "停止を保留しました", "invoice_reissue_requested": "請求書の再発行を指示しました",
		"invoice_voided": "請求書を取り消しました", "invoice_reissued": "請求書を再発行しました",
		"payment_applied": "入金を充当しました", "payment_resolved": "入金を手作業で充当しました",
		"payment_reversed": "入金を取り消しました", "posted": "郵送済みにしました", "refunded": "返金を記録しました",
		"request_applied": "ご依頼を契約に反映しました", "task_done": "作業を完了にしました", "user_added": "利用者を登録しました",
		"import": "マスタデータを取り込みました", "contract_created": "契約を作成しました", "suspended": "契約を停止しました",
		"ended": "契約を終了しました", "rolled_over": "契約を更新しました", "rollover_seats": "更新時に数量を変えました",
		"seats_effective": "追加ライセンスを有効にしました",
	}
	// AuditFields are the fields an audit entry changes, with the master-data columns.
	AuditFields = Vocabulary{
		"status": "状態", "hold_until": "停止の保留期限", "term_start": "契約開始日", "seats": "数量", "next_term": "次期の内容",
		"reissue_needed": "再発行", "replaces": "差し替え元の請求書", "invoices": "充当先の請求書", "refund": "返金額",
		"posted_at": "郵送済みにした日時", "done": "完了日", "unit_price": "単価", "address": "住所", "email": "メールアドレス",
		"payer_names": "振込依頼人名", "role": "権限", "name": "名称", "kana": "フリガナ", "postal_code": "郵便番号",
		"contact": "担当者", "parent_customer_no": "親会社お客様番号", "parent_share": "親会社出資比率", "country": "国",
		"corporate_no": "法人番号", "plan_code": "プランコード", "kind": "種別", "valid_from": "適用開始日", "valid_to": "適用終了日",
		"customer_no": "お客様番号", "auto_renew": "自動更新", "order_date": "注文日", "desired_start": "利用開始希望月",
		"contract_no": "契約番号",
	}
	exceptionStatuses = Vocabulary{"open": "未対応", "closed": "対応済み"}
	txnStatuses       = Vocabulary{"matched": "充当済み", "reversed": "取消済み", "exception": "例外", "ignored": "対象外", "reversal": "取消"}
	planKinds         = Vocabulary{"subscription": "サブスクリプション", "perpetual": "永続"}
)

// AuditSentence is an audit entry as Japanese sentences: "2026年11月24日 09:00、finance1
// さんが停止を保留しました。停止の保留期限を「2026年12月4日」から「2026年12月8日」に変更し
// ました。理由: …".
func AuditSentence(e store.AuditEntry) string {
	var b strings.Builder
	b.WriteString(Minute(e.At))
	b.WriteString("、")
	b.WriteString(Who(e.Who))
	b.WriteString("が")
	b.WriteString(AuditActions.Name(e.Action))
	b.WriteString("。")
	switch {
	case e.Field == "" && e.ToValue == "created":
		b.WriteString("新規に登録しました。")
	case e.Field == "":
	case e.FromValue == "":
		fmt.Fprintf(&b, "%sを「%s」にしました。", AuditFields.Name(e.Field), auditValue(e, e.ToValue))
	default:
		fmt.Fprintf(&b, "%sを「%s」から「%s」に変更しました。", AuditFields.Name(e.Field), auditValue(e, e.FromValue), auditValue(e, e.ToValue))
	}
	if why := auditWhy(e.Why); why != "" {
		b.WriteString("理由: ")
		b.WriteString(why)
	}
	return strings.TrimSpace(b.String())
}

// Who names who did something: a person's user name with さん, or the night itself.
func Who(who string) string {
	switch who {
	case "nightly":
		return "夜間処理"
	case "demo":
		return "デモ"
	case "", "unknown":
		return "（不明な実行者）"
	}
	return who + " さん"
}

var nextTerm = regexp.MustCompile(`^seats=(\S+) cancel=(true|false)$`)

// auditValue writes a recorded value as staff read it, by the entry's field.
func auditValue(e store.AuditEntry, v string) string {
	switch e.Field {
	case "status":
		switch e.Action {
		case "close_exception":
			return exceptionStatuses.Name(v)
		case "decide_request":
			return RequestStatuses.Name(v)
		case "invoice_voided":
			return InvoiceStatuses.Name(v)
		case "payment_reversed":
			return txnStatuses.Name(v)
		}
		return ContractStatuses.Name(v)
	case "hold_until", "term_start", "done", "valid_from", "valid_to", "order_date":
		if d, err := calendar.ParseDate(v); err == nil && !d.IsZero() && d.Year > 1 {
			return d.Japanese()
		}
		return "なし"
	case "posted_at":
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return Minute(t)
		}
	case "refund", "unit_price":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return Yen(n)
		}
	case "seats":
		return v + " ライセンス"
	case "next_term":
		if m := nextTerm.FindStringSubmatch(v); m != nil {
			switch {
			case m[2] == "true":
				return "期間末で解約"
			case m[1] == "as_now" || m[1] == "":
				return "今期と同じ"
			}
			return m[1] + " ライセンス"
		}
	case "reissue_needed":
		return map[string]string{"true": "必要", "false": "不要"}[v]
	case "role":
		return Roles.Name(v)
	case "auto_renew":
		return map[string]string{"1": "する", "0": "しない", "true": "する", "false": "しない"}[v]
	case "kind":
		return planKinds.Name(v)
	}
	if v == "" {
		return "なし"
	}
	return Prose(v)
}

var (
	whyImported = regexp.MustCompile(`^imported from (.+)$`)
	whyRule     = regexp.MustCompile(`^rule (\d+) (\S*), fee (\d+)$`)
	whyResolved = regexp.MustCompile(`^(.*) \(fee (\d+), payer (.*) → customer (\S+)\)$`)
	whyRequest  = regexp.MustCompile(`request (\d+) \(mail ([0-9a-f]+)\)`)
)

// auditWhy is the reason of an entry in Japanese: the night records some reasons in a
// fixed machine form (the matching rule, the file imported), rewritten here.
func auditWhy(why string) string {
	if m := whyImported.FindStringSubmatch(why); m != nil {
		return "ファイル " + m[1] + " の取り込み"
	}
	if m := whyRule.FindStringSubmatch(why); m != nil {
		s := "照合（" + MatchRules.Name(m[2]) + "）"
		if fee, _ := strconv.ParseInt(m[3], 10, 64); fee > 0 {
			s += "、振込手数料 " + Yen(fee)
		}
		return s
	}
	if m := whyResolved.FindStringSubmatch(why); m != nil {
		s := Prose(m[1]) + "（振込人 " + m[3] + " をお客様 " + m[4] + " として学習"
		if fee, _ := strconv.ParseInt(m[2], 10, 64); fee > 0 {
			s += "、振込手数料 " + Yen(fee)
		}
		return s + "）"
	}
	why = whyRequest.ReplaceAllString(why, "ご依頼 $1（メール $2）")
	return Prose(why)
}
