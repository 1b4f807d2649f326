package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/store"
)

// ImportOptions says how to import a master data file.
type ImportOptions struct {
	Sheet string // .xlsx: the sheet to read; empty for the first
	// Apply stores the file even when it changes existing records; without it such a
	// file is only compared (SPEC: --dry-run is the default when anything would change).
	Apply bool
	// RunDate is the night reading the file (the orders step), or zero for today: an
	// order dated after it is a row error.
	RunDate calendar.Date
}

// ImportResult is what importing one file found and did, printed by `nightly import --json`.
type ImportResult struct {
	File      string                `json:"file"`
	Kind      masterdata.Kind       `json:"kind"`
	Rows      int                   `json:"rows"`
	Created   int                   `json:"created"`
	Updated   int                   `json:"updated"`
	Unchanged int                   `json:"unchanged"`
	Errors    []masterdata.RowError `json:"errors"`
	Changes   []masterdata.Change   `json:"changes"`
	Applied   bool                  `json:"applied"`
}

// Import reads and validates a master data file against the database and, when every
// row is valid, stores it in one transaction: at once when it only adds records or
// changes nothing, and with o.Apply when it changes existing records. Every stored
// change is written to the audit trail with the file's SHA-256. The error return is for
// a file that cannot be read at all or a database failure; bad rows are in Errors.
func Import(ctx context.Context, env *Env, kind masterdata.Kind, name string, data []byte, o ImportOptions) (ImportResult, error) {
	now := env.Now().UTC()
	if o.RunDate.IsZero() {
		o.RunDate = calendar.InTokyo(env.Now())
	}
	var res ImportResult
	err := env.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = importTx(ctx, tx, env, kind, name, data, o, now)
		return err
	})
	return res, err
}

// stored is what the database holds of the master data, as masterdata records keyed
// by their natural keys, with the store rows for the fields a file does not carry.
type stored struct {
	customers map[string]store.Customer
	plans     map[string]store.Plan
	prices    map[string]store.PlanPrice // by masterdata.Key of the plan row
	contracts map[string]store.Contract
	orders    map[string]store.Order
}

