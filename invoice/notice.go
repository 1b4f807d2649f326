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

// Reminder renders a payment reminder.
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
	vars := map[string]string{"stop_date": rm.StopDate.Japanese(), "due": rm.Invoice.DueDate.Japanese(),
		"customer_no": rm.To.CustomerNo}
	y := d.paragraphs(96, w.ReminderBody, vars)
	y = d.keyValues(y+3, "対象のご請求", [][2]string{
		{"請求書番号", rm.Invoice.Number},
		{"請求書発行日", rm.Invoice.IssueDate.Japanese()},
		{"件名", rm.Invoice.Subject},
		{"ご請求金額（税込）", yen(rm.Invoice.Total)},
		{"当初のお支払期限", rm.Invoice.DueDate.Japanese()},
		{"サービス停止予定日", rm.StopDate.AddDays(1).Japanese() + "（" + rm.StopDate.Japanese() + "までにご入金がない場合）"},
	})
	y += 4
	lm, bw := d.l.MarginLeft, rightColX-d.l.MarginLeft-6
	d.pdf.SetLineWidth(0.5)
	d.pdf.Rect(lm, y, bw, 14, "D")
	d.text(lm+3, y+1.8, 60, 9, "L", "お支払いいただく金額")
	d.text(lm+3, y+5, bw-6, 18, "R", yen(rm.Outstanding))
	bank := d.bankLines(rm.To.CustomerNo)
	d.bankBlock(y+18, bank)
	d.notesBlock(y+18+7.5+4.2*float64(len(bank))+4, []string{d.fill(w.Contact, vars)})
	return d.output()
}

// Cancellation renders a notice of cancellation.
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
	y := d.paragraphs(96, w.CancelBody, map[string]string{"customer_no": n.To.CustomerNo})
	y = d.keyValues(y+3, "取り消した請求書（お支払い不要・破棄してください）", [][2]string{
		{"請求書番号", n.Voided.Number},
		{"請求書発行日", n.Voided.IssueDate.Japanese()},
		{"件名", n.Voided.Subject},
		{"ご請求金額（税込）", yen(n.Voided.Total)},
	})
	if n.Replacement.Number != "" {
		y = d.keyValues(y+4, "新しい請求書（こちらをお支払いください）", [][2]string{
			{"請求書番号", n.Replacement.Number},
			{"請求書発行日", n.Replacement.IssueDate.Japanese()},
			{"件名", n.Replacement.Subject},
			{"ご請求金額（税込）", yen(n.Replacement.Total)},
			{"お支払期限", n.Replacement.DueDate.Japanese()},
		})
	}
	notes := []string{}
	if n.Reason != "" {
		notes = append(notes, "取消の理由: "+n.Reason)
	}
	notes = append(notes, d.fill(w.Contact, nil))
	d.notesBlock(y+4, notes)
	return d.output()
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

// keyValues draws a titled two-column table and returns the y below it.
func (d *doc) keyValues(y float64, title string, rows [][2]string) float64 {
	lm, w := d.l.MarginLeft, d.contentW()
	d.pdf.SetFillColor(232, 232, 232)
	d.pdf.Rect(lm, y, w, 6.5, "F")
	d.text(lm+2, y+1.4, w-4, 9.5, "L", title)
	y += 6.5
	for _, r := range rows {
		d.text(lm+3, y+1.6, 45, 9, "L", r[0])
		s, size := d.fit(r[1], w-55, 10, 7.5)
		d.text(lm+52, y+1.4, w-55, size, "L", s)
		y += 7
		d.pdf.SetDrawColor(190, 190, 190)
		d.hline(lm, lm+w, y, 0.15)
		d.pdf.SetDrawColor(0, 0, 0)
	}
	return y
}
