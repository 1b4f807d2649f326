package contract

import (
	"errors"
	"fmt"
)

// Status is the state of a contract as stored.
type Status string

// The statuses of a contract.
const (
	StatusPending   Status = "pending"   // ordered, not yet paid and activated
	StatusActive    Status = "active"    // in a term
	StatusSuspended Status = "suspended" // 停止: the renewal was not paid at term end (§4.6)
	StatusEnded     Status = "ended"     // cancelled (解約) and past its term end
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusActive, StatusSuspended, StatusEnded:
		return true
	}
	return false
}

// RenewalInvoice is what the lifecycle needs to know of the renewal invoice for a
// contract's next term.
type RenewalInvoice struct {
	Number       string // 請求書番号, for the report
	DueDate      Date
	Total, Paid  int64 // tax included, yen
	ReminderSent bool  // the payment reminder of §4.5 has been rendered
	Void         bool  // voided (a request accepted after issue); no longer owed
}

// FullyPaid reports whether the invoice is paid in full.
func (r RenewalInvoice) FullyPaid() bool { return r.Paid >= r.Total }

// State is a contract as the lifecycle sees it on a run date.
type State struct {
	Status    Status
	Perpetual bool // 永続ライセンス: no term, renewal or suspension (§3.5)
	AutoRenew bool
	TermStart Date
	TermEnd   Date
	// Cancelled is an accepted cancellation (解約) for the next term.
	Cancelled bool
	// HoldUntil is the last day of a staff hold of the suspension (§4.6); zero: none.
	HoldUntil  Date
	HoldReason string
	// Renewal is the current renewal invoice for the next term; nil if none was issued.
	// Pass the replacement when one was voided and reissued.
	Renewal *RenewalInvoice
}

// ErrBadState is wrapped by State.Validate.
var ErrBadState = errors.New("contract state is inconsistent")

// Validate reports a state the lifecycle cannot decide on: an unknown status, an active
// term contract without a valid term, or a renewal invoice with negative amounts or no
// due date.
func (s State) Validate() error {
	if !s.Status.Valid() {
		return fmt.Errorf("status %q is not pending, active, suspended or ended: %w", s.Status, ErrBadState)
	}
	if s.Status != StatusActive || s.Perpetual {
		return nil
	}
	if !validDate(s.TermStart) || !validDate(s.TermEnd) || s.TermEnd.Before(s.TermStart) {
		return fmt.Errorf("active contract has term %q–%q: %w", s.TermStart, s.TermEnd, ErrBadState)
	}
	if r := s.Renewal; r != nil && !r.Void {
		if r.Total < 0 || r.Paid < 0 {
			return fmt.Errorf("renewal invoice %s has total %d, paid %d: %w", r.Number, r.Total, r.Paid, ErrBadState)
		}
		if !validDate(r.DueDate) {
			return fmt.Errorf("renewal invoice %s has no valid due date: %w", r.Number, ErrBadState)
		}
	}
	return nil
}

// Action is what the night does to a contract.
type Action string

// The actions of Decide.
const (
	ActionNone     Action = "none"
	ActionRollOver Action = "roll_over" // paid: a new term at the new price and seats
	ActionSuspend  Action = "suspend"   // unpaid at term end: status suspended, invoice lapsed, "stop service" task
	ActionEnd      Action = "end"       // cancelled or not auto-renewing: status ended
	ActionHeld     Action = "held"      // would be suspended, but staff hold it: list it
	// ActionAwaitRenewal: the term ended but the renewal, issued late (§4.3 catch-up),
	// is not yet past its due date: the contract stays active and is listed ("term
	// ended, renewal due on X") until the day after that date (§4.6).
	ActionAwaitRenewal Action = "await_renewal"
	// ActionNoRenewalInvoice: the term ended with no renewal invoice to judge; the
	// report lists it and nothing changes.
	ActionNoRenewalInvoice Action = "no_renewal_invoice"
	// ActionInvalid: the stored state is inconsistent (State.Validate); the report lists
	// it as an exception and nothing changes.
	ActionInvalid Action = "invalid"
)

// Decision is the lifecycle's verdict on one contract for one run date.
type Decision struct {
	Action Action
	// Overdue: the renewal is unpaid past its due date and the term has not ended; the
	// report lists the contract as "will stop on StopsOn" every morning (§4.5).
	Overdue bool
	// ReminderDue: the payment reminder (お支払いのお願い) is to be rendered tonight: the
	// run date is at least ReminderDays after the due date and none was sent (§4.5).
	ReminderDue bool
	// StopsOn is the last day of service of an overdue contract: its term end, or the
	// end of a staff hold that reaches further.
	StopsOn Date
	// Reason is a sentence in Japanese for the report.
	Reason string
}

