package invoice

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/templates"
	"github.com/npress/nightly/third_party/fpdf"
)

// Renderer turns documents into PDFs with one set of templates. It loads the settings
// and parses the font once; build one per process (or per template change) and share
// it: its methods are safe for concurrent use by several goroutines.
type Renderer struct {
	cfg  Config
	font *fpdf.UTF8Font
	seal []byte // PNG, or nil
	// newCanvas, when set, replaces newSharedCanvas (the benchmark's baseline).
	newCanvas func(docInfo) canvas
}

// ErrRender is wrapped by errors from the PDF library while rendering a document.
var ErrRender = errors.New("invoice: rendering failed")

const fontFamily = "ipaexg"

// NewRenderer loads the invoice settings (ConfigPath), the seal they name and the font
// (templates.FontPath) from fsys, usually templates.Open(templatesDir).
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	cfg, err := LoadConfig(fsys)
	if err != nil {
		return nil, err
	}
	ttf, err := fs.ReadFile(fsys, templates.FontPath)
	if err != nil {
		return nil, fmt.Errorf("invoice: font %s: %w", templates.FontPath, err)
	}
	font, err := fpdf.ParseUTF8Font("IPAexGothic", ttf)
	if err != nil {
		return nil, fmt.Errorf("invoice: font %s: %w", templates.FontPath, err)
	}
	r := &Renderer{cfg: cfg, font: font}
	if cfg.Seal != "" {
		p := path.Join(path.Dir(ConfigPath), cfg.Seal)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("%w: seal: %w", ErrConfig, err)
		}
		if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("%w: seal %s is not a PNG image: %w", ErrConfig, p, err)
		}
		r.seal = b
	}
	return r, nil
}

// Config returns the settings the renderer was built with.
func (r *Renderer) Config() Config { return r.cfg }

// Invoice renders an issued invoice (SPEC §8.1).
func (r *Renderer) Invoice(inv Invoice) (pdf []byte, err error) {
	defer recoverRender(&pdf, &err, "invoice", inv.Number)
	if err := checkDoc(inv.Number, inv.IssueDate, inv.To); err != nil {
		return nil, fmt.Errorf("invoice %s: %w", inv.Number, err)
	}
	return r.invoice(inv, false)
}

// Preview renders inv marked 見本 / PREVIEW on every page: what an invoice will look
// like, rendered with the current templates, never posted. inv.Number may be empty.
func (r *Renderer) Preview(inv Invoice) (pdf []byte, err error) {
	defer recoverRender(&pdf, &err, "invoice preview", inv.Number)
	if err := checkDoc("preview", inv.IssueDate, inv.To); err != nil {
		return nil, fmt.Errorf("invoice preview: %w", err)
	}
	return r.invoice(inv, true)
}

// recoverRender turns a panic of the PDF library into ErrRender: one bad document
// must not stop the night.
func recoverRender(pdf *[]byte, err *error, what, number string) {
	if p := recover(); p != nil {
		*pdf, *err = nil, fmt.Errorf("%w: %s %s: %v", ErrRender, what, number, p)
	}
}

func checkDoc(number string, issue calendar.Date, to Party) error {
	switch {
	case strings.TrimSpace(number) == "":
		return fmt.Errorf("%w: document number missing", ErrInput)
	case issue.IsZero():
		return fmt.Errorf("%w: issue date missing", ErrInput)
	case strings.TrimSpace(to.Name) == "":
		return fmt.Errorf("%w: recipient name missing", ErrInput)
	}
	return nil
}

// Page geometry, mm (A4 portrait).
const (
	pageW      = 210.0
	pageH      = 297.0
	rightColX  = 120.0 // left edge of the right-hand column (meta, issuer, summary)
	issuerTop  = 58.0
	amountTop  = 80.0
	colQty     = 16.0
	colMonths  = 16.0
	colUnit    = 28.0
	colAmount  = 30.0
	headerRowH = 7.0
	mmPerPt    = 25.4 / 72
)

// doc is one document being drawn.
type doc struct {
	r       *Renderer
	pdf     canvas
	l       Layout
	title   string
	number  string
	to      Party
	preview bool
	size    float64 // current font size in points; 0 after SetPage
}

