package mailintake

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
)

// Outcome is the result of checking a request against the contract (SPEC §7.4).
type Outcome string

// The outcomes of Evaluate.
const (
	// Accepted: complete, fitting the contract and on time; it changes the renewal of
	// Evaluation.Term.
	OutcomeAccepted Outcome = "accepted"
	// Incomplete: a field the desk needs is missing (Evaluation.Missing); the customer
	// is asked for it. A later complete request supersedes this one.
	OutcomeIncomplete Outcome = "incomplete"
	// Late: complete and fitting but received after the deadline of the term it asked
	// for; it takes effect for the following term (Evaluation.Term) unless staff reject it.
	OutcomeLate Outcome = "late"
	// Mismatch: the contract is unknown, or the name, product, seats or term do not fit
	// it, or a cancellation names seats that are not the contract's (Evaluation.Reasons).
	OutcomeMismatch Outcome = "mismatch"
	// Duplicate: the same change was already recorded for the same contract and term
	// (Evaluation.DuplicateOf).
	OutcomeDuplicate Outcome = "duplicate"
	// Unverified: the sender is neither a registered address of the contract's
	// customer nor at the domain of one; the request is held for staff to confirm with
	// the customer and never applied by itself (anyone can write a contract number
	// into a mail). The rest of the Evaluation is filled as for a verified sender.
	OutcomeUnverified Outcome = "unverified"
)

// Reason says why a request does not fit its contract.
type Reason string

// The reasons for OutcomeMismatch.
const (
	ReasonUnknownContract   Reason = "unknown_contract"   // no such contract number
	ReasonContractor        Reason = "contractor"         // the name is not the contract's customer
	ReasonProduct           Reason = "product"            // the product is not the contract's plan
	ReasonSeatsNotBelow     Reason = "seats_not_below"    // the seats asked for are not below the current seats
	ReasonSeatsInconsistent Reason = "seats_inconsistent" // "20 → 15" or "remove 5 to 15" does not add up with the contract's seats
	ReasonTerm              Reason = "term"               // the requested term is not a term start of this contract
	ReasonNoRenewal         Reason = "no_renewal"         // the contract does not renew (perpetual, ended, suspended)
	ReasonCancelSeats       Reason = "cancel_seats"       // a cancellation names a number of seats that is not the contract's
)

// Japanese says the reason in the words of a reply to the customer.
func (r Reason) Japanese() string {
	switch r {
	case ReasonUnknownContract:
		return "ご契約番号に該当するご契約が見つかりません"
	case ReasonContractor:
		return "ご契約者名がご契約の名義と一致しません"
	case ReasonProduct:
		return "対象製品がご契約の製品と一致しません"
	case ReasonSeatsNotBelow:
		return "ご希望の数量が現在のご契約数量を下回っていません"
	case ReasonSeatsInconsistent:
		return "ご記載の数量が現在のご契約数量と合いません"
	case ReasonTerm:
		return "ご希望の時期がご契約の更新日と合いません"
	case ReasonNoRenewal:
		return "このご契約は自動継続の対象ではありません"
	case ReasonCancelSeats:
		return "解約される数量が現在のご契約数量と一致しません（一部のみの場合は減数のご依頼となります）"
	}
	return string(r)
}

// FieldJapanese names a missing field as the desk asks for it (Request.Missing).
func FieldJapanese(field string) string {
	switch field {
	case FieldContract:
		return "ご契約番号"
	case FieldContractor:
		return "ご契約者名"
	case FieldProduct:
		return "対象製品"
	case FieldKind:
		return "ご希望の内容（減数または解約）"
	case FieldSeats:
		return "数量（減数後のライセンス数）"
	}
	return field
}

// ContractFacts is what the database knows about the contract a request names.
type ContractFacts struct {
	// Found is false when no contract has the number.
	Found bool
	// CustomerName and CustomerKana are the contract's customer (kana as registered,
	// half or full width).
	CustomerName, CustomerKana string
	// PlanCode, PlanName and PlanAliases describe the contract's plan (SKU).
	PlanCode, PlanName string
	PlanAliases        []string
	// Seats is the seat count the renewal of NextStart would carry without this
	// request (after requests already accepted for it).
	Seats int
	// NextStart is the start of the contract's next term (次年度開始日).
	NextStart calendar.Date
	// RenewalInvoiceIssued says the renewal invoice for NextStart is already issued.
	RenewalInvoiceIssued bool
	// NoRenewal is set for a contract that does not renew: a perpetual licence (§3.5),
	// an ended, cancelled or suspended contract.
	NoRenewal bool
	// CustomerEmails are the customer's registered addresses (RegisteredAddresses):
	// a request is verified only from one of them or their domains.
	CustomerEmails []string
}

