package wording

// The accountant's words (issue 17), keyed as `nightly aging --json`, `nightly
// receivables --json` and `nightly export journal --format` key them.
var (
	// AgingBuckets are the columns of the receivables aging (売掛金年齢表), in order.
	AgingBuckets = Vocabulary{"not_due": "期日前", "d1_30": "1–30日", "d31_60": "31–60日", "d61_90": "61–90日",
		"d91_plus": "91日以上", "total": "合計"}
	// BalanceColumns are the columns of the monthly balance (売掛金残高一覧表), in order.
	BalanceColumns = Vocabulary{"opening": "前月残高", "invoiced": "売上", "collected": "回収", "fees": "振込手数料",
		"other": "その他", "closing": "残高"}
	// JournalFormats are the accounting software the journal is exported for.
	JournalFormats = Vocabulary{"yayoi": "弥生会計", "mf": "マネーフォワード クラウド会計", "freee": "freee会計（取引）",
		"freee-journal": "freee会計（仕訳・振替伝票）"}
	// JournalFormatNotes say what each journal file is, beside its download.
	JournalFormatNotes = Vocabulary{
		"yayoi":         "弥生インポート形式（仕訳日記帳）。シフトJIS・見出し行なし",
		"mf":            "仕訳帳インポート。見出し行あり、1 つの仕訳の行は同じ取引番号",
		"freee":         "取引インポート。請求書ごとの未決済の取引（収入）と取消・失効。入金は freee の口座連携で消し込みます",
		"freee-journal": "仕訳インポート（振替伝票）。弥生・マネーフォワードと同じ仕訳。freee の債権レポートには反映されません",
	}
)

// AgingKeys and BalanceKeys are the columns of AgingBuckets and BalanceColumns in the
// order staff read them.
var (
	AgingKeys   = []string{"not_due", "d1_30", "d31_60", "d61_90", "d91_plus", "total"}
	BalanceKeys = []string{"opening", "invoiced", "collected", "fees", "other", "closing"}
)