// fontSize sets the font size, writing the operator only when it changes.
func (d *doc) fontSize(size float64) {
	if d.size != size {
		d.pdf.SetFontSize(size)
		d.size = size
	}
}

func (r *Renderer) newDoc(title, number string, issue calendar.Date, to Party, preview bool) *doc {
	newCanvas := r.newCanvas
	if newCanvas == nil {
		newCanvas = r.newSharedCanvas
	}
	pdf := newCanvas(docInfo{title: title + " " + number, author: r.cfg.Issuer.Name, created: issue.Start(),
		marginL: r.cfg.Layout.MarginLeft, marginR: r.cfg.Layout.MarginRight})
	pdf.SetLineWidth(0.2)
	return &doc{r: r, pdf: pdf, l: r.cfg.Layout, title: title, number: number, to: to, preview: preview}
}

// clean makes s printable: characters the font cannot show (outside the BMP, or
// missing) become 〓, the conventional mark for a character that cannot be printed;
// tabs become spaces and other control characters are dropped.
func (d *doc) clean(s string) string {
	ok := true
	for _, c := range s {
		if c < 0x20 || !d.r.font.HasGlyph(c) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\t':
			b.WriteByte(' ')
		case c < 0x20 || c == 0x7f:
		case !d.r.font.HasGlyph(c):
			b.WriteRune('〓')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (d *doc) gray(v int) { d.pdf.SetTextColor(v, v, v) }

// text draws s in a cell of width w whose top is y, aligned "L", "C" or "R".
func (d *doc) text(x, y, w, size float64, align, s string) {
	d.fontSize(size)
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(w, size*mmPerPt*1.15, d.clean(s), "", 0, align+"T", false, 0, "")
}

// fit returns s shrunk from size down to min points to fit w, then cut with "…".
func (d *doc) fit(s string, w, size, min float64) (string, float64) {
	s = d.clean(s)
	for ; size >= min; size -= 0.5 {
		d.fontSize(size)
		if d.pdf.GetStringWidth(s) <= w {
			return s, size
		}
	}
	size = min
	d.fontSize(size)
	r := []rune(s)
	for len(r) > 0 && d.pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…", size
}

func (d *doc) contentW() float64 { return pageW - d.l.MarginLeft - d.l.MarginRight }
func (d *doc) right() float64    { return pageW - d.l.MarginRight }
func (d *doc) bottom() float64   { return pageH - d.l.MarginBottom - 3 }

func (d *doc) hline(x1, x2, y, width float64) {
	d.pdf.SetLineWidth(width)
	d.pdf.Line(x1, y, x2, y)
}

// addPage starts a page; the preview mark goes under everything else.
func (d *doc) addPage() {
	d.pdf.AddPage()
	if d.preview {
		d.pdf.TransformBegin()
		d.pdf.TransformRotate(35, pageW/2, pageH/2)
		d.gray(200)
		d.text(0, pageH/2-12, pageW, 56, "C", d.r.cfg.Wording.PreviewMark)
		d.pdf.TransformEnd()
		d.gray(0)
	}
}

// firstPage draws the head of page 1: title and meta data at the right, the recipient
// in the envelope window, the issuer block with its seal.
func (d *doc) firstPage(meta [][2]string) {
	c := d.r.cfg
	d.addPage()
	d.text(rightColX-8, 12, d.right()-rightColX+8, 20, "C", d.title)
	d.hline(rightColX-4, d.right(), 22, 0.5)
	y := 26.0
	for _, m := range meta {
		if m[1] == "" {
			continue
		}
		d.gray(70)
		d.text(rightColX+6, y, 30, 8.5, "L", m[0])
		d.gray(0)
		d.text(rightColX+30, y, d.right()-rightColX-30, 9, "R", m[1])
		y += 4.8
	}
	d.recipient()

	// Issuer block, right column.
	x, w := rightColX+6, d.right()-rightColX-6
	y = issuerTop
	d.text(x, y, w, 10.5, "L", c.Issuer.Name)
	nameY := y
	y += 5.2
	if c.Issuer.Brand != "" {
		d.text(x, y, w, 8.5, "L", c.Issuer.Brand)
		y += 4.2
	}
	if c.Issuer.PostalCode != "" {
		d.text(x, y, w, 8.5, "L", "〒"+c.Issuer.PostalCode)
		y += 4.2
	}
	for _, a := range c.Issuer.Address {
		s, size := d.fit(a, w, 8.5, 6.5)
		d.text(x, y, w, size, "L", s)
		y += 4.2
	}
	if c.Issuer.Phone != "" {
		d.text(x, y, w, 8.5, "L", "TEL "+c.Issuer.Phone)
		y += 4.2
	}
	d.text(x, y, w, 8.5, "L", c.Issuer.Email)
	y += 4.2
	d.text(x, y, w, 8.5, "L", "登録番号 "+c.Issuer.RegistrationNo)
	if d.r.seal != nil && c.SealSizeMM > 0 {
		s := c.SealSizeMM
		d.pdf.PNG(d.r.seal, d.right()-s-1, nameY-s/2+2, s, s)
	}
}

// recipient draws the address block inside the 長3 window box: 〒, address, name with
// 御中 or 様, contact. Long lines shrink, then wrap, to stay inside the box.
func (d *doc) recipient() {
	l := d.l
	x, w := l.WindowLeft+3, l.WindowWidth-6
	y := l.WindowTop + 3
	maxY := l.WindowTop + l.WindowHeight - 2
	if d.to.PostalCode != "" {
		d.text(x, y, w, 10, "L", "〒"+formatPostal(d.to.PostalCode))
		y += 5.2
	}
	for _, a := range strings.Split(d.to.Address, "\n") {
		if strings.TrimSpace(a) == "" {
			continue
		}
		for _, line := range d.wrapFit(a, w, 9.5, 8) {
			if y+4 > maxY-9 {
				break
			}
			d.text(x, y, w, 9.5, "L", line)
			y += 4.4
		}
	}
	y += 2
	name := strings.TrimSpace(d.to.Name + "　" + d.to.Honorific())
	lines := d.wrapFit(name, w, 12, 9)
	size := 12.0
	if len(lines) > 1 {
		size = 10
		lines = d.wrap(name, w, size)
	}
	for i, line := range lines {
		if y+size*mmPerPt > maxY || i == 2 {
			break
		}
		d.text(x, y, w, size, "L", line)
		y += size * mmPerPt * 1.3
	}
	if c := d.to.ContactLine(); c != "" && y+4 < maxY {
		s, sz := d.fit(c, w, 9, 7)
		d.text(x, y+0.5, w, sz, "L", s)
	}
}

// wrapFit returns s as one line shrunk to no less than min points, or wrapped at size.
func (d *doc) wrapFit(s string, w, size, min float64) []string {
	d.fontSize(min)
	if d.pdf.GetStringWidth(d.clean(s)) <= w {
		return []string{s}
	}
	return d.wrap(s, w, size)
}

// continuationHead draws the top of pages after the first.
func (d *doc) continuationHead() {
	d.addPage()
	d.text(d.l.MarginLeft, 12, 80, 12, "L", d.title+"（続き）")
	d.text(d.right()-100, 13, 100, 8.5, "R", "No. "+d.number+"　お客様番号 "+d.to.CustomerNo)
	s, size := d.fit(strings.TrimSpace(d.to.Name+"　"+d.to.Honorific()), d.contentW(), 9, 7)
	d.text(d.l.MarginLeft, 19, d.contentW(), size, "L", s)
	d.hline(d.l.MarginLeft, d.right(), 24, 0.3)
}

// footers numbers every page "n / N" once the page count is known.
func (d *doc) footers() {
	n := d.pdf.PageNo()
	for p := 1; p <= n; p++ {
		d.pdf.SetPage(p)
		d.size = 0
		y := pageH - d.l.MarginBottom + 3
		d.gray(90)
		d.text(d.l.MarginLeft, y, 70, 7.5, "L", d.r.cfg.Issuer.Name)
		d.text(d.right()-70, y, 70, 7.5, "R", d.number)
		d.gray(0)
		d.text(pageW/2-20, y, 40, 8.5, "C", strconv.Itoa(p)+" / "+strconv.Itoa(n))
	}
}

func (d *doc) output() ([]byte, error) {
	d.footers()
	var buf bytes.Buffer
	buf.Grow(32 << 10)
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w", ErrRender, d.title, d.number, err)
	}
	return buf.Bytes(), nil
}

// ensure starts a continuation page when h mm do not fit below y.
func (d *doc) ensure(y, h float64) float64 {
	if y+h <= d.bottom() {
		return y
	}
	d.continuationHead()
	return d.l.TableTopNext
}

// invoice draws an invoice; see SPEC §8.1 for the items.
func (r *Renderer) invoice(inv Invoice, preview bool) ([]byte, error) {
	c := r.cfg
	title, number := c.Wording.InvoiceTitle, inv.Number
	if preview {
		title += "（見本）"
		if number == "" {
			number = "（見本・未発行）"
		}
	}
	d := r.newDoc(title, number, inv.IssueDate, inv.To, preview)
	d.firstPage([][2]string{
		{"請求書番号", number},
		{"発行日", inv.IssueDate.Japanese()},
		{"お客様番号", inv.To.CustomerNo},
		{"契約番号", inv.ContractNo},
		{"注文番号", inv.OrderNo},
	})
	lm, w := d.l.MarginLeft, rightColX-d.l.MarginLeft-6
	d.text(lm, 60, w, 10, "L", c.Wording.Greeting)
	d.subject(lm, 66, w, inv.Subject)
	// The amount due, large, and the due date.
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.5)
	d.pdf.Rect(lm, amountTop, w, 16, "D")
	d.text(lm+3, amountTop+2, 40, 9, "L", c.Wording.AmountLabel)
	d.text(lm+3, amountTop+6.5, w-6, 20, "R", yen(inv.Total))
	d.hline(lm, lm+w, amountTop+16+7.2, 0.2)
	d.text(lm+3, amountTop+18.5, 30, 10, "L", c.Wording.DueLabel)
	d.text(lm+30, amountTop+18, w-33, 11, "R", inv.DueDate.Japanese())

	y := d.l.TableTopFirst
	cols := columnsFor(inv.Lines)
	d.tableHeader(y, cols)
	y += headerRowH
	for _, ln := range inv.Lines {
		if y+d.l.RowHeight > d.bottom() {
			d.continuationHead()
			y = d.l.TableTopNext
			d.tableHeader(y, cols)
			y += headerRowH
		}
		d.tableRow(y, ln, cols)
		y += d.l.RowHeight
	}
	d.hline(lm, d.right(), y, 0.4)
	if cols.months && c.Wording.MonthsFormula != "" {
		y = d.ensure(y+1, 4)
		d.gray(60)
		d.text(lm+2, y+1, d.contentW()-4, 7.5, "R", c.Wording.MonthsFormula)
		d.gray(0)
		y += 4
	}
	y += 4

	// Summary per tax rate (right) beside the bank account (left).
	sumH := 6.0*float64(2+2*len(inv.Taxes)) + 2
	bank := d.bankLines(inv.To.CustomerNo)
	bankH := 7 + 4.2*float64(len(bank))
	y = d.ensure(y, max(sumH, bankH))
	d.summary(y, inv)
	d.bankBlock(y, bank)
	y += max(sumH, bankH) + 4

	// 備考
	notes := d.invoiceNotes(inv)
	d.notesBlock(y, notes)
	return d.output()
}

