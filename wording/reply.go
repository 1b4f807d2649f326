package wording

import (
	"fmt"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// ReplyInput is what a reply draft is written from: the request, the message it came in
// (parsed), the customer of its contract (read for a request from an unregistered
// sender) and the desk's own address.
type ReplyInput struct {
	Request  store.Request
	Mail     *mailintake.Mail
	Customer store.Customer
	Desk     string
}

// maxQuotedLines bounds the request quoted in a reply draft.
const maxQuotedLines = 200

// ReplyDraft composes the reply to one request (SPEC §4.4): to its sender (the
// Reply-To, else the From), or, for a request from a sender the customer has not
// registered, to the customer's registered contact, asking to confirm it (SPEC §7.4).
// An address that is not one is left out (the draft names no recipient, for staff to
// fill in), never pasted.
func ReplyDraft(in ReplyInput) mailintake.Draft {
	r, m := in.Request, in.Mail
	d := mailintake.Draft{From: mailintake.Address{Name: "nPress 営業窓口", Addr: in.Desk},
		To: mailintake.Address{Name: m.FromName, Addr: m.FromAddress}, InReplyTo: m.MessageID,
		Extra: [][2]string{{"X-Unsent", "1"}, {"X-Nightly-Request", fmt.Sprint(r.ID)}, {"X-Nightly-Reply-By", r.ReplyBy.String()}}}
	if m.ReplyTo != "" {
		d.To.Addr = m.ReplyTo
	}
	d.Subject = m.Subject
	if !strings.HasPrefix(strings.ToLower(d.Subject), "re:") {
		d.Subject = "Re: " + d.Subject
	}
	name := r.Contractor
	if name == "" {
		name = m.FromName
	}
	if r.Status == store.RequestUnverified {
		cu := in.Customer
		reg := mailintake.RegisteredAddresses(cu.Email)
		d.To = mailintake.Address{Name: cu.Contact}
		if len(reg) > 0 {
			d.To.Addr = reg[0]
		}
		d.Subject, d.InReplyTo = fmt.Sprintf("【ご確認のお願い】ご契約 %s のご依頼について", r.ContractNo), ""
		name = cu.Name
	}
	if _, err := mailintake.FormatAddress(d.To); err != nil && d.To.Addr != "" {
		d.Extra = append(d.Extra, [2]string{"X-Nightly-Note", "返信先のアドレスが読めないため宛先を空にしています: " + d.To.Addr})
		d.To.Addr = ""
	}
	d.Body = replyBody(r, m, name)
	return d
}

// replyBody is the text of a reply draft: greeting, what became of the request, and
// the request quoted.
func replyBody(r store.Request, m *mailintake.Mail, name string) string {
	var b strings.Builder
	if name != "" {
		fmt.Fprintf(&b, "%s\n", name)
	}
	b.WriteString("ご担当者様\n\nいつもお世話になっております。nPress 営業窓口です。\n")
	if r.Status != store.RequestUnverified {
		fmt.Fprintf(&b, "%s にいただいたご依頼について、ご連絡いたします。\n\n", r.ReceivedAt.In(calendar.Tokyo).Format("2006年1月2日 15時04分"))
	}
	b.WriteString(ReplyText(r))
	b.WriteString("\nご不明な点がございましたら、本メールにご返信ください。\n今後ともよろしくお願いいたします。\n\n")
	b.WriteString("――――――――――――――――――――\n")
	lines := strings.Split(strings.TrimRight(m.Text, "\n"), "\n")
	if len(lines) > maxQuotedLines {
		lines = append(lines[:maxQuotedLines], "（以下略）")
	}
	for _, l := range lines {
		b.WriteString("> " + l + "\n")
	}
	return b.String()
}

// ReplyText says to the customer, in Japanese, what became of a request: what was
// accepted, or what is missing, late or does not fit.
func ReplyText(r store.Request) string {
	var b strings.Builder
	what := "解約"
	if r.Kind == string(mailintake.KindReduction) {
		what = fmt.Sprintf("ライセンス数の減数（%d ライセンスへ）", r.SeatsAfter.Int64)
	}
	switch r.Status {
	case store.RequestAccepted:
		fmt.Fprintf(&b, "ご契約 %s について、%s 開始の年度からの%sを承りました。\n", r.ContractNo, r.TermStart.Japanese(), what)
		if r.VoidsInvoice != "" {
			fmt.Fprintf(&b, "すでにお送りした更新の請求書 %s は無効となります。お支払いはなさらず、あらためてお送りする請求書をご確認ください。\n", r.VoidsInvoice)
		}
	case store.RequestLate:
		fmt.Fprintf(&b, "ご契約 %s の%sのご依頼は、%s 開始の年度の受付期限（%s）を過ぎて届きました。\n", r.ContractNo, what, r.AskedTerm.Japanese(), r.Deadline.Japanese())
		fmt.Fprintf(&b, "恐れ入りますが、%s 開始の年度は現在のご契約内容で更新となり、ご依頼は %s 開始の年度から適用いたします。\n", r.AskedTerm.Japanese(), r.TermStart.Japanese())
	case store.RequestIncomplete:
		b.WriteString("お手続きに必要な次の項目が確認できませんでした。お手数ですが、本メールにご返信のうえお知らせください。\n")
		for _, f := range strings.Split(r.Missing, ",") {
			if f != "" {
				fmt.Fprintf(&b, "・%s\n", mailintake.FieldJapanese(f))
			}
		}
		if !r.Deadline.IsZero() {
			fmt.Fprintf(&b, "%s 開始の年度に適用するには、%s までにご連絡ください。\n", r.AskedTerm.Japanese(), r.Deadline.Japanese())
		}
	case store.RequestMismatch:
		b.WriteString("ご依頼の内容が弊社の記録と一致しないため、お手続きができませんでした。\n")
		for _, rs := range strings.Split(r.Reason, ",") {
			if rs != "" {
				fmt.Fprintf(&b, "・%s\n", mailintake.Reason(rs).Japanese())
			}
		}
		b.WriteString("ご契約番号・ご契約者名・対象製品・数量をご確認のうえ、あらためてお知らせください。\n")
	case store.RequestDuplicate:
		fmt.Fprintf(&b, "ご契約 %s の%sは、先にいただいたご依頼ですでに承っております。\n", r.ContractNo, what)
	case store.RequestRejected:
		fmt.Fprintf(&b, "ご契約 %s のご依頼は、お受けできませんでした。\n", r.ContractNo)
	case store.RequestSuperseded:
		fmt.Fprintf(&b, "ご契約 %s のご依頼は、後からいただいたご依頼に置き換えております。\n", r.ContractNo)
	case store.RequestUnverified:
		unverifiedText(&b, r, what)
	}
	return b.String()
}

// unverifiedText asks the customer's registered contact to confirm a request that came
// from another address (SPEC §7.4).
func unverifiedText(b *strings.Builder, r store.Request, what string) {
	from := r.Sender.String
	if from == "" {
		from = "ご登録外のアドレス"
	}
	fmt.Fprintf(b, "%s に、%s から、貴社のご契約 %s について次のご依頼をいただきました。\n", r.ReceivedAt.In(calendar.Tokyo).Format("2006年1月2日 15時04分"), from, r.ContractNo)
	switch r.Kind {
	case string(mailintake.KindReduction), string(mailintake.KindCancellation):
		fmt.Fprintf(b, "・%s（%s 開始の年度から）\n", what, r.TermStart.Japanese())
	default:
		b.WriteString("・減数または解約（内容が読み取れませんでした）\n")
	}
	b.WriteString("ご登録のメールアドレスからのご依頼ではないため、お手続きを保留しております。\n")
	b.WriteString("貴社のご依頼で間違いがなければ、本メールにご返信のうえお知らせください。お心当たりがない場合も、お手数ですがお知らせください。\n")
	if !r.Deadline.IsZero() && !r.TermStart.IsZero() && r.TermStart != r.AskedTerm {
		fmt.Fprintf(b, "なお、このご依頼は %s 開始の年度の受付期限（%s）を過ぎて届いたため、ご確認いただけた場合も %s 開始の年度からの適用となります。\n",
			r.AskedTerm.Japanese(), r.Deadline.Japanese(), r.TermStart.Japanese())
	}
}