// Policy holds the configurable figures of the lifecycle.
type Policy struct {
	ReminderDays int // days after the due date for the reminder (0: 7)
}

// Decide returns what the night of runDate does to the contract s (SPEC §4.5, §4.6).
// Pending, suspended, ended and perpetual contracts need nothing. On the first run after
// the term end an active contract ends when cancelled or not auto-renewing, rolls over
// when its renewal is fully paid, waits while its renewal (issued late) is not yet past
// its due date, is held while a staff hold covers the run date, and is suspended
// otherwise — never before the day after the renewal's due date; with no renewal
// invoice nothing changes and the report says so. Before that, an unpaid renewal past
// its due date is overdue, and its reminder due once.
func Decide(s State, runDate Date, p Policy) Decision {
	if err := s.Validate(); err != nil {
		return Decision{Action: ActionInvalid, Reason: "契約データに不整合があります: " + err.Error()}
	}
	switch {
	case s.Perpetual:
		return Decision{Action: ActionNone, Reason: "永続ライセンスのため期間・更新・停止はありません"}
	case s.Status != StatusActive:
		return Decision{Action: ActionNone, Reason: fmt.Sprintf("状態が %s のため処理はありません", s.Status)}
	}
	r := s.Renewal
	owed := r != nil && !r.Void && !r.FullyPaid()
	held := !s.HoldUntil.IsZero() && !s.HoldUntil.Before(runDate)

	if runDate.After(s.TermEnd) {
		switch {
		case s.Cancelled:
			return Decision{Action: ActionEnd, Reason: fmt.Sprintf("解約済みのため契約期間終了日 %s をもって終了します", s.TermEnd)}
		case !s.AutoRenew:
			return Decision{Action: ActionEnd, Reason: fmt.Sprintf("自動継続なしのため契約期間終了日 %s をもって終了します", s.TermEnd)}
		case r == nil || r.Void:
			return Decision{Action: ActionNoRenewalInvoice,
				Reason: fmt.Sprintf("契約期間終了日 %s を過ぎましたが、次期の継続請求書がありません。請求書の発行を確認してください", s.TermEnd)}
		case !owed:
			return Decision{Action: ActionRollOver, Reason: fmt.Sprintf("継続請求書 %s の入金済みのため次期へ更新します", r.Number)}
		case !runDate.After(r.DueDate):
			return Decision{Action: ActionAwaitRenewal, StopsOn: r.DueDate,
				Reason: fmt.Sprintf("契約期間は %s に終了しましたが、継続請求書 %s の支払期限 %s まで停止しません", s.TermEnd, r.Number, r.DueDate)}
		case held:
			why := ""
			if s.HoldReason != "" {
				why = "（理由: " + s.HoldReason + "）"
			}
			return Decision{Action: ActionHeld, StopsOn: s.HoldUntil,
				Reason: fmt.Sprintf("継続請求書 %s が未入金ですが、%s まで停止を保留中です%s", r.Number, s.HoldUntil, why)}
		default:
			return Decision{Action: ActionSuspend, StopsOn: s.TermEnd,
				Reason: fmt.Sprintf("継続請求書 %s が未入金（請求 %d 円、入金 %d 円）のため停止します。サービス停止作業を行ってください", r.Number, r.Total, r.Paid)}
		}
	}

	if !owed || s.Cancelled || !s.AutoRenew || !runDate.After(r.DueDate) {
		return Decision{Action: ActionNone}
	}
	d := Decision{Action: ActionNone, Overdue: true, StopsOn: s.TermEnd}
	if s.HoldUntil.After(s.TermEnd) {
		d.StopsOn = s.HoldUntil
	}
	remind := orDefault(p.ReminderDays, DefaultReminderDays)
	d.ReminderDue = !r.ReminderSent && !runDate.Before(r.DueDate.AddDays(remind))
	d.Reason = fmt.Sprintf("継続請求書 %s が支払期限 %s を過ぎて未入金です（請求 %d 円、入金 %d 円）。入金がなければ %s をもって停止します",
		r.Number, r.DueDate, r.Total, r.Paid, d.StopsOn)
	if d.ReminderDue {
		d.Reason += "。お支払いのお願いを送付してください"
	}
	return d
}
