package invoice

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
)

// Kind is what an invoice bills: the first term of an order, added seats, or a renewal.
type Kind string

// The kinds of invoice (SPEC §4.1–4.3).
const (
	KindNew      Kind = "new"      // 新規: the first 12 months of an order, or a perpetual licence
	KindAddition Kind = "addition" // 追加: more seats until the current term end (§3.2)
	KindRenewal  Kind = "renewal"  // 自動継続: the next 12-month term (§4.3)
)

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool {
	return k == KindNew || k == KindAddition || k == KindRenewal
}

// Rounding is how consumption tax is rounded to whole yen, once per invoice per rate
// (§3.3). The zero value is RoundDown, the usual choice.
type Rounding int

// The rounding modes of consumption tax.
const (
	RoundDown   Rounding = iota // 切り捨て (default)
	RoundUp                     // 切り上げ
	RoundHalfUp                 // 四捨五入
)

// ErrBadRounding is returned by ParseRounding for a name it does not know.
var ErrBadRounding = errors.New(`invoice: unknown tax rounding (want "down", "up" or "halfup")`)

// ParseRounding reads a rounding mode from configuration: "down" (or empty), "up" or
// "halfup".
func ParseRounding(s string) (Rounding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "down", "floor":
		return RoundDown, nil
	case "up", "ceil":
		return RoundUp, nil
	case "halfup", "half-up", "half_up":
		return RoundHalfUp, nil
	}
	return 0, fmt.Errorf("%q: %w", s, ErrBadRounding)
}

// String names the mode as ParseRounding reads it.
func (r Rounding) String() string {
	switch r {
	case RoundUp:
		return "up"
	case RoundHalfUp:
		return "halfup"
	}
	return "down"
}

// StandardRate is the standard consumption tax rate in percent (§3.3); every cloud
// subscription is billed at it.
const StandardRate = 10

// Period is a service period, both days included. The zero Period means "no period"
// (a perpetual licence).
type Period struct {
	From, To calendar.Date
}

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.From.IsZero() && p.To.IsZero() }

// Line is one row of an invoice.
type Line struct {
	Description string // 品目, e.g. "Microsoft 365 Business Standard"
	Period      Period // 期間; zero for none
	// PeriodNote replaces the printed period when Period is not known yet, e.g.
	// "ご利用開始日から12ヶ月" for a new order whose term starts on activation.
	PeriodNote string
	Months     int   // months billed when not a whole year (an addition, §3.2); 0 or 12 = a year
	Quantity   int   // 数量 (seats)
	UnitPrice  int64 // 単価: per seat per year, tax excluded, yen
	Amount     int64 // 金額: tax excluded, yen
	TaxRate    int   // percent (10)
}

// BilledMonths returns the months a line bills (月数): Months when it is set, else the
// whole monthly cycles of its Period (a line rebuilt from stored rows, which keep no
// months), else 0: a line without a period, such as a perpetual licence, is not billed
// by the month.
func (l Line) BilledMonths() int {
	if l.Months > 0 {
		return l.Months
	}
	if l.Period.IsZero() || l.Period.From.IsZero() || l.Period.To.IsZero() {
		return 0
	}
	next := l.Period.To.AddDays(1)
	m := (next.Year*12 + int(next.Month)) - (l.Period.From.Year*12 + int(l.Period.From.Month))
	if m < 1 || m > 12 {
		return 0
	}
	return m
}

// PartYear reports whether the line bills fewer than 12 months (月割, SPEC §3.2): its
// amount is then unit price × quantity × months ÷ 12, rounded down, not unit price ×
// quantity.
func (l Line) PartYear() bool {
	m := l.BilledMonths()
	return m > 0 && m < 12
}

// RateTotal is the per-rate summary an 適格請求書 must show: the sum of the lines at
// that rate (tax excluded) and the consumption tax on that sum.
type RateTotal struct {
	Rate     int   // percent
	Subtotal int64 // 対象 小計, tax excluded
	Tax      int64 // 消費税
}

// Party is the recipient of a document.
type Party struct {
	CustomerNo string // お客様番号, 6 digits (§1.1)
	Name       string // company name, or the person's name when Person
	PostalCode string // "101-0054" or "1010054"
	Address    string // one or more lines separated by "\n"
	Contact    string // 部署・ご担当者, printed under the name (optional)
	Person     bool   // 様 instead of 御中
}

