package calendar

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestIsBusinessDay(t *testing.T) {
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-11-24", true, "an ordinary Tuesday"},
		{"2026-11-23", false, "勤労感謝の日 (Monday)"},
		{"2026-11-28", false, "Saturday"},
		{"2026-11-29", false, "Sunday"},
		{"2026-01-01", false, "元日"},
		{"2026-01-02", false, "bank holiday (Friday), no public holiday"},
		{"2026-01-05", true, "first business day of 2026"},
		{"2026-12-30", true, "the last business day of 2026"},
		{"2026-12-31", false, "bank holiday (Thursday)"},
		{"2027-01-04", true, "first business day of 2027"},
		{"2027-12-31", false, "bank holiday (Friday)"},
		{"2023-01-02", false, "振替休日 and a bank holiday"},
		{"2023-01-03", false, "bank holiday (Tuesday)"},
		{"2023-01-04", true, "after the year-end closure"},
		{"2026-05-06", false, "振替休日 of Golden Week 2026"},
		{"2026-05-07", true, "after Golden Week"},
		{"2024-02-29", true, "a leap day"},
		{"2028-12-31", false, "last day of a leap year"},
	}
	cal := NewCalendar(Options{})
	for _, tt := range tests {
		if got := cal.IsBusinessDay(MustParse(tt.date)); got != tt.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v (%s)", tt.date, got, tt.want, tt.why)
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
		why  string
	}{
		{"2026-11-24", 0, "2026-11-24", "zero days"},
		{"2026-11-24", 1, "2026-11-25", "next day"},
		{"2026-11-27", 1, "2026-11-30", "Friday to Monday"},
		{"2026-11-28", 1, "2026-11-30", "from a Saturday"},
		{"2026-11-20", 2, "2026-11-25", "over a weekend and 勤労感謝の日"},
		{"2026-04-28", 1, "2026-04-30", "over 昭和の日"},
		{"2026-04-28", 3, "2026-05-07", "over Golden Week 2026 (5/2–5/6)"},
		{"2026-05-01", 1, "2026-05-07", "Golden Week from its Friday"},
		{"2026-05-03", 2, "2026-05-08", "from inside Golden Week"},
		{"2026-12-28", 3, "2027-01-04", "12/29 and 12/30 are business days, then 12/31–1/3 and no more"},
		{"2026-12-30", 3, "2027-01-06", "over the year-end closure"},
		{"2026-12-29", 2, "2027-01-04", "over the year-end closure"},
		{"2027-01-06", -3, "2026-12-30", "counting back over the year end"},
		{"2026-05-07", -1, "2026-05-01", "counting back over Golden Week"},
	}
	cal := NewCalendar(Options{})
	for _, tt := range tests {
		if got := cal.AddBusinessDays(MustParse(tt.from), tt.n); got.String() != tt.want {
			t.Errorf("AddBusinessDays(%s, %d) = %s, want %s (%s)", tt.from, tt.n, got, tt.want, tt.why)
		}
	}
}

func TestOnOrBeforeAndAfter(t *testing.T) {
	tests := []struct{ date, before, after string }{
		{"2026-11-24", "2026-11-24", "2026-11-24"},
		{"2026-11-29", "2026-11-27", "2026-11-30"},
		{"2026-12-31", "2026-12-30", "2027-01-04"},
		{"2027-01-03", "2026-12-30", "2027-01-04"},
		{"2026-05-05", "2026-05-01", "2026-05-07"},
		{"2027-03-22", "2027-03-19", "2027-03-23"}, // 振替休日 of 春分の日
	}
	cal := NewCalendar(Options{})
	for _, tt := range tests {
		d := MustParse(tt.date)
		if got := cal.OnOrBefore(d); got.String() != tt.before {
			t.Errorf("OnOrBefore(%s) = %s, want %s", tt.date, got, tt.before)
		}
		if got := cal.OnOrAfter(d); got.String() != tt.after {
			t.Errorf("OnOrAfter(%s) = %s, want %s", tt.date, got, tt.after)
		}
	}
}

