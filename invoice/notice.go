package invoice

import (
	"fmt"

	"github.com/npress/nightly/calendar"
)

// Ref names an issued invoice on a reminder or a notice of cancellation.
type Ref struct {
	Number     string
	IssueDate  calendar.Date
	DueDate    calendar.Date
	Subject    string
	ContractNo string
	Total      int64 // tax included
}

// Ref returns the reference to inv that notices print.
func (inv Invoice) Ref() Ref {
	return Ref{Number: inv.Number, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
		Subject: inv.Subject, ContractNo: inv.ContractNo, Total: inv.Total}
}

// Reminder is a payment reminder (お支払いのお願い, SPEC §4.5) for an overdue renewal
// invoice: it names the invoice, the amount still unpaid, the original due date and
// the day the service stops.
type Reminder struct {
	Number      string // the reminder's own document number
	IssueDate   calendar.Date
	To          Party
	Invoice     Ref
	Outstanding int64         // yen still unpaid (the total, less any part payment)
	StopDate    calendar.Date // the last day of service unless paid (the term end)
}

// CancellationNotice is a notice of cancellation (請求書取消のお知らせ, SPEC §4.4):
// the posted invoice Voided is cancelled; Replacement, when not empty, replaces it.
type CancellationNotice struct {
	Number      string // the notice's own document number
	IssueDate   calendar.Date
	To          Party
	Voided      Ref
	Replacement Ref // zero Number: no replacement (a cancelled contract)
	Reason      string
}

// Paid returns what was received on the invoice so far: its total less Outstanding;
// 0 when nothing was.
func (rm Reminder) Paid() int64 {
	if p := rm.Invoice.Total - rm.Outstanding; p > 0 && rm.Outstanding > 0 {
		return p
	}
	return 0
}

// Reminder renders a payment reminder. For an invoice paid in part it shows ご請求金額,
// ご入金済額 and 残額 and asks for the remainder (wording.reminder_body_partial).
func (r *Renderer) Reminder(rm Reminder) (pdf []byte, err error) {
	defer recoverRender(&pdf, &err, "reminder", rm.Number)
	if err := checkDoc(rm.Number, rm.IssueDate, rm.To); err != nil {
		return nil, fmt.Errorf("reminder %s: %w", rm.Number, err)
	}
	if rm.Invoice.Number == "" || rm.Invoice.DueDate.IsZero() || rm.StopDate.IsZero() {
		return nil, fmt.Errorf("reminder %s: %w: overdue invoice number, due date and stop date are required", rm.Number, ErrInput)
	}
	w := r.cfg.Wording
	d := r.newDoc(w.ReminderTitle, rm.Number, rm.IssueDate, rm.To, false)
	d.firstPage([][2]string{
		{"文書番号", rm.Number},
		{"発行日", rm.IssueDate.Japanese()},
		{"お客様番号", rm.To.CustomerNo},
		{"契約番号", rm.Invoice.ContractNo},
	})
	paid := rm.Paid()
	vars := map[string]string{"stop_date": rm.StopDate.Japanese(), "due": rm.Invoice.DueDate.Japanese(),
		"customer_no": rm.To.CustomerNo, "outstanding": yen(rm.Outstanding), "paid": yen(paid)}
	body, rows := w.ReminderBody, [][2]string{
		{"請求書番号", rm.Invoice.Number},
		{"請求書発行日", rm.Invoice.IssueDate.Japanese()},
		{"件名", rm.Invoice.Subject},
		{"ご請求金額（税込）", yen(rm.Invoice.Total)},
	}
	box, unpaid := "お支払いいただく金額", "ご入金がない場合"
	if paid > 0 {
		if len(w.ReminderBodyPartial) > 0 {
			body = w.ReminderBodyPartial
		}
		rows = append(rows, [2]string{"ご入金済額", yen(paid)}, [2]string{"残額", yen(rm.Outstanding)})
		box, unpaid = "お支払いいただく金額（残額）", "残額のご入金がない場合"
	}
	rows = append(rows, [2]string{"当初のお支払期限", rm.Invoice.DueDate.Japanese()},
		[2]string{"サービス停止予定日", rm.StopDate.AddDays(1).Japanese() + "（" + rm.StopDate.Japanese() + "までに" + unpaid + "）"})
	y := d.paragraphs(96, body, vars)
	y = d.keyValues(y+3, "対象のご請求", rows)
	y += 4
	lm, bw := d.l.MarginLeft, rightColX-d.l.MarginLeft-6
	d.pdf.SetLineWidth(0.5)
	d.pdf.Rect(lm, y, bw, 14, "D")
	d.text(lm+3, y+1.8, bw-6, 9, "L", box)
	d.text(lm+3, y+5, bw-6, 18, "R", yen(rm.Outstanding))
	bank := d.bankLines(rm.To.CustomerNo)
	d.bankBlock(y+18, bank)
	d.notesBlock(y+18+7.5+4.2*float64(len(bank))+4, []string{d.fill(w.Contact, vars)})
	return d.output()
}

