package contract

import (
	"slices"
	"testing"
)

// The seat arithmetic of SPEC §4.2, case by case, on a term 2026-04-15..2027-04-14 of
// 10 seats whose renewal is issued on 2027-03-15.
func TestSeatArithmetic(t *testing.T) {
	term, next := d("2026-04-15"), d("2027-04-15")
	issue := d("2027-03-15")
	paid := func(key string, seats int, ordered, confirmed, effective string) SeatAddition {
		return SeatAddition{Key: key, Term: term, Seats: seats, Ordered: d(ordered), FirstCycle: d(effective),
			Confirmed: d(confirmed), Effective: d(effective)}
	}
	unpaid := func(key string, seats int, ordered string) SeatAddition {
		return SeatAddition{Key: key, Term: term, Seats: seats, Ordered: d(ordered), FirstCycle: d("2026-06-15")}
	}
	early := paid("a", 5, "2026-05-20", "2026-06-01", "2026-06-15")        // in effect from June
	late := paid("b", 2, "2027-02-20", "2027-03-01", "2027-03-15")         // takes effect on the issue date
	later := paid("c", 3, "2027-03-01", "2027-03-10", "2027-04-15")        // paid before the issue, in effect next term
	afterIssue := paid("d", 4, "2027-03-01", "2027-03-16", "2027-04-15")   // paid the day after the renewal
	orderedAfter := paid("e", 1, "2027-03-20", "2027-03-22", "2027-04-15") // ordered after the renewal
	never := unpaid("f", 7, "2026-09-01")
	other := SeatAddition{Key: "g", Term: d("2025-04-15"), Seats: 9, Confirmed: d("2025-05-01"), Effective: d("2025-05-15")}

	on := []struct {
		name string
		adds []SeatAddition
		x    string
		want int
	}{
		{"base alone", nil, "2026-05-01", 10},
		{"before the effective cycle", []SeatAddition{early}, "2026-06-14", 10},
		{"on the effective cycle", []SeatAddition{early}, "2026-06-15", 15},
		{"an unpaid addition counts never", []SeatAddition{early, never}, "2027-04-14", 15},
		{"an addition to another term", []SeatAddition{other}, "2026-12-01", 10},
		{"an addition effective in the next term", []SeatAddition{early, later}, "2027-04-14", 15},
		{"several", []SeatAddition{early, late}, "2027-03-15", 17},
	}
	for _, tt := range on {
		if got := SeatsOn(term, 10, tt.adds, d(tt.x)); got != tt.want {
			t.Errorf("SeatsOn %s (%s) = %d, want %d", tt.name, tt.x, got, tt.want)
		}
	}

	if got := SeatsHeld(term, 10, []SeatAddition{early, later, never, other}); got != 18 {
		t.Errorf("SeatsHeld = %d, want 18: the base and every paid addition of the term, in effect now or later", got)
	}

	all := []SeatAddition{early, late, later, afterIssue, orderedAfter, never, other}
	renewal := []struct {
		name    string
		red     *Reduction
		adds    []SeatAddition
		seats   int
		settled []string
	}{
		{"no addition", nil, nil, 10, nil},
		{"in effect on the issue date and later in the term", nil, all, 10 + 5 + 2 + 3, []string{"a", "b", "c"}},
		{"an addition already billed is not counted again", nil, []SeatAddition{early, billed(late)}, 15, []string{"a"}},
		{"a reduction's target alone", &Reduction{Target: 8, Received: d("2027-03-05")}, []SeatAddition{early, late}, 8, []string{"a", "b"}},
		{"a reduction plus the additions ordered after it", &Reduction{Target: 8, Received: d("2027-02-20")}, all, 8 + 2 + 3, []string{"a", "b", "c"}},
		{"ordered the day the reduction came counts as after", &Reduction{Target: 8, Received: d("2027-03-01")}, []SeatAddition{later}, 11, []string{"c"}},
	}
	for _, tt := range renewal {
		seats, settled := RenewalSeats(term, 10, tt.adds, issue, tt.red)
		if seats != tt.seats || !slices.Equal(settled, tt.settled) {
			t.Errorf("RenewalSeats %s = %d %v, want %d %v", tt.name, seats, settled, tt.seats, tt.settled)
		}
	}

	second := []struct {
		name    string
		a       SeatAddition
		renewed bool
		want    bool
	}{
		{"paid after the renewal was issued", afterIssue, true, true},
		{"ordered after the renewal was issued", orderedAfter, true, true},
		{"no renewal yet: the renewal will count it", afterIssue, false, false},
		{"never paid gets none", never, true, false},
		{"already billed", billed(afterIssue), true, false},
		{"an addition of another term", other, true, false},
	}
	for _, tt := range second {
		if got := NeedsNextTermInvoice(tt.a, term, tt.renewed); got != tt.want {
			t.Errorf("NeedsNextTermInvoice %s = %v, want %v", tt.name, got, tt.want)
		}
	}

	nextPaid := SeatAddition{Key: "d:next", Term: next, Seats: 4, Confirmed: d("2027-03-20"), Effective: next, FirstCycle: next}
	nextUnpaid := SeatAddition{Key: "e:next", Term: next, Seats: 1, FirstCycle: next}
	seats, keys := RollOverSeats(17, next, []SeatAddition{early, nextPaid, nextUnpaid})
	if seats != 21 || !slices.Equal(keys, []string{"d:next"}) {
		t.Errorf("RollOverSeats = %d %v, want 21 [d:next]: the renewal's seats plus the paid next-term additions", seats, keys)
	}
	// After the roll-over the paid next-term addition is part of the base; one paid
	// later takes effect at its next cycle like any addition of the term.
	nextPaid.InBase = true
	paidLate := nextUnpaid
	paidLate.Confirmed, paidLate.Effective = d("2027-05-02"), d("2027-05-15")
	adds := []SeatAddition{nextPaid, paidLate}
	for _, c := range []struct {
		x    string
		want int
	}{{"2027-04-15", 21}, {"2027-05-14", 21}, {"2027-05-15", 22}} {
		if got := SeatsOn(next, 21, adds, d(c.x)); got != c.want {
			t.Errorf("next term SeatsOn(%s) = %d, want %d", c.x, got, c.want)
		}
	}
}

func billed(a SeatAddition) SeatAddition { a.Billed = true; return a }
