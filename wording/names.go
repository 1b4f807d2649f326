package wording

// Vocabulary is a set of keys the program records in English, each with the Japanese
// name staff read.
type Vocabulary map[string]string

// Name returns the Japanese name of key, or key itself when the vocabulary has none
// (a new kind shows up as recorded rather than as nothing).
func (v Vocabulary) Name(key string) string {
	if n, ok := v[key]; ok {
		return n
	}
	return key
}

// The vocabularies.
var (
	// ExceptionKinds are the kinds of exception the night leaves for staff.
	ExceptionKinds = Vocabulary{
		"no_renewal_invoice":  "更新請求書なし",
		"unknown":             "振込人不明",
		"partial":             "一部入金",
		"overpayment":         "過入金",
		"ambiguous":           "入金先が特定できない",
		"account_unknown":     "入金口座が不明",
		"bank_file_rejected":  "銀行ファイル不正",
		"after_suspension":    "停止後の入金",
		"review":              "入金の確認（名前の類似）",
		"reversal_unmatched":  "取消の元入金なし",
		"addition_late":       "追加シートの開始遅れ",
		"order_file_rejected": "注文ファイル不正",
		"order_invalid":       "注文を請求できない",
		"renewal_invalid":     "更新請求書を発行できない",
		"invalid_contract":    "契約データの不整合",
		"no_price":            "価格なし",
		"voided_paid":         "取消した請求書に入金あり",
		"lapsed_paid":         "失効した請求書の入金",
		"mail_malformed":      "メール解析不能",
		"inbox_skipped":       "受信フォルダの読まない項目",
		"mail_too_large":      "メールが上限超過",
		"invariant":           "金額の検算不一致",
	}
	// DocumentKinds are the kinds of invoice and notice.
	DocumentKinds = Vocabulary{
		"new":          "新規請求書",
		"addition":     "追加請求書",
		"renewal":      "更新請求書",
		"reminder":     "お支払いのお願い",
		"cancellation": "請求書取消のお知らせ",
	}
	// InvoiceStatuses are the states of an invoice.
	InvoiceStatuses = Vocabulary{"open": "未入金", "partially_paid": "一部入金", "paid": "入金済", "void": "取消", "lapsed": "失効"}
	// ContractStatuses are the states of a contract.
	ContractStatuses = Vocabulary{"active": "有効", "suspended": "停止", "ended": "終了", "pending": "開通待ち"}
	// ContractEvents are what the night did to a contract.
	ContractEvents = Vocabulary{"suspended": "停止", "ended": "終了", "rolled_over": "更新"}
	// TaskKinds are the provisioning tasks.
	TaskKinds = Vocabulary{"activate": "開通", "add_seats": "シート追加", "stop_service": "サービス停止"}
	// RequestStatuses are where a reduction or cancellation request stands.
	RequestStatuses = Vocabulary{"accepted": "受理", "incomplete": "情報不足", "late": "期限後", "mismatch": "不一致",
		"duplicate": "重複", "rejected": "却下", "superseded": "差し替え済み", "unverified": "送信者未確認"}
	// RequestKinds are the changes a request asks for.
	RequestKinds = Vocabulary{"reduction": "減数", "cancellation": "解約"}
	// RunStatuses are how a night ended.
	RunStatuses = Vocabulary{"ok": "正常", "failed": "失敗", "running": "実行中", "dry-run": "試算", "partial": "一部",
		"invariant": "検算不一致"}
	// Triggers are who started a night.
	Triggers = Vocabulary{"cron": "定時", "manual": "手動", "demo": "デモ"}
	// Roles are the roles of web users.
	Roles = Vocabulary{"viewer": "閲覧", "finance": "経理", "admin": "管理者"}
	// MatchRules are the matching rules of SPEC §6.6, by the name a payment records.
	MatchRules = Vocabulary{
		"invoice-number":  "請求書番号",
		"customer-number": "お客様番号",
		"alias":           "学習済みの振込人名",
		"payer-name":      "登録済みの振込人名",
		"learned-fee":     "学習済みの振込手数料",
		"listed-fee":      "振込手数料（一覧）",
		"similarity":      "振込人名の類似",
		"":                "担当者の判断",
		"staff":           "担当者の判断",
		"earlier":         "稼働前の入金",
	}
)
