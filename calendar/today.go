package calendar

import (
	"fmt"
	"time"
)

// Bounds of a simulated today: the years the calendar and the master data cover.
var (
	minToday = New(2000, 1, 1)
	maxToday = New(2099, 12, 31)
)

// ParseToday reads NIGHTLY_TODAY: a real date YYYY-MM-DD from 2000 to 2099.
func ParseToday(s string) (Date, error) {
	d, err := ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("NIGHTLY_TODAY=%s: %w", s, err)
	}
	if d.Before(minToday) || d.After(maxToday) {
		return Date{}, fmt.Errorf("NIGHTLY_TODAY=%s: a simulated today lies between %s and %s", s, minToday, maxToday)
	}
	return d, nil
}

// SimulatedClock returns the clock of a simulation whose today in Asia/Tokyo is today:
// real shifted by whole days, so that the time of day and the time passing stay real
// (sessions expire, durations are measured) and every command that reads the clock
// sees the same date.
func SimulatedClock(real func() time.Time, today Date) func() time.Time {
	offset := today.Start().Sub(InTokyo(real()).Start())
	return func() time.Time { return real().Add(offset) }
}