// Honorific returns 様 for a person and 御中 for a company, and nothing for a company
// addressed through a named contact: 御中 and 様 are never written together, the contact
// line carries 様 (see ContactLine).
func (p Party) Honorific() string {
	switch {
	case p.Person:
		return "様"
	case p.Contact != "":
		return ""
	}
	return "御中"
}

// Addressee returns the recipient on one line as the envelope window shows it: the
// name with 御中 or 様, or the company name followed by its contact line
// ("株式会社みなと精機 総務部 ご担当者様"). The dispatch list prints it, so that the
// list and the envelope say the same.
func (p Party) Addressee() string {
	name := strings.TrimSpace(p.Name)
	if h := p.Honorific(); h != "" {
		return name + " " + h
	}
	return name + " " + p.ContactLine()
}

// ContactLine returns the contact person or department under the company name, ending
// in 様 (or 御中 when the contact is a department written with it); a department
// written bare ("経理部") is addressed to its person in charge ("経理部 ご担当者様"),
// never "経理部 様"; "" when there is none.
func (p Party) ContactLine() string {
	c := strings.TrimSpace(p.Contact)
	if c == "" || strings.HasSuffix(c, "様") || strings.HasSuffix(c, "御中") {
		return c
	}
	for _, dept := range []string{"部", "課", "室", "係", "グループ", "チーム", "センター", "事務所", "窓口"} {
		if strings.HasSuffix(c, dept) {
			return c + " ご担当者様"
		}
	}
	return c + " 様"
}

// Invoice is one issued (or previewed) invoice, complete with its totals.
type Invoice struct {
	Number     string // 請求書番号, "2026-000123" (§8.3); empty in a preview
	Kind       Kind
	IssueDate  calendar.Date
	DueDate    calendar.Date
	To         Party
	Subject    string // 件名
	ContractNo string // 契約番号 "NP-0001234", empty for a new order not yet a contract
	OrderNo    string // 注文番号, for new and addition invoices
	Replaces   string // number of the voided invoice this one replaces (§8.5)
	Lines      []Line
	Taxes      []RateTotal // per rate, highest rate first
	Subtotal   int64       // sum of the lines, tax excluded
	Tax        int64       // sum of Taxes[].Tax
	Total      int64       // Subtotal + Tax: the amount due
	Notes      []string    // extra lines for 備考
	// RequestDeadline is the last day a reduction or cancellation of the next term can
	// be requested (§4.4), printed in 備考; zero when it does not apply (perpetual).
	RequestDeadline calendar.Date
	// NextTermStart is the start of the term that RequestDeadline is for.
	NextTermStart calendar.Date
	Perpetual     bool // 永続ライセンス: no renewal notes
}

// ErrInput is wrapped by every error about a value given to a builder or to Compute.
var ErrInput = errors.New("invoice: invalid input")

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInput}, a...)...)
}

// maxYen bounds amounts so that sums and tax products never overflow int64.
const maxYen = int64(1) << 50

// Compute sums lines per tax rate and computes the consumption tax once per rate on
// that sum with rounding r (§3.3). taxes lists the rates present, highest first.
func Compute(lines []Line, r Rounding) (taxes []RateTotal, subtotal, tax, total int64, err error) {
	byRate := map[int]int64{}
	for i, l := range lines {
		if l.TaxRate < 0 || l.TaxRate > 100 {
			return nil, 0, 0, 0, inputErr("line %d (%s): tax rate %d%% out of range", i+1, l.Description, l.TaxRate)
		}
		if l.Amount < -maxYen || l.Amount > maxYen {
			return nil, 0, 0, 0, inputErr("line %d (%s): amount %d out of range", i+1, l.Description, l.Amount)
		}
		byRate[l.TaxRate] += l.Amount
		subtotal += l.Amount
	}
	if subtotal > maxYen || subtotal < -maxYen {
		return nil, 0, 0, 0, inputErr("subtotal %d out of range", subtotal)
	}
	rates := make([]int, 0, len(byRate))
	for rate := range byRate {
		rates = append(rates, rate)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(rates)))
	for _, rate := range rates {
		sum := byRate[rate]
		t := taxOn(sum, rate, r)
		taxes = append(taxes, RateTotal{Rate: rate, Subtotal: sum, Tax: t})
		tax += t
	}
	return taxes, subtotal, tax, subtotal + tax, nil
}

