package report

import (
	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/wording"
)

// Aging is the receivables aging of the morning report (issue 17): what customers owe as
// of the night's date by days past due, as `nightly aging --as-of` adds it up.
type Aging struct {
	AsOf      calendar.Date
	Total     accounting.AgingRow
	Customers int // customers owing anything
}

// NewAging adds up the aging rows of asOf.
func NewAging(asOf calendar.Date, rows []accounting.AgingRow) *Aging {
	return &Aging{AsOf: asOf, Total: accounting.AgingTotal(rows), Customers: len(rows)}
}

// Cells are the totals by bucket, labelled, in the order staff read them.
func (a Aging) Cells() []AgingCell { return AgingCells(a.Total) }

// Overdue is what is past its due date.
func (a Aging) Overdue() int64 { return a.Total.Total - a.Total.NotDue }

// AgingCell is one bucket of an aging line: its label (wording.AgingBuckets) and amount.
type AgingCell struct {
	Key, Label string
	Yen        int64
}

// AgingCells returns the buckets of r, labelled, from 期日前 to 合計.
func AgingCells(r accounting.AgingRow) []AgingCell {
	v := map[string]int64{"not_due": r.NotDue, "d1_30": r.D1to30, "d31_60": r.D31to60, "d61_90": r.D61to90,
		"d91_plus": r.D91Plus, "total": r.Total}
	out := make([]AgingCell, len(wording.AgingKeys))
	for i, k := range wording.AgingKeys {
		out[i] = AgingCell{Key: k, Label: wording.AgingBuckets.Name(k), Yen: v[k]}
	}
	return out
}
