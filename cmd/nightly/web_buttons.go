package main

// webButtons name, per command, the web UI's buttons that call the same function, so
// that `nightly COMMAND --help` says where staff find it in the browser (the web pages
// and report.html name the buttons, never the commands).
var webButtons = map[string]string{
	"exceptions": "the exceptions page (例外) and the night's page: 「対応済みにする」 or 「確認した」 = close ID --why; " +
		"「返金した」 (過入金, 停止後の入金, money held off a lapsed invoice) = close ID --refund YEN --on DATE --why",
	"payments":  "a bank transfer's exception: choose a suggestion (or type the invoice numbers) and 「この請求書に充当する」 = resolve TXN --invoice N --why",
	"tasks":     "the tasks page (作業) and the night's page: 「完了」 = done ID",
	"requests":  "the requests page (依頼): 「受理」 / 「却下」 with a reason = decide ID accept|reject --why (a request staff decided has no buttons)",
	"contracts": "a contract's page (契約 NP-…): 「保留する」 = hold NUMBER --until DATE --why; the contracts list searches by company name, kana, number and status",
	"invoices":  "the night's invoices page (請求書・通知): 「郵送済みにする」, 「印刷用PDFの書類をすべて郵送済みにする」 = posted NUMBER… | --bundle DATE; 「取り消す」 (admin) = void NUMBER --why [--reissue]",
	"run":       "the rerun page (再実行): 「実行する」, with 「試算のみ」 for --dry-run",
}
