package mailintake

import (
	"slices"
	"testing"

	"github.com/npress/nightly/calendar"
)

func TestRegisteredAddresses(t *testing.T) {
	for in, want := range map[string][]string{
		"":                                       nil,
		"keiri@sample.co.jp":                     {"keiri@sample.co.jp"},
		" Keiri@Sample.co.jp ; it@sample.co.jp;": {"keiri@sample.co.jp", "it@sample.co.jp"},
	} {
		if got := RegisteredAddresses(in); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

func TestSenderVerified(t *testing.T) {
	reg := []string{"keiri@sample-shoji.co.jp", "yamada.taro@gmail.com"}
	tests := []struct {
		sender string
		want   bool
	}{
		{"keiri@sample-shoji.co.jp", true},
		{"KEIRI@Sample-Shoji.co.jp", true},
		{"it@sample-shoji.co.jp", true},       // the domain of a registered address
		{"it@tokyo.sample-shoji.co.jp", true}, // a subdomain of it
		{"yamada.taro@gmail.com", true},       // a registered free-mail address itself
		{"attacker@gmail.com", false},         // but not its domain
		{"it@evil-sample-shoji.co.jp", false}, // a domain that only ends alike
		{"it@sample-shoji.co.jp.evil.example", false},
		{"", false},
		{"no-at-sign", false},
	}
	for _, tt := range tests {
		if got := SenderVerified(tt.sender, reg); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.sender, got, tt.want)
		}
	}
	if SenderVerified("keiri@sample-shoji.co.jp", nil) {
		t.Error("a customer without a registered address verified a sender")
	}
}

// TestUnverifiedSender: a complete, on-time request from an address the customer did
// not register is held as unverified, with its term, kind and seats computed for staff
// and nothing superseded (SPEC §7.4).
func TestUnverifiedSender(t *testing.T) {
	cal := calendar.NewCalendar(calendar.Options{})
	earlier := []EarlierRequest{{ID: 7, Outcome: OutcomeIncomplete, Term: calendar.MustParse("2027-04-01"), Kind: KindReduction}}
	for _, tt := range []struct {
		sender string
		want   Outcome
	}{
		{"attacker@evil.example", OutcomeUnverified},
		{"attacker@gmail.com", OutcomeUnverified},
		{"", OutcomeUnverified},
		{"somebody@sample-shoji.co.jp", OutcomeAccepted},
	} {
		ev, err := Evaluate(EvalInput{Request: req(nil), Sender: tt.sender, Received: jst(2026, 10, 1, 10, 0, 0), Contract: facts, Earlier: earlier, Calendar: cal})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Outcome != tt.want || ev.Term.String() != "2027-04-01" || ev.Seats != 15 || ev.Kind != KindReduction {
			t.Errorf("%q: %+v, want %s", tt.sender, ev, tt.want)
		}
		if tt.want == OutcomeUnverified && len(ev.Supersedes) != 0 {
			t.Errorf("%q: an unverified request supersedes %v", tt.sender, ev.Supersedes)
		}
	}
	// An incomplete or mismatched request from an unknown sender is unverified too:
	// nothing about the contract is answered to the sender.
	r := req(func(r *Request) { r.SeatsAfter, r.Missing = nil, []string{FieldSeats} })
	ev, _ := Evaluate(EvalInput{Request: r, Sender: "x@evil.example", Received: jst(2026, 10, 1, 10, 0, 0), Contract: facts, Calendar: cal})
	if ev.Outcome != OutcomeUnverified || !slices.Equal(ev.Missing, []string{FieldSeats}) {
		t.Errorf("incomplete from an unknown sender: %+v", ev)
	}
}
