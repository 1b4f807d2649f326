package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// RequestLineOf is a request with its words filled in, as `requests list` prints it.
func RequestLineOf(r store.Request) report.RequestLine { return requestLine(r, false, false) }

// requestLine is a request as the morning report shows it, with its words filled in.
func requestLine(r store.Request, tonight, overdue bool) report.RequestLine {
	l := report.RequestLine{Request: r, Tonight: tonight, Overdue: overdue, OutcomeName: wording.RequestStatuses.Name(r.Status),
		KindName: requestKindName(r), Registered: registered(r)}
	l.Action = requestAction(l)
	return l
}

// requestKindName is the kind of change in Japanese.
func requestKindName(l store.Request) string {
	switch l.Kind {
	case string(mailintake.KindReduction):
		if l.SeatsAfter.Valid {
			return fmt.Sprintf("減数（%d ライセンスへ）", l.SeatsAfter.Int64)
		}
		return "減数"
	case string(mailintake.KindCancellation):
		return "解約"
	}
	return "不明"
}

// requestAction says what staff must do about the request.
func requestAction(l report.RequestLine) string {
	reply := fmt.Sprintf("replies/%d.eml の返信案を確認して送信", l.ID)
	switch l.Status {
	case store.RequestAccepted:
		if l.VoidsInvoice != "" {
			return fmt.Sprintf("請求書 %s は郵送しない（無効・再発行）。%s。", l.VoidsInvoice, reply)
		}
		return "受理の連絡: " + reply + "。"
	case store.RequestIncomplete:
		var fs []string
		for _, f := range strings.Split(l.Missing, ",") {
			if f != "" {
				fs = append(fs, mailintake.FieldJapanese(f))
			}
		}
		return "不足項目（" + strings.Join(fs, "、") + "）をお客様に確認: " + reply + "。"
	case store.RequestLate:
		return fmt.Sprintf("期限後のため %s 開始の年度から適用。お客様に連絡: %s。適用しない場合は `nightly requests decide %d reject --why …`。", l.TermStart.Japanese(), reply, l.ID)
	case store.RequestMismatch:
		var rs []string
		for _, r := range strings.Split(l.Reason, ",") {
			if r != "" {
				rs = append(rs, mailintake.Reason(r).Japanese())
			}
		}
		return strings.Join(rs, "。") + "。お客様に確認: " + reply + "。"
	case store.RequestDuplicate:
		return "受付済みのご依頼の再送: 必要なら " + reply + "。"
	case store.RequestUnverified:
		return unverifiedAction(l, reply)
	}
	return ""
}

// registered lists the customer's registered addresses, shown beside the sender.
func registered(l store.Request) string {
	return strings.Join(mailintake.RegisteredAddresses(l.RegisteredEmail.String), ", ")
}

// unverifiedAction says what staff do about a request from an address the customer
// has not registered: confirm with the registered contact, then decide.
func unverifiedAction(l report.RequestLine, reply string) string {
	decide := fmt.Sprintf("お客様のご依頼と確認できたら `nightly requests decide %d accept --why …`、違えば `… reject --why …`。", l.ID)
	if l.Registered == "" {
		return "送信者はお客様の登録アドレスではなく、お客様にメールアドレスの登録がありません。電話などでお客様に確認してください（" + reply + " は宛先なし）。" + decide
	}
	return fmt.Sprintf("送信者 %s はお客様の登録アドレス（%s）ではないため保留中。登録の連絡先に確認: %s。", l.Sender.String, l.Registered, reply) + decide
}

// requestLines reads the requests for the report: tonight's, and the earlier ones
// that still wait for the desk (incomplete, late, mismatched or unverified, undecided, received in
// the last 14 days), overdue replies first.
func (n *Night) requestLines(ctx context.Context) ([]report.RequestLine, error) {
	rs, err := store.ListRequests(ctx, n.Q(), store.RequestFilter{})
	if err != nil {
		return nil, err
	}
	var overdue, rest []report.RequestLine
	since := n.Date.AddDays(-14)
	for _, r := range rs {
		waiting := r.DecidedBy == "" && (r.Status == store.RequestIncomplete || r.Status == store.RequestLate || r.Status == store.RequestMismatch ||
			r.Status == store.RequestUnverified)
		tonight := r.RunDate == n.Date
		if !tonight && (!waiting || r.RunDate.Before(since) || r.RunDate.After(n.Date)) {
			continue
		}
		l := requestLine(r, tonight, waiting && r.ReplyBy.Before(n.Date))
		if l.Overdue {
			overdue = append(overdue, l)
		} else {
			rest = append(rest, l)
		}
	}
	return append(overdue, rest...), nil
}
