package calendar

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Date is a civil date in Asia/Tokyo (SPEC §2.1): a business date with no time of day
// and no zone. The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Tokyo is the Asia/Tokyo zone. It is a fixed +09:00 zone (Japan has no daylight saving
// time), so that the program needs no tzdata on the machine.
var Tokyo = time.FixedZone("JST", 9*60*60)

// ErrBadDate is returned by ParseDate for text that is not a real YYYY-MM-DD date.
var ErrBadDate = errors.New("not a valid date (want YYYY-MM-DD)")

// New returns the date y-m-d, normalising overflow as time.Date does (2026-02-30 is
// 2026-03-02); use ParseDate to reject dates that do not exist.
func New(y int, m time.Month, d int) Date {
	return Of(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Of returns the calendar date of t in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// InTokyo returns the date in Asia/Tokyo of the instant t.
func InTokyo(t time.Time) Date { return Of(t.In(Tokyo)) }

// ParseDate reads YYYY-MM-DD and refuses dates that do not exist (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("%q: %w", s, ErrBadDate)
	}
	return Of(t), nil
}

// MustParse is ParseDate for constants in tests and tables; it panics on bad input and
// must never be called on data.
func MustParse(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Japanese formats d as 2026年11月24日, the usual form on invoices.
func (d Date) Japanese() string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// UTC returns midnight of d in UTC, useful for arithmetic on days.
func (d Date) UTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Start returns the instant d begins in Asia/Tokyo (00:00 JST), the cutoff of a run (§2.2).
func (d Date) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Tokyo) }

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return Of(d.UTC().AddDate(0, 0, n)) }

// AddMonths returns the same day-of-month n months later (or earlier), clamped to the
// last day of the target month (SPEC §2.4: 3/31 − 1 month = 2/28 or 2/29).
func (d Date) AddMonths(n int) Date {
	total := d.Year*12 + int(d.Month) - 1 + n
	y, m := total/12, time.Month(total%12+1)
	day := d.Day
	if last := DaysIn(y, m); day > last {
		day = last
	}
	return Date{y, m, day}
}

// DaysIn returns the number of days in month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.UTC().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of days from d to e (negative when e is before d).
func (d Date) DaysUntil(e Date) int {
	return int(e.UTC().Sub(d.UTC()).Hours() / 24)
}

// MarshalText formats d as YYYY-MM-DD (JSON, CSV, flags).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses YYYY-MM-DD; empty text gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores d in a DATE column as YYYY-MM-DD (NULL for the zero Date).
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a DATE column as either driver returns it: time.Time (MySQL with
// parseTime) or text (SQLite).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = Of(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("calendar.Date: cannot scan %T", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10] // SQLite may hand back "2026-11-24T00:00:00Z"
	}
	return d.UnmarshalText([]byte(s))
}
