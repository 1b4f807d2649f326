package wording

import (
	"fmt"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/store"
)

// OrderFileRejected is the exception for an order file with bad rows.
func OrderFileRejected(day calendar.Date, name, sha string, errs []masterdata.RowError) store.Exception {
	var b strings.Builder
	fmt.Fprintf(&b, "注文ファイル %s に不備が %d 件あるため、ファイル全体を取り込んでいません:", name, len(errs))
	for _, e := range errs {
		if e.Line == 0 {
			fmt.Fprintf(&b, "\n- ファイル全体: %s", e.Reason)
			continue
		}
		fmt.Fprintf(&b, "\n- %d行目 %s: %s", e.Line, masterdata.ColumnJapanese(e.Column), e.Reason)
	}
	return store.Exception{NKey: "order_file:" + sha, RunDate: day, Kind: "order_file_rejected", Subject: name,
		Message: b.String(),
		Action:  fmt.Sprintf("rejected/orders/%s の該当行を直す（または EC ストアから出力し直す）、直したファイルを受信フォルダの orders/ に置いてください。次の夜間処理で取り込みます。", name)}
}

// MovedPayment says for staff where a transfer's money went when its invoice was voided
// or lapsed.
func MovedPayment(inv store.Invoice, repl *store.Invoice, t store.BankTxn, rest int64, why string) string {
	if repl != nil {
		return fmt.Sprintf("請求書 %s（%s）の取消に伴い、%s の入金を差し替えの請求書 %s に充当し直しました。充当しきれない %s は過入金として返金が必要です。",
			inv.Number, why, TxnSubject(t), repl.Number, Yen(rest))
	}
	return fmt.Sprintf("請求書 %s は%s（%s）。%s の入金のうち %s をお預かりしたままです。",
		inv.Number, InvoiceState(inv.Status), why, TxnSubject(t), Yen(rest))
}

// NightNotes are the report's notes about the night itself: a simulated today
// (NIGHTLY_TODAY) and holidays computed before the Cabinet Office announced them.
func NightNotes(day, simulated calendar.Date, holidaysUnannounced bool) []string {
	var notes []string
	if !simulated.IsZero() {
		notes = append(notes, fmt.Sprintf("シミュレーション: NIGHTLY_TODAY=%s により、%s を「今日」として実行しました（実際の日付ではありません）。",
			simulated, simulated.Japanese()))
	}
	if holidaysUnannounced {
		notes = append(notes, fmt.Sprintf("%d年の祝日は内閣府の公表前のため、法律の規則から計算しています。公表後に確認してください。", day.Year))
	}
	return notes
}
