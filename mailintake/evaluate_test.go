package mailintake

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

func jst(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, calendar.Tokyo)
}

var facts = ContractFacts{
	Found: true, CustomerName: "株式会社サンプル商事", CustomerKana: "ｻﾝﾌﾟﾙｼｮｳｼﾞ",
	PlanCode: "MS365-BS", PlanName: "Microsoft 365 Business Standard", Seats: 20,
	NextStart:      calendar.MustParse("2027-04-01"),
	CustomerEmails: []string{"it@sample-shoji.co.jp"},
}

// sender is an address at the domain of the customer's registered one.
const sender = "yamada@sample-shoji.co.jp"

func req(mod func(*Request)) Request {
	r := Request{Contract: "NP-0001234", Contractor: "株式会社サンプル商事", Product: "Microsoft 365 Business Standard",
		SeatsAfter: ip(15), Kind: KindReduction, Missing: []string{}}
	if mod != nil {
		mod(&r)
	}
	return r
}

// TestEvaluate is one table of cases (long: a row per rule of SPEC §4.4 and §7.4).
func TestEvaluate(t *testing.T) {
	cal := calendar.NewCalendar(calendar.Options{})
	issued := facts
	issued.RenewalInvoiceIssued = true
	d := calendar.MustParse
	tests := []struct {
		name     string
		r        Request
		received time.Time
		f        ContractFacts
		earlier  []EarlierRequest
		outcome  Outcome
		term     string
		seats    int
		replyBy  string
		reasons  []Reason
		missing  []string
		void     bool
		dupOf    int64
		supers   []int64
		kind     Kind
	}{
		{name: "on time", r: req(nil), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeAccepted, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", kind: KindReduction},
		{name: "deadline day 23:59:59 JST, invoice already issued", r: req(nil), received: jst(2027, 3, 1, 23, 59, 59), f: issued,
			outcome: OutcomeAccepted, term: "2027-04-01", seats: 15, replyBy: "2027-03-03", void: true, kind: KindReduction},
		{name: "00:00:00 JST the day after", r: req(nil), received: jst(2027, 3, 2, 0, 0, 0), f: issued,
			outcome: OutcomeLate, term: "2028-04-01", seats: 15, replyBy: "2027-03-04", kind: KindReduction},
		{name: "15:00 UTC on the deadline is the next day in JST", r: req(nil), received: time.Date(2027, 3, 1, 15, 0, 0, 0, time.UTC), f: facts,
			outcome: OutcomeLate, term: "2028-04-01", seats: 15, replyBy: "2027-03-04", kind: KindReduction},
		{name: "cancellation on time", r: req(func(r *Request) { r.Kind, r.SeatsAfter = KindCancellation, nil }), received: jst(2027, 2, 26, 9, 0, 0), f: issued,
			outcome: OutcomeAccepted, term: "2027-04-01", replyBy: "2027-03-02", void: true, kind: KindCancellation},
		{name: "incomplete: seats missing", r: req(func(r *Request) { r.SeatsAfter, r.Missing = nil, []string{FieldSeats} }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeIncomplete, term: "2027-04-01", replyBy: "2026-10-05", missing: []string{FieldSeats}, kind: KindReduction},
		{name: "incomplete: no contract number", r: Request{Kind: KindCancellation, Missing: []string{FieldContract, FieldContractor, FieldProduct}},
			received: jst(2026, 10, 1, 10, 0, 0), outcome: OutcomeIncomplete, replyBy: "2026-10-05",
			missing: []string{FieldContract, FieldContractor, FieldProduct}, kind: KindCancellation},
		{name: "mismatch: unknown contract", r: req(nil), received: jst(2026, 10, 1, 10, 0, 0), f: ContractFacts{},
			outcome: OutcomeMismatch, replyBy: "2026-10-05", reasons: []Reason{ReasonUnknownContract}, kind: KindReduction},
		{name: "mismatch: wrong name", r: req(func(r *Request) { r.Contractor = "株式会社ほかの会社" }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeMismatch, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", reasons: []Reason{ReasonContractor}, kind: KindReduction},
		{name: "mismatch: wrong product", r: req(func(r *Request) { r.Product = "Microsoft 365 E3" }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeMismatch, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", reasons: []Reason{ReasonProduct}, kind: KindReduction},
		{name: "mismatch: seats not below current", r: req(func(r *Request) { r.SeatsAfter = ip(20) }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeMismatch, term: "2027-04-01", seats: 20, replyBy: "2026-10-05", reasons: []Reason{ReasonSeatsNotBelow}, kind: KindReduction},
		{name: "mismatch: '25 → 15' but the contract has 20", r: req(func(r *Request) { r.SeatsBefore = ip(25) }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeMismatch, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", reasons: []Reason{ReasonSeatsInconsistent}, kind: KindReduction},
		{name: "mismatch: remove more than held", r: req(func(r *Request) { r.SeatsAfter, r.SeatsRemoved = nil, ip(25) }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeMismatch, term: "2027-04-01", seats: -5, replyBy: "2026-10-05", reasons: []Reason{ReasonSeatsInconsistent}, kind: KindReduction},
		{name: "remove 5 of 20", r: req(func(r *Request) { r.SeatsAfter, r.SeatsRemoved = nil, ip(5) }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeAccepted, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", kind: KindReduction},
		{name: "remove every seat is a cancellation", r: req(func(r *Request) { r.SeatsAfter, r.SeatsRemoved = nil, ip(20) }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeAccepted, term: "2027-04-01", replyBy: "2026-10-05", kind: KindCancellation},
		{name: "duplicate of an accepted one", r: req(nil), received: jst(2026, 10, 2, 10, 0, 0), f: facts,
			earlier: []EarlierRequest{{ID: 3, Outcome: OutcomeAccepted, Term: d("2027-04-01"), Kind: KindReduction, Seats: 15}},
			outcome: OutcomeDuplicate, term: "2027-04-01", seats: 15, replyBy: "2026-10-06", dupOf: 3, kind: KindReduction},
		{name: "complete one supersedes an incomplete one", r: req(nil), received: jst(2026, 10, 2, 10, 0, 0), f: facts,
			earlier: []EarlierRequest{{ID: 7, Outcome: OutcomeIncomplete, Term: d("2027-04-01"), Kind: KindReduction}},
			outcome: OutcomeAccepted, term: "2027-04-01", seats: 15, replyBy: "2026-10-06", supers: []int64{7}, kind: KindReduction},
		{name: "a changed accepted request supersedes it", r: req(func(r *Request) { r.SeatsAfter = ip(12) }), received: jst(2026, 10, 2, 10, 0, 0), f: facts,
			earlier: []EarlierRequest{{ID: 3, Outcome: OutcomeAccepted, Term: d("2027-04-01"), Kind: KindReduction, Seats: 15},
				{ID: 4, Outcome: OutcomeAccepted, Term: d("2028-04-01"), Kind: KindCancellation}},
			outcome: OutcomeAccepted, term: "2027-04-01", seats: 12, replyBy: "2026-10-06", supers: []int64{3}, kind: KindReduction},
		{name: "names a later term", r: req(func(r *Request) { r.RequestedTerm = "2028-04" }), received: jst(2027, 3, 20, 10, 0, 0), f: facts,
			outcome: OutcomeAccepted, term: "2028-04-01", seats: 15, replyBy: "2027-03-24", kind: KindReduction}, // 3/21 equinox is a Sunday: 3/22 振替休日
		{name: "names the running term", r: req(func(r *Request) { r.RequestedTerm = "2026-04-01" }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeLate, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", kind: KindReduction},
		{name: "names a month that is no term start", r: req(func(r *Request) { r.RequestedTerm = "2027-05" }), received: jst(2026, 10, 1, 10, 0, 0), f: facts,
			outcome: OutcomeMismatch, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", reasons: []Reason{ReasonTerm}, kind: KindReduction},
		{name: "contract does not renew", r: req(nil), received: jst(2026, 10, 1, 10, 0, 0), f: func() ContractFacts { f := facts; f.NoRenewal = true; return f }(),
			outcome: OutcomeMismatch, term: "2027-04-01", seats: 15, replyBy: "2026-10-05", reasons: []Reason{ReasonNoRenewal}, kind: KindReduction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Evaluate(EvalInput{Request: tt.r, Sender: sender, Received: tt.received, Contract: tt.f, Earlier: tt.earlier, Calendar: cal})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Outcome != tt.outcome || ev.Term.String() != tt.term || ev.Seats != tt.seats || ev.ReplyBy.String() != tt.replyBy ||
				ev.VoidsRenewalInvoice != tt.void || ev.DuplicateOf != tt.dupOf || ev.Kind != tt.kind {
				t.Errorf("got %s term %s seats %d reply-by %s void %v dup %d kind %s; want %s %s %d %s %v %d %s",
					ev.Outcome, ev.Term, ev.Seats, ev.ReplyBy, ev.VoidsRenewalInvoice, ev.DuplicateOf, ev.Kind,
					tt.outcome, tt.term, tt.seats, tt.replyBy, tt.void, tt.dupOf, tt.kind)
			}
			if !slices.Equal(ev.Reasons, nz(tt.reasons)) || !slices.Equal(ev.Missing, nz(tt.missing)) || !slices.Equal(ev.Supersedes, tt.supers) {
				t.Errorf("reasons %v missing %v supersedes %v; want %v %v %v", ev.Reasons, ev.Missing, ev.Supersedes, tt.reasons, tt.missing, tt.supers)
			}
		})
	}
	if _, err := Evaluate(EvalInput{Request: req(nil), Received: jst(2026, 10, 1, 0, 0, 0)}); !errors.Is(err, ErrEvalInput) {
		t.Errorf("no calendar: err %v", err)
	}
}

func nz[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// TestDateHeaderIgnored: a message whose Date header is before the deadline but whose
// INTERNALDATE is after it is late.
func TestDateHeaderIgnored(t *testing.T) {
	raw := []byte("From: a@example.jp\r\nSubject: NP-0001234 解約\r\nDate: Mon, 01 Mar 2027 20:00:00 +0900\r\nMessage-ID: <x@y>\r\n\r\n株式会社サンプル商事です。Microsoft 365 Business Standard を解約します。\r\n")
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := Extract(m, ExtractOptions{})[0]
	ev, err := Evaluate(EvalInput{Request: r, Sender: sender, Received: jst(2027, 3, 2, 0, 0, 0), Contract: facts, Calendar: calendar.NewCalendar(calendar.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Outcome != OutcomeLate || ev.Term.String() != "2028-04-01" {
		t.Errorf("got %s for term %s, want late for 2028-04-01 (request %+v)", ev.Outcome, ev.Term, r)
	}
}

func TestNameMatches(t *testing.T) {
	for _, w := range []string{"株式会社サンプル商事", "㈱サンプル商事", "(株)サンプル商事", "（株）サンプル商事", "サンプル商事", "サンプル商事 株式会社",
		"株式会社　サンプル　商事", "ｻﾝﾌﾟﾙｼｮｳｼﾞ", "サンプルショウジ", "株式会社サンプル商事 東京支店", "ｻﾝﾌﾟﾙｼﾖｳｼﾞ", "弊社サンプル商事"} {
		if !NameMatches(w, "株式会社サンプル商事", "ｻﾝﾌﾟﾙｼｮｳｼﾞ") {
			t.Errorf("%q does not match", w)
		}
	}
	for _, w := range []string{"株式会社サンプル", "サン", "株式会社", "サンプル物産"} {
		if NameMatches(w, "株式会社サンプル商事", "ｻﾝﾌﾟﾙｼｮｳｼﾞ") {
			t.Errorf("%q matches", w)
		}
	}
}

// TestCancellationQuantity: a cancellation that states how many seats it cancels is
// accepted when that is the contract's seats and a mismatch otherwise, for staff to
// ask (SPEC §7.4).
func TestCancellationQuantity(t *testing.T) {
	cal := calendar.NewCalendar(calendar.Options{})
	for _, tt := range []struct {
		removed *int
		outcome Outcome
		reasons []Reason
	}{
		{ip(20), OutcomeAccepted, []Reason{}},
		{ip(5), OutcomeMismatch, []Reason{ReasonCancelSeats}},
		{nil, OutcomeAccepted, []Reason{}},
	} {
		r := req(func(r *Request) { r.Kind, r.SeatsAfter, r.SeatsRemoved = KindCancellation, nil, tt.removed })
		ev, err := Evaluate(EvalInput{Request: r, Sender: sender, Received: jst(2026, 10, 1, 10, 0, 0), Contract: facts, Calendar: cal})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Outcome != tt.outcome || !slices.Equal(ev.Reasons, tt.reasons) || ev.Kind != KindCancellation {
			t.Errorf("cancel %s of 20 seats: %s %v %s, want %s %v", fmtp(tt.removed), ev.Outcome, ev.Reasons, ev.Kind, tt.outcome, tt.reasons)
		}
	}
	if ReasonCancelSeats.Japanese() == string(ReasonCancelSeats) {
		t.Error("no Japanese text for cancel_seats")
	}
}