// taxOn returns sum × rate / 100 rounded by r, in integers (a negative sum, a credit, is
// rounded symmetrically: down means toward zero).
func taxOn(sum int64, rate int, r Rounding) int64 {
	neg := sum < 0
	if neg {
		sum = -sum
	}
	num := sum * int64(rate)
	q, rem := num/100, num%100
	switch r {
	case RoundUp:
		if rem > 0 {
			q++
		}
	case RoundHalfUp:
		if rem >= 50 {
			q++
		}
	}
	if neg {
		return -q
	}
	return q
}

// AdditionAmount is the amount of an addition (§3.2): floor(unitPrice × seats × months
// / 12), months 1–12, no daily proration.
func AdditionAmount(unitPrice int64, seats, months int) (int64, error) {
	if months < 1 || months > 12 {
		return 0, inputErr("addition months %d not in 1–12", months)
	}
	if err := checkPriceSeats(unitPrice, seats); err != nil {
		return 0, err
	}
	return unitPrice * int64(seats) * int64(months) / 12, nil
}

func checkPriceSeats(unitPrice int64, seats int) error {
	if unitPrice < 0 {
		return inputErr("unit price %d is negative", unitPrice)
	}
	if seats < 1 {
		return inputErr("seats %d: must be at least 1", seats)
	}
	if unitPrice > 0 && int64(seats) > maxYen/12/unitPrice {
		return inputErr("unit price %d × %d seats is out of range", unitPrice, seats)
	}
	if int64(seats) > math.MaxInt32 {
		return inputErr("seats %d out of range", seats)
	}
	return nil
}

// Common holds what every builder needs besides the billed lines.
type Common struct {
	Number     string // may be empty until store/ assigns it (§8.3)
	IssueDate  calendar.Date
	DueDate    calendar.Date
	To         Party
	ContractNo string
	OrderNo    string
	Replaces   string
	Product    string // plan name printed as the line's description
	Subject    string // empty: a subject is made from the kind and product
	TaxRate    int    // percent; 0 means StandardRate
	Rounding   Rounding
	Notes      []string
	// RequestDeadline and NextTermStart go to 備考 (§4.4); see Invoice.
	RequestDeadline calendar.Date
	NextTermStart   calendar.Date
}

func (c Common) rate() int {
	if c.TaxRate == 0 {
		return StandardRate
	}
	return c.TaxRate
}

func (c Common) check() error {
	if c.IssueDate.IsZero() {
		return inputErr("issue date missing")
	}
	if c.DueDate.IsZero() {
		return inputErr("due date missing")
	}
	if c.DueDate.Before(c.IssueDate) {
		return inputErr("due date %s before issue date %s", c.DueDate, c.IssueDate)
	}
	if strings.TrimSpace(c.To.Name) == "" {
		return inputErr("recipient name missing")
	}
	if strings.TrimSpace(c.Product) == "" {
		return inputErr("product name missing")
	}
	return nil
}

// Build assembles an invoice of kind k from c and lines and computes its totals; the
// builders below use it, and callers may use it for an invoice of several lines.
func Build(k Kind, c Common, lines []Line) (Invoice, error) {
	if !k.Valid() {
		return Invoice{}, inputErr("kind %q", k)
	}
	if err := c.check(); err != nil {
		return Invoice{}, err
	}
	if len(lines) == 0 {
		return Invoice{}, inputErr("no lines")
	}
	taxes, sub, tax, total, err := Compute(lines, c.Rounding)
	if err != nil {
		return Invoice{}, err
	}
	subject := c.Subject
	if subject == "" {
		subject = c.Product + " " + kindSubject[k]
	}
	next, deadline := MeetableDeadline(c.IssueDate, c.NextTermStart, c.RequestDeadline)
	return Invoice{
		Number: c.Number, Kind: k, IssueDate: c.IssueDate, DueDate: c.DueDate, To: c.To,
		Subject: subject, ContractNo: c.ContractNo, OrderNo: c.OrderNo, Replaces: c.Replaces,
		Lines: lines, Taxes: taxes, Subtotal: sub, Tax: tax, Total: total,
		Notes: c.Notes, RequestDeadline: deadline, NextTermStart: next,
	}, nil
}

