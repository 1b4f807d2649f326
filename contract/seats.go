package contract

// SeatAddition is one addition (追加) as the seat arithmetic of SPEC §4.2 sees it: the
// seats one addition invoice adds to one term of a contract. An addition order gives one
// for the term it was ordered in and, when the next term's renewal had already been
// issued, a second one for that next term (its 12-month addition invoice).
type SeatAddition struct {
	// Key names it (the invoice's natural key: "order:EC-1", "order:EC-1:next").
	Key string
	// Term is the start of the term the seats are added to.
	Term Date
	// Seats is how many seats it adds.
	Seats int
	// Ordered is the order date.
	Ordered Date
	// FirstCycle is the first monthly cycle the invoice bills.
	FirstCycle Date
	// Confirmed is the day its payment was confirmed (zero: not paid).
	Confirmed Date
	// Effective is the day its seats take effect (EffectiveCycle; zero: not paid).
	Effective Date
	// InBase is set when the seats went into the term's base at the roll-over (a paid
	// next-term addition): they are then part of Base and not counted again.
	InBase bool
	// Billed says the next term's seats of this addition are already billed: by the
	// renewal that counted it, or by its own next-term addition invoice.
	Billed bool
}

// Paid reports whether the addition's payment was confirmed.
func (a SeatAddition) Paid() bool { return !a.Confirmed.IsZero() }

// SeatsOn returns the seats in effect on day x of the term starting termStart whose
// base (the seats it started with) is base: the base plus every paid addition to that
// term whose effective cycle is on or before x (SPEC §4.2).
func SeatsOn(termStart Date, base int, adds []SeatAddition, x Date) int {
	seats := base
	for _, a := range adds {
		if a.Term == termStart && a.Paid() && !a.InBase && !a.Effective.After(x) {
			seats += a.Seats
		}
	}
	return seats
}

// SeatsHeld returns the seats of the term starting termStart once every paid addition to
// it is in effect (some take effect only at the next term's start): its base plus all
// of them. A reduction request is read against it.
func SeatsHeld(termStart Date, base int, adds []SeatAddition) int {
	seats := base
	for _, a := range adds {
		if a.Term == termStart && a.Paid() && !a.InBase {
			seats += a.Seats
		}
	}
	return seats
}

// Reduction is an accepted reduction (減数) for a next term: its target seats and the
// day its request was received.
type Reduction struct {
	Target   int
	Received Date
}

// RenewalSeats returns what the renewal invoice of the term after the one starting
// termStart bills when it is issued on issue (SPEC §4.2): with an accepted reduction
// for that term, its target plus the paid additions ordered on or after the day the
// reduction was received; else the seats in effect on the issue date plus the paid
// additions that take effect later in the current term (every paid addition of the
// term). Only additions paid by the issue date and not yet billed for the next term
// count. It also returns the keys of the additions the renewal settles for the next
// term: every one paid by then and not yet billed, counted or (ordered before a
// reduction) covered by its target; the rest get their own next-term addition invoice
// when paid.
func RenewalSeats(termStart Date, base int, adds []SeatAddition, issue Date, red *Reduction) (int, []string) {
	seats := base
	if red != nil {
		seats = red.Target
	}
	var settled []string
	for _, a := range adds {
		if a.Term != termStart || !a.Paid() || a.InBase || a.Billed || a.Confirmed.After(issue) {
			continue
		}
		settled = append(settled, a.Key)
		if red == nil || !a.Ordered.Before(red.Received) {
			seats += a.Seats
		}
	}
	return seats, settled
}

// RollOverSeats returns the seats the term starting nextStart begins with (SPEC §4.2):
// the renewal's seats plus the seats of the paid next-term additions, and the keys of
// those additions (they go into the new term's base).
func RollOverSeats(renewalSeats int, nextStart Date, adds []SeatAddition) (int, []string) {
	seats := renewalSeats
	var keys []string
	for _, a := range adds {
		if a.Term == nextStart && a.Paid() && !a.InBase {
			seats += a.Seats
			keys = append(keys, a.Key)
		}
	}
	return seats, keys
}

// NeedsNextTermInvoice reports whether a paid addition to the term starting termStart
// must be billed for the next term on a second addition invoice (SPEC §4.2): it was
// paid (or ordered) after the next term's renewal was issued, so that renewal did not
// count it, and its next term is not billed yet. renewalIssued says whether the renewal
// for the next term exists.
func NeedsNextTermInvoice(a SeatAddition, termStart Date, renewalIssued bool) bool {
	return renewalIssued && a.Term == termStart && a.Paid() && !a.InBase && !a.Billed
}
