// Package masterimport brings master data files (customers, plans, contracts, orders)
// into the database and writes them back out: a file is read and validated by package
// masterdata, compared with what is stored, and stored in one transaction with an audit
// row per change (SPEC §3). It is the staff's import and export and the orders step's
// reader; it never writes files or reads the inbox.
package masterimport

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/store"
)

// Options says how to import a master data file.
type Options struct {
	Sheet string // .xlsx: the sheet to read; empty for the first
	// Apply stores the file even when it changes existing records; without it such a
	// file is only compared (SPEC: --dry-run is the default when anything would change).
	Apply bool
	// RunDate is the night reading the file (the orders step), or zero for today: an
	// order dated after it is a row error.
	RunDate calendar.Date
}

// Result is what importing one file found and did, printed by `nightly import --json`.
type Result struct {
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
func Import(ctx context.Context, db *store.DB, in Input) (Result, error) {
	if in.Opts.RunDate.IsZero() {
		in.Opts.RunDate = calendar.InTokyo(in.Now)
	}
	in.Now = in.Now.UTC()
	var res Result
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = ImportTx(ctx, tx, in)
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
func readOptions(cfg config.Config, o Options, lookup masterdata.Lookup) masterdata.Options {
	oc := cfg.Orders
	maxFile, maxXLSX, maxCells := cfg.ImportLimits()
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

// LimitRowError is a file refused for its size as the one problem of the file, with the
// setting that would let it through (issue 13: each refusal says what to do).
func LimitRowError(err *masterdata.LimitError) masterdata.RowError {
	return masterdata.RowError{Reason: fmt.Sprintf("%v（正しいファイルであれば、設定 %s を上げてください）", err, limitSettings[err.Limit])}
}

// pending is one record of a file that differs from the database, and how to store it.
type pending struct {
	key     string
	created bool
	changes []masterdata.Change
	put     func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error
}

// Input is one master data file to import, how, by whom and when.
type Input struct {
	Kind masterdata.Kind
	Name string
	Data []byte
	Opts Options
	// Config gives the order rules and the import limits.
	Config config.Config
	// Who is written to the audit trail; Now is the time of the import.
	Who string
	Now time.Time
}

// ImportTx does Import inside tx, which may be the night's transaction: it reads the
// file against what is stored, lets masterdata.Reconcile decide what changes, and
// stores it when every row is valid (and, for changes to stored records, with Apply).
func ImportTx(ctx context.Context, tx sqlx.ExtContext, in Input) (Result, error) {
	res := Result{File: in.Name, Kind: in.Kind, Errors: []masterdata.RowError{}, Changes: []masterdata.Change{}}
	s, err := loadStored(ctx, tx, in.Kind == masterdata.Orders)
	if err != nil {
		return res, err
	}
	f, err := masterdata.Read(in.Kind, in.Name, in.Data, readOptions(in.Config, in.Opts, s.index()))
	var lerr *masterdata.LimitError
	if errors.As(err, &lerr) { // refused before it was read: a problem of the file, not of the night
		res.Errors = append(res.Errors, LimitRowError(lerr))
		return res, nil
	}
	var uerr *masterdata.UnreadableError
	if errors.As(err, &uerr) {
		res.Errors = append(res.Errors, masterdata.RowError{Reason: fmt.Sprintf("ファイルを読めません（%v）。CSV（UTF-8 またはシフトJIS）か .xlsx で保存し直して、もう一度渡してください", uerr.Err)})
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Rows = max(f.Rows, len(f.Customers)+len(f.Plans)+len(f.Contracts)+len(f.Orders))
	if len(f.Errors) > 0 {
		res.Errors = append(res.Errors, f.Errors...)
		return res, nil
	}
	if errs := wholePercent(f.Customers); len(errs) > 0 { // never stored rounded (issue 14)
		res.Errors = append(res.Errors, errs...)
		return res, nil
	}
	rec := masterdata.Reconcile(f, s.records())
	if len(rec.Errors) > 0 {
		res.Errors = append(res.Errors, rec.Errors...)
		return res, nil
	}
	res.Created, res.Updated, res.Unchanged, res.Changes = rec.Created, rec.Updated, rec.Unchanged, rec.Changes
	if res.Updated > 0 && !in.Opts.Apply {
		return res, nil
	}
	res.Applied = true
	h := sha256.Sum256(in.Data)
	sha := hex.EncodeToString(h[:])
	for _, p := range s.work(rec, sha) {
		if err := storePending(ctx, tx, p, in, sha); err != nil {
			return res, err
		}
	}
	return res, nil
}

// storePending stores one record of an import and writes its audit trail.
func storePending(ctx context.Context, tx sqlx.ExtContext, p pending, in Input, sha string) error {
	if err := p.put(ctx, tx, in.Now); err != nil {
		return fmt.Errorf("import %s: %w", in.Name, err)
	}
	entries := []store.AuditEntry{}
	if p.created {
		entries = append(entries, store.AuditEntry{Field: "", ToValue: "created"})
	}
	for _, c := range p.changes {
		entries = append(entries, store.AuditEntry{Field: c.Field, FromValue: c.From, ToValue: c.To})
	}
	for _, a := range entries {
		a.At, a.RunDate, a.Who, a.Action, a.Subject, a.FileSHA256 = in.Now, calendar.InTokyo(in.Now), in.Who, "import", p.key, sha
		a.Why = "imported from " + in.Name
		if err := store.Audit(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

// records is what is stored, as masterdata records.
func (s *stored) records() masterdata.Stored {
	r := masterdata.Stored{Customers: map[string]masterdata.Customer{}, Plans: map[string]masterdata.Plan{},
		Contracts: map[string]masterdata.Contract{}, Orders: map[string]masterdata.Order{}}
	for k, c := range s.customers {
		r.Customers[k] = mdCustomer(c)
	}
	for k, pr := range s.prices {
		r.Plans[k] = s.plan(pr)
	}
	for k, c := range s.contracts {
		r.Contracts[k] = mdContract(c)
	}
	for k, o := range s.orders {
		r.Orders[k] = mdOrder(o)
	}
	return r
}

// work turns what Reconcile decided into the store writes, in file order: the store
// rows carry what a file does not (a contract's status, an order's source file).
func (s *stored) work(rec masterdata.Reconciled, sha string) []pending {
	var out []pending
	for _, p := range rec.Customers {
		row := customerRow(p.Record)
		out = append(out, pending{key: p.Key, created: p.Created, changes: p.Changes, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
			return store.PutCustomer(ctx, tx, row, now)
		}})
	}
	for _, p := range rec.Plans {
		m := p.Record
		plan := store.Plan{Code: m.Code, Name: m.Name, Kind: string(m.Kind)}
		price := store.PlanPrice{PlanCode: m.Code, ValidFrom: m.ValidFrom, ValidTo: m.ValidTo, UnitPrice: m.UnitPrice}
		out = append(out, pending{key: p.Key, created: p.Created, changes: p.Changes, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
			if err := store.PutPlan(ctx, tx, plan, now); err != nil {
				return err
			}
			return store.PutPlanPrice(ctx, tx, price)
		}})
	}
	for _, p := range rec.Contracts {
		row := s.contractRow(p.Record)
		out = append(out, pending{key: p.Key, created: p.Created, changes: p.Changes, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
			return store.PutContract(ctx, tx, row, now)
		}})
	}
	for _, p := range rec.Orders {
		od := p.Record
		row := store.Order{No: od.No, Kind: string(od.Kind), CustomerNo: od.CustomerNo, ContractNo: nullString(od.ContractNo),
			PlanCode: od.PlanCode, Seats: od.Seats, OrderDate: od.OrderDate, DesiredStart: od.DesiredStart.String(), SourceSHA256: sha}
		out = append(out, pending{key: p.Key, created: true, put: func(ctx context.Context, tx sqlx.ExtContext, now time.Time) error {
			return store.PutOrder(ctx, tx, row, now)
		}})
	}
	return out
}

// customerRow is the store row of a customer record.
func customerRow(c masterdata.Customer) store.Customer {
	row := store.Customer{No: c.No, Name: c.Name, Kana: c.Kana, PayerNames: strings.Join(c.PayerNames, ";"),
		PostalCode: c.PostalCode, Address: c.Address, Contact: c.Contact, Email: c.Email,
		Country: c.Country, CorporateNo: c.CorporateNo, ParentCustomerNo: nullString(c.ParentNo),
		ParentShare: int(c.ParentShare / 100)}
	if row.Country == "" {
		row.Country = "JP"
	}
	return row
}

// contractRow is the store row of a contract record: a stored contract keeps its
// status and lifecycle fields, and its term end unless the term start changed.
func (s *stored) contractRow(c masterdata.Contract) store.Contract {
	row, ok := s.contracts[c.No]
	if !ok {
		row = store.Contract{No: c.No, Status: store.StatusActive}
	}
	if !ok || row.TermStart != c.TermStart {
		row.TermEnd = contract.TermEnd(c.TermStart)
	}
	row.CustomerNo, row.PlanCode, row.Seats, row.UnitPrice, row.TermStart, row.AutoRenew =
		c.CustomerNo, c.PlanCode, c.Seats, c.UnitPrice, c.TermStart, c.AutoRenew
	return row
}

// Export writes every stored record of kind (customers, plans, contracts or orders)
// with the columns import reads, so that export → edit → import changes nothing.
func Export(ctx context.Context, q sqlx.ExtContext, kind string, w io.Writer, o masterdata.WriteOptions) error {
	k, err := masterdata.ParseKind(kind)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	s, err := loadStored(ctx, q, k == masterdata.Orders)
	if err != nil {
		return err
	}
	f := s.records().File(k)
	if err := masterdata.Write(w, f, o); err != nil {
		return fmt.Errorf("export %s: %w", k, err)
	}
	return nil
}

// wholePercent refuses a parent share with a fraction of a percent: the database keeps
// whole percent, and 51.5% stored as 51% would change which orders are allowed.
func wholePercent(cs []masterdata.Customer) []masterdata.RowError {
	var errs []masterdata.RowError
	for _, c := range cs {
		if c.ParentShare%100 != 0 {
			errs = append(errs, masterdata.RowError{Line: c.Line, Column: "parent_share",
				Reason: fmt.Sprintf("%s%% は小数を含みます。出資比率は整数の %% で書いてください（登録できるのは整数だけです）", c.ParentShare)})
		}
	}
	return errs
}
