package invoice

import (
	"fmt"
	"strconv"
	"strings"
)

// columns is the layout of an invoice's lines table.
type columns struct {
	// months adds a 月数 column: some line bills part of a year (月割), so that every
	// line reads 単価（年額）× 数量 × 月数 ÷ 12 = 金額 (SPEC §3.2).
	months bool
	// annual heads the price 単価（年額）: every line is billed by the year. With none
	// the head is 単価 (a perpetual licence); with some, each annual price says 年額.
	annual, mixed bool
}

func columnsFor(lines []Line) columns {
	var c columns
	yearly, once := 0, 0
	for _, l := range lines {
		switch m := l.BilledMonths(); {
		case m == 0:
			once++
		case m < 12:
			c.months = true
			yearly++
		default:
			yearly++
		}
	}
	c.annual = once == 0
	c.mixed = once > 0 && yearly > 0
	return c
}

// widths returns the widths of the description and the months columns.
func (c columns) widths(contentW float64) (desc, months float64) {
	if c.months {
		months = colMonths
	}
	return contentW - colQty - months - colUnit - colAmount, months
}

func (d *doc) tableHeader(y float64, c columns) {
	lm, cw := d.l.MarginLeft, d.contentW()
	d.pdf.SetFillColor(232, 232, 232)
	d.pdf.Rect(lm, y, cw, headerRowH, "F")
	d.hline(lm, lm+cw, y, 0.4)
	d.hline(lm, lm+cw, y+headerRowH, 0.2)
	desc, months := c.widths(cw)
	ty := y + 1.8
	unit := "単価"
	if c.annual {
		unit = "単価（年額）"
	}
	d.text(lm+2, ty, desc-4, 9, "L", "品目・期間")
	d.text(lm+desc, ty, colQty-2, 9, "R", "数量")
	if c.months {
		d.text(lm+desc+colQty, ty, months-2, 9, "R", "月数")
	}
	d.text(lm+desc+colQty+months, ty, colUnit-2, 9, "R", unit)
	d.text(lm+desc+colQty+months+colUnit, ty, colAmount-2, 9, "R", "金額")
}

func (d *doc) tableRow(y float64, ln Line, c columns) {
	lm, cw := d.l.MarginLeft, d.contentW()
	desc, months := c.widths(cw)
	s, size := d.fit(ln.Description, desc-4, 9.5, 7)
	d.text(lm+2, y+1.3, desc-4, size, "L", s)
	if p := periodText(ln, c.months); p != "" {
		d.gray(80)
		s, size = d.fit(p, desc-4, 8, 6.5)
		d.text(lm+2, y+5.6, desc-4, size, "L", s)
		d.gray(0)
	}
	x := lm + desc
	d.text(x, y+1.3, colQty-2, 9.5, "R", strconv.Itoa(ln.Quantity))
	x += colQty
	m := ln.BilledMonths()
	if c.months {
		ms := "—"
		if m > 0 {
			ms = strconv.Itoa(m) + "ヶ月"
		}
		d.text(x, y+1.3, months-2, 9.5, "R", ms)
	}
	x += months
	d.text(x, y+1.3, colUnit-2, 9.5, "R", num(ln.UnitPrice))
	if c.mixed && m > 0 {
		d.gray(80)
		d.text(x, y+5.6, colUnit-2, 7, "R", "年額")
		d.gray(0)
	}
	x += colUnit
	d.text(x, y+1.3, colAmount-2, 9.5, "R", num(ln.Amount))
	if ln.TaxRate != StandardRate {
		d.gray(80)
		d.text(x, y+5.6, colAmount-2, 7, "R", fmt.Sprintf("税率%d%%", ln.TaxRate))
		d.gray(0)
	}
	d.pdf.SetDrawColor(190, 190, 190)
	d.hline(lm, lm+cw, y+d.l.RowHeight, 0.15)
	d.pdf.SetDrawColor(0, 0, 0)
}

// periodText is the second line of a row: the service period and, for a part of a
// year, 月割; the months themselves are in the 月数 column when the table has one,
// else after the period. A note the description already says is not repeated.
func periodText(ln Line, monthsColumn bool) string {
	var s string
	switch {
	case !ln.Period.IsZero():
		s = "期間 " + ln.Period.From.Japanese() + "〜" + ln.Period.To.Japanese()
	case ln.PeriodNote != "" && !strings.Contains(ln.Description, ln.PeriodNote):
		s = ln.PeriodNote
	}
	switch m := ln.BilledMonths(); {
	case m > 0 && m < 12:
		if monthsColumn {
			s += "（月割）"
		} else {
			s += fmt.Sprintf("（%dヶ月分・月割）", m)
		}
	case m == 12 && !ln.Period.IsZero() && !monthsColumn:
		s += "（12ヶ月）"
	}
	return s
}
