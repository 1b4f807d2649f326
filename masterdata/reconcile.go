package masterdata

import (
	"fmt"
	"maps"
	"slices"
)

// Stored is what the database holds of the master data, as records keyed by their
// natural keys (Key): what Reconcile compares a file with.
type Stored struct {
	Customers map[string]Customer
	Plans     map[string]Plan // by Key: plan code and valid_from
	Contracts map[string]Contract
	Orders    map[string]Order
}

// Pending is a record of a file that differs from what is stored: a new one, or a
// stored one with Changes. Record is what to store: the file's record, or for a stored
// one the stored record with the file's columns taken over (Merge).
type Pending[T Record] struct {
	Key     string
	Created bool
	Changes []Change
	Record  T
}

// Reconciled is what storing a file would do: the records to store (in file order),
// the counts an import reports, and the rows it refuses. When Errors is not empty
// nothing may be stored and the counts are zero.
type Reconciled struct {
	Customers []Pending[Customer]
	Plans     []Pending[Plan]
	Contracts []Pending[Contract]
	Orders    []Pending[Order]

	Created, Updated, Unchanged int
	Changes                     []Change // of the updated records, in file order
	Errors                      []RowError
}

// Reconcile compares the valid records of f with what is stored: a record not stored
// is created; a stored one is merged with the columns the file has (File.Columns) and
// updated when that changes it; an order is a fact of the past, so a stored order that
// the file gives differently is a row error per field (give a new order its own
// number), never an update.
func Reconcile(f *File, s Stored) Reconciled {
	var r Reconciled
	switch f.Kind {
	case Customers:
		r.Customers = reconcile(&r, f.Customers, s.Customers, f.Columns)
	case Plans:
		r.Plans = reconcile(&r, f.Plans, s.Plans, f.Columns)
	case Contracts:
		r.Contracts = reconcile(&r, f.Contracts, s.Contracts, f.Columns)
	case Orders:
		r.Orders = reconcileOrders(&r, f.Orders, s.Orders, f.Columns)
	}
	if len(r.Errors) > 0 {
		r = Reconciled{Errors: r.Errors}
	}
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	return r
}

// reconcile is Reconcile for customers, plans and contracts.
func reconcile[T Record](r *Reconciled, recs []T, stored map[string]T, cols []string) []Pending[T] {
	var out []Pending[T]
	for _, rec := range recs {
		key := Key(rec)
		old, ok := stored[key]
		if !ok {
			r.Created++
			out = append(out, Pending[T]{Key: key, Created: true, Record: rec})
			continue
		}
		merged := Merge(old, rec, cols)
		ch := Diff(old, merged, nil)
		if len(ch) == 0 {
			r.Unchanged++
			continue
		}
		r.Updated++
		r.Changes = append(r.Changes, ch...)
		out = append(out, Pending[T]{Key: key, Changes: ch, Record: merged})
	}
	return out
}

func reconcileOrders(r *Reconciled, orders []Order, stored map[string]Order, cols []string) []Pending[Order] {
	var out []Pending[Order]
	for _, od := range orders {
		old, ok := stored[od.No]
		if !ok {
			r.Created++
			out = append(out, Pending[Order]{Key: od.No, Created: true, Record: od})
			continue
		}
		for _, c := range Diff(old, od, cols) {
			r.Errors = append(r.Errors, RowError{Line: od.Line, Column: c.Field,
				Reason: fmt.Sprintf("order %s is already stored with %s %q, not %q; a stored order is never changed by a file: give a new order its own order number",
					od.No, c.Field, c.From, c.To)})
		}
		r.Unchanged++
	}
	return out
}

// File returns the stored records of kind as a file, in key order: what an export
// writes, so that export → edit → import changes nothing.
func (s Stored) File(kind Kind) *File {
	f := &File{Kind: kind}
	switch kind {
	case Customers:
		f.Customers = sortedValues(s.Customers)
	case Plans:
		f.Plans = sortedValues(s.Plans)
	case Contracts:
		f.Contracts = sortedValues(s.Contracts)
	case Orders:
		f.Orders = sortedValues(s.Orders)
	}
	return f
}

func sortedValues[T any](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