func TestOptionsAddRemove(t *testing.T) {
	cal := NewCalendar(Options{
		Added:   []Holiday{{MustParse("2026-11-25"), "臨時の祝日"}, {MustParse("2026-11-03"), "文化の日(改称)"}},
		Removed: []Date{MustParse("2026-09-22"), MustParse("2026-11-26")},
	})
	if name, ok := cal.Holiday(MustParse("2026-11-25")); !ok || name != "臨時の祝日" {
		t.Errorf("added day: %q %v", name, ok)
	}
	if cal.IsBusinessDay(MustParse("2026-11-25")) {
		t.Error("an added holiday must not be a business day")
	}
	if name, _ := cal.Holiday(MustParse("2026-11-03")); name != "文化の日(改称)" {
		t.Errorf("added day over a rule day keeps the configured name, got %q", name)
	}
	if _, ok := cal.Holiday(MustParse("2026-09-22")); ok {
		t.Error("removed 国民の休日 is still a holiday")
	}
	if !cal.IsBusinessDay(MustParse("2026-09-22")) {
		t.Error("removed holiday on a Tuesday should be a business day")
	}
	if !cal.IsBusinessDay(MustParse("2026-11-26")) {
		t.Error("removing a day that is no holiday changes nothing")
	}
	if got := cal.AddBusinessDays(MustParse("2026-11-24"), 1); got.String() != "2026-11-26" {
		t.Errorf("AddBusinessDays over an added holiday = %s, want 2026-11-26", got)
	}
	closures := cal.Closures(2026)
	var sawAdded, sawRemoved bool
	for _, c := range closures {
		sawAdded = sawAdded || c.Date == MustParse("2026-11-25")
		sawRemoved = sawRemoved || c.Date == MustParse("2026-09-22")
	}
	if !sawAdded || sawRemoved {
		t.Errorf("Closures ignore configuration: added listed %v, removed listed %v", sawAdded, sawRemoved)
	}
	// The rules themselves are untouched by a calendar's configuration.
	if hs := Holidays(2026); len(hs) != 18 {
		t.Errorf("Holidays(2026) has %d days, want 18", len(hs))
	}
	// Another calendar is not affected either.
	if _, ok := NewCalendar(Options{}).Holiday(MustParse("2026-11-25")); ok {
		t.Error("configuration leaked into another calendar")
	}
}

func TestOptionsValidate(t *testing.T) {
	good := Options{Added: []Holiday{{MustParse("2031-01-02"), "x"}}, Removed: []Date{MustParse("2031-01-13")}}
	if err := good.Validate(); err != nil {
		t.Errorf("good options: %v", err)
	}
	bad := []Options{
		{Added: []Holiday{{Date{2026, time.February, 30}, "x"}}},
		{Added: []Holiday{{MustParse("2026-11-25"), ""}}},
		{Added: []Holiday{{MustParse("2026-11-25"), "a"}, {MustParse("2026-11-25"), "b"}}},
		{Removed: []Date{{}}},
		{Removed: []Date{MustParse("2026-11-03"), MustParse("2026-11-03")}},
		{Added: []Holiday{{MustParse("2026-11-25"), "a"}}, Removed: []Date{MustParse("2026-11-25")}},
		{AnnouncedThrough: -1},
	}
	for i, o := range bad {
		if err := o.Validate(); !errors.Is(err, ErrBadOptions) {
			t.Errorf("bad options %d: got %v, want ErrBadOptions", i, err)
		}
	}
	// A calendar built from bad options ignores what it cannot use and still works.
	cal := NewCalendar(bad[0])
	if !cal.IsBusinessDay(MustParse("2026-03-02")) {
		t.Error("an invalid added date must not close 2026-03-02")
	}
}

