package masterdata

import "slices"

// Change is one field of a stored record that a file would change, for the review an
// import prints before --apply and for the audit trail. From and To are the texts
// Write would write.
type Change struct {
	Key   string `json:"key"`   // the record's natural key: customer_no, "plan_code valid_from", contract_no, order_no
	Field string `json:"field"` // the English column name
	From  string `json:"from"`
	To    string `json:"to"`
}

// Record is a master data record.
type Record interface {
	Customer | Plan | Contract | Order
}

// Key returns the natural key of a record: the customer, contract or order number, or
// for a price-list row the plan code and valid_from ("M365-BS 2026-04-01").
func Key[T Record](r T) string {
	switch r := any(r).(type) {
	case Customer:
		return r.No
	case Plan:
		return r.Code + " " + r.ValidFrom.String()
	case Contract:
		return r.No
	case Order:
		return r.No
	}
	return ""
}

// Diff lists the fields that differ between the stored record old and the record new
// read from a file, in column order, comparing only the given columns (File.Columns:
// a column a file leaves out is not a change); nil columns compares them all. Line is
// never compared.
func Diff[T Record](old, new T, columns []string) []Change {
	switch o := any(old).(type) {
	case Customer:
		n := any(new).(Customer)
		return diff(customerColumns, &o, &n, Key(new), columns)
	case Plan:
		n := any(new).(Plan)
		return diff(planColumns, &o, &n, Key(new), columns)
	case Contract:
		n := any(new).(Contract)
		return diff(contractColumns, &o, &n, Key(new), columns)
	case Order:
		n := any(new).(Order)
		return diff(orderColumns, &o, &n, Key(new), columns)
	}
	return nil
}

func diff[T any](cols []column[T], old, new *T, key string, only []string) []Change {
	var out []Change
	for _, c := range cols {
		if only != nil && !slices.Contains(only, c.name) {
			continue
		}
		if a, b := c.get(old), c.get(new); a != b {
			out = append(out, Change{Key: key, Field: c.name, From: a, To: b})
		}
	}
	return out
}

// Merge returns old with the given columns taken from new: what storing a file's record
// over a stored one means when the file has only some columns. nil columns takes all.
// The result keeps old's Line.
func Merge[T Record](old, new T, columns []string) T {
	switch o := any(old).(type) {
	case Customer:
		n := any(new).(Customer)
		merge(customerColumns, &o, &n, columns)
		return any(o).(T)
	case Plan:
		n := any(new).(Plan)
		merge(planColumns, &o, &n, columns)
		return any(o).(T)
	case Contract:
		n := any(new).(Contract)
		merge(contractColumns, &o, &n, columns)
		return any(o).(T)
	case Order:
		n := any(new).(Order)
		merge(orderColumns, &o, &n, columns)
		return any(o).(T)
	}
	return old
}

func merge[T any](cols []column[T], dst, src *T, only []string) {
	for _, c := range cols {
		if only == nil || slices.Contains(only, c.name) {
			c.set(dst, src)
		}
	}
}
