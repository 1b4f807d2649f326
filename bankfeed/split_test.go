package bankfeed

import (
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	inv := func(no string, open int64) OpenInvoice { return OpenInvoice{Number: no, Open: open} }
	tests := []struct {
		name    string
		amount  int64
		invs    []OpenInvoice
		applied []Applied
		excess  int64
	}{
		{"exact one", 19800, []OpenInvoice{inv("A", 19800)}, []Applied{{"A", 19800}}, 0},
		{"in the order named", 30000, []OpenInvoice{inv("B", 20000), inv("A", 19800)}, []Applied{{"B", 20000}, {"A", 10000}}, 0},
		{"short: the last named gets what is left", 25000, []OpenInvoice{inv("A", 19800), inv("B", 20000)}, []Applied{{"A", 19800}, {"B", 5200}}, 0},
		{"more than owed", 45000, []OpenInvoice{inv("A", 19800), inv("B", 20000)}, []Applied{{"A", 19800}, {"B", 20000}}, 5200},
		{"an invoice that owes nothing gets nothing", 1000, []OpenInvoice{inv("A", 0), inv("B", 500)}, []Applied{{"B", 500}}, 500},
		{"no invoice", 1000, nil, nil, 1000},
		{"nothing to split", 0, []OpenInvoice{inv("A", 100)}, nil, 0},
	}
	for _, tt := range tests {
		applied, excess := Split(tt.amount, tt.invs)
		if !slices.Equal(applied, tt.applied) || excess != tt.excess {
			t.Errorf("%s: Split = %v, %d; want %v, %d", tt.name, applied, excess, tt.applied, tt.excess)
		}
	}
}
