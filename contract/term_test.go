package contract

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

var d = calendar.MustParse

func TestTermEndAndNextStart(t *testing.T) {
	tests := []struct{ start, end, next, why string }{
		{"2026-04-15", "2027-04-14", "2027-04-15", "the worked example of §3.2"},
		{"2026-01-01", "2026-12-31", "2027-01-01", "a calendar year"},
		{"2026-01-31", "2027-01-30", "2027-01-31", "month end"},
		{"2026-03-31", "2027-03-30", "2027-03-31", "month end"},
		{"2026-05-31", "2027-05-30", "2027-05-31", "month end"},
		{"2024-02-29", "2025-02-28", "2025-03-01", "12 months after Feb 29 is Mar 1 (§2.4)"},
		{"2027-02-28", "2028-02-27", "2028-02-28", "a term ending in a leap year keeps the day"},
		{"2023-03-01", "2024-02-29", "2024-03-01", "a term that ends on Feb 29"},
		{"2028-02-29", "2029-02-28", "2029-03-01", "Feb 29 again"},
		{"2026-12-31", "2027-12-30", "2027-12-31", "year end"},
	}
	for _, tt := range tests {
		if got := TermEnd(d(tt.start)); got.String() != tt.end {
			t.Errorf("TermEnd(%s) = %s, want %s (%s)", tt.start, got, tt.end, tt.why)
		}
		if got := NextStart(d(tt.start)); got.String() != tt.next {
			t.Errorf("NextStart(%s) = %s, want %s (%s)", tt.start, got, tt.next, tt.why)
		}
	}
}

func TestCycleStarts(t *testing.T) {
	tests := []struct {
		start string
		want  [12]string
	}{
		{"2026-04-15", [12]string{"2026-04-15", "2026-05-15", "2026-06-15", "2026-07-15", "2026-08-15", "2026-09-15",
			"2026-10-15", "2026-11-15", "2026-12-15", "2027-01-15", "2027-02-15", "2027-03-15"}},
		{"2026-01-31", [12]string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30",
			"2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31"}},
		{"2027-03-31", [12]string{"2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31", "2027-08-31",
			"2027-09-30", "2027-10-31", "2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29"}},
		{"2026-05-31", [12]string{"2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31",
			"2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"}},
		{"2024-02-29", [12]string{"2024-02-29", "2024-03-29", "2024-04-29", "2024-05-29", "2024-06-29", "2024-07-29",
			"2024-08-29", "2024-09-29", "2024-10-29", "2024-11-29", "2024-12-29", "2025-01-29"}},
		{"2027-05-29", [12]string{"2027-05-29", "2027-06-29", "2027-07-29", "2027-08-29", "2027-09-29", "2027-10-29",
			"2027-11-29", "2027-12-29", "2028-01-29", "2028-02-29", "2028-03-29", "2028-04-29"}},
	}
	for _, tt := range tests {
		got := CycleStarts(d(tt.start))
		for i := range got {
			if got[i].String() != tt.want[i] {
				t.Errorf("CycleStarts(%s)[%d] = %s, want %s", tt.start, i, got[i], tt.want[i])
			}
		}
	}
}

// TestCyclesCoverTheTerm checks, for every start day of four years, that the 12 cycles
// are one per month, increasing, and end inside the term.
func TestCyclesCoverTheTerm(t *testing.T) {
	for s := d("2025-01-01"); s.Before(d("2029-01-01")); s = s.AddDays(1) {
		cs := CycleStarts(s)
		end := TermEnd(s)
		for i, c := range cs {
			if want := s.AddMonths(i); c.Year != want.Year || c.Month != want.Month {
				t.Fatalf("%s: cycle %d is %s, not in month %s", s, i, c, YearMonthOf(want))
			}
			if i > 0 && !cs[i-1].Before(c) {
				t.Fatalf("%s: cycles not increasing at %d", s, i)
			}
		}
		if !cs[11].Before(end) || !NextStart(s).After(end) || end.DaysUntil(NextStart(s)) != 1 {
			t.Fatalf("%s: last cycle %s, term end %s, next start %s", s, cs[11], end, NextStart(s))
		}
		if n := s.DaysUntil(end) + 1; n < 365 || n > 366 {
			t.Fatalf("%s: term of %d days", s, n)
		}
	}
}

