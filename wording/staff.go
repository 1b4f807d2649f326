package wording

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
)

// The words of the staff's pages that name what the night recorded: its steps and
// their counts, the evidence kinds, the bank file formats, and what staff do about each
// kind of exception.

var (
	// Steps are the steps of a night.
	Steps = Vocabulary{"bankfeed": "入金の取込", "mailintake": "メールのご依頼", "orders": "注文の取込",
		"lifecycle": "契約の更新・停止", "invoicing": "請求書の発行", "report": "レポート"}
	// Changes are what a step counts as changed or seen (report.Step's keys).
	Changes = Vocabulary{
		"additions": "追加請求書", "already_recorded": "記録済み", "awaiting_renewal": "支払期限待ち", "bank_files": "銀行ファイル",
		"cancellation_notices": "取消のお知らせ", "contracts": "請求した契約", "contracts_changed": "変更した契約",
		"documents_written": "作成した書類", "ended": "終了した契約", "exceptions": "例外", "files_applied": "取り込んだ銀行ファイル",
		"files_evidence_only": "証憑のみの銀行ファイル", "files_rejected": "不備で取り込まなかったファイル",
		"files_skipped": "読まなかったファイル", "held": "停止保留", "inbox_skipped": "読まない項目", "invoices_to_reissue": "再発行する請求書",
		"left_for_next_night": "翌晩に回したもの", "mail_mark": "メールの既読位置", "mail_messages": "受信したメール",
		"mail_moved": "整理したメール", "mailboxes": "メールボックス", "messages": "メール", "new": "新規請求書",
		"no_source": "入金元なし", "order_files": "注文ファイル", "orders": "注文", "orders_created": "取り込んだ注文",
		"overdue": "支払期限超過", "payments": "入金の充当", "pdfs": "作成したPDF", "reissued": "再発行した請求書",
		"reminders": "督促状", "renewals": "更新請求書", "renewals_due": "更新の対象", "reply_drafts": "返信案",
		"requests": "ご依頼", "requests_applied": "反映したご依頼", "requests_superseded": "差し替えられたご依頼",
		"reversals": "入金の取消・訂正", "rolled_over": "更新した契約", "same_message_id": "同じメールの再送",
		"seats_added": "追加したライセンス", "short_notice": "支払期限を短縮", "suspended": "停止した契約", "tasks": "作業",
		"text_fitted": "直して記録した文字列",
		"to_post":     "郵送待ち", "to_print": "印刷待ち", "transfers": "振込", "transfers_known": "取込済みの振込",
		"tries": "再試行", "uidvalidity_changed": "メールボックスの作り直し", "voided": "取り消した請求書",
	}
	// EvidenceKinds are the kinds of record in the evidence ledger.
	EvidenceKinds = Vocabulary{"mail": "メール", "bank_file": "銀行ファイル", "invoice_pdf": "請求書", "reminder_pdf": "督促状",
		"notice_pdf": "通知", "order_file": "注文・マスタのファイル"}
	// BankFormats are the formats of bank files.
	BankFormats = Vocabulary{"zengin01": "全銀 振込入金通知", "zengin03": "全銀 入出金取引明細"}
	// BankFileStatuses are what the night did with a bank file.
	BankFileStatuses = Vocabulary{"applied": "取込", "evidence_only": "証憑のみ（入金元が別）", "rejected": "不備のため取込せず"}
)

// ChangeName names a count of a step: the catalogue's word, a request outcome
// ("requests_late" → ご依頼（期限後）) or an exception kind.
func ChangeName(key string) string {
	if n, ok := Changes[key]; ok {
		return n
	}
	if s, ok := strings.CutPrefix(key, "requests_"); ok {
		return "ご依頼（" + RequestStatuses.Name(s) + "）"
	}
	if n, ok := ExceptionKinds[key]; ok {
		return "例外（" + n + "）"
	}
	return key
}

// ExceptionStep is what staff do about an exception of one kind: a sentence, and the
// one button on the web page that records it.
type ExceptionStep struct {
	Todo string
	// Form is the web form of the button: "close" (対応済みにする), "refund" (返金した:
	// the money it holds went back to the customer) or "resolve" (book the transfer to
	// an invoice).
	Form   string
	Button string
}

const (
	closeButton   = "対応済みにする"
	refundButton  = "返金した"
	resolveButton = "この請求書に充当する"
)