// EarlierRequest is a request already recorded for the same contract.
type EarlierRequest struct {
	ID       int64
	Outcome  Outcome // as decided, after any staff override (accept → accepted)
	Term     calendar.Date
	Kind     Kind
	Seats    int // seats after the change, for a reduction
	Received time.Time
}

// BusinessDays counts business days; *calendar.Calendar is one.
type BusinessDays interface {
	AddBusinessDays(d calendar.Date, n int) calendar.Date
}

// EvalInput is everything Evaluate reads. It is plain data: the caller looks the
// contract and the earlier requests up; Evaluate reads no clock and no database.
type EvalInput struct {
	Request Request
	// Sender is the address the message came from (its From).
	Sender string
	// Received is the server's INTERNALDATE (for a .eml file, its source's rule). The
	// deadline goes by its date in Asia/Tokyo, never by the Date header.
	Received time.Time
	Contract ContractFacts
	// Earlier are the requests already recorded for the same contract (any term).
	Earlier []EarlierRequest
	// Calendar gives the reply-by date; required.
	Calendar BusinessDays
	// Required lists the fields a complete request has; nil means all five: contract,
	// contractor, product, kind, and seats for a reduction (the seed's list).
	Required []string
}

// Evaluation is the outcome of one request.
type Evaluation struct {
	Outcome Outcome `json:"outcome"`
	// Missing are the required fields the request lacks (for OutcomeIncomplete; also
	// filled next to a mismatch, so that one reply can ask for everything).
	Missing []string `json:"missing"`
	// Reasons say what does not fit (for OutcomeMismatch; empty otherwise).
	Reasons []Reason `json:"reasons"`
	// Kind is the change: for a reduction to zero seats it is a cancellation.
	Kind Kind `json:"kind"`
	// Seats is the seat count from Term on, for a reduction (0 otherwise).
	Seats int `json:"seats"`
	// AskedTerm is the start of the term the request asked for (the next start unless
	// it named a later one); Deadline is the last day (JST) to ask for it.
	AskedTerm calendar.Date `json:"asked_term"`
	Deadline  calendar.Date `json:"deadline"`
	// Term is the start of the term the request takes effect for: AskedTerm, or the
	// following term for a late request. Zero when the contract is unknown.
	Term calendar.Date `json:"term"`
	// Received is the JST date of receipt; ReplyBy is 2 business days after it (§4.4).
	Received calendar.Date `json:"received"`
	ReplyBy  calendar.Date `json:"reply_by"`
	// DuplicateOf is the earlier request this one repeats (OutcomeDuplicate).
	DuplicateOf int64 `json:"duplicate_of,omitempty"`
	// Supersedes are earlier requests for the same contract and term that this one
	// replaces: incomplete or mismatched ones, or an accepted one it changes.
	Supersedes []int64 `json:"supersedes,omitempty"`
	// VoidsRenewalInvoice says the renewal invoice of Term is already issued and must
	// be voided (and, for a reduction, reissued) by the invoicing step (§4.4).
	VoidsRenewalInvoice bool `json:"voids_renewal_invoice"`
}

// ErrEvalInput is returned by Evaluate for input it cannot work with (no calendar, no
// received time): a programming error, not a customer's.
var ErrEvalInput = errors.New("mailintake: evaluate: incomplete input")

