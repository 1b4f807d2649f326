package calendar

import (
	"testing"
	"time"
)

// FuzzCalendar: any Date, real or not, gets an answer without a panic, and the answers
// agree with each other.
func FuzzCalendar(f *testing.F) {
	f.Add(2026, 12, 31, 3)
	f.Add(0, 0, 0, 1)
	f.Add(2024, 2, 30, -2)
	f.Fuzz(func(t *testing.T, y, m, day, n int) {
		y, n = y%3000, n%40
		cal := NewCalendar(Options{})
		d := Date{y, time.Month(m), day}
		bd := cal.IsBusinessDay(d)
		_, hol := cal.Holiday(d)
		if hol && bd {
			t.Fatalf("%v: a holiday that is a business day", d)
		}
		before := cal.OnOrBefore(d)
		if !cal.IsBusinessDay(before) || before.After(normal(d)) {
			t.Fatalf("%v: OnOrBefore = %v", d, before)
		}
		next := cal.AddBusinessDays(d, n)
		if n != 0 && !cal.IsBusinessDay(next) {
			t.Fatalf("%v + %d business days = %v, not a business day", d, n, next)
		}
	})
}
