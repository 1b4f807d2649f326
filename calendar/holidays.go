package calendar

import (
	"slices"
	"time"
)

// Holiday is one public holiday (祝日 or 休日 under the 国民の祝日に関する法律) with its
// Japanese name as the Cabinet Office writes it (元日, 振替休日, 国民の休日, …).
type Holiday struct {
	Date Date
	Name string
}

// Names of the holidays that are not a fixed-name day of the law.
const (
	// NameSubstitute is 振替休日: the day a public holiday on a Sunday moves to.
	NameSubstitute = "振替休日"
	// NameCitizens is 国民の休日: a day between two public holidays.
	NameCitizens = "国民の休日"
	// NameBank is 銀行休業日: Dec 31 and Jan 2–3, closed to banks though not a holiday.
	NameBank = "銀行休業日"
)

// The days the law (and the acts that changed it) took effect.
var (
	lawStart        = Date{1948, time.July, 20}     // 国民の祝日に関する法律 in force
	substituteStart = Date{1973, time.April, 12}    // 振替休日 introduced
	citizensStart   = Date{1985, time.December, 27} // 国民の休日 introduced
	law2007         = Date{2007, time.January, 1}   // 振替休日 to the next non-holiday; 国民の休日 on any day
)

// rule gives the date of one named holiday in a year, or ok=false when the law of that
// year has no such day.
type rule struct {
	name string
	on   func(year int) (Date, bool)
}

// fixed is a holiday on month/day in the years [from, to] (to = 0: still in force).
func fixed(m time.Month, d, from, to int) func(int) (Date, bool) {
	return func(y int) (Date, bool) {
		if y < from || (to != 0 && y > to) {
			return Date{}, false
		}
		return Date{y, m, d}, true
	}
}

// either picks the first rule that has a day in the year.
func either(fs ...func(int) (Date, bool)) func(int) (Date, bool) {
	return func(y int) (Date, bool) {
		for _, f := range fs {
			if d, ok := f(y); ok {
				return d, true
			}
		}
		return Date{}, false
	}
}

// monday is a Happy Monday holiday: the n-th Monday of month m in the years [from, to].
func monday(m time.Month, n, from, to int) func(int) (Date, bool) {
	return func(y int) (Date, bool) {
		if y < from || (to != 0 && y > to) {
			return Date{}, false
		}
		return NthWeekday(y, m, time.Monday, n), true
	}
}

// only is a holiday on one date of one year (the Olympic moves, the one-off ceremonies).
func only(y int, m time.Month, d int) func(int) (Date, bool) {
	return func(year int) (Date, bool) { return Date{y, m, d}, year == y }
}

// none marks a year in which a recurring holiday does not exist (天皇誕生日 in 2019).
func none(y int) func(int) (Date, bool) {
	return func(year int) (Date, bool) {
		if year == y {
			return Date{}, true // zero Date: present in the chain, absent from the calendar
		}
		return Date{}, false
	}
}

// rules is the law as amended, one entry per name. Olympic years come before the
// general rule so that they take its place.
var rules = []rule{
	{"元日", fixed(time.January, 1, 1949, 0)},
	{"成人の日", either(fixed(time.January, 15, 1949, 1999), monday(time.January, 2, 2000, 0))},
	{"建国記念の日", fixed(time.February, 11, 1967, 0)},
	{"天皇誕生日", either(fixed(time.April, 29, 1949, 1988), fixed(time.December, 23, 1989, 2018),
		none(2019), fixed(time.February, 23, 2020, 0))},
	{"春分の日", func(y int) (Date, bool) { return Date{y, time.March, VernalEquinoxDay(y)}, y >= 1949 }},
	{"みどりの日", either(fixed(time.April, 29, 1989, 2006), fixed(time.May, 4, 2007, 0))},
	{"昭和の日", fixed(time.April, 29, 2007, 0)},
	{"憲法記念日", fixed(time.May, 3, 1949, 0)},
	{"こどもの日", fixed(time.May, 5, 1949, 0)},
	{"海の日", either(only(2020, time.July, 23), only(2021, time.July, 22),
		fixed(time.July, 20, 1996, 2002), monday(time.July, 3, 2003, 0))},
	{"山の日", either(only(2020, time.August, 10), only(2021, time.August, 8),
		fixed(time.August, 11, 2016, 0))},
	{"敬老の日", either(fixed(time.September, 15, 1966, 2002), monday(time.September, 3, 2003, 0))},
	{"秋分の日", func(y int) (Date, bool) { return Date{y, time.September, AutumnalEquinoxDay(y)}, y >= 1948 }},
	{"体育の日", either(fixed(time.October, 10, 1966, 1999), monday(time.October, 2, 2000, 2019))},
	{"スポーツの日", either(only(2020, time.July, 24), only(2021, time.July, 23),
		monday(time.October, 2, 2020, 0))},
	{"文化の日", fixed(time.November, 3, 1948, 0)},
	{"勤労感謝の日", fixed(time.November, 23, 1948, 0)},
	// One-off days made holidays by their own acts; each counts as a 国民の祝日 for
	// 振替休日 and 国民の休日 (the 2019 act says so expressly).
	{"皇太子明仁親王の結婚の儀", only(1959, time.April, 10)},
	{"昭和天皇の大喪の礼", only(1989, time.February, 24)},
	{"即位礼正殿の儀", either(only(1990, time.November, 12), only(2019, time.October, 22))},
	{"皇太子徳仁親王の結婚の儀", only(1993, time.June, 9)},
	{"即位の日", only(2019, time.May, 1)},
}