// Cancellation renders a notice of cancellation. Without a replacement its body says
// that nothing is to be paid (wording.cancel_body_no_replacement).
func (r *Renderer) Cancellation(n CancellationNotice) (pdf []byte, err error) {
	defer recoverRender(&pdf, &err, "cancellation notice", n.Number)
	if err := checkDoc(n.Number, n.IssueDate, n.To); err != nil {
		return nil, fmt.Errorf("cancellation notice %s: %w", n.Number, err)
	}
	if n.Voided.Number == "" {
		return nil, fmt.Errorf("cancellation notice %s: %w: the voided invoice's number is required", n.Number, ErrInput)
	}
	w := r.cfg.Wording
	d := r.newDoc(w.CancelTitle, n.Number, n.IssueDate, n.To, false)
	d.firstPage([][2]string{
		{"文書番号", n.Number},
		{"発行日", n.IssueDate.Japanese()},
		{"お客様番号", n.To.CustomerNo},
		{"契約番号", n.Voided.ContractNo},
	})
	body, voided := w.CancelBody, "取り消した請求書（お支払い不要・破棄してください）"
	if n.Replacement.Number == "" {
		if len(w.CancelBodyNoReplacement) > 0 {
			body = w.CancelBodyNoReplacement
		}
		voided = "取り消した請求書（破棄してください）"
	}
	y := d.paragraphs(96, body, map[string]string{"customer_no": n.To.CustomerNo})
	rows := [][2]string{
		{"請求書番号", n.Voided.Number},
		{"請求書発行日", n.Voided.IssueDate.Japanese()},
		{"件名", n.Voided.Subject},
		{"ご請求金額（税込）", yen(n.Voided.Total)},
	}
	if n.Reason != "" {
		rows = append(rows, [2]string{"取消の理由", n.Reason})
	}
	y = d.keyValues(y+3, voided, rows)
	if n.Replacement.Number != "" {
		y = d.keyValues(y+4, "新しい請求書（こちらをお支払いください）", [][2]string{
			{"請求書番号", n.Replacement.Number},
			{"請求書発行日", n.Replacement.IssueDate.Japanese()},
			{"件名", n.Replacement.Subject},
			{"ご請求金額（税込）", yen(n.Replacement.Total)},
			{"お支払期限", n.Replacement.DueDate.Japanese()},
		})
	}
	d.notesBlock(y+4, []string{d.fill(w.Contact, nil)})
	return d.output()
}

// RequestReason is the reason a notice of cancellation gives the customer when the
// invoice was cancelled on their request (SPEC §4.4), in their terms: the day the
// request was received, what it asked and, for a reduction, the seats from and to
// ("2026年11月20日付の減数のご依頼（15→10ライセンス）を承りましたため"). Internal ids
// (request and message) belong in the audit trail, never here. A seat count below 1
// is left out.
func RequestReason(received calendar.Date, cancellation bool, seatsFrom, seatsTo int) string {
	on := ""
	if !received.IsZero() {
		on = received.Japanese() + "付の"
	}
	if cancellation {
		return on + "解約のご依頼を承りましたため"
	}
	seats := ""
	if seatsFrom > 0 && seatsTo > 0 {
		seats = fmt.Sprintf("（%d→%dライセンス）", seatsFrom, seatsTo)
	}
	return on + "減数のご依頼" + seats + "を承りましたため"
}

// paragraphs draws the body text of a notice from y and returns the y below it.
func (d *doc) paragraphs(y float64, paras []string, vars map[string]string) float64 {
	for _, p := range paras {
		for _, s := range d.wrap(d.fill(p, vars), d.contentW(), 9.5) {
			d.text(d.l.MarginLeft, y, d.contentW(), 9.5, "L", s)
			y += 5
		}
	}
	return y
}

// keyValues draws a titled two-column table and returns the y below it. A value too
// long for one line, even shrunk, wraps between words onto more lines.
func (d *doc) keyValues(y float64, title string, rows [][2]string) float64 {
	lm, w := d.l.MarginLeft, d.contentW()
	d.pdf.SetFillColor(232, 232, 232)
	d.pdf.Rect(lm, y, w, 6.5, "F")
	d.text(lm+2, y+1.4, w-4, 9.5, "L", title)
	y += 6.5
	vw := w - 55
	for _, r := range rows {
		d.text(lm+3, y+1.6, 45, 9, "L", r[0])
		lines := []string{r[1]}
		size, ok := d.fits(r[1], vw, 10, 8.5)
		if !ok {
			size = 9
			lines = d.wrapPhrases(r[1], vw, size)
		}
		for i, l := range lines {
			d.text(lm+52, y+1.4+float64(i)*4.4, vw, size, "L", l)
		}
		y += 7 + 4.4*float64(len(lines)-1)
		d.pdf.SetDrawColor(190, 190, 190)
		d.hline(lm, lm+w, y, 0.15)
		d.pdf.SetDrawColor(0, 0, 0)
	}
	return y
}
