package contract

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
)

// Date is the civil business date of package calendar.
type Date = calendar.Date

// MonthsPerTerm is the length of a term (期間) in monthly cycles.
const MonthsPerTerm = 12

// NextStart returns the start of the term after the one starting on start (次年度開始日):
// 12 months later, the same day a year on, except that 12 months after Feb 29 is Mar 1
// (SPEC §2.4).
func NextStart(start Date) Date {
	if start.Month == time.February && start.Day == 29 {
		return Date{Year: start.Year + 1, Month: time.March, Day: 1}
	}
	return start.AddMonths(MonthsPerTerm)
}

// TermEnd returns the last day of the term starting on start: NextStart − 1 day, so
// 2026-04-15 → 2027-04-14 and 2024-02-29 → 2025-02-28 (SPEC §1, §2.4).
func TermEnd(start Date) Date { return NextStart(start).AddDays(-1) }

// CycleStarts returns the starts of the 12 monthly cycles (月次サイクル) of the term
// starting on termStart: the term start's day of month in each month, clamped to the
// month's last day (a 1/31 start gives 2/28, 3/31, 4/30, …). Each cycle is counted from
// the term start, never from the previous cycle, so a short month does not shift the
// rest.
func CycleStarts(termStart Date) [MonthsPerTerm]Date {
	var out [MonthsPerTerm]Date
	for i := range out {
		out[i] = termStart.AddMonths(i)
	}
	return out
}

// CycleOf returns the index (0..11) of the monthly cycle of the term starting on
// termStart that contains d, and false when d is outside the term.
func CycleOf(termStart, d Date) (int, bool) {
	if d.Before(termStart) || d.After(TermEnd(termStart)) {
		return 0, false
	}
	cs := CycleStarts(termStart)
	for i := MonthsPerTerm - 1; i > 0; i-- {
		if !d.Before(cs[i]) {
			return i, true
		}
	}
	return 0, true
}

// YearMonth is a calendar month, the desired start month of an order (利用開始希望月).
type YearMonth struct {
	Year  int
	Month time.Month
}

// ErrBadYearMonth is wrapped by ParseYearMonth for text that is not a month.
var ErrBadYearMonth = errors.New("not a month (want YYYY-MM)")

// YearMonthOf returns the month of d.
func YearMonthOf(d Date) YearMonth { return YearMonth{d.Year, d.Month} }

// String formats ym as YYYY-MM ("2026-06").
func (ym YearMonth) String() string { return fmt.Sprintf("%04d-%02d", ym.Year, int(ym.Month)) }

// Japanese formats ym as 2026年6月.
func (ym YearMonth) Japanese() string { return fmt.Sprintf("%d年%d月", ym.Year, int(ym.Month)) }

// Valid reports whether ym names a month of a four-digit year.
func (ym YearMonth) Valid() bool {
	return ym.Year >= 1000 && ym.Year <= 9999 && ym.Month >= time.January && ym.Month <= time.December
}

// Contains reports whether d falls in the month ym.
func (ym YearMonth) Contains(d Date) bool { return d.Year == ym.Year && d.Month == ym.Month }

// ParseYearMonth reads a month as an order or a staff member writes it: "2026-06",
// "2026-6", "2026/06" or "2026年6月" (ASCII digits; fold full-width digits first).
func ParseYearMonth(s string) (YearMonth, error) {
	t := strings.TrimSpace(s)
	var y, m string
	if before, after, ok := strings.Cut(t, "年"); ok && strings.HasSuffix(after, "月") {
		y, m = before, strings.TrimSuffix(after, "月")
	} else if before, after, ok := strings.Cut(t, "-"); ok {
		y, m = before, after
	} else if before, after, ok := strings.Cut(t, "/"); ok {
		y, m = before, after
	} else {
		return YearMonth{}, fmt.Errorf("%q: %w", s, ErrBadYearMonth)
	}
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	ym := YearMonth{yi, time.Month(mi)}
	if err1 != nil || err2 != nil || len(y) != 4 || len(m) < 1 || len(m) > 2 || !ym.Valid() {
		return YearMonth{}, fmt.Errorf("%q: %w", s, ErrBadYearMonth)
	}
	return ym, nil
}

