// Package wording is the catalogue of the words staff read: the Japanese names of
// every kind, status and rule the program records in English (exception kinds, invoice
// and contract statuses, request outcomes, task kinds, matching rules, …), and the way
// amounts, dates and times are written for people (¥1,234,567, 2026年11月24日, 09:00 in
// Japan's time).
// The morning report, the web UI, the command line and the night's own messages take
// their words from here, so that a word is changed in one place; what machines read
// (JSON keys and values, kinds stored in the database, CSV column keys) stays English.
//
// It is pure: values in, strings out.
package wording

import (
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
)

// Yen writes an amount of yen for people: ¥1,234,567 (−¥500 for a negative one).
func Yen(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-¥" + b.String()
	}
	return "¥" + b.String()
}

// Number writes a count with thousands separators (10,000).
func Number(n int64) string { return strings.TrimPrefix(Yen(n), "¥") }

// Date writes a business date for people: 2026年11月24日 ("" for none).
func Date(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Japanese()
}

// Time writes an instant in Japan's time to the second: 2026年11月24日 02:00:05 ("" for
// none). Every time staff read is Japan's.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Minute(t) + t.In(calendar.Tokyo).Format(":05")
}
