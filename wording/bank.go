package wording

import (
	"errors"
	"fmt"
	"strings"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// The exceptions of the bank feed (SPEC §6): what staff read about a transfer or a
// bank file the night could not book, and what to do about it.

// TxnExceptionKey is the key of the exception about transfer id.
func TxnExceptionKey(id int64) string { return fmt.Sprintf("bank_txn:%d", id) }

// maxFeeHint is the largest shortfall a partial-payment exception offers to accept as a
// bank fee.
const maxFeeHint = 1100

// MatchException is the exception a match result leaves for staff (SPEC §6.7), with the
// yen of the transfer it holds: all of it when nothing was applied (unknown payer,
// ambiguous), the excess of an overpayment, nothing for a partial payment or a match
// to review. nil when the match is clean.
func MatchException(t store.BankTxn, r bankfeed.Result, invs map[string]store.Invoice) (*store.Exception, int64) {
	resolve := fmt.Sprintf("nightly payments resolve %d --invoice N[,N…] [--fee YEN] --why 理由", t.ID)
	x := store.Exception{NKey: TxnExceptionKey(t.ID), RunDate: t.RunDate, Subject: TxnSubject(t), Suggestions: SuggestionsOf(r.Suggestions)}
	list := AppliedList(r.Applied)
	switch r.Exception {
	case "":
		if !r.Review {
			return nil, 0
		}
		x.Kind = "review"
		x.Message = fmt.Sprintf("%s を振込人名の類似で請求書 %s に充当しました。確認してください。", TxnSubject(t), list)
		x.Action = "正しければ確認済みとして閉じ、誤りなら `" + resolve + "` で充当し直してください。"
		return &x, 0
	case bankfeed.ExceptionPartial:
		short := int64(0)
		var numbers []string
		for _, a := range r.Applied {
			inv := invs[a.Invoice]
			short += inv.Total - inv.Paid - a.Amount
			numbers = append(numbers, a.Invoice)
		}
		x.Kind = "partial"
		x.Message = fmt.Sprintf("%s は一部入金です。請求書 %s に充当しました（残額 %s）。", TxnSubject(t), list, Yen(short))
		x.Action = "残額の入金を待つか、お客様に確認してください。別の請求書への入金だった場合は `" + resolve + "` で充当し直してください。"
		if short <= maxFeeHint {
			x.Action += fmt.Sprintf("残額 %s を振込手数料として受け入れる場合は `nightly payments resolve %d --invoice %s --fee %d --why 理由`（以後この顧客の手数料として学習します）。",
				Yen(short), t.ID, strings.Join(numbers, ","), short)
		}
		return &x, 0
	case bankfeed.ExceptionOverpayment:
		x.Kind = "overpayment"
		x.Message = fmt.Sprintf("%s は過入金です。請求書 %s に充当し、%s 多く入金されています。", TxnSubject(t), list, Yen(r.Refund))
		if len(r.Applied) == 0 {
			x.Message = fmt.Sprintf("%s は過入金です。このお客様に未入金の請求書がないため、%s 全額をお預かりしています。", TxnSubject(t), Yen(r.Refund))
		}
		x.Action = fmt.Sprintf("超過分 %s を返金したら `%s` で記録して閉じてください。", Yen(r.Refund), RefundCommand(x.NKey, r.Refund))
		return &x, r.Refund
	case bankfeed.ExceptionAmbiguous:
		x.Kind = "ambiguous"
		x.Message = fmt.Sprintf("%s は複数の請求書（の組み合わせ）に同じように当てはまるため、充当していません。", TxnSubject(t))
		if r.Note != "" && strings.Contains(r.Note, "search") {
			x.Message = fmt.Sprintf("%s は未入金の請求書が多く、組み合わせを特定しきれないため、充当していません。", TxnSubject(t))
		}
		x.Action = "候補から正しい請求書を選び `" + resolve + "` で充当してください。"
		return &x, t.Amount
	}
	x.Kind = "unknown"
	x.Message = fmt.Sprintf("%s の振込人を特定できないため、充当していません。", TxnSubject(t))
	x.Action = "候補を確認し、お客様が分かれば `" + resolve + "` で充当してください（振込人名を学習します）。該当がなければ返金してから `" + RefundCommand(x.NKey, t.Amount) + "`。"
	return &x, t.Amount
}

// AccountUnknown is the exception for a bank CSV row whose account cannot be decided
// (SPEC §6.1): held whole until staff book it.
func AccountUnknown(t store.BankTxn) store.Exception {
	return store.Exception{NKey: TxnExceptionKey(t.ID), RunDate: t.RunDate, Kind: "account_unknown", Subject: TxnSubject(t),
		Message: fmt.Sprintf("%s は口座番号のない銀行CSVの行で、どの口座への入金か判別できないため、充当していません。", TxnSubject(t)),
		Action: fmt.Sprintf("入金先の口座と請求書を確認し、`nightly payments resolve %d --invoice N --why 理由` で充当してください。"+
			"以後のために設定の [bank] default_account（またはCSVプロファイルの default_account）を指定してください。", t.ID),
	}
}

// AfterSuspension is the exception for a transfer that pays an invoice of a suspended
// contract or a lapsed invoice (SPEC §4.7): held whole for staff.
func AfterSuspension(t store.BankTxn, inv store.Invoice, r bankfeed.Result) store.Exception {
	sugg := append([]bankfeed.Suggestion{{Invoices: []string{inv.Number}, CustomerNo: inv.CustomerNo, Amount: inv.Total - inv.Paid,
		Score: 900, Reason: "停止中の契約の請求書"}}, r.Suggestions...)
	return store.Exception{NKey: TxnExceptionKey(t.ID), RunDate: t.RunDate, Kind: "after_suspension", Subject: TxnSubject(t),
		Message: fmt.Sprintf("%s は停止中の契約 %s（請求書 %s、%s）への入金と見られます。停止後の入金は自動では充当していません。",
			TxnSubject(t), inv.ContractNo, inv.Number, InvoiceState(inv.Status)),
		Action:      "返金するか契約を再開するかを判断してください。返金したら `" + RefundCommand(TxnExceptionKey(t.ID), t.Amount) + "` で記録して閉じてください。",
		Suggestions: SuggestionsOf(sugg)}
}

// AppliedList names the invoices of a match for the audit trail and staff ("2026-000012,
// 2026-000013").
func AppliedList(as []bankfeed.Applied) string {
	numbers := make([]string, len(as))
	for i, a := range as {
		numbers[i] = a.Invoice
	}
	return strings.Join(numbers, ", ")
}

// RefundCommand is the command that records a refund of yen held by exception key.
func RefundCommand(key string, yen int64) string {
	return fmt.Sprintf("nightly exceptions close %s --refund %d --on 返金日 --why 理由", key, yen)
}

// SuggestionsOf turns the matcher's suggestions into what an exception stores.
func SuggestionsOf(ss []bankfeed.Suggestion) store.Suggestions {
	out := make(store.Suggestions, len(ss))
	for i, s := range ss {
		out[i] = store.Suggestion{Invoices: s.Invoices, CustomerNo: s.CustomerNo, Amount: s.Amount, Fee: s.Fee, Score: s.Score, Reason: s.Reason}
	}
	return out
}

// BankFileRejected is the exception for a bank file refused whole (SPEC §6.2).
func BankFileRejected(day calendar.Date, name, sha string, perr error) store.Exception {
	return store.Exception{NKey: "bank_file:" + sha, RunDate: day, Kind: "bank_file_rejected", Subject: name,
		Message: fmt.Sprintf("銀行ファイル %s に不備があるため、ファイル全体を取り込んでいません（1件も入金処理していません）: %s", name, DescribeFormatError(perr)),
		Action:  fmt.Sprintf("銀行から正しいファイルを取り寄せ（または再ダウンロードし）、受信フォルダの bank/ に置いてください。元のファイルは rejected/bank/%s にあります。", name)}
}

// ReversalUnmatched is the exception for a cancellation whose original credit is not
// found (SPEC §6.4).
func ReversalUnmatched(day calendar.Date, rv store.BankTxn) store.Exception {
	return store.Exception{NKey: TxnExceptionKey(rv.ID), RunDate: day, Kind: "reversal_unmatched",
		Subject: TxnSubject(rv), Message: fmt.Sprintf("%s は取消・訂正ですが、取り消す元の入金が見つかりません。", TxnSubject(rv)),
		Action: "銀行に元の入金を確認し、必要なら入金の取り消しを手作業で行ってから `nightly exceptions close " + TxnExceptionKey(rv.ID) + " --why 理由`。"}
}

// DescribeFormatError says in Japanese where a malformed file is wrong.
func DescribeFormatError(err error) string {
	var fes *bankfeed.FormatErrors
	if errors.As(err, &fes) && fes.Count > 1 {
		var b strings.Builder
		fmt.Fprintf(&b, "不備のあるレコードが %s 件あります。", Number(int64(fes.Count)))
		if len(fes.First) < fes.Count {
			fmt.Fprintf(&b, "最初の %d 件: ", len(fes.First))
		}
		for i, fe := range fes.First {
			if i > 0 {
				b.WriteString("; ")
			}
			describeOne(&b, fe)
		}
		return b.String()
	}
	var fe *bankfeed.FormatError
	if errors.As(err, &fe) {
		var b strings.Builder
		if fe.Record > 0 {
			fmt.Fprintf(&b, "%d件目のレコード", fe.Record)
		} else {
			b.WriteString("ファイル全体")
		}
		if fe.Field != "" {
			fmt.Fprintf(&b, "、項目「%s」", fe.Field)
		}
		fmt.Fprintf(&b, "（%s）", err.Error())
		return b.String()
	}
	return err.Error()
}

// describeOne writes one defect: "12件目のレコード、項目「金額」: reason".
func describeOne(b *strings.Builder, fe *bankfeed.FormatError) {
	if fe.Record > 0 {
		fmt.Fprintf(b, "%d件目のレコード", fe.Record)
	} else {
		b.WriteString("ファイル全体")
	}
	if fe.Field != "" {
		fmt.Fprintf(b, "、項目「%s」", fe.Field)
	}
	fmt.Fprintf(b, ": %s", fe.Reason)
}

// TxnSubject names a transfer for staff: its number, 勘定日, payer and amount.
func TxnSubject(t store.BankTxn) string {
	return fmt.Sprintf("振込 %d: %s %s %s", t.ID, t.ValueDate, t.Payer, Yen(t.Amount))
}

// InvoiceState is how an exception message names an invoice's state.
func InvoiceState(s string) string {
	switch s {
	case store.InvoiceLapsed:
		return "失効"
	case store.InvoiceVoid:
		return "無効"
	case store.InvoicePaid:
		return "入金済"
	case store.InvoicePartiallyPaid:
		return "一部入金"
	}
	return "未入金"
}
