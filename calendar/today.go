package calendar

import (
	"errors"
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

// ErrRunDate is wrapped by the error of a run date that is refused (SPEC §10.0).
var ErrRunDate = errors.New("run date out of range")

// minRunDate is the first run date: the calendar, the era readings of bank files and
// the masterdata dates are exact from 2000 on.
var minRunDate = New(2000, 1, 1)

// CheckRunDate refuses a run date after today (JST) unless it is a dry run, which may
// look ahead up to a year, and any date before 2000 (SPEC §10.0). today is the Env's
// today: the real one, or NIGHTLY_TODAY's. The command line and the web's rerun form
// go through it (jobs.Run calls it).
func CheckRunDate(date, today Date, dryRun bool) error {
	switch {
	case date.Before(minRunDate):
		return fmt.Errorf("run date %s is before %s: %w", date, minRunDate, ErrRunDate)
	case dryRun && date.After(today.AddMonths(12)):
		return fmt.Errorf("run date %s is more than a year after today (%s, JST): %w; a dry run looks ahead at most to %s",
			date, today, ErrRunDate, today.AddMonths(12))
	case !dryRun && date.After(today):
		return fmt.Errorf("run date %s is after today (%s, JST): %w; only a dry run (--dry-run) may look ahead, up to a year; to simulate a later day, set NIGHTLY_TODAY=YYYY-MM-DD",
			date, today, ErrRunDate)
	}
	return nil
}
