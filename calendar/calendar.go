package calendar

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAnnouncedThrough is the last year whose holidays the Cabinet Office had
// announced when this code was written (it announces the next year's equinoxes each
// February). Configuration raises it as announcements come.
const DefaultAnnouncedThrough = 2027

// Options changes the computed calendar where the law has changed after the code was
// written, and says how far the official list reaches.
type Options struct {
	// Added are holidays added by configuration (a new or moved holiday). An added date
	// that the rules already give replaces its name. Derived days (振替休日, 国民の休日)
	// are not recomputed around it: list them too, as the Cabinet Office does.
	Added []Holiday
	// Removed are dates that are not holidays although the rules say so (a moved day).
	// A date both added and removed is removed; Validate reports it.
	Removed []Date
	// AnnouncedThrough is the last year the Cabinet Office has announced; later dates are
	// computed by rule only and the report warns (0 means DefaultAnnouncedThrough).
	AnnouncedThrough int
}

// ErrBadOptions is wrapped by Options.Validate.
var ErrBadOptions = errors.New("calendar: bad holiday configuration")

// Validate reports configuration that cannot be meant: a date that does not exist, an
// added holiday without a name, a date listed twice, or a date both added and removed.
func (o Options) Validate() error {
	var errs []error
	added := make(map[Date]bool, len(o.Added))
	for i, h := range o.Added {
		switch {
		case !valid(h.Date):
			errs = append(errs, fmt.Errorf("added holiday %d: date %q does not exist: %w", i+1, h.Date, ErrBadOptions))
		case h.Name == "":
			errs = append(errs, fmt.Errorf("added holiday %d (%s): name is empty: %w", i+1, h.Date, ErrBadOptions))
		case added[h.Date]:
			errs = append(errs, fmt.Errorf("added holiday %d: %s is listed twice: %w", i+1, h.Date, ErrBadOptions))
		}
		added[h.Date] = true
	}
	removed := make(map[Date]bool, len(o.Removed))
	for i, d := range o.Removed {
		switch {
		case !valid(d):
			errs = append(errs, fmt.Errorf("removed date %d: %q does not exist: %w", i+1, d, ErrBadOptions))
		case removed[d]:
			errs = append(errs, fmt.Errorf("removed date %d: %s is listed twice: %w", i+1, d, ErrBadOptions))
		case added[d]:
			errs = append(errs, fmt.Errorf("removed date %d: %s is also added; keep one: %w", i+1, d, ErrBadOptions))
		}
		removed[d] = true
	}
	if o.AnnouncedThrough < 0 {
		errs = append(errs, fmt.Errorf("announced_through %d is not a year: %w", o.AnnouncedThrough, ErrBadOptions))
	}
	return errors.Join(errs...)
}

// Calendar answers business-day questions (SPEC §1 営業日, §2.3) with the configured
// changes applied. It computes each year once, on first use, and is safe for concurrent
// use; the zero Calendar is not usable, call NewCalendar.
type Calendar struct {
	added     map[Date]string
	removed   map[Date]bool
	announced int

	mu    sync.Mutex                    // serialises writers of years
	years atomic.Pointer[map[int]*year] // copy-on-write: readers never lock
}

// year is one computed year: index 1..366 by day of the year.
type year struct {
	name   [367]string // public holiday name, "" if none
	closed [367]bool   // not a business day: weekend, holiday or 12/31–1/3
	list   []Holiday   // the year's public holidays, sorted
}

// Years outside this range are computed on every call instead of being kept, so that a
// long walk through absurd dates cannot grow the cache without bound.
const cacheFrom, cacheTo = 1900, 2200

// NewCalendar returns a calendar with o applied. Invalid entries in o (see Validate) are
// ignored rather than refused; call o.Validate first to report them.
func NewCalendar(o Options) *Calendar {
	c := &Calendar{
		added:     make(map[Date]string, len(o.Added)),
		removed:   make(map[Date]bool, len(o.Removed)),
		announced: o.AnnouncedThrough,
	}
	if c.announced == 0 {
		c.announced = DefaultAnnouncedThrough
	}
	for _, h := range o.Added {
		if valid(h.Date) && h.Name != "" {
			c.added[h.Date] = h.Name
		}
	}
	for _, d := range o.Removed {
		if valid(d) {
			c.removed[d] = true
		}
	}
	empty := map[int]*year{}
	c.years.Store(&empty)
	return c
}

// AnnouncedThrough returns the last year of the Cabinet Office's announcement in force.
func (c *Calendar) AnnouncedThrough() int { return c.announced }

// Holiday returns the name of the public holiday on d, after configuration. Bank
// closures that are not holidays (12/31, 1/2, 1/3) are not holidays.
func (c *Calendar) Holiday(d Date) (name string, ok bool) {
	d = normal(d)
	n := c.year(d.Year).name[yearDay(d)]
	return n, n != ""
}

