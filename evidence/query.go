package evidence

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/npress/nightly/calendar"
)

// Query is a search of the ledger by the three attributes the 電子帳簿保存法 requires
// (取引年月日, 取引金額, 取引先). Zero fields do not restrict; bounds are inclusive. The
// database search in store/ is the real one; Match states the same rule over values so
// that the web, the CLI and their tests agree on it.
type Query struct {
	From, To             calendar.Date
	AmountMin, AmountMax *int64
	Counterparty         string // part of the name, compared as FoldCounterparty
}

// Validate reports a query whose range is empty by construction (From after To, or
// AmountMin above AmountMax), which is almost always a typing mistake.
func (q Query) Validate() error {
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return fmt.Errorf("evidence: search: --from %s is after --to %s", q.From, q.To)
	}
	if q.AmountMin != nil && q.AmountMax != nil && *q.AmountMin > *q.AmountMax {
		return fmt.Errorf("evidence: search: --amount-min %d is above --amount-max %d", *q.AmountMin, *q.AmountMax)
	}
	return nil
}

// Match reports whether e satisfies q. An entry without a date never matches a date
// bound, and one without an amount never matches an amount bound.
func (q Query) Match(e Entry) bool {
	if !q.From.IsZero() && (e.Date.IsZero() || e.Date.Before(q.From)) {
		return false
	}
	if !q.To.IsZero() && (e.Date.IsZero() || e.Date.After(q.To)) {
		return false
	}
	if q.AmountMin != nil && (!e.HasAmount || e.Amount < *q.AmountMin) {
		return false
	}
	if q.AmountMax != nil && (!e.HasAmount || e.Amount > *q.AmountMax) {
		return false
	}
	if q.Counterparty != "" {
		want := FoldCounterparty(q.Counterparty)
		if want != "" && !strings.Contains(FoldCounterparty(e.Counterparty), want) {
			return false
		}
	}
	return true
}

// FoldCounterparty returns the form in which counterparty names are compared: Unicode
// NFKC, which folds full and half width and joins voiced marks (ＡＢＣ → ABC, ﾔﾏﾀﾞ →
// ヤマダ, ㈱ → (株)), then lower case, with spaces of any width removed. store/ can keep
// this form in a column to search with LIKE.
func FoldCounterparty(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