func (d *doc) summary(y float64, inv Invoice) {
	x, w := rightColX+6, d.right()-rightColX-6
	row := func(label, v string, size float64) {
		d.text(x+1, y+1.2, 40, size, "L", label)
		d.text(x+40, y+1.2, w-41, size, "R", v)
		y += 6
		d.pdf.SetDrawColor(190, 190, 190)
		d.hline(x, x+w, y, 0.15)
		d.pdf.SetDrawColor(0, 0, 0)
	}
	row("小計", yen(inv.Subtotal), 9.5)
	for _, t := range inv.Taxes {
		row(fmt.Sprintf("%d%%対象 小計", t.Rate), yen(t.Subtotal), 9)
		row(fmt.Sprintf("消費税（%d%%）", t.Rate), yen(t.Tax), 9)
	}
	d.hline(x, x+w, y+0.2, 0.4)
	d.text(x+1, y+1.3, 40, 10.5, "L", "合計（税込）")
	d.text(x+40, y+1, w-41, 11, "R", yen(inv.Total))
	d.hline(x, x+w, y+6.5, 0.4)
}

func (d *doc) bankLines(customerNo string) []string {
	b := d.r.cfg.Bank
	lines := []string{b.Name + "　" + b.Branch, b.Type + "　" + b.Number, "口座名義　" + b.Holder}
	w := rightColX - d.l.MarginLeft - 12
	if b.FeeNote != "" {
		lines = append(lines, d.wrap(b.FeeNote, w, 7.5)...)
	}
	if customerNo != "" && d.r.cfg.Wording.TransferNote != "" {
		lines = append(lines, d.wrap(d.fill(d.r.cfg.Wording.TransferNote, map[string]string{"customer_no": customerNo}), w, 7.5)...)
	}
	return lines
}

