package calendar

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readOracle reads the Cabinet Office list in testdata: year → set of dates.
func readOracle(t *testing.T) map[int]map[Date]bool {
	t.Helper()
	f, err := os.Open("testdata/cabinet_office_2020_2027.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]map[Date]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(strings.Trim(text, "| "), "|")
		if len(cols) != 2 {
			t.Fatalf("oracle line %d: want | year | days |, got %q", line, text)
		}
		y, err := strconv.Atoi(strings.TrimSpace(cols[0]))
		if err != nil {
			t.Fatalf("oracle line %d: year: %v", line, err)
		}
		out[y] = map[Date]bool{}
		for _, md := range strings.Fields(cols[1]) {
			m, d, ok := strings.Cut(md, "/")
			mi, err1 := strconv.Atoi(m)
			di, err2 := strconv.Atoi(d)
			if !ok || err1 != nil || err2 != nil {
				t.Fatalf("oracle line %d: bad day %q", line, md)
			}
			date := Date{y, time.Month(mi), di}
			if !valid(date) {
				t.Fatalf("oracle line %d: %s does not exist", line, date)
			}
			out[y][date] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCabinetOfficeOracle checks every day of 2020–2027 against the official list: every
// listed day is a holiday, the count per year agrees, and no other day is a holiday.
func TestCabinetOfficeOracle(t *testing.T) {
	oracle := readOracle(t)
	for y := 2020; y <= 2027; y++ {
		if _, ok := oracle[y]; !ok {
			t.Fatalf("oracle has no year %d", y)
		}
	}
	cal := NewCalendar(Options{})
	for y, want := range oracle {
		hs := Holidays(y)
		if len(hs) != len(want) {
			t.Errorf("%d: %d holidays by rule, the Cabinet Office lists %d", y, len(hs), len(want))
		}
		for d := (Date{y, time.January, 1}); d.Year == y; d = d.AddDays(1) {
			name, got := cal.Holiday(d)
			if got != want[d] {
				t.Errorf("%s (%s): holiday = %v (%q), Cabinet Office says %v", d, d.Weekday(), got, name, want[d])
			}
			if got && name == "" {
				t.Errorf("%s: holiday without a name", d)
			}
		}
	}
}

func TestHolidaysSortedAndNamed(t *testing.T) {
	for y := 1948; y <= 2100; y++ {
		hs := Holidays(y)
		for i, h := range hs {
			if h.Date.Year != y || !valid(h.Date) || h.Name == "" {
				t.Fatalf("%d: bad entry %+v", y, h)
			}
			if i > 0 && !hs[i-1].Date.Before(h.Date) {
				t.Fatalf("%d: not sorted or duplicate at %s", y, h.Date)
			}
		}
	}
}

// TestLawChanges spot-checks the amendments of 2000–2021 by date and name; "" means the
// date must not be a holiday.
func TestLawChanges(t *testing.T) {
	tests := []struct {
		date, name, why string
	}{
		{"1999-01-15", "成人の日", "fixed 1/15 until 1999"},
		{"2000-01-15", "", "Happy Monday from 2000"},
		{"2000-01-10", "成人の日", "2nd Monday of January"},
		{"1999-10-10", "体育の日", "fixed 10/10 until 1999"},
		{"2000-10-09", "体育の日", "2nd Monday of October from 2000"},
		{"2002-07-20", "海の日", "fixed 7/20 until 2002"},
		{"2003-07-21", "海の日", "3rd Monday of July from 2003"},
		{"2002-09-15", "敬老の日", "fixed 9/15 until 2002"},
		{"2004-09-15", "", "Happy Monday 敬老の日 from 2003"},
		{"2004-09-20", "敬老の日", "3rd Monday of September"},
		{"2003-05-04", "", "before 2007 国民の休日 was not given on a Sunday"},
		{"2006-05-04", "国民の休日", "between 憲法記念日 and こどもの日"},
		{"2006-04-29", "みどりの日", "みどりの日 on 4/29 until 2006"},
		{"2007-04-29", "昭和の日", "昭和の日 from 2007"},
		{"2007-05-04", "みどりの日", "みどりの日 on 5/4 from 2007"},
		{"1998-05-04", "振替休日", "before 2007: the Monday after Sunday 5/3"},
		{"1998-05-06", "", "before 2007 振替休日 did not skip past holidays"},
		{"2008-05-06", "振替休日", "from 2007: the next day that is not a holiday (5/4 Sunday)"},
		{"2009-05-06", "振替休日", "5/3 Sunday moves past 5/4 and 5/5"},
		{"2001-12-24", "振替休日", "天皇誕生日 on a Sunday"},
		{"2009-09-22", "国民の休日", "Silver Week"},
		{"2015-09-22", "国民の休日", "Silver Week"},
		{"2015-08-11", "", "no 山の日 before 2016"},
		{"2016-08-11", "山の日", "山の日 from 2016"},
		{"2019-08-12", "振替休日", "山の日 on a Sunday"},
		{"2018-12-23", "天皇誕生日", "12/23 until 2018"},
		{"2018-12-24", "振替休日", "天皇誕生日 on a Sunday"},
		{"2019-12-23", "", "no 天皇誕生日 in 2019"},
		{"2019-02-23", "", "2/23 only from 2020"},
		{"2019-04-30", "国民の休日", "between 昭和の日 and 即位の日"},
		{"2019-05-01", "即位の日", "one-off 2019"},
		{"2019-05-02", "国民の休日", "between 即位の日 and 憲法記念日"},
		{"2019-05-06", "振替休日", "こどもの日 on a Sunday"},
		{"2019-10-14", "体育の日", "still 体育の日 in 2019"},
		{"2019-10-22", "即位礼正殿の儀", "one-off 2019"},
		{"2020-02-23", "天皇誕生日", "2/23 from 2020"},
		{"2020-02-24", "振替休日", "天皇誕生日 on a Sunday"},
		{"2020-07-23", "海の日", "Olympic move"},
		{"2020-07-24", "スポーツの日", "Olympic move"},
		{"2020-08-10", "山の日", "Olympic move"},
		{"2020-07-20", "", "海の日 moved in 2020"},
		{"2020-08-11", "", "山の日 moved in 2020"},
		{"2020-10-12", "", "スポーツの日 moved in 2020"},
		{"2021-07-22", "海の日", "Olympic move"},
		{"2021-07-23", "スポーツの日", "Olympic move"},
		{"2021-08-08", "山の日", "Olympic move"},
		{"2021-08-09", "振替休日", "山の日 on a Sunday"},
		{"2021-07-19", "", "海の日 moved in 2021"},
		{"2021-08-11", "", "山の日 moved in 2021"},
		{"2021-10-11", "", "スポーツの日 moved in 2021"},
		{"2022-10-10", "スポーツの日", "renamed in 2020"},
		{"2024-09-23", "振替休日", "秋分の日 on a Sunday"},
		{"2026-09-22", "国民の休日", "between 敬老の日 and 秋分の日"},
		{"1989-02-24", "昭和天皇の大喪の礼", "one-off"},
		{"1990-11-12", "即位礼正殿の儀", "one-off"},
		{"1988-05-04", "国民の休日", "first 国民の休日"},
		{"1973-04-30", "振替休日", "first 振替休日"},
		{"1948-07-19", "", "before the law"},
		{"1948-11-03", "文化の日", "first year of the law"},
	}
	cal := NewCalendar(Options{})
	for _, tt := range tests {
		d := MustParse(tt.date)
		name, ok := cal.Holiday(d)
		if tt.name == "" {
			if ok {
				t.Errorf("%s: got holiday %q, want none (%s)", tt.date, name, tt.why)
			}
			continue
		}
		if !ok || name != tt.name {
			t.Errorf("%s: got %q (holiday %v), want %q (%s)", tt.date, name, ok, tt.name, tt.why)
		}
	}
}

// TestYear2030 checks a year past the last announcement, worked out by hand from the
// rules (5/5, 8/11 and 11/3 fall on Sundays).
func TestYear2030(t *testing.T) {
	want := []string{
		"2030-01-01 元日", "2030-01-14 成人の日", "2030-02-11 建国記念の日", "2030-02-23 天皇誕生日",
		"2030-03-20 春分の日", "2030-04-29 昭和の日", "2030-05-03 憲法記念日", "2030-05-04 みどりの日",
		"2030-05-05 こどもの日", "2030-05-06 振替休日", "2030-07-15 海の日", "2030-08-11 山の日",
		"2030-08-12 振替休日", "2030-09-16 敬老の日", "2030-09-23 秋分の日", "2030-10-14 スポーツの日",
		"2030-11-03 文化の日", "2030-11-04 振替休日", "2030-11-23 勤労感謝の日",
	}
	var got []string
	for _, h := range Holidays(2030) {
		got = append(got, h.Date.String()+" "+h.Name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("2030:\ngot  %q\nwant %q", got, want)
	}
	cal := NewCalendar(Options{})
	if !cal.BeyondAnnounced(MustParse("2030-05-07")) {
		t.Error("2030 should be beyond the announced years")
	}
	if got := cal.AddBusinessDays(MustParse("2030-05-02"), 1); got != MustParse("2030-05-07") {
		t.Errorf("2030-05-02 + 1 business day = %s, want 2030-05-07", got)
	}
}

func TestHolidaysBeforeTheLaw(t *testing.T) {
	if hs := Holidays(1947); hs != nil {
		t.Errorf("1947: %v, want none", hs)
	}
	if hs := Holidays(1948); len(hs) != 3 {
		t.Errorf("1948: %v, want 秋分の日, 文化の日, 勤労感謝の日", hs)
	}
}

func TestEquinoxes(t *testing.T) {
	tests := []struct{ year, vernal, autumnal int }{
		{1960, 20, 23}, {1979, 21, 24}, {1980, 20, 23}, {2000, 20, 23}, {2012, 20, 22},
		{2016, 20, 22}, {2019, 21, 23}, {2020, 20, 22}, {2023, 21, 23}, {2024, 20, 22},
		{2025, 20, 23}, {2027, 21, 23}, {2030, 20, 23},
	}
	for _, tt := range tests {
		if v, a := VernalEquinoxDay(tt.year), AutumnalEquinoxDay(tt.year); v != tt.vernal || a != tt.autumnal {
			t.Errorf("%d: equinoxes 3/%d 9/%d, want 3/%d 9/%d", tt.year, v, a, tt.vernal, tt.autumnal)
		}
	}
	for _, y := range []int{-5000, 0, 1899, 2151, 9999, 1 << 40} {
		if v, a := VernalEquinoxDay(y), AutumnalEquinoxDay(y); v < 19 || v > 22 || a < 21 || a > 24 {
			t.Errorf("%d: equinoxes 3/%d 9/%d outside their months' range", y, v, a)
		}
	}
}

func TestNthWeekday(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		w    time.Weekday
		n    int
		want string
	}{
		{2026, time.January, time.Monday, 2, "2026-01-12"},
		{2026, time.June, time.Monday, 1, "2026-06-01"}, // the 1st is a Monday
		{2026, time.September, time.Monday, 3, "2026-09-21"},
		{2027, time.October, time.Monday, 2, "2027-10-11"},
		{2026, time.March, time.Sunday, 5, "2026-03-29"},
	}
	for _, tt := range tests {
		if got := NthWeekday(tt.y, tt.m, tt.w, tt.n); got.String() != tt.want {
			t.Errorf("NthWeekday(%d, %s, %s, %d) = %s, want %s", tt.y, tt.m, tt.w, tt.n, got, tt.want)
		}
	}
}
