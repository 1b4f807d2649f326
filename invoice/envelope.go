package invoice

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/npress/nightly/calendar"
)

// Envelope is one envelope of the print bundle (SPEC §8.4) that holds several
// documents for one recipient: the separator sheet (封入票) printed before them tells
// staff which pages go in it. An envelope of one document needs no sheet.
type Envelope struct {
	Date      calendar.Date // the run date of the bundle
	Seq, Of   int           // this envelope is Seq of the bundle's Of envelopes
	To        Party
	Documents []Enclosed // in the order they follow the sheet
}

// Enclosed is one document in an envelope.
type Enclosed struct {
	Number string // 書類番号
	Title  string // what it is: 請求書, お支払いのお願い, 請求書取消のお知らせ
	Pages  int
}

// Pages returns the number of pages the envelope's documents have.
func (e Envelope) Pages() int {
	n := 0
	for _, d := range e.Documents {
		n += d.Pages
	}
	return n
}

// EnvelopeSheet renders the separator sheet of an envelope: a black band that shows
// in a stack of paper, the envelope's place in the bundle, the recipient, the
// documents with their pages, and what to do (wording.envelope_body). It is for staff
// and is not posted, so it is not kept as evidence; the same value gives the same bytes.
func (r *Renderer) EnvelopeSheet(e Envelope) (pdf []byte, err error) {
	title := r.cfg.Wording.EnvelopeTitle
	if title == "" {
		title = "封入票"
	}
	number := fmt.Sprintf("封筒 %d / %d", e.Seq, e.Of)
	defer recoverRender(&pdf, &err, "envelope sheet", number)
	if err := checkDoc(number, e.Date, e.To); err != nil {
		return nil, fmt.Errorf("envelope sheet %s: %w", number, err)
	}
	if len(e.Documents) == 0 || e.Seq < 1 || e.Seq > e.Of {
		return nil, fmt.Errorf("envelope sheet %s: %w: no documents, or its place is not in 1…%d", number, ErrInput, e.Of)
	}
	d := r.newDoc(title, number, e.Date, e.To, false)
	d.addPage()
	lm, w := d.l.MarginLeft, d.contentW()
	d.pdf.SetFillColor(0, 0, 0)
	d.pdf.Rect(0, 0, pageW, 30, "F")
	d.pdf.SetTextColor(255, 255, 255)
	d.text(lm, 8, 80, 22, "L", title)
	d.text(lm+w-110, 7, 110, 14, "R", number)
	d.text(lm+w-110, 17, 110, 12, "R", fmt.Sprintf("同封 %d 通・計 %d 枚", len(e.Documents), e.Pages()))
	d.gray(0)

	vars := map[string]string{"count": strconv.Itoa(len(e.Documents)), "pages": strconv.Itoa(e.Pages()),
		"seq": strconv.Itoa(e.Seq), "envelopes": strconv.Itoa(e.Of)}
	y := d.paragraphs(40, r.cfg.Wording.EnvelopeBody, vars) + 4
	rows := [][2]string{}
	if e.To.PostalCode != "" {
		rows = append(rows, [2]string{"郵便番号", "〒" + formatPostal(e.To.PostalCode)})
	}
	rows = append(rows, [2]string{"ご住所", strings.ReplaceAll(strings.TrimSpace(e.To.Address), "\n", "　")}, [2]string{"宛名", e.To.Addressee()},
		[2]string{"お客様番号", e.To.CustomerNo}, [2]string{"印刷日", e.Date.Japanese()})
	y = d.keyValues(y, "宛先", rows) + 6

	d.pdf.SetFillColor(232, 232, 232)
	d.pdf.Rect(lm, y, w, 6.5, "F")
	cols := []struct {
		x, w  float64
		align string
		head  string
	}{{2, 28, "L", "同封"}, {30, 45, "L", "書類番号"}, {75, w - 105, "L", "書類"}, {w - 30, 28, "R", "枚数"}}
	for _, c := range cols {
		d.text(lm+c.x, y+1.4, c.w, 9.5, c.align, c.head)
	}
	y += 6.5
	for i, doc := range e.Documents {
		y = d.ensure(y, 8)
		cells := []string{fmt.Sprintf("%d 通中 %d", len(e.Documents), i+1), doc.Number, doc.Title, strconv.Itoa(doc.Pages) + " 枚"}
		for k, c := range cols {
			s, size := d.fit(cells[k], c.w-2, 10, 7.5)
			d.text(lm+c.x, y+1.6, c.w-2, size, c.align, s)
		}
		y += 8
		d.pdf.SetDrawColor(190, 190, 190)
		d.hline(lm, lm+w, y, 0.15)
		d.pdf.SetDrawColor(0, 0, 0)
	}
	return d.output()
}
