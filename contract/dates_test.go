package contract

import (
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

func TestRenewalIssueDateAndDeadline(t *testing.T) {
	tests := []struct{ next, issue, why string }{
		{"2027-04-15", "2027-03-15", "one month before"},
		{"2027-03-31", "2027-02-28", "3/31 start clamps to Feb 28"},
		{"2028-03-31", "2028-02-29", "and to Feb 29 in a leap year"},
		{"2027-01-14", "2026-12-14", "across the year"},
		{"2025-03-01", "2025-02-01", "the term after a Feb 29 start"},
	}
	for _, tt := range tests {
		if got := RenewalIssueDate(d(tt.next)); got.String() != tt.issue {
			t.Errorf("RenewalIssueDate(%s) = %s, want %s (%s)", tt.next, got, tt.issue, tt.why)
		}
		// §4.4: the request deadline is the same day (a request on it arrives after that
		// morning's invoice, which it then voids).
		if got := RequestDeadline(d(tt.next)); got.String() != tt.issue {
			t.Errorf("RequestDeadline(%s) = %s, want %s (%s)", tt.next, got, tt.issue, tt.why)
		}
	}
}

func TestRenewalDates(t *testing.T) {
	cal := calendar.NewCalendar(calendar.Options{})
	tests := []struct {
		next, run   string
		lead        int
		issue, due  string
		caught, shr bool
		why         string
	}{
		{"2027-04-15", "2027-03-15", 0, "2027-03-15", "2027-04-01", false, false, "on time, due a Thursday"},
		{"2027-04-15", "2027-03-01", 0, "2027-03-15", "2027-04-01", false, false, "run before the issue date: the schedule"},
		{"2027-04-15", "2027-03-15", 10, "2027-03-15", "2027-04-05", false, false, "configured lead of 10 days"},
		{"2026-12-07", "2026-11-07", 14, "2026-11-07", "2026-11-20", false, false, "due on 勤労感謝の日 11/23 → Friday 11/20"},
		{"2026-12-12", "2026-11-12", 14, "2026-11-12", "2026-11-27", false, false, "due on Saturday 11/28 → Friday"},
		{"2027-01-14", "2026-12-14", 14, "2026-12-14", "2026-12-30", false, false, "due 12/31 (bank closure) → 12/30"},
		{"2027-01-16", "2026-12-16", 14, "2026-12-16", "2026-12-30", false, false, "due 1/2 → back over the year end"},
		{"2027-01-17", "2026-12-17", 14, "2026-12-17", "2026-12-30", false, false, "due 1/3 → back over the year end"},
		{"2026-05-20", "2026-04-20", 14, "2026-04-20", "2026-05-01", false, false, "due on the 振替休日 5/6 → back over Golden Week"},
		{"2027-03-31", "2027-02-28", 14, "2027-02-28", "2027-03-17", false, false, "3/31 start"},
		{"2027-04-15", "2027-03-16", 14, "2027-03-16", "2027-04-01", true, false, "caught up, 16 days left"},
		{"2027-04-15", "2027-03-18", 14, "2027-03-18", "2027-04-01", true, false, "caught up, exactly 14 days left"},
		{"2027-04-15", "2027-03-19", 14, "2027-03-19", "2027-04-02", true, true, "caught up, 13 days left: run + 14 = 4/2"},
		{"2027-04-15", "2027-03-20", 14, "2027-03-20", "2027-04-02", true, true, "short notice: run + 14 = Saturday 4/3 → Friday"},
		{"2027-01-20", "2026-12-28", 14, "2026-12-28", "2027-01-08", true, true, "short notice: 1/11 is 成人の日, back to Friday 1/8"},
		{"2027-04-15", "2027-04-20", 14, "2027-04-20", "2027-04-30", true, true, "imported after the start: 5/4 → back over 5/3 and the weekend"},
	}
	for _, tt := range tests {
		got := RenewalDates(cal, d(tt.next), d(tt.run), tt.lead)
		want := Renewal{IssueDate: d(tt.issue), DueDate: d(tt.due), CaughtUp: tt.caught, ShortNotice: tt.shr}
		if got != want {
			t.Errorf("RenewalDates(next %s, run %s, %d) = %+v, want %+v (%s)", tt.next, tt.run, tt.lead, got, want, tt.why)
		}
		if !cal.IsBusinessDay(got.DueDate) {
			t.Errorf("next %s run %s: due %s is not a business day", tt.next, tt.run, got.DueDate)
		}
	}
	// The lead and the minimum notice set apart.
	p := RenewalPolicy{DueLeadDays: 14, MinNoticeDays: 7}
	got := p.Dates(cal, d("2027-04-15"), d("2027-03-20"))
	if got.ShortNotice || got.DueDate != d("2027-04-01") {
		t.Errorf("7-day notice with 12 days left: %+v, want due 2027-04-01 without short notice", got)
	}
	got = p.Dates(cal, d("2027-04-15"), d("2027-03-29"))
	if !got.ShortNotice || got.DueDate != d("2027-04-05") {
		t.Errorf("7-day notice with 3 days left: %+v, want due 2027-04-05 short", got)
	}
}

func TestDueDate(t *testing.T) {
	tests := []struct {
		issue string
		days  int
		want  string
	}{
		{"2026-11-24", 0, "2026-12-08"},
		{"2026-11-24", 14, "2026-12-08"},
		{"2026-12-17", 14, "2026-12-30"}, // 12/31 is a bank closure: the previous business day (§4.1)
		{"2026-11-21", 14, "2026-12-04"}, // Saturday 12/5 → Friday 12/4
		{"2026-12-20", 14, "2026-12-30"}, // 1/3 → back over the year end
		{"2026-11-24", 30, "2026-12-24"},
		{"2026-11-24", -1, "2026-12-08"},
	}
	cal := calendar.NewCalendar(calendar.Options{})
	for _, tt := range tests {
		if got := DueDate(cal, d(tt.issue), tt.days); got.String() != tt.want {
			t.Errorf("DueDate(%s, %d) = %s, want %s", tt.issue, tt.days, got, tt.want)
		}
	}
}

func TestRequestOnTime(t *testing.T) {
	tests := []struct {
		next     string
		received time.Time
		want     bool
	}{
		{"2027-04-15", time.Date(2027, 3, 15, 14, 59, 59, 0, time.UTC), true},     // 23:59:59 JST on the deadline
		{"2027-04-15", time.Date(2027, 3, 15, 15, 0, 0, 0, time.UTC), false},      // 00:00 JST the day after
		{"2027-04-15", time.Date(2027, 3, 14, 16, 0, 0, 0, time.UTC), true},       // 01:00 JST on 3/15
		{"2027-03-31", time.Date(2027, 2, 28, 12, 0, 0, 0, calendar.Tokyo), true}, // 3/31 start: deadline 2/28
		{"2027-03-31", time.Date(2027, 3, 1, 0, 0, 0, 0, calendar.Tokyo), false},
		{"2028-03-31", time.Date(2028, 2, 29, 23, 0, 0, 0, calendar.Tokyo), true}, // leap year: 2/29
	}
	for _, tt := range tests {
		if got := RequestOnTime(d(tt.next), tt.received); got != tt.want {
			t.Errorf("RequestOnTime(%s, %s) = %v, want %v", tt.next, tt.received, got, tt.want)
		}
	}
}

func TestReplyByAndProvisioningDue(t *testing.T) {
	cal := calendar.NewCalendar(calendar.Options{})
	reply := []struct{ received, want, why string }{
		{"2026-11-24", "2026-11-26", "Tuesday → Thursday"},
		{"2026-11-27", "2026-12-01", "Friday → over the weekend → Tuesday"},
		{"2026-11-28", "2026-12-01", "received on a Saturday"},
		{"2026-11-20", "2026-11-25", "over the weekend and 勤労感謝の日"},
		{"2026-04-30", "2026-05-07", "over Golden Week"},
		{"2026-12-29", "2027-01-04", "over the year end"},
	}
	for _, tt := range reply {
		if got := ReplyBy(cal, d(tt.received)); got.String() != tt.want {
			t.Errorf("ReplyBy(%s) = %s, want %s (%s)", tt.received, got, tt.want, tt.why)
		}
	}
	prov := []struct{ confirmed, want string }{
		{"2026-11-24", "2026-11-27"},
		{"2026-12-28", "2027-01-04"},
		{"2026-12-30", "2027-01-06"},
		{"2026-04-28", "2026-05-07"},
	}
	for _, tt := range prov {
		if got := ProvisioningDue(cal, d(tt.confirmed)); got.String() != tt.want {
			t.Errorf("ProvisioningDue(%s) = %s, want %s", tt.confirmed, got, tt.want)
		}
	}
}
