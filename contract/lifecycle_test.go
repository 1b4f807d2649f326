package contract

import (
	"strings"
	"testing"
)

// active returns an auto-renewing contract in the term 2026-04-15..2027-04-14 whose
// renewal invoice (due 2027-04-01) is unpaid.
func active() State {
	return State{
		Status: StatusActive, AutoRenew: true,
		TermStart: d("2026-04-15"), TermEnd: d("2027-04-14"),
		Renewal: &RenewalInvoice{Number: "2027-000123", DueDate: d("2027-04-01"), Total: 59400},
	}
}

func TestDecide(t *testing.T) {
	type change func(*State)
	paid := func(s *State) { s.Renewal.Paid = s.Renewal.Total }
	tests := []struct {
		name    string
		change  change
		run     string
		policy  Policy
		action  Action
		overdue bool
		remind  bool
		stops   string
		reason  string // a part the Reason must contain
	}{
		// Not active, or no term.
		{"pending", func(s *State) { s.Status = StatusPending }, "2027-04-15", Policy{}, ActionNone, false, false, "", "pending"},
		{"suspended", func(s *State) { s.Status = StatusSuspended }, "2027-04-15", Policy{}, ActionNone, false, false, "", "suspended"},
		{"ended", func(s *State) { s.Status = StatusEnded }, "2027-04-15", Policy{}, ActionNone, false, false, "", "ended"},
		{"perpetual", func(s *State) { s.Perpetual = true; s.TermStart, s.TermEnd = Date{}, Date{} }, "2027-04-15", Policy{}, ActionNone, false, false, "", "永続"},
		// Inconsistent data.
		{"unknown status", func(s *State) { s.Status = "paused" }, "2027-04-15", Policy{}, ActionInvalid, false, false, "", "paused"},
		{"active without term", func(s *State) { s.TermEnd = Date{} }, "2027-04-15", Policy{}, ActionInvalid, false, false, "", "term"},
		{"term end before start", func(s *State) { s.TermEnd = d("2026-04-14") }, "2027-04-15", Policy{}, ActionInvalid, false, false, "", "term"},
		{"negative renewal", func(s *State) { s.Renewal.Paid = -1 }, "2027-04-15", Policy{}, ActionInvalid, false, false, "", "2027-000123"},
		{"renewal without due date", func(s *State) { s.Renewal.DueDate = Date{} }, "2027-04-15", Policy{}, ActionInvalid, false, false, "", "due date"},
		// The first run after the term end.
		{"cancelled", func(s *State) { s.Cancelled = true }, "2027-04-15", Policy{}, ActionEnd, false, false, "", "解約"},
		{"cancelled though paid", func(s *State) { s.Cancelled = true; paid(s) }, "2027-04-15", Policy{}, ActionEnd, false, false, "", "解約"},
		{"not auto-renewing", func(s *State) { s.AutoRenew = false; s.Renewal = nil }, "2027-04-15", Policy{}, ActionEnd, false, false, "", "自動継続なし"},
		{"paid", paid, "2027-04-15", Policy{}, ActionRollOver, false, false, "", "2027-000123"},
		{"overpaid", func(s *State) { s.Renewal.Paid = 60000 }, "2027-04-15", Policy{}, ActionRollOver, false, false, "", "2027-000123"},
		{"paid, a missed night later", paid, "2027-04-20", Policy{}, ActionRollOver, false, false, "", ""},
		{"unpaid", nil, "2027-04-15", Policy{}, ActionSuspend, false, false, "2027-04-14", "未入金"},
		// A renewal caught up late is due after the term end (§4.3): no suspension before
		// the day after its due date (§4.6).
		{"late renewal, term ended, before its due date", func(s *State) { s.Renewal.DueDate = d("2027-04-30") }, "2027-04-15", Policy{}, ActionAwaitRenewal, false, false, "2027-04-30", "2027-04-30"},
		{"late renewal on its due date", func(s *State) { s.Renewal.DueDate = d("2027-04-30") }, "2027-04-30", Policy{}, ActionAwaitRenewal, false, false, "2027-04-30", ""},
		{"late renewal the day after its due date", func(s *State) { s.Renewal.DueDate = d("2027-04-30") }, "2027-05-01", Policy{}, ActionSuspend, false, false, "2027-04-14", "未入金"},
		{"late renewal paid", func(s *State) { s.Renewal.DueDate = d("2027-04-30"); paid(s) }, "2027-04-20", Policy{}, ActionRollOver, false, false, "", ""},
		{"late renewal held past its due date", func(s *State) { s.Renewal.DueDate = d("2027-04-30"); s.HoldUntil = d("2027-05-10") }, "2027-05-01", Policy{}, ActionHeld, false, false, "2027-05-10", ""},
		{"partly paid", func(s *State) { s.Renewal.Paid = 59399 }, "2027-04-15", Policy{}, ActionSuspend, false, false, "2027-04-14", "59399"},
		{"no renewal invoice", func(s *State) { s.Renewal = nil }, "2027-04-15", Policy{}, ActionNoRenewalInvoice, false, false, "", "継続請求書がありません"},
		{"voided renewal", func(s *State) { s.Renewal.Void = true }, "2027-04-15", Policy{}, ActionNoRenewalInvoice, false, false, "", ""},
		{"held", func(s *State) { s.HoldUntil = d("2027-04-30"); s.HoldReason = "入金予定の連絡あり" }, "2027-04-15", Policy{}, ActionHeld, false, false, "2027-04-30", "入金予定の連絡あり"},
		{"held through the run date", func(s *State) { s.HoldUntil = d("2027-04-20") }, "2027-04-20", Policy{}, ActionHeld, false, false, "2027-04-20", "保留"},
		{"hold lapsed", func(s *State) { s.HoldUntil = d("2027-04-19") }, "2027-04-20", Policy{}, ActionSuspend, false, false, "2027-04-14", ""},
		{"held but paid", func(s *State) { s.HoldUntil = d("2027-04-30"); paid(s) }, "2027-04-15", Policy{}, ActionRollOver, false, false, "", ""},
		// Before the term end: overdue and reminder (§4.5).
		{"on the due date", nil, "2027-04-01", Policy{}, ActionNone, false, false, "", ""},
		{"the day after the due date", nil, "2027-04-02", Policy{}, ActionNone, true, false, "2027-04-14", "2027-04-14 をもって停止"},
		{"6 days after", nil, "2027-04-07", Policy{}, ActionNone, true, false, "2027-04-14", ""},
		{"7 days after: reminder", nil, "2027-04-08", Policy{}, ActionNone, true, true, "2027-04-14", "お支払いのお願い"},
		{"reminder already sent", func(s *State) { s.Renewal.ReminderSent = true }, "2027-04-09", Policy{}, ActionNone, true, false, "2027-04-14", ""},
		{"reminder late after a missed night", nil, "2027-04-10", Policy{}, ActionNone, true, true, "2027-04-14", ""},
		{"configured 3-day reminder", nil, "2027-04-04", Policy{ReminderDays: 3}, ActionNone, true, true, "2027-04-14", ""},
		{"on the term end itself", nil, "2027-04-14", Policy{}, ActionNone, true, true, "2027-04-14", ""},
		{"overdue with a longer hold", func(s *State) { s.HoldUntil = d("2027-05-31") }, "2027-04-05", Policy{}, ActionNone, true, false, "2027-05-31", "2027-05-31"},
		{"paid before the due date", paid, "2027-04-05", Policy{}, ActionNone, false, false, "", ""},
		{"partly paid and overdue", func(s *State) { s.Renewal.Paid = 1000 }, "2027-04-05", Policy{}, ActionNone, true, false, "2027-04-14", "入金 1000 円"},
		{"cancelled: not chased", func(s *State) { s.Cancelled = true }, "2027-04-05", Policy{}, ActionNone, false, false, "", ""},
		{"not renewing: not chased", func(s *State) { s.AutoRenew = false }, "2027-04-05", Policy{}, ActionNone, false, false, "", ""},
		{"voided: not chased", func(s *State) { s.Renewal.Void = true }, "2027-04-05", Policy{}, ActionNone, false, false, "", ""},
		{"not issued yet", func(s *State) { s.Renewal = nil }, "2027-03-01", Policy{}, ActionNone, false, false, "", ""},
	}
	for _, tt := range tests {
		s := active()
		if tt.change != nil {
			tt.change(&s)
		}
		got := Decide(s, d(tt.run), tt.policy)
		if got.Action != tt.action || got.Overdue != tt.overdue || got.ReminderDue != tt.remind || got.StopsOn.String() != tt.stops {
			t.Errorf("%s: got %+v; want action %s, overdue %v, reminder %v, stops %q", tt.name, got, tt.action, tt.overdue, tt.remind, tt.stops)
		}
		if !strings.Contains(got.Reason, tt.reason) {
			t.Errorf("%s: reason %q does not say %q", tt.name, got.Reason, tt.reason)
		}
		if (got.Action != ActionNone || got.Overdue) && got.Reason == "" {
			t.Errorf("%s: action %s without a reason for the report", tt.name, got.Action)
		}
	}
}

// TestDecideDoesNotChangeInput: Decide is a pure function of its values.
func TestDecideDoesNotChangeInput(t *testing.T) {
	s := active()
	before := *s.Renewal
	Decide(s, d("2027-04-10"), Policy{})
	if *s.Renewal != before {
		t.Errorf("renewal changed: %+v → %+v", before, *s.Renewal)
	}
}

func TestStatusValid(t *testing.T) {
	for _, s := range []Status{StatusPending, StatusActive, StatusSuspended, StatusEnded} {
		if !s.Valid() {
			t.Errorf("%s should be valid", s)
		}
	}
	for _, s := range []Status{"", "Active", "cancelled"} {
		if s.Valid() {
			t.Errorf("%q should not be valid", s)
		}
	}
}