// IsBusinessDay reports whether d is a 営業日: not a Saturday, Sunday, public holiday,
// or Dec 31–Jan 3.
func (c *Calendar) IsBusinessDay(d Date) bool {
	d = normal(d)
	return !c.year(d.Year).closed[yearDay(d)]
}

// AddBusinessDays returns the n-th business day strictly after d (SPEC §2.3: one
// business day after a Friday is the next Monday, if that is not a holiday). n = 0
// returns d unchanged; a negative n counts back, the |n|-th business day strictly
// before d.
func (c *Calendar) AddBusinessDays(d Date, n int) Date {
	d = normal(d)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// OnOrBefore returns d when it is a business day, else the last business day before it:
// where a due date lands on a closed day (SPEC §4.3).
func (c *Calendar) OnOrBefore(d Date) Date {
	d = normal(d)
	for !c.IsBusinessDay(d) {
		d = d.AddDays(-1)
	}
	return d
}

// OnOrAfter returns d when it is a business day, else the first business day after it.
func (c *Calendar) OnOrAfter(d Date) Date {
	d = normal(d)
	for !c.IsBusinessDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// BeyondAnnounced reports whether d lies in a year the Cabinet Office has not announced
// yet, so that its holidays come from the rules alone and the report should warn.
func (c *Calendar) BeyondAnnounced(d Date) bool { return d.Year > c.announced }

// Closure kinds.
const (
	KindHoliday = "holiday" // a public holiday
	KindBank    = "bank"    // a bank closure that is not a public holiday
)

// Closure is a day that is closed other than by being a weekend: a public holiday or a
// year-end bank closure. It is what `nightly calendar` lists.
type Closure struct {
	Date Date
	Name string
	Kind string // KindHoliday or KindBank
}

// Closures returns the public holidays of year (those on a weekend too) and the bank
// closures 1/2, 1/3 and 12/31, sorted by date. A day that is both, such as 1/1 or a
// 1/2 振替休日, is a holiday.
func (c *Calendar) Closures(y int) []Closure {
	hs := c.year(y).list
	out := make([]Closure, 0, len(hs)+3)
	for _, h := range hs {
		out = append(out, Closure{h.Date, h.Name, KindHoliday})
	}
	for _, d := range []Date{{y, time.January, 2}, {y, time.January, 3}, {y, time.December, 31}} {
		if _, ok := c.Holiday(d); !ok {
			out = append(out, Closure{d, NameBank, KindBank})
		}
	}
	slices.SortFunc(out, func(a, b Closure) int { return a.Date.Compare(b.Date) })
	return out
}

// PublicHolidays returns the public holidays of year after configuration, sorted.
func (c *Calendar) PublicHolidays(y int) []Holiday {
	return slices.Clone(c.year(y).list)
}

// year returns the computed year y, from the cache when it is there.
func (c *Calendar) year(y int) *year {
	if t, ok := (*c.years.Load())[y]; ok {
		return t
	}
	t := c.compute(y)
	if y < cacheFrom || y > cacheTo {
		return t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.years.Load()
	if prev, ok := old[y]; ok {
		return prev // another goroutine won the race
	}
	next := make(map[int]*year, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[y] = t
	c.years.Store(&next)
	return t
}

func (c *Calendar) compute(y int) *year {
	t := &year{}
	for _, h := range Holidays(y) {
		if !c.removed[h.Date] {
			t.name[yearDay(h.Date)] = h.Name
		}
	}
	for d, n := range c.added {
		if d.Year == y && !c.removed[d] {
			t.name[yearDay(d)] = n
		}
	}
	first := Date{y, time.January, 1}
	wd := first.Weekday()
	days := 365
	if isLeap(y) {
		days = 366
	}
	for i := 1; i <= days; i++ {
		if t.name[i] != "" {
			t.list = append(t.list, Holiday{first.AddDays(i - 1), t.name[i]})
		}
		t.closed[i] = wd == time.Saturday || wd == time.Sunday || t.name[i] != "" ||
			i <= 3 || i == days // 1/1–1/3 and 12/31
		wd = (wd + 1) % 7
	}
	return t
}

// valid reports whether d is a real calendar date.
func valid(d Date) bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && d.Day <= DaysIn(d.Year, d.Month)
}

// normal returns d, or for a Date that does not exist (2026-02-30, the zero Date) the
// real date it stands for, as New normalises it, so that lookups never index out of range.
func normal(d Date) Date {
	if valid(d) {
		return d
	}
	return New(d.Year, d.Month, d.Day)
}

var daysBefore = [13]int{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

// yearDay returns the day of the year of a valid d, 1..366.
func yearDay(d Date) int {
	n := daysBefore[d.Month] + d.Day
	if d.Month > time.February && isLeap(d.Year) {
		n++
	}
	return n
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