// Evaluate checks one extracted request against its contract and the requests
// recorded before it (SPEC §4.4, §7.4). The order of the checks: no contract number
// makes it incomplete and an unknown one a mismatch; from a sender the customer has
// not registered it is unverified (the rest is still computed, for staff); a missing
// field makes it incomplete; a name, product, seat count or term that does not fit
// makes it a mismatch; the same change already recorded for the same term makes it a
// duplicate; received after the end of day (term start − 1 month) JST makes it late,
// effective for the following term; else it is accepted.
func Evaluate(in EvalInput) (Evaluation, error) {
	if in.Calendar == nil || in.Received.IsZero() {
		return Evaluation{}, ErrEvalInput
	}
	r, f := in.Request, in.Contract
	ev := Evaluation{Kind: r.Kind, Missing: []string{}, Reasons: []Reason{}}
	ev.Received = calendar.InTokyo(in.Received)
	ev.ReplyBy = in.Calendar.AddBusinessDays(ev.Received, contract.ReplyBusinessDays)
	ev.Missing = missingFields(r, in.Required)

	if r.Contract == "" {
		ev.Outcome = OutcomeIncomplete
		return ev, nil
	}
	if !f.Found {
		ev.Outcome, ev.Reasons = OutcomeMismatch, []Reason{ReasonUnknownContract}
		return ev, nil
	}
	if f.NoRenewal {
		ev.Reasons = append(ev.Reasons, ReasonNoRenewal)
	}
	late := ev.placeTerm(r.RequestedTerm, f.NextStart)
	ev.checkFit(r, f)

	switch {
	case !SenderVerified(in.Sender, f.CustomerEmails):
		ev.Outcome = OutcomeUnverified
		return ev, nil
	case len(ev.Missing) > 0 && !slices.Contains(ev.Reasons, ReasonNoRenewal):
		ev.Outcome = OutcomeIncomplete
		ev.Reasons = []Reason{}
		ev.Supersedes = superseded(in.Earlier, ev, false)
		return ev, nil
	case len(ev.Reasons) > 0:
		ev.Outcome = OutcomeMismatch
		return ev, nil
	}
	for _, e := range in.Earlier {
		if effective(e.Outcome) && e.Term == ev.Term && e.Kind == ev.Kind && (ev.Kind == KindCancellation || e.Seats == ev.Seats) {
			ev.Outcome, ev.DuplicateOf = OutcomeDuplicate, e.ID
			return ev, nil
		}
	}
	ev.Supersedes = superseded(in.Earlier, ev, true)
	if late {
		ev.Outcome = OutcomeLate
	} else {
		ev.Outcome = OutcomeAccepted
	}
	ev.VoidsRenewalInvoice = ev.Outcome == OutcomeAccepted && f.RenewalInvoiceIssued && ev.Term == f.NextStart
	return ev, nil
}

// placeTerm sets the term asked for, its deadline and the term the request takes
// effect for, and reports whether the request is late (received after the deadline,
// or asking for a term already running).
func (ev *Evaluation) placeTerm(requested string, next calendar.Date) bool {
	asked, past, termOK := askedTerm(requested, next)
	if !termOK {
		ev.Reasons = append(ev.Reasons, ReasonTerm)
		asked = next
	}
	ev.AskedTerm = asked
	ev.Deadline = contract.RequestDeadline(asked)
	ev.Term = asked
	late := past || ev.Received.After(ev.Deadline)
	switch {
	case late && past:
		ev.Term = next // a term already running: the next one is the first possible
		if ev.Received.After(contract.RequestDeadline(ev.Term)) {
			ev.Term = contract.NextStart(ev.Term)
		}
	case late:
		ev.Term = contract.NextStart(asked)
	}
	return late
}

// checkFit adds the reasons the request does not fit its contract (name, product,
// seats) and sets the seats of a reduction; a reduction to no seat is a cancellation.
func (ev *Evaluation) checkFit(r Request, f ContractFacts) {
	if r.Contractor != "" && !NameMatches(r.Contractor, f.CustomerName, f.CustomerKana) {
		ev.Reasons = append(ev.Reasons, ReasonContractor)
	}
	if r.Product != "" && !ProductMatches(r.Product, f.PlanCode, f.PlanName, f.PlanAliases...) {
		ev.Reasons = append(ev.Reasons, ReasonProduct)
	}
	if r.Kind == KindCancellation && r.SeatsRemoved != nil && *r.SeatsRemoved != f.Seats {
		ev.Reasons = append(ev.Reasons, ReasonCancelSeats)
	}
	if r.Kind != KindReduction {
		return
	}
	seats, reason := seatsAfter(r, f.Seats)
	if reason != "" {
		ev.Reasons = append(ev.Reasons, reason)
	}
	if reason == "" && seats == 0 && (r.SeatsAfter != nil || r.SeatsRemoved != nil) {
		ev.Kind = KindCancellation // removing every seat ends the contract
	} else {
		ev.Seats = seats
	}
}

func effective(o Outcome) bool { return o == OutcomeAccepted || o == OutcomeLate }