func loadStored(ctx context.Context, q sqlx.ExtContext, withOrders bool) (*stored, error) {
	s := &stored{customers: map[string]store.Customer{}, plans: map[string]store.Plan{}, prices: map[string]store.PlanPrice{},
		contracts: map[string]store.Contract{}, orders: map[string]store.Order{}}
	cs, err := store.ListCustomers(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		s.customers[c.No] = c
	}
	ps, err := store.ListPlans(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		s.plans[p.Code] = p
	}
	prs, err := store.ListPlanPrices(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, pr := range prs {
		s.prices[pr.PlanCode+" "+pr.ValidFrom.String()] = pr
	}
	after := ""
	for {
		page, err := store.ContractPage(ctx, q, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			s.contracts[c.No] = c
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].No
	}
	if withOrders {
		os, err := store.ListOrders(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			s.orders[o.No] = o
		}
	}
	return s, nil
}

func (s *stored) index() *masterdata.Index {
	x := masterdata.NewIndex()
	for _, pr := range s.prices {
		x.AddPlans(s.plan(pr))
	}
	for _, c := range s.customers {
		x.AddCustomers(mdCustomer(c))
	}
	for _, c := range s.contracts {
		x.AddContracts(mdContract(c))
	}
	return x
}

func (s *stored) plan(pr store.PlanPrice) masterdata.Plan {
	p := s.plans[pr.PlanCode]
	return masterdata.Plan{Code: pr.PlanCode, Name: p.Name, Kind: masterdata.PlanKind(p.Kind), UnitPrice: pr.UnitPrice,
		ValidFrom: pr.ValidFrom, ValidTo: pr.ValidTo}
}

func mdCustomer(c store.Customer) masterdata.Customer {
	var payers []string
	if c.PayerNames != "" {
		payers = strings.Split(c.PayerNames, ";")
	}
	var share masterdata.Share
	if c.ParentCustomerNo.Valid {
		share = masterdata.Percent(c.ParentShare)
	}
	return masterdata.Customer{No: c.No, Name: c.Name, Kana: c.Kana, PostalCode: c.PostalCode, Address: c.Address,
		Contact: c.Contact, Email: c.Email, PayerNames: payers, ParentNo: c.ParentCustomerNo.String, ParentShare: share,
		Country: c.Country, CorporateNo: c.CorporateNo}
}

func mdContract(c store.Contract) masterdata.Contract {
	return masterdata.Contract{No: c.No, CustomerNo: c.CustomerNo, PlanCode: c.PlanCode, Seats: c.Seats,
		UnitPrice: c.UnitPrice, TermStart: c.TermStart, AutoRenew: c.AutoRenew}
}

func mdOrder(o store.Order) masterdata.Order {
	ym, _ := contract.ParseYearMonth(o.DesiredStart)
	return masterdata.Order{No: o.No, Kind: masterdata.OrderKind(o.Kind), CustomerNo: o.CustomerNo,
		ContractNo: o.ContractNo.String, PlanCode: o.PlanCode, Seats: o.Seats, OrderDate: o.OrderDate, DesiredStart: ym}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// readOptions are the validation rules and the limits of the configuration.
func readOptions(env *Env, o ImportOptions, lookup masterdata.Lookup) masterdata.Options {
	oc := env.Config.Orders
	maxFile, maxXLSX, maxCells := env.Config.ImportLimits()
	return masterdata.Options{Sheet: o.Sheet, ContractPattern: oc.ContractPattern, ParentShareMin: oc.ParentShareMin,
		ParentShareOver: !oc.ParentShareInclusive, Lookup: lookup, RunDate: o.RunDate,
		MaxFileBytes: maxFile, MaxXLSXBytes: maxXLSX, MaxCells: maxCells}
}

// limitSettings name the setting behind each limit of masterdata.Read.
var limitSettings = map[string]string{
	masterdata.LimitFile:  "import.max_file_mb",
	masterdata.LimitXLSX:  "import.max_xlsx_mb",
	masterdata.LimitCells: "import.max_xlsx_cells",
}

// limitRowError is a file refused for its size as the one problem of the file, with the
// setting that would let it through (issue 13: each refusal says what to do).
func limitRowError(err *masterdata.LimitError) masterdata.RowError {
	return masterdata.RowError{Reason: fmt.Sprintf("%v (or, if the file is genuine, raise the setting %s)", err, limitSettings[err.Limit])}
}

// pending is one record of a file that differs from the database, and how to store it.
type pending struct {
	key     string
	created bool
	changes []masterdata.Change
	put     func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error
}

// importTx does Import inside tx, which may be the night's transaction.
func importTx(ctx context.Context, tx sqlx.ExtContext, env *Env, kind masterdata.Kind, name string, data []byte, o ImportOptions, now time.Time) (ImportResult, error) {
	res := ImportResult{File: name, Kind: kind, Errors: []masterdata.RowError{}, Changes: []masterdata.Change{}}
	s, err := loadStored(ctx, tx, kind == masterdata.Orders)
	if err != nil {
		return res, err
	}
	f, err := masterdata.Read(kind, name, data, readOptions(env, o, s.index()))
	var lerr *masterdata.LimitError
	if errors.As(err, &lerr) { // refused before it was read: a problem of the file, not of the night
		res.Errors = append(res.Errors, limitRowError(lerr))
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Rows = len(f.Customers) + len(f.Plans) + len(f.Contracts) + len(f.Orders)
	if f.Rows > res.Rows {
		res.Rows = f.Rows
	}
	if len(f.Errors) > 0 {
		res.Errors = append(res.Errors, f.Errors...)
		return res, nil
	}
	sha := sha256Hex(data)
	var work []pending
	add := func(p pending) {
		switch {
		case p.created:
			res.Created++
		case len(p.changes) > 0:
			res.Updated++
			res.Changes = append(res.Changes, p.changes...)
		default:
			res.Unchanged++
			return
		}
		work = append(work, p)
	}
	cols := f.Columns
	switch kind {
	case masterdata.Customers:
		for _, c := range f.Customers {
			c.ParentShare = masterdata.Percent(int(c.ParentShare / 100)) // the store keeps whole percent
			old, ok := s.customers[c.No]
			var merged masterdata.Customer
			var ch []masterdata.Change
			if ok {
				merged = masterdata.Merge(mdCustomer(old), c, cols)
				ch = masterdata.Diff(mdCustomer(old), merged, nil)
			} else {
				merged = c
			}
			row := store.Customer{No: merged.No, Name: merged.Name, Kana: merged.Kana, PayerNames: strings.Join(merged.PayerNames, ";"),
				PostalCode: merged.PostalCode, Address: merged.Address, Contact: merged.Contact, Email: merged.Email,
				Country: merged.Country, CorporateNo: merged.CorporateNo, ParentCustomerNo: nullString(merged.ParentNo),
				ParentShare: int(merged.ParentShare / 100)}
			if row.Country == "" {
				row.Country = "JP"
			}
			add(pending{key: c.No, created: !ok, changes: ch, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
				return store.PutCustomer(ctx, tx, row, now)
			}})
		}
	case masterdata.Plans:
		for _, p := range f.Plans {
			key := masterdata.Key(p)
			old, ok := s.prices[key]
			merged := p
			var ch []masterdata.Change
			if ok {
				merged = masterdata.Merge(s.plan(old), p, cols)
				ch = masterdata.Diff(s.plan(old), merged, nil)
			}
			plan := store.Plan{Code: merged.Code, Name: merged.Name, Kind: string(merged.Kind)}
			price := store.PlanPrice{PlanCode: merged.Code, ValidFrom: merged.ValidFrom, ValidTo: merged.ValidTo, UnitPrice: merged.UnitPrice}
			add(pending{key: key, created: !ok, changes: ch, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
				if err := store.PutPlan(ctx, tx, plan, now); err != nil {
					return err
				}
				return store.PutPlanPrice(ctx, tx, price)
			}})
		}
	case masterdata.Contracts:
		for _, c := range f.Contracts {
			old, ok := s.contracts[c.No]
			var ch []masterdata.Change
			row := store.Contract{No: c.No, Status: store.StatusActive}
			if ok {
				merged := masterdata.Merge(mdContract(old), c, cols)
				ch = masterdata.Diff(mdContract(old), merged, nil)
				row, c = old, merged
			}
			if !ok || row.TermStart != c.TermStart {
				row.TermEnd = contract.TermEnd(c.TermStart)
			}
			row.CustomerNo, row.PlanCode, row.Seats, row.UnitPrice, row.TermStart, row.AutoRenew =
				c.CustomerNo, c.PlanCode, c.Seats, c.UnitPrice, c.TermStart, c.AutoRenew
			add(pending{key: c.No, created: !ok, changes: ch, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
				return store.PutContract(ctx, tx, row, now)
			}})
		}
	case masterdata.Orders:
		for _, od := range f.Orders {
			old, ok := s.orders[od.No]
			if ok {
				// An order is a fact of the past: a file never changes a stored one.
				for _, c := range masterdata.Diff(mdOrder(old), od, cols) {
					res.Errors = append(res.Errors, masterdata.RowError{Line: od.Line, Column: c.Field,
						Reason: fmt.Sprintf("order %s is already stored with %s %q, not %q; a stored order is never changed by a file: give a new order its own order number",
							od.No, c.Field, c.From, c.To)})
				}
				res.Unchanged++
				continue
			}
			row := store.Order{No: od.No, Kind: string(od.Kind), CustomerNo: od.CustomerNo, ContractNo: nullString(od.ContractNo),
				PlanCode: od.PlanCode, Seats: od.Seats, OrderDate: od.OrderDate, DesiredStart: od.DesiredStart.String(), SourceSHA256: sha}
			add(pending{key: od.No, created: true, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
				return store.PutOrder(ctx, tx, row, now)
			}})
		}
	default:
		return res, fmt.Errorf("import %s: unknown kind %q", name, kind)
	}
	if len(res.Errors) > 0 {
		res.Created, res.Updated, res.Unchanged, res.Changes = 0, 0, 0, []masterdata.Change{}
		return res, nil
	}
	if res.Updated > 0 && !o.Apply {
		return res, nil
	}
	res.Applied = true
	runDate := calendar.InTokyo(now)
	for _, p := range work {
		if err := p.put(ctx, tx, now); err != nil {
			return res, fmt.Errorf("import %s: %w", name, err)
		}
		entries := []store.AuditEntry{}
		if p.created {
			entries = append(entries, store.AuditEntry{Field: "", ToValue: "created"})
		}
		for _, c := range p.changes {
			entries = append(entries, store.AuditEntry{Field: c.Field, FromValue: c.From, ToValue: c.To})
		}
		for _, a := range entries {
			a.At, a.RunDate, a.Who, a.Action, a.Subject, a.FileSHA256 = now, runDate, env.Who, "import", p.key, sha
			a.Why = "imported from " + name
			if err := store.Audit(ctx, tx, a); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// Export writes every stored record of kind (customers, plans, contracts or orders)
// with the columns import reads, so that export → edit → import changes nothing.
func Export(ctx context.Context, env *Env, kind string, w io.Writer, o masterdata.WriteOptions) error {
	k, err := masterdata.ParseKind(kind)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	s, err := loadStored(ctx, env.DB, k == masterdata.Orders)
	if err != nil {
		return err
	}
	f := &masterdata.File{Kind: k}
	switch k {
	case masterdata.Customers:
		cs, err := store.ListCustomers(ctx, env.DB)
		if err != nil {
			return err
		}
		for _, c := range cs {
			f.Customers = append(f.Customers, mdCustomer(c))
		}
	case masterdata.Plans:
		prs, err := store.ListPlanPrices(ctx, env.DB)
		if err != nil {
			return err
		}
		for _, pr := range prs {
			f.Plans = append(f.Plans, s.plan(pr))
		}
	case masterdata.Contracts:
		after := ""
		for {
			page, err := store.ContractPage(ctx, env.DB, after, 1000)
			if err != nil {
				return err
			}
			for _, c := range page {
				f.Contracts = append(f.Contracts, mdContract(c))
			}
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].No
		}
	case masterdata.Orders:
		os, err := store.ListOrders(ctx, env.DB)
		if err != nil {
			return err
		}
		for _, od := range os {
			f.Orders = append(f.Orders, mdOrder(od))
		}
	}
	if err := masterdata.Write(w, f, o); err != nil {
		return fmt.Errorf("export %s: %w", k, err)
	}
	return nil
}

// refuseBigOrderFile refuses an order file beyond import.max_file_mb without reading
// it: an exception names it and the limit, and it moves to rejected/orders/ (not in a
// dry run). It reports whether the file was refused.
func (n *Night) refuseBigOrderFile(ctx context.Context, path string, res Result) (bool, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	maxFile, _, _ := n.Config.ImportLimits()
	if fi.Size() <= maxFile {
		return false, nil
	}
	name := filepath.Base(path)
	res.Seen["order_files"]++
	row := limitRowError(&masterdata.LimitError{Limit: masterdata.LimitFile, Size: fi.Size(), Max: maxFile})
	key := sha256Hex([]byte(fmt.Sprintf("%s\x00%d\x00%d", name, fi.Size(), fi.ModTime().UnixNano())))
	err = n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
		added, err := store.AddException(ctx, tx, rejectedOrderFile(n, name, "big:"+key[:40], []masterdata.RowError{row}))
		if added {
			res.Changes["files_rejected"]++
		}
		return err
	})
	if err != nil || n.DryRun {
		return true, err
	}
	target, err := n.moveInboxFile(path, "orders", true)
	n.progress("  order file %s (too big, not read) → %s", name, target)
	return true, err
}