// MarshalText formats ym as YYYY-MM.
func (ym YearMonth) MarshalText() ([]byte, error) { return []byte(ym.String()), nil }

// UnmarshalText parses ym with ParseYearMonth.
func (ym *YearMonth) UnmarshalText(b []byte) error {
	v, err := ParseYearMonth(string(b))
	if err != nil {
		return err
	}
	*ym = v
	return nil
}

// Addition is what an addition order (追加) is billed for (SPEC §3.2): whole monthly
// cycles from FirstCycle to the current term end.
type Addition struct {
	FirstCycle Date // the start of the first billed cycle
	Months     int  // 1..12
}

// ErrOutsideTerm is wrapped by BillAddition when no cycle of the term starts in the
// desired month.
var ErrOutsideTerm = errors.New("the desired start month is outside the contract's current term")

// ErrBadTermStart is wrapped when a term start is not a real date.
var ErrBadTermStart = errors.New("term start is not a valid date")

// BillAddition returns the cycles an addition is billed for (SPEC §3.2): from the cycle
// of the term starting on termStart that starts in the desired month, through the term
// end. It refuses a month in which no cycle of the term starts (before the term, or
// after its last cycle); the order then needs staff, not a guess.
func BillAddition(termStart Date, desired YearMonth) (Addition, error) {
	if !validDate(termStart) {
		return Addition{}, fmt.Errorf("contract: addition for term start %q: %w", termStart, ErrBadTermStart)
	}
	if !desired.Valid() {
		return Addition{}, fmt.Errorf("contract: addition desired month %q: %w", desired, ErrBadYearMonth)
	}
	cs := CycleStarts(termStart)
	for i, c := range cs {
		if desired.Contains(c) {
			return Addition{FirstCycle: c, Months: MonthsPerTerm - i}, nil
		}
	}
	return Addition{}, fmt.Errorf("contract: addition desired from %s, but the term %s–%s has cycles starting %s to %s only: %w",
		desired, termStart, TermEnd(termStart), YearMonthOf(cs[0]), YearMonthOf(cs[MonthsPerTerm-1]), ErrOutsideTerm)
}

// AdditionAmount returns the tax-excluded amount of an addition (SPEC §3.2):
// floor(unitPrice × seats × months / 12) yen, in exact integer arithmetic. The caller
// passes validated figures (months 1–12, seats ≥ 1, price ≥ 0); other figures still get
// the exact floor, and a result beyond int64 (no real invoice) saturates.
func AdditionAmount(unitPrice int64, seats, months int) int64 {
	return mulDivFloor(unitPrice, int64(seats)*int64(months), MonthsPerTerm)
}

// mulDivFloor returns floor(a × b / d) for d > 0 without overflow in between.
func mulDivFloor(a, b int64, d int64) int64 {
	const small = 1 << 31
	if a > -small && a < small && b > -small && b < small {
		x := a * b
		q := x / d
		if x%d != 0 && x < 0 {
			q--
		}
		return q
	}
	x := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	q := new(big.Int).Div(x, big.NewInt(d)) // Euclidean: the floor for d > 0
	switch {
	case q.IsInt64():
		return q.Int64()
	case q.Sign() > 0:
		return 1<<63 - 1
	default:
		return -1 << 63
	}
}

// EffectiveCycle returns the cycle start from which an addition's seats take effect
// (SPEC §4.2): the first monthly cycle start strictly after confirmed (the day the payment
// was confirmed), but never before billedFirst, the first billed cycle. Cycles run on
// into the following terms (each term with its own start), so the answer may be in the
// next term. When it is after billedFirst the customer paid for a month not served, and
// the report must say so.
func EffectiveCycle(termStart Date, billedFirst Date, confirmed Date) Date {
	if !billedFirst.IsZero() && billedFirst.After(confirmed) {
		return billedFirst // billedFirst is itself a cycle start
	}
	t := termStart
	for {
		for _, c := range CycleStarts(t) {
			if c.After(confirmed) {
				return c
			}
		}
		next := NextStart(t)
		if !next.After(t) { // not a real date: stop rather than loop
			return next
		}
		t = next
	}
}

// validDate reports whether d is a real calendar date.
func validDate(d Date) bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 &&
		d.Day <= calendar.DaysIn(d.Year, d.Month)
}