// superseded lists the earlier requests for the same term that ev replaces: incomplete,
// mismatched and unverified ones always (when ev is complete), and effective ones that
// ev changes.
func superseded(earlier []EarlierRequest, ev Evaluation, complete bool) []int64 {
	var ids []int64
	for _, e := range earlier {
		sameTerm := e.Term.IsZero() || e.Term == ev.Term || e.Term == ev.AskedTerm
		switch {
		case !sameTerm:
		case complete && (e.Outcome == OutcomeIncomplete || e.Outcome == OutcomeMismatch || e.Outcome == OutcomeUnverified):
			ids = append(ids, e.ID)
		case complete && effective(e.Outcome) && e.Term == ev.Term:
			ids = append(ids, e.ID) // the customer changed an earlier request before its term
		}
	}
	return ids
}

// missingFields returns the required fields r lacks.
func missingFields(r Request, required []string) []string {
	if required == nil {
		required = []string{FieldContract, FieldContractor, FieldProduct, FieldKind, FieldSeats}
	}
	out := []string{}
	for _, m := range r.Missing {
		if slices.Contains(required, m) {
			out = append(out, m)
		}
	}
	return out
}

// askedTerm resolves a requested term ("YYYY-MM-DD", "YYYY-MM" or "") against the
// contract's next start: the next start or a later term start in the same month.
// past reports a term that has already started; ok is false for a month that is no
// term start of the contract.
func askedTerm(req string, next calendar.Date) (term calendar.Date, past, ok bool) {
	if req == "" {
		return next, false, true
	}
	var y, m int
	if d, err := calendar.ParseDate(req); err == nil {
		y, m = d.Year, int(d.Month)
	} else if t, err := time.Parse("2006-01", req); err == nil {
		y, m = t.Year(), int(t.Month())
	} else {
		return next, false, false
	}
	want := y*12 + m
	ym := func(d calendar.Date) int { return d.Year*12 + int(d.Month) }
	switch {
	case want == ym(next):
		return next, false, true
	case want > ym(next):
		s := next
		for ym(s) < want {
			s = contract.NextStart(s)
		}
		return s, false, ym(s) == want
	default:
		s := next
		for i := 0; i < 100 && ym(s) > want; i++ {
			s = s.AddMonths(-12)
		}
		return next, ym(s) == want, ym(s) == want
	}
}

// seatsAfter computes the seat count a reduction asks for and checks it against the
// contract's seats.
func seatsAfter(r Request, current int) (int, Reason) {
	after := -1
	switch {
	case r.SeatsAfter != nil:
		after = *r.SeatsAfter
		if r.SeatsRemoved != nil && current-*r.SeatsRemoved != after {
			return after, ReasonSeatsInconsistent
		}
	case r.SeatsRemoved != nil:
		after = current - *r.SeatsRemoved
	default:
		return 0, ""
	}
	if r.SeatsBefore != nil && *r.SeatsBefore != current {
		return after, ReasonSeatsInconsistent
	}
	if after < 0 {
		return after, ReasonSeatsInconsistent
	}
	if after >= current {
		return after, ReasonSeatsNotBelow
	}
	return after, ""
}

// NameMatches reports whether a contractor name as written fits the customer's name or
// kana: equal after NormalizeName (株式会社, ㈱, (株), width, spaces, kana size), or
// containing it (a branch, a department or a greeting left around the name:
// "サンプル商事 東京支店"). A shorter name ("サンプル" for "サンプル商事") does not fit.
func NameMatches(written, name, kana string) bool {
	w := NormalizeName(written)
	if w == "" {
		return false
	}
	for _, c := range []string{name, kana} {
		n := NormalizeName(c)
		if n == "" {
			continue
		}
		if w == n || len([]rune(n)) >= 2 && strings.Contains(w, n) {
			return true
		}
	}
	return false
}

// ProductMatches reports whether a product as written fits a plan: equal after
// NormalizeProduct to its code, name or an alias, or containing or contained in one
// of them (at least 4 characters), so that "M365 Business Standard" fits
// "Microsoft 365 Business Standard".
func ProductMatches(written, code, name string, aliases ...string) bool {
	w := NormalizeProduct(written)
	if w == "" {
		return false
	}
	for _, c := range append([]string{code, name}, aliases...) {
		n := NormalizeProduct(c)
		if n == "" {
			continue
		}
		if w == n {
			return true
		}
		short, long := w, n
		if len(short) > len(long) {
			short, long = long, short
		}
		if len(short) >= 4 && strings.Contains(long, short) {
			return true
		}
	}
	return false
}
