package masterdata

import "slices"

// Index is an in-memory Lookup: the store loads its customers, plans and contracts into
// one before a Read, and tests build one from files read earlier. The zero Index is not
// usable; call NewIndex.
type Index struct {
	customers map[string]CustomerRef
	plans     map[string]PlanRef
	contracts map[string]ContractRef
}

// NewIndex returns an Index holding the records of files (a File holds only its valid
// records).
func NewIndex(files ...*File) *Index {
	x := &Index{customers: map[string]CustomerRef{}, plans: map[string]PlanRef{}, contracts: map[string]ContractRef{}}
	for _, f := range files {
		x.AddFile(f)
	}
	return x
}

// AddFile adds every record of f.
func (x *Index) AddFile(f *File) {
	x.AddPlans(f.Plans...)
	x.AddCustomers(f.Customers...)
	x.AddContracts(f.Contracts...)
}

// AddCustomers adds or replaces customers by number.
func (x *Index) AddCustomers(cs ...Customer) {
	for _, c := range cs {
		country := c.Country
		if country == "" {
			country = "JP"
		}
		x.customers[c.No] = CustomerRef{Country: country, ParentNo: c.ParentNo, ParentShare: c.ParentShare}
	}
}

// AddPlans adds price-list rows; a row replaces the stored row of the same plan and
// valid_from, and the plan takes the row's kind.
func (x *Index) AddPlans(ps ...Plan) {
	for _, p := range ps {
		ref := x.plans[p.Code]
		ref.Kind = p.Kind
		ref.Prices = slices.DeleteFunc(slices.Clone(ref.Prices), func(pr Price) bool { return pr.ValidFrom == p.ValidFrom })
		ref.Prices = append(ref.Prices, Price{ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, UnitPrice: p.UnitPrice})
		slices.SortFunc(ref.Prices, func(a, b Price) int { return a.ValidFrom.Compare(b.ValidFrom) })
		x.plans[p.Code] = ref
	}
}

// AddContracts adds or replaces contracts by number.
func (x *Index) AddContracts(cs ...Contract) {
	for _, c := range cs {
		x.contracts[c.No] = ContractRef{CustomerNo: c.CustomerNo, PlanCode: c.PlanCode}
	}
}

// Customer implements Lookup.
func (x *Index) Customer(no string) (CustomerRef, bool) {
	r, ok := x.customers[no]
	return r, ok
}

// Plan implements Lookup.
func (x *Index) Plan(code string) (PlanRef, bool) {
	r, ok := x.plans[code]
	return r, ok
}

// Contract implements Lookup.
func (x *Index) Contract(no string) (ContractRef, bool) {
	r, ok := x.contracts[no]
	return r, ok
}