func (d *doc) bankBlock(y float64, lines []string) {
	lm, w := d.l.MarginLeft, rightColX-d.l.MarginLeft-6
	d.pdf.SetFillColor(232, 232, 232)
	d.pdf.Rect(lm, y, w, 6, "F")
	d.text(lm+2, y+1.2, w, 9, "L", "振込先")
	y += 7.5
	for i, s := range lines {
		size := 9.5
		if i >= 3 {
			size = 7.5
		}
		d.text(lm+2, y, w-4, size, "L", s)
		y += 4.2
	}
}

func (d *doc) notesBlock(y float64, notes []string) {
	lm, w := d.l.MarginLeft, d.contentW()
	var lines []string
	for _, n := range notes {
		for i, s := range d.wrap(n, w-8, 8.5) {
			if i == 0 {
				s = "・" + s
			} else {
				s = "　" + s
			}
			lines = append(lines, s)
		}
	}
	head := true
	for len(lines) > 0 {
		if head || y+4.3 > d.bottom() {
			y = d.ensure(y, 7+4.3*float64(min(len(lines), 3)))
			d.pdf.SetFillColor(232, 232, 232)
			d.pdf.Rect(lm, y, w, 6, "F")
			d.text(lm+2, y+1.2, w, 9, "L", "備考")
			y += 7.5
			head = false
		}
		d.text(lm+2, y, w-4, 8.5, "L", lines[0])
		lines = lines[1:]
		y += 4.3
	}
}