// Holidays returns the public holidays of year computed from the law as it stood in that
// year, sorted by date: the 国民の祝日 of the rules above, then 振替休日 and 国民の休日.
// Years before the law (1948-07-20) have none. Configuration (added or removed dates)
// is not applied here; see Calendar.
func Holidays(year int) []Holiday {
	if year < lawStart.Year {
		return nil
	}
	national := make(map[Date]string, 24) // 国民の祝日, the days the derived rules look at
	for _, r := range rules {
		d, ok := r.on(year)
		if !ok || d.IsZero() || d.Before(lawStart) {
			continue
		}
		national[d] = r.name
	}

	derived := make(map[Date]string, 4)
	for d := range national {
		if d.Weekday() != time.Sunday || d.Before(substituteStart) {
			continue
		}
		next := d.AddDays(1)
		if d.Before(law2007) {
			// Before 2007 only the Monday, and only when it is not itself a holiday.
			if _, taken := national[next]; !taken {
				derived[next] = NameSubstitute
			}
			continue
		}
		for {
			if _, taken := national[next]; !taken {
				break
			}
			next = next.AddDays(1)
		}
		derived[next] = NameSubstitute
	}

	for d := range national {
		mid := d.AddDays(1)
		if _, ok := national[mid]; ok || mid.Before(citizensStart) {
			continue
		}
		if _, ok := national[mid.AddDays(1)]; !ok {
			continue
		}
		if _, ok := derived[mid]; ok {
			continue // already a 振替休日
		}
		if mid.Before(law2007) && mid.Weekday() == time.Sunday {
			continue // the old text excluded Sundays
		}
		derived[mid] = NameCitizens
	}

	out := make([]Holiday, 0, len(national)+len(derived))
	for d, n := range national {
		out = append(out, Holiday{d, n})
	}
	for d, n := range derived {
		if d.Year == year {
			out = append(out, Holiday{d, n})
		}
	}
	slices.SortFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// NthWeekday returns the n-th (1-based) weekday w of month m in year y; n larger than the
// month holds runs into the next month.
func NthWeekday(y int, m time.Month, w time.Weekday, n int) Date {
	first := Date{y, m, 1}.Weekday()
	offset := (int(w) - int(first) + 7) % 7
	return New(y, m, 1+offset+7*(n-1))
}

// VernalEquinoxDay returns the March day of 春分の日 in year y by the usual approximation
// of the equinox in Japan, which holds for 1900–2150 (the Cabinet Office still announces
// the real day each February for the next year). Outside that range the formula has no
// meaning; the result is then kept within March 19–22 so that it is at least a date.
func VernalEquinoxDay(y int) int {
	return clamp(equinoxDay(y, 20_835_700, 20_843_100, 21_851_000), 19, 22)
}

// AutumnalEquinoxDay returns the September day of 秋分の日 in year y, by the same
// approximation as VernalEquinoxDay (kept within September 21–24 outside 1900–2150).
func AutumnalEquinoxDay(y int) int {
	return clamp(equinoxDay(y, 23_258_800, 23_248_800, 24_248_800), 21, 24)
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

// equinoxDay evaluates int(base + 0.242194 (y−1980) − int((y−ref)/4)) in millionths of
// a day, with integer arithmetic so that no rounding of binary floating point can move
// a day. The three bases are for 1900–1979 (ref 1983), 1980–2099 and 2100– (ref 1980).
func equinoxDay(y int, base1900, base1980, base2100 int64) int {
	base, ref := base1980, 1980
	switch {
	case y < 1980:
		base, ref = base1900, 1983
	case y >= 2100:
		base = base2100
	}
	v := base + 242_194*int64(y-1980) - 1_000_000*int64((y-ref)/4) // Go's / truncates, as int() does
	return int(v / 1_000_000)
}