// MeetableDeadline returns the first term start from nextStart on whose reduction and
// cancellation deadline (SPEC §4.4, the start − 1 month) is not before issue, with that
// deadline: an invoice prints a deadline the customer can still meet. An addition
// issued on 2026-11-24 to a contract whose next term starts 2026-12-20 (deadline
// 2026-11-20, passed) names the term from 2027-12-20 and 2027-11-20. With a zero
// nextStart or deadline (no renewal) both are returned as given.
func MeetableDeadline(issue, nextStart, deadline calendar.Date) (calendar.Date, calendar.Date) {
	if nextStart.IsZero() || deadline.IsZero() || issue.IsZero() {
		return nextStart, deadline
	}
	// A term is 12 months, so a few steps reach any issue date within the supported
	// years; the bound only guards against a date far out of range.
	for i := 0; deadline.Before(issue) && i < 200; i++ {
		nextStart = contract.NextStart(nextStart)
		deadline = contract.RequestDeadline(nextStart)
	}
	return nextStart, deadline
}

var kindSubject = map[Kind]string{
	KindNew:      "ご利用料金",
	KindAddition: "ライセンス追加料金",
	KindRenewal:  "次年度ご利用料金（自動継続）",
}

// NewFirstTerm builds the invoice of a new order (kind new, §4.1): 12 months of seats
// at the plan price, the term starting on activation (so the period is printed as
// "ご利用開始日から12ヶ月"); or, when perpetual, one line for the licence with no period
// (§3.5).
func NewFirstTerm(c Common, unitPrice int64, seats int, perpetual bool) (Invoice, error) {
	if err := checkPriceSeats(unitPrice, seats); err != nil {
		return Invoice{}, err
	}
	l := Line{Description: c.Product, Quantity: seats, UnitPrice: unitPrice,
		Amount: unitPrice * int64(seats), TaxRate: c.rate()}
	if perpetual {
		l.PeriodNote = "永続ライセンス"
	} else {
		l.PeriodNote, l.Months = "ご利用開始日から12ヶ月", 12
	}
	inv, err := Build(KindNew, c, []Line{l})
	inv.Perpetual = perpetual
	return inv, err
}

// NewAddition builds an addition invoice (§3.2): seats at the contract's locked annual
// unit price for months whole monthly cycles, from firstCycle (the start of the first
// billed cycle) to termEnd, amount floor(unitPrice × seats × months / 12).
func NewAddition(c Common, unitPrice int64, seats int, firstCycle, termEnd calendar.Date, months int) (Invoice, error) {
	amount, err := AdditionAmount(unitPrice, seats, months)
	if err != nil {
		return Invoice{}, err
	}
	if firstCycle.IsZero() || termEnd.IsZero() || termEnd.Before(firstCycle) {
		return Invoice{}, inputErr("addition period %s to %s", firstCycle, termEnd)
	}
	// The billed cycles must end on the term end: months cycles after firstCycle is
	// the next start (§2.4 clamping allowed for the day of month).
	next := termEnd.AddDays(1)
	if got := (next.Year*12 + int(next.Month)) - (firstCycle.Year*12 + int(firstCycle.Month)); got != months {
		return Invoice{}, inputErr("addition of %d months does not fit the cycles %s to %s (%d months)",
			months, firstCycle, termEnd, got)
	}
	l := Line{Description: c.Product + "（追加）", Period: Period{firstCycle, termEnd}, Months: months,
		Quantity: seats, UnitPrice: unitPrice, Amount: amount, TaxRate: c.rate()}
	return Build(KindAddition, c, []Line{l})
}

// NewRenewal builds the renewal invoice of a contract (§4.3): the seats after accepted
// reductions at the price in force on the issue date, for the 12-month term.
func NewRenewal(c Common, unitPrice int64, seats int, term Period) (Invoice, error) {
	if err := checkPriceSeats(unitPrice, seats); err != nil {
		return Invoice{}, err
	}
	if term.From.IsZero() || term.To.IsZero() || !term.To.After(term.From) {
		return Invoice{}, inputErr("renewal term %s to %s", term.From, term.To)
	}
	l := Line{Description: c.Product, Period: term, Months: 12, Quantity: seats,
		UnitPrice: unitPrice, Amount: unitPrice * int64(seats), TaxRate: c.rate()}
	return Build(KindRenewal, c, []Line{l})
}