func TestCycleOf(t *testing.T) {
	tests := []struct {
		start, day string
		want       int
		ok         bool
	}{
		{"2026-04-15", "2026-04-15", 0, true},
		{"2026-04-15", "2026-06-14", 1, true},
		{"2026-04-15", "2026-06-15", 2, true},
		{"2026-04-15", "2027-04-14", 11, true},
		{"2026-04-15", "2027-04-15", 0, false},
		{"2026-04-15", "2026-04-14", 0, false},
		{"2026-01-31", "2026-03-01", 1, true}, // cycle from 2/28
	}
	for _, tt := range tests {
		if got, ok := CycleOf(d(tt.start), d(tt.day)); got != tt.want || ok != tt.ok {
			t.Errorf("CycleOf(%s, %s) = %d %v, want %d %v", tt.start, tt.day, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseYearMonth(t *testing.T) {
	good := map[string]YearMonth{
		"2026-06":   {2026, time.June},
		"2026-6":    {2026, time.June},
		"2026/06":   {2026, time.June},
		" 2026-12 ": {2026, time.December},
		"2026年6月":   {2026, time.June},
		"2027年01月":  {2027, time.January},
	}
	for s, want := range good {
		got, err := ParseYearMonth(s)
		if err != nil || got != want {
			t.Errorf("ParseYearMonth(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026", "2026-13", "2026-00", "26-06", "2026-06-01", "2026-６", "June 2026", "2026年6", "-2026-06", "2026--6"} {
		if got, err := ParseYearMonth(s); !errors.Is(err, ErrBadYearMonth) {
			t.Errorf("ParseYearMonth(%q) = %v, %v; want ErrBadYearMonth", s, got, err)
		}
	}
	ym := YearMonth{2026, time.June}
	if ym.String() != "2026-06" || ym.Japanese() != "2026年6月" {
		t.Errorf("formatting: %s %s", ym, ym.Japanese())
	}
	var back YearMonth
	b, _ := ym.MarshalText()
	if err := back.UnmarshalText(b); err != nil || back != ym {
		t.Errorf("text round trip: %v %v", back, err)
	}
}

func TestBillAddition(t *testing.T) {
	tests := []struct {
		start   string
		desired YearMonth
		first   string
		months  int
	}{
		{"2026-04-15", YearMonth{2026, time.June}, "2026-06-15", 10}, // §3.2
		{"2026-04-15", YearMonth{2026, time.April}, "2026-04-15", 12},
		{"2026-04-15", YearMonth{2027, time.March}, "2027-03-15", 1},
		{"2026-01-31", YearMonth{2026, time.February}, "2026-02-28", 11},
		{"2027-03-31", YearMonth{2028, time.February}, "2028-02-29", 1},
		{"2024-02-29", YearMonth{2024, time.February}, "2024-02-29", 12},
	}
	for _, tt := range tests {
		got, err := BillAddition(d(tt.start), tt.desired)
		if err != nil || got.FirstCycle.String() != tt.first || got.Months != tt.months {
			t.Errorf("BillAddition(%s, %s) = %+v, %v; want %s, %d months", tt.start, tt.desired, got, err, tt.first, tt.months)
		}
	}
	// Every month of the term, in order: 12 down to 1.
	for i := range 12 {
		ym := YearMonthOf(d("2026-04-15").AddMonths(i))
		if got, err := BillAddition(d("2026-04-15"), ym); err != nil || got.Months != 12-i {
			t.Errorf("month %s: %+v %v, want %d months", ym, got, err, 12-i)
		}
	}
	bad := []struct {
		start   Date
		desired YearMonth
		want    error
	}{
		{d("2026-04-15"), YearMonth{2026, time.March}, ErrOutsideTerm},
		{d("2026-04-15"), YearMonth{2027, time.April}, ErrOutsideTerm}, // the term ends 4/14, the next cycle is the next term
		{d("2026-04-15"), YearMonth{2030, time.June}, ErrOutsideTerm},
		{d("2026-04-15"), YearMonth{2026, 13}, ErrBadYearMonth},
		{Date{}, YearMonth{2026, time.June}, ErrBadTermStart},
		{Date{Year: 2026, Month: time.February, Day: 30}, YearMonth{2026, time.June}, ErrBadTermStart},
	}
	for _, tt := range bad {
		if got, err := BillAddition(tt.start, tt.desired); !errors.Is(err, tt.want) {
			t.Errorf("BillAddition(%v, %v) = %+v, %v; want %v", tt.start, tt.desired, got, err, tt.want)
		}
	}
}

func TestAdditionAmount(t *testing.T) {
	tests := []struct {
		unit          int64
		seats, months int
		want          int64
		why           string
	}{
		{18000, 3, 10, 45000, "the worked example of §3.2"},
		{18000, 3, 12, 54000, "a full term is the annual price"},
		{18000, 3, 1, 4500, "one month"},
		{10000, 1, 1, 833, "833.33… floored"},
		{10000, 1, 5, 4166, "4166.66… floored, not rounded"},
		{10000, 7, 11, 64166, "64166.66… floored"},
		{10000, 1, 12, 10000, "12 months exact"},
		{1, 1, 11, 0, "less than a yen"},
		{0, 5, 6, 0, "free plan"},
		{1 << 40, 3, 12, 3 << 40, "large figures stay exact"},
		{math.MaxInt64, 1, 12, math.MaxInt64, "the largest price for a full term"},
		{math.MaxInt64, 2, 12, math.MaxInt64, "beyond int64 saturates"},
		{-10000, 1, 1, -834, "negative figures are floored too"},
	}
	for _, tt := range tests {
		if got := AdditionAmount(tt.unit, tt.seats, tt.months); got != tt.want {
			t.Errorf("AdditionAmount(%d, %d, %d) = %d, want %d (%s)", tt.unit, tt.seats, tt.months, got, tt.want, tt.why)
		}
	}
	// Every month count for a price that does not divide by 12.
	for m := 1; m <= 12; m++ {
		want := int64(12345*4*m) / 12
		if got := AdditionAmount(12345, 4, m); got != want {
			t.Errorf("AdditionAmount(12345, 4, %d) = %d, want %d", m, got, want)
		}
	}
}

func TestEffectiveCycle(t *testing.T) {
	tests := []struct {
		start, billed, confirmed, want, why string
	}{
		{"2026-04-15", "2026-06-15", "2026-05-20", "2026-06-15", "paid before the billed cycle: never earlier"},
		{"2026-04-15", "2026-06-15", "2026-06-14", "2026-06-15", "the day before the cycle"},
		{"2026-04-15", "2026-06-15", "2026-06-15", "2026-07-15", "confirmed on a cycle start: the next one (strictly after)"},
		{"2026-04-15", "2026-06-15", "2026-06-20", "2026-07-15", "paid late: a month not served"},
		{"2026-04-15", "2027-03-15", "2027-04-01", "2027-04-15", "into the next term's start"},
		{"2026-04-15", "2027-03-15", "2027-04-20", "2027-05-15", "a cycle of the next term"},
		{"2026-01-31", "2026-02-28", "2026-02-01", "2026-02-28", "clamped cycle"},
		{"2026-01-31", "2026-02-28", "2026-03-01", "2026-03-31", "clamped cycle, then the 31st again"},
		{"2024-02-29", "2025-01-29", "2025-02-10", "2025-03-01", "after a Feb 29 term the next starts on 3/1"},
		{"2024-02-29", "2025-01-29", "2025-03-05", "2025-04-01", "and its cycles fall on the 1st"},
		{"2026-04-15", "", "2026-09-01", "2026-09-15", "no billed first cycle given"},
	}
	for _, tt := range tests {
		var billed Date
		if tt.billed != "" {
			billed = d(tt.billed)
		}
		if got := EffectiveCycle(d(tt.start), billed, d(tt.confirmed)); got.String() != tt.want {
			t.Errorf("EffectiveCycle(%s, %s, %s) = %s, want %s (%s)", tt.start, tt.billed, tt.confirmed, got, tt.want, tt.why)
		}
	}
}
