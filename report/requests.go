package report

import (
	"fmt"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// RequestWords are the mail intake's own words a request line needs: the name of a
// missing field and of a mismatch reason as the desk asks the customer, and the
// registered addresses of a customer's e-mail field. The caller passes mailintake's, so
// that this package reads no mail code.
type RequestWords struct {
	Field      func(field string) string
	Reason     func(reason string) string
	Registered func(emailField string) []string
}

// RequestLines are the requests the morning report of day shows: those received that
// night, and the earlier ones that still wait for the desk (incomplete, late,
// mismatched or unverified, undecided, received in the 14 days before), overdue replies
// first.
func RequestLines(rs []store.Request, day calendar.Date, w RequestWords) []RequestLine {
	var overdue, rest []RequestLine
	since := day.AddDays(-14)
	for _, r := range rs {
		waiting := r.DecidedBy == "" && (r.Status == store.RequestIncomplete || r.Status == store.RequestLate ||
			r.Status == store.RequestMismatch || r.Status == store.RequestUnverified)
		tonight := r.RunDate == day
		if !tonight && (!waiting || r.RunDate.Before(since) || r.RunDate.After(day)) {
			continue
		}
		l := requestLine(r, tonight, waiting && r.ReplyBy.Before(day), w)
		if l.Reply != "" && !tonight {
			l.Reply = "../" + r.RunDate.String() + "/" + l.Reply // the draft is in the folder of the night that recorded it
		}
		if l.Overdue {
			overdue = append(overdue, l)
		} else {
			rest = append(rest, l)
		}
	}
	return append(overdue, rest...)
}

// RequestLineOf is a request with its words filled in, as `requests list` prints it.
func RequestLineOf(r store.Request, w RequestWords) RequestLine {
	return requestLine(r, false, false, w)
}

func requestLine(r store.Request, tonight, overdue bool, w RequestWords) RequestLine {
	l := RequestLine{Request: r, Tonight: tonight, Overdue: overdue, OutcomeName: wording.RequestStatuses.Name(r.Status),
		KindName: requestKindName(r), Registered: strings.Join(w.Registered(r.RegisteredEmail.String), ", "),
		MissingNames: names(r.Missing, w.Field, "、"), ReasonNames: names(r.Reason, w.Reason, "。")}
	if r.Status != store.RequestDuplicate && r.Status != store.RequestSuperseded && r.Status != store.RequestRejected {
		l.Reply = fmt.Sprintf("replies/%d.eml", r.ID)
	}
	l.Action = requestAction(l)
	return l
}

// requestKindName is the change a request asks for: 減数（10 ライセンスへ）, 解約.
func requestKindName(r store.Request) string {
	switch r.Kind {
	case "reduction":
		if r.SeatsAfter.Valid {
			return fmt.Sprintf("減数（%d ライセンスへ）", r.SeatsAfter.Int64)
		}
		return "減数"
	case "cancellation":
		return "解約"
	}
	return "不明"
}

// names names each of a comma-separated list of keys, joined by sep: "contract_no,seats"
// → "ご契約番号、数量".
func names(keys string, name func(string) string, sep string) string {
	var out []string
	for _, k := range strings.Split(keys, ",") {
		if k != "" {
			out = append(out, name(k))
		}
	}
	return strings.Join(out, sep)
}

// requestAction says what staff do about a request; a decision is named by the web
// page's button (受理・却下), never by a command line.
func requestAction(l RequestLine) string {
	const reply = "返信案を確認して送信"
	switch l.Status {
	case store.RequestAccepted:
		if l.VoidsInvoice != "" {
			return fmt.Sprintf("請求書 %s は郵送しない（取消・再発行）。%s。", l.VoidsInvoice, reply)
		}
		return "受理の連絡: " + reply + "。"
	case store.RequestIncomplete:
		return "不足項目（" + l.MissingNames + "）をお客様に確認: " + reply + "。"
	case store.RequestLate:
		return fmt.Sprintf("期限後のため %s 開始の年度から適用。お客様に連絡: %s。適用しない場合は「却下」。", l.TermStart.Japanese(), reply)
	case store.RequestMismatch:
		return l.ReasonNames + "。お客様に確認: " + reply + "。"
	case store.RequestDuplicate:
		return "受付済みのご依頼の再送: 必要なら" + reply + "。"
	case store.RequestUnverified:
		decide := "お客様のご依頼と確認できたら「受理」、違えば「却下」。"
		if l.Registered == "" {
			return "送信者はお客様の登録アドレスではなく、お客様にメールアドレスの登録がありません。電話などでお客様に確認してください（返信案は宛先なし）。" + decide
		}
		return fmt.Sprintf("送信者 %s はお客様の登録アドレス（%s）ではないため保留中。登録の連絡先に確認: %s。", l.Sender.String, l.Registered, reply) + decide
	}
	return ""
}