func TestBeyondAnnounced(t *testing.T) {
	def := NewCalendar(Options{})
	if def.AnnouncedThrough() != 2027 || def.BeyondAnnounced(MustParse("2027-12-31")) || !def.BeyondAnnounced(MustParse("2028-01-01")) {
		t.Errorf("default announced through %d", def.AnnouncedThrough())
	}
	c := NewCalendar(Options{AnnouncedThrough: 2028})
	if c.BeyondAnnounced(MustParse("2028-06-01")) || !c.BeyondAnnounced(MustParse("2029-01-01")) {
		t.Error("AnnouncedThrough 2028 not applied")
	}
}

func TestClosures(t *testing.T) {
	cal := NewCalendar(Options{})
	c := cal.Closures(2026)
	if len(c) != 18+3 {
		t.Fatalf("2026: %d closures, want 21 (18 holidays, 1/2, 1/3, 12/31): %v", len(c), c)
	}
	want := map[string]Closure{
		"2026-01-01": {MustParse("2026-01-01"), "元日", KindHoliday},
		"2026-01-02": {MustParse("2026-01-02"), "銀行休業日", KindBank},
		"2026-01-03": {MustParse("2026-01-03"), "銀行休業日", KindBank},
		"2026-05-03": {MustParse("2026-05-03"), "憲法記念日", KindHoliday}, // a Sunday, listed too
		"2026-12-31": {MustParse("2026-12-31"), "銀行休業日", KindBank},
	}
	for i, x := range c {
		if i > 0 && !c[i-1].Date.Before(x.Date) {
			t.Errorf("not sorted at %s", x.Date)
		}
		if w, ok := want[x.Date.String()]; ok && w != x {
			t.Errorf("%s: got %+v, want %+v", x.Date, x, w)
		}
	}
	// 2023-01-02 is both a 振替休日 and a bank closure: it is a holiday, once.
	c23 := cal.Closures(2023)
	n := 0
	for _, x := range c23 {
		if x.Date == MustParse("2023-01-02") {
			n++
			if x.Kind != KindHoliday || x.Name != "振替休日" {
				t.Errorf("2023-01-02: %+v", x)
			}
		}
	}
	if n != 1 || len(c23) != 17+2 {
		t.Errorf("2023: 1/2 listed %d times, %d closures (want 19)", n, len(c23))
	}
}

// TestInvalidDates: dates that do not exist never panic; they are read as the day they
// normalise to.
func TestInvalidDates(t *testing.T) {
	cal := NewCalendar(Options{})
	if !cal.IsBusinessDay(Date{2026, time.February, 30}) { // 2026-03-02, a Monday
		t.Error("2026-02-30 should read as Monday 2026-03-02")
	}
	for _, d := range []Date{{}, {2026, 13, 1}, {2026, 0, 0}, {-3, 5, 5}, {99999, 1, 1}} {
		cal.IsBusinessDay(d)
		cal.Holiday(d)
		cal.OnOrBefore(d)
		cal.AddBusinessDays(d, 2)
	}
	if got := cal.AddBusinessDays(Date{2026, time.December, 32}, 1); got.String() != "2027-01-04" {
		t.Errorf("2026-12-32 + 1 = %s, want 2027-01-04", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	cal := NewCalendar(Options{})
	var wg sync.WaitGroup
	results := make([]Date, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := MustParse("2020-01-01")
			for range 2000 {
				d = cal.AddBusinessDays(d, 1)
			}
			results[g] = d
		}()
	}
	wg.Wait()
	for g, d := range results {
		if d != results[0] {
			t.Errorf("goroutine %d reached %s, goroutine 0 %s", g, d, results[0])
		}
	}
}

func BenchmarkIsBusinessDay(b *testing.B) {
	cal := NewCalendar(Options{})
	days := make([]Date, 3650)
	for i := range days {
		days[i] = MustParse("2020-01-01").AddDays(i)
	}
	n := 0
	for i := 0; b.Loop(); i++ {
		if cal.IsBusinessDay(days[i%len(days)]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("no business day in ten years")
	}
}

func BenchmarkHolidays(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Holidays(2000 + i%100)
	}
}