// exceptionSteps are the steps by exception kind; a kind not listed is read and closed.
var exceptionSteps = map[string]ExceptionStep{
	"no_renewal_invoice":  {"契約の期間と自動更新の設定を確認し、更新請求書を発行するか契約を終了してください。", "close", closeButton},
	"unknown":             {"候補からお客様の請求書を選んで充当してください（振込人名を学習します）。お客様が分からなければ返金してください。", "resolve", resolveButton},
	"partial":             {"残額の入金を待つか、お客様に確認してください。", "close", "確認した"},
	"overpayment":         {"多く入金された分をお客様に返金し、返金した日を記録してください。", "refund", refundButton},
	"ambiguous":           {"候補から正しい請求書を選んで充当してください。", "resolve", resolveButton},
	"account_unknown":     {"入金先の口座と請求書を確認して充当してください。以後のために既定の口座を設定してください。", "resolve", resolveButton},
	"bank_file_rejected":  {"銀行から正しいファイルを取り寄せ、受信フォルダ（銀行ファイル用）に置いてください。次の夜間処理で取り込みます。", "close", closeButton},
	"after_suspension":    {"返金するか契約を再開するかを判断してください。返金したら、返金した日を記録してください。", "refund", refundButton},
	"review":              {"名前の似た振込人として充当しました。充当先が正しいか確認してください。", "close", "確認した"},
	"reversal_unmatched":  {"銀行に元の入金を確認し、必要なら入金を手作業で取り消してください。", "close", closeButton},
	"addition_late":       {"追加ライセンスの開始が遅れています。開始日をお客様と確認してください。", "close", closeButton},
	"order_file_rejected": {"注文ファイルの該当行を直し（またはECストアから出力し直し）、受信フォルダ（注文ファイル用）に置いてください。次の夜間処理で取り込みます。", "close", closeButton},
	"order_invalid":       {"注文・契約・価格表のデータを確認して直してください。", "close", closeButton},
	"renewal_invalid":     {"契約の数量と価格表を確認して直してください。次の夜間処理で更新請求書を発行します。", "close", closeButton},
	"invalid_contract":    {"契約データを確認して直してください。", "close", closeButton},
	"no_price":            {"価格表に該当する期間の価格を登録してください。", "close", closeButton},
	"voided_paid":         {"取り消した請求書への入金をお預かりしています。差し替えの請求書に充当するか、お客様に返金してください。", "resolve", "差し替えの請求書に充当する"},
	"lapsed_paid":         {"失効した請求書への入金をお預かりしています。お客様に返金してください（契約を再開する場合は新しい請求書に充当します）。", "refund", refundButton},
	"mail_malformed":      {"原本のメールを開いて内容を確認し、必要ならお客様に連絡してください。", "close", closeButton},
	"inbox_skipped":       {"受信フォルダにある読まない項目を確認し、不要なら削除してください。", "close", closeButton},
	"mail_too_large":      {"原本のメールを開いて内容を確認し、必要ならお客様に連絡してください。", "close", closeButton},
	"invariant":           {"入金の扱いを確認するまで返金・充当を控え、技術担当者に連絡してください。", "close", closeButton},
}

// StepOf is what staff do about an exception of kind: its one button follows the money
// the exception holds (held yen) and whether it is about a bank transfer (txn), since
// an exception that holds money closes only with its refund or its booking.
func StepOf(kind string, held int64, txn bool) ExceptionStep {
	s, ok := exceptionSteps[kind]
	if !ok {
		s = ExceptionStep{Todo: "内容を確認して対応してください。", Form: "close", Button: closeButton}
	}
	switch {
	case s.Form == "resolve" && !txn && held > 0, s.Form == "close" && held > 0:
		s.Form, s.Button = "refund", refundButton
	case s.Form == "resolve" && !txn, s.Form == "refund" && held == 0:
		s.Form, s.Button = "close", closeButton
	}
	return s
}

// Minute writes an instant in Japan's time to the minute: 2026年11月24日 09:00.
func Minute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(calendar.Tokyo)
	return calendar.InTokyo(t).Japanese() + t.Format(" 15:04")
}

var (
	isoDate  = regexp.MustCompile(`(^|[^\w-])(\d{4})-(\d{2})-(\d{2})([^\w-]|$)`)
	bareYen  = regexp.MustCompile(`(\d{4,}) ?円`)
	bareYen2 = regexp.MustCompile(`¥(\d{4,})`)
)

// Prose is a text the night stored (an exception's message, a reason) as staff read
// it: dates written 2026年11月24日, amounts with their separators, the renewal invoice
// called by its one name. Texts stored before the catalogue said so read the same.
func Prose(s string) string {
	s = strings.ReplaceAll(s, "継続請求書", "更新請求書")
	for range 2 { // adjacent dates share a separator
		s = isoDate.ReplaceAllStringFunc(s, func(m string) string {
			p := isoDate.FindStringSubmatch(m)
			d, err := calendar.ParseDate(p[2] + "-" + p[3] + "-" + p[4])
			if err != nil {
				return m
			}
			return p[1] + d.Japanese() + p[5]
		})
	}
	s = bareYen.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseInt(bareYen.FindStringSubmatch(m)[1], 10, 64)
		return Yen(v)
	})
	return bareYen2.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseInt(m[len("¥"):], 10, 64)
		return Yen(v)
	})
}

// BankFormat names the format of a bank file: 全銀 振込入金通知, 銀行CSV（標準）.
func BankFormat(f string) string {
	if p, ok := strings.CutPrefix(f, "csv:"); ok {
		if p == "standard" {
			p = "標準"
		}
		return "銀行CSV（" + p + "）"
	}
	return BankFormats.Name(f)
}