// fill replaces {name} placeholders with vars and the issuer's brand, email, phone.
func (d *doc) fill(s string, vars map[string]string) string {
	c := d.r.cfg.Issuer
	pairs := []string{"{email}", c.Email, "{brand}", c.Brand, "{phone}", c.Phone}
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func (d *doc) invoiceNotes(inv Invoice) []string {
	w := d.r.cfg.Wording
	vars := map[string]string{"customer_no": inv.To.CustomerNo, "replaces": inv.Replaces}
	if !inv.RequestDeadline.IsZero() {
		vars["deadline"] = inv.RequestDeadline.Japanese()
	}
	if !inv.NextTermStart.IsZero() {
		vars["next_start"] = inv.NextTermStart.Japanese()
	}
	var out []string
	add := func(ss ...string) {
		for _, s := range ss {
			if strings.TrimSpace(s) != "" {
				out = append(out, d.fill(s, vars))
			}
		}
	}
	if inv.Replaces != "" {
		add(w.Replaces)
	}
	if inv.Kind == KindAddition && columnsFor(inv.Lines).months {
		add(w.Addition...)
	}
	switch {
	case inv.Perpetual:
		add(w.Perpetual...)
	case !inv.RequestDeadline.IsZero() && !inv.NextTermStart.IsZero():
		add(w.AutoRenew...)
	default:
		add(w.AutoRenewUndated...)
	}
	add(inv.Notes...)
	add(w.Contact)
	return out
}

// formatPostal prints a 7-digit postal code as 123-4567; anything else as given.
func formatPostal(s string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(digits) == 7 {
		return digits[:3] + "-" + digits[3:]
	}
	return s
}

// num formats n with thousands separators: 1,234,567.
func num(n int64) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// yen formats n as ¥1,234,567 (a credit as -¥1,234).
func yen(n int64) string {
	if n < 0 {
		return "-¥" + num(-n)
	}
	return "¥" + num(n)
}
