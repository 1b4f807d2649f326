package bankfeed

import (
	"time"

	"github.com/npress/nightly/calendar"
)

// Era offsets: 令和 y is the Gregorian year 2018+y (令和 1 = 2019), 平成 y is 1988+y
// (平成 31 = 2019), 西暦 YY is 2000+YY.
const (
	reiwaOffset   = 2018
	heiseiOffset  = 1988
	heiseiLast    = 31
	seirekiOffset = 2000
)

// yymmdd reads six ASCII digits. ok is false for anything else.
func yymmdd(b []byte) (yy, mm, dd int, ok bool) {
	_ = b[5]
	for _, c := range b[:6] {
		if c < '0' || c > '9' {
			return 0, 0, 0, false
		}
	}
	yy = int(b[0]-'0')*10 + int(b[1]-'0')
	mm = int(b[2]-'0')*10 + int(b[3]-'0')
	dd = int(b[4]-'0')*10 + int(b[5]-'0')
	return yy, mm, dd, true
}

// civilOrdinal orders dates by a day count that is exact enough to compare distances
// between readings that lie at least 18 years apart.
func civilOrdinal(y, m, d int) int { return y*372 + m*31 + d }

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// warekiYear returns the Gregorian year of 和暦 year yy: 令和 or 平成, whichever lies
// nearer the run date (令和 when there is no run date). ok is false for year 00.
func warekiYear(yy, mm, dd int, run calendar.Date) (int, bool) {
	if yy == 0 {
		return 0, false
	}
	reiwa := reiwaOffset + yy
	if yy > heiseiLast || run.IsZero() {
		return reiwa, true
	}
	heisei := heiseiOffset + yy
	r := civilOrdinal(run.Year, int(run.Month), run.Day)
	if absInt(civilOrdinal(heisei, mm, dd)-r) < absInt(civilOrdinal(reiwa, mm, dd)-r) {
		return heisei, true
	}
	return reiwa, true
}

// resolveEra turns the option "auto" into "wareki" or "seireki" for one account, from
// one of its dates (the header's 作成日): the reading nearer the run date. Without a run
// date "auto" reads 和暦, what most banks send.
func resolveEra(opt string, yy, mm, dd int, run calendar.Date) string {
	if opt != EraAuto && opt != "" {
		return opt
	}
	if run.IsZero() {
		return EraWareki
	}
	w, ok := warekiYear(yy, mm, dd, run)
	if !ok {
		return EraSeireki
	}
	r := civilOrdinal(run.Year, int(run.Month), run.Day)
	if absInt(civilOrdinal(seirekiOffset+yy, mm, dd)-r) < absInt(civilOrdinal(w, mm, dd)-r) {
		return EraSeireki
	}
	return EraWareki
}

// eraDate converts YYMMDD digits under a resolved era ("wareki" or "seireki") into a
// date, refusing months and days that do not exist.
func eraDate(b []byte, era string, run calendar.Date) (calendar.Date, string) {
	yy, mm, dd, ok := yymmdd(b)
	if !ok {
		return calendar.Date{}, "not six digits YYMMDD"
	}
	y := seirekiOffset + yy
	if era == EraWareki {
		if y, ok = warekiYear(yy, mm, dd, run); !ok {
			return calendar.Date{}, "year 00 is neither a 令和 nor a 平成 year (was the file written in 西暦? set the era to seireki)"
		}
	}
	if mm < 1 || mm > 12 {
		return calendar.Date{}, "month is not 01–12"
	}
	if dd < 1 || dd > daysIn(y, mm) {
		return calendar.Date{}, "day does not exist in that month"
	}
	return calendar.Date{Year: y, Month: time.Month(mm), Day: dd}, ""
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
