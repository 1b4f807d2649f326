package masterdata

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExamples reads examples/*.csv in import order into an empty database, each with a
// Lookup built from the files before it, and expects every row valid.
func TestExamples(t *testing.T) {
	idx := NewIndex()
	want := map[Kind]int{Plans: 5, Customers: 7, Contracts: 8, Orders: 5}
	seen := map[OrderKind]bool{}
	for _, kind := range Kinds() {
		name := filepath.Join("..", "examples", string(kind)+".csv")
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Read(kind, name, data, Options{Lookup: idx})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range f.Errors {
			t.Errorf("%s: %v", name, e)
		}
		for _, w := range f.Warnings {
			t.Errorf("%s: unexpected warning line %d %s: %s", name, w.Line, w.Column, w.Message)
		}
		if f.Rows != want[kind] {
			t.Errorf("%s: %d rows, want %d", name, f.Rows, want[kind])
		}
		idx.AddFile(f)
		for _, o := range f.Orders {
			seen[o.Kind] = true
		}
		if kind == Customers {
			var parents int
			for _, c := range f.Customers {
				if c.ParentNo != "" {
					parents++
				}
			}
			if parents == 0 {
				t.Errorf("%s: no parent/subsidiary pair", name)
			}
		}
	}
	for _, k := range []OrderKind{New, Addition, Migration} {
		if !seen[k] {
			t.Errorf("examples/orders.csv has no %s order", k)
		}
	}
}
