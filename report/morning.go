package report

import (
	"slices"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

// Standing is how the report's date stands in the run ledger, and the customers its
// numbers name. A date with no successful night shows a red banner and no figures, so
// that nobody reads an empty page as a quiet night.
type Standing struct {
	// NotRun is set when the date has no successful night (none ran, every run failed,
	// or only some steps ran).
	NotRun bool
	// Attempts are the runs of the date in the run ledger, latest first.
	Attempts []store.Run
	// Customers are the customers the report's suggestions name, by customer number,
	// so that a number is never shown without the company's name and kana.
	Customers map[string]Customer
}

// Customer is a customer as a page names it beside its number.
type Customer struct {
	Name, Kana string
}

// Tile is one tile of 今朝の対応: what to do this morning, how many, and the anchor of
// the page where they are listed.
type Tile struct {
	Label string
	N     int
	Href  string
	// Urgent tiles are red while N > 0.
	Urgent bool
}

// Morning is 今朝の対応, what leads the page: the service stops due today, the open
// exceptions by kind, the documents that must not be posted, and the tasks past their
// deadline. The tiles link to the sections that list them.
func (d Data) Morning() []Tile {
	stops, late := 0, 0
	for _, t := range d.Tasks {
		if t.Kind == "stop_service" && t.DueDate == d.Date {
			stops++
		}
		if t.Overdue {
			late++
		}
	}
	tiles := []Tile{{Label: "今日のサービス停止", N: stops, Href: "#tasks", Urgent: true}}
	groups := ExceptionGroups(d.Exceptions)
	for _, g := range groups {
		tiles = append(tiles, Tile{Label: "例外: " + wording.ExceptionKinds.Name(g.Kind), N: len(g.Items), Href: "#ex-" + g.Kind,
			Urgent: g.Kind == "invariant"})
	}
	if len(groups) == 0 {
		tiles = append(tiles, Tile{Label: "未対応の例外", Href: "#exceptions"})
	}
	return append(tiles,
		Tile{Label: "郵送してはいけない書類", N: len(d.Voided), Href: "#voided", Urgent: true},
		Tile{Label: "期限を過ぎた作業", N: late, Href: "#tasks", Urgent: true})
}

// ExceptionGroup is the open exceptions of one kind.
type ExceptionGroup struct {
	Kind  string
	Items []store.Exception
}

// kindOrder puts the exceptions that hold or may lose a customer's money first.
var kindOrder = []string{"invariant", "after_suspension", "overpayment", "unknown", "ambiguous", "account_unknown",
	"voided_paid", "lapsed_paid", "partial", "review", "reversal_unmatched", "bank_file_rejected"}

// ExceptionGroups groups exceptions by kind, the kinds that hold money first, each in
// the order given.
func ExceptionGroups(xs []store.Exception) []ExceptionGroup {
	var out []ExceptionGroup
	at := map[string]int{}
	for _, x := range xs {
		i, ok := at[x.Kind]
		if !ok {
			i = len(out)
			at[x.Kind] = i
			out = append(out, ExceptionGroup{Kind: x.Kind})
		}
		out[i].Items = append(out[i].Items, x)
	}
	rank := func(k string) int {
		if i := slices.Index(kindOrder, k); i >= 0 {
			return i
		}
		return len(kindOrder)
	}
	slices.SortStableFunc(out, func(a, b ExceptionGroup) int { return rank(a.Kind) - rank(b.Kind) })
	return out
}

// ExceptionStep is what staff do about exception x (wording.StepOf): one action per kind.
func ExceptionStep(x store.Exception) wording.ExceptionStep {
	return wording.StepOf(x.Kind, x.Held, x.TxnID.Valid && x.TxnID.Int64 > 0)
}
