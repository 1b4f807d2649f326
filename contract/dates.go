package contract

import (
	"time"

	"github.com/npress/nightly/calendar"
)

// Defaults of SPEC §4 where configuration may change the figure.
const (
	DefaultDueDays      = 14 // new and addition invoices: issue date + 14 days (§4.1, §4.2)
	DefaultDueLeadDays  = 14 // renewal: due next start − 14 days (§4.3)
	DefaultReminderDays = 7  // payment reminder 7 days after the due date (§4.5)
	ReplyBusinessDays   = 2  // the esales desk answers a request within 2 business days (§4.4)
	ProvisioningDays    = 3  // a provisioning task is due within 3 business days (§4.1, §4.2)
)

// Renewal is when the renewal invoice (自動継続, kind `renewal`) for a term is issued and
// when it is due (SPEC §4.3).
type Renewal struct {
	IssueDate Date
	DueDate   Date
	// CaughtUp is set when the scheduled issue date had passed before the run (a missed
	// night or a contract imported late): the invoice is issued on the run date.
	CaughtUp bool
	// ShortNotice is set when catching up left less than the minimum notice before the
	// scheduled due date, so that the due date became run date + the notice; the report
	// says so.
	ShortNotice bool
}

// RenewalPolicy holds the figures of §4.3 that configuration may change; zero fields
// take the defaults.
type RenewalPolicy struct {
	DueLeadDays   int // due = next start − DueLeadDays (default 14)
	MinNoticeDays int // a caught-up invoice gets at least this many days (default 14)
}

// RenewalIssueDate returns the day the renewal invoice for the term starting nextStart is
// issued: next start − 1 month, clamped (a 3/31 start is issued 2/28 or 2/29).
func RenewalIssueDate(nextStart Date) Date { return nextStart.AddMonths(-1) }

// RenewalDates returns the issue and due dates of the renewal invoice for the term
// starting nextStart, issued by the night of runDate (SPEC §4.3). The due date is
// nextStart − dueLeadDays (0: 14), moved to the previous business day. A night after the
// issue date issues on its run date (CaughtUp); if fewer than dueLeadDays days then remain
// before the due date, the due date is runDate + dueLeadDays, moved to the previous
// business day (ShortNotice). See RenewalPolicy.Dates to set the two figures apart.
func RenewalDates(cal *calendar.Calendar, nextStart, runDate Date, dueLeadDays int) Renewal {
	return RenewalPolicy{DueLeadDays: dueLeadDays, MinNoticeDays: dueLeadDays}.Dates(cal, nextStart, runDate)
}

// Dates is RenewalDates with the lead and the minimum notice configured separately.
func (p RenewalPolicy) Dates(cal *calendar.Calendar, nextStart, runDate Date) Renewal {
	lead, notice := orDefault(p.DueLeadDays, DefaultDueLeadDays), orDefault(p.MinNoticeDays, DefaultDueLeadDays)
	r := Renewal{
		IssueDate: RenewalIssueDate(nextStart),
		DueDate:   cal.OnOrBefore(nextStart.AddDays(-lead)),
	}
	if !runDate.After(r.IssueDate) {
		return r
	}
	r.IssueDate, r.CaughtUp = runDate, true
	if runDate.DaysUntil(r.DueDate) < notice {
		r.DueDate, r.ShortNotice = cal.OnOrBefore(runDate.AddDays(notice)), true
	}
	return r
}

// DueDate returns the due date of a new or addition invoice: issue + days (0 or less:
// 14), moved to the previous business day when banks are closed that day (SPEC §4.1:
// every due date of every kind).
func DueDate(cal *calendar.Calendar, issue Date, days int) Date {
	return cal.OnOrBefore(issue.AddDays(orDefault(days, DefaultDueDays)))
}

// RequestDeadline returns the last day (JST, to the end of the day) on which a reduction
// or cancellation request for the term starting nextStart is on time: next start − 1
// month, clamped (SPEC §4.4; a 3/31 start has 2/28 or 2/29).
func RequestDeadline(nextStart Date) Date { return nextStart.AddMonths(-1) }

// RequestOnTime reports whether a request received at the instant received (the IMAP
// server's INTERNALDATE) is on time for the term starting nextStart: its date in
// Asia/Tokyo is on or before RequestDeadline.
func RequestOnTime(nextStart Date, received time.Time) bool {
	return !calendar.InTokyo(received).After(RequestDeadline(nextStart))
}

// ReplyBy returns the date by which the esales desk answers a request received on
// received: 2 business days strictly after it (SPEC §4.4, §2.3).
func ReplyBy(cal *calendar.Calendar, received Date) Date {
	return cal.AddBusinessDays(received, ReplyBusinessDays)
}

// ProvisioningDue returns the deadline of a provisioning task (activate, add seats) for a
// payment confirmed on confirmed: 3 business days strictly after it (SPEC §4.1, §4.2).
func ProvisioningDue(cal *calendar.Calendar, confirmed Date) Date {
	return cal.AddBusinessDays(confirmed, ProvisioningDays)
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
