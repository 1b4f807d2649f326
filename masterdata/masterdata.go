package masterdata

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/npress/nightly/calendar"
)

// Kind names what a file holds.
type Kind string

// The kinds of master data files, in the order they import into an empty database.
const (
	Plans     Kind = "plans"
	Customers Kind = "customers"
	Contracts Kind = "contracts"
	Orders    Kind = "orders"
)

// Kinds returns every Kind in import order (a later kind refers to earlier ones).
func Kinds() []Kind { return []Kind{Plans, Customers, Contracts, Orders} }

// ParseKind reads a kind as given on the command line.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == strings.ToLower(strings.TrimSpace(s)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q: want plans, customers, contracts or orders", s)
}

// Customer is one お客様: a Japanese legal entity that is billed, keyed by its 6-digit
// customer number (SPEC §1.1).
type Customer struct {
	No          string   // お客様番号, 6 digits
	Name        string   // 会社名, as printed on invoices
	Kana        string   // フリガナ, full-width katakana
	PostalCode  string   // 郵便番号, NNN-NNNN
	Address     string   // 住所; may span lines
	Contact     string   // 担当者
	Email       string   // メールアドレス
	PayerNames  []string // 振込依頼人名 the bank shows, half-width katakana
	ParentNo    string   // 親会社お客様番号: the parent that orders for this subsidiary (§3.4)
	ParentShare Share    // 親会社出資比率, zero without a parent
	Country     string   // ISO 3166-1 alpha-2; always JP once validated
	CorporateNo string   // 法人番号, 13 digits, optional
	Line        int      // line (or sheet row) it was read from; 0 when not read from a file
}

// Plan is one row of the price list: a plan's annual unit price per seat, tax excluded
// (SPEC §3.1), for a validity period. A plan whose price changed has several rows,
// keyed by plan code and ValidFrom, whose periods must not overlap.
type Plan struct {
	Code      string   // プランコード
	Name      string   // プラン名
	Kind      PlanKind // subscription or perpetual (§3.5)
	UnitPrice int64    // 単価: yen per seat per year, tax excluded
	ValidFrom calendar.Date
	ValidTo   calendar.Date // zero: open-ended
	Line      int
}

// Contract is one 契約: one plan for one customer tenant, keyed by its contract number.
type Contract struct {
	No         string // 契約番号, NP-0001234 by default
	CustomerNo string
	PlanCode   string
	Seats      int
	UnitPrice  int64 // the price locked for the current term (§3.1)
	TermStart  calendar.Date
	AutoRenew  bool // 自動更新; false for perpetual licences
	Line       int
}

// Order is one order from the EC store or a sales sheet, keyed by its 注文番号 (§1.1).
// CustomerNo is the end user (the tenant); when that customer has a parent, the parent
// ordered for it and is invoiced (§3.4).
type Order struct {
	No           string
	Kind         OrderKind
	CustomerNo   string
	ContractNo   string // the contract seats are added to; only for Addition
	PlanCode     string
	Seats        int
	OrderDate    calendar.Date
	DesiredStart YearMonth // 利用開始希望月 (contract.YearMonth)
	Line         int
}

// RowError is one problem with a file: where it is and what to fix. Line is 1-based
// with the header as line 1 (the line where a multi-line record starts; the sheet row in
// .xlsx); Column is the column's English name, or empty for the whole row.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// Error formats e as "line 3, kana: …" for logs and the command line.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Reason)
}

// Warning is something a valid file holds that staff should confirm, such as a
// subsidiary owned exactly at the threshold (§3.4).
type Warning struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// File is what Read found in one file: the valid records of its kind, every row error,
// and warnings. A caller stores nothing from a File with Errors.
type File struct {
	Kind      Kind
	Format    Format   // csv or xlsx
	Encoding  Encoding // of a CSV file
	Columns   []string // the English names of the columns the header had, in file order
	Rows      int      // data rows read, blank rows not counted
	Customers []Customer
	Plans     []Plan
	Contracts []Contract
	Orders    []Order
	Errors    []RowError
	Warnings  []Warning
}

// Has reports whether the file's header had the column; a column a file leaves out is
// left as stored (see Merge).
func (f *File) Has(column string) bool {
	for _, c := range f.Columns {
		if c == column {
			return true
		}
	}
	return false
}

// DefaultContractPattern is the form of a contract number (SPEC §1.1).
const DefaultContractPattern = `^NP-\d{7}$`

// DefaultParentShareMin is the parent-share threshold in percent (§3.4, "51%以上").
const DefaultParentShareMin = 51

// Options configures Read. The zero Options reads the first sheet with the defaults of
// SPEC §1.1 and §3.4 against an empty database.
type Options struct {
	Sheet           string // .xlsx: the sheet to read; empty for the first
	ContractPattern string // regular expression for contract numbers; empty for DefaultContractPattern
	// ParentShareMin is the lowest share (percent) a parent must hold in a subsidiary it
	// orders for; 0 for DefaultParentShareMin. With ParentShareOver false the rule is
	// "Min% or more" (51%以上) and a share of exactly Min is accepted with a Warning;
	// with ParentShareOver true it is "more than Min%" (51%超).
	ParentShareMin  int
	ParentShareOver bool
	// Lookup answers for what the database already holds; nil for an empty database.
	Lookup Lookup
	// RunDate, when set, is the night (or today, for an import) the file is read on: an
	// order dated after it is a row error (SPEC §10.0).
	RunDate calendar.Date
	// MaxFileBytes, MaxXLSXBytes and MaxCells bound what Read reads (0: the defaults,
	// 50 MB, 100 MB unpacked and 1,000,000 cells); beyond them Read refuses the file with
	// a *LimitError before reading it.
	MaxFileBytes int64
	MaxXLSXBytes int64
	MaxCells     int
}

// The default limits of Read.
const (
	DefaultMaxFileBytes = 50 << 20
	DefaultMaxXLSXBytes = 100 << 20
	DefaultMaxCells     = 1_000_000
)

func (o Options) maxFileBytes() int64 { return cmp.Or(o.MaxFileBytes, DefaultMaxFileBytes) }
func (o Options) maxXLSXBytes() int64 { return cmp.Or(o.MaxXLSXBytes, DefaultMaxXLSXBytes) }
func (o Options) maxCells() int       { return cmp.Or(o.MaxCells, DefaultMaxCells) }

// The limits a LimitError names.
const (
	LimitFile  = "file"  // the file's size on disk
	LimitXLSX  = "xlsx"  // what the workbook unpacks to
	LimitCells = "cells" // the cells of the sheet
)

// ErrTooBig is wrapped by every *LimitError: callers branch on it.
var ErrTooBig = errors.New("file beyond the import limits")

// LimitError is a file that Read refused before reading it whole because it is beyond a
// limit of Options: what was too big, by how much, and what to do.
type LimitError struct {
	Limit     string // LimitFile, LimitXLSX or LimitCells
	Size, Max int64  // bytes, or cells
	Part      string // LimitXLSX: the zip part that went over
	Line      int    // LimitCells: the sheet row where the count went over
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitXLSX:
		return fmt.Sprintf("the workbook unpacks to more than %d MB (at part %s): refused before reading it, as a zip bomb would be; save the sheet as CSV or split the workbook", e.Max>>20, e.Part)
	case LimitCells:
		return fmt.Sprintf("the sheet has more than %d cells (counted to row %d): refused; split it into several files, or save it as CSV", e.Max, e.Line)
	}
	return fmt.Sprintf("the file is %.1f MB, more than %d MB: refused before reading it; split it into smaller files", float64(e.Size)/(1<<20), e.Max>>20)
}

// Unwrap makes a LimitError match ErrTooBig.
func (e *LimitError) Unwrap() error { return ErrTooBig }

func (o Options) contractPattern() (*regexp.Regexp, error) {
	p := o.ContractPattern
	if p == "" {
		p = DefaultContractPattern
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("masterdata: contract number pattern %q: %w", p, err)
	}
	return re, nil
}

func (o Options) shareMin() Share {
	if o.ParentShareMin == 0 {
		return Percent(DefaultParentShareMin)
	}
	return Percent(o.ParentShareMin)
}

// Lookup answers what a file refers to but does not hold: the records already stored.
// Read calls it once per reference, so an implementation should answer from memory
// (load the tables into an Index once) rather than query per call.
type Lookup interface {
	Customer(no string) (CustomerRef, bool)
	Plan(code string) (PlanRef, bool)
	Contract(no string) (ContractRef, bool)
}

// CustomerRef is what validation needs of a stored customer.
type CustomerRef struct {
	Country     string
	ParentNo    string
	ParentShare Share
}

// PlanRef is what validation needs of a stored plan: its kind and its price list.
type PlanRef struct {
	Kind   PlanKind
	Prices []Price
}

// Price is one validity period of a plan's price.
type Price struct {
	ValidFrom, ValidTo calendar.Date // ValidTo zero: open-ended
	UnitPrice          int64
}

// PriceOn returns the unit price in force on d, if any.
func (p PlanRef) PriceOn(d calendar.Date) (int64, bool) {
	for _, pr := range p.Prices {
		if !d.Before(pr.ValidFrom) && (pr.ValidTo.IsZero() || !d.After(pr.ValidTo)) {
			return pr.UnitPrice, true
		}
	}
	return 0, false
}

// ContractRef is what validation needs of a stored contract.
type ContractRef struct {
	CustomerNo string
	PlanCode   string
}

// UnreadableError is a file Read cannot read at all: not text in UTF-8 or Shift_JIS, a
// broken or old workbook, a missing sheet. It is a problem of the file, which the
// caller reports and refuses, never a reason to stop.
type UnreadableError struct {
	Name string
	Err  error
}

func (e *UnreadableError) Error() string { return fmt.Sprintf("masterdata: %s: %v", e.Name, e.Err) }

// Unwrap returns the reason.
func (e *UnreadableError) Unwrap() error { return e.Err }

// Read reads a file of the given kind (CSV in UTF-8 or Shift_JIS, or .xlsx, detected
// from the bytes; name is used in messages and to recognise .xlsx) and validates it
// whole. Every problem with a row goes into File.Errors; the error return is only for a
// file that cannot be read at all (an *UnreadableError: not CSV text, a broken
// workbook, a missing sheet; a *LimitError: too big), or for invalid Options.
func Read(kind Kind, name string, data []byte, o Options) (*File, error) {
	pattern, err := o.contractPattern()
	if err != nil {
		return nil, err
	}
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, fmt.Errorf("masterdata: %s: %w", name, err)
	}
	t, err := readTable(name, data, o)
	var lerr *LimitError
	if errors.As(err, &lerr) {
		return nil, fmt.Errorf("masterdata: %s: %w", name, err)
	}
	if err != nil {
		return nil, &UnreadableError{Name: name, Err: err}
	}
	f := &File{Kind: kind, Format: t.format, Encoding: t.encoding}
	v := &validator{file: f, opts: o, contractRE: pattern, xlsx: t.format == XLSX, date1904: t.date1904, lookup: o.Lookup}
	if v.lookup == nil {
		v.lookup = NewIndex()
	}
	v.run(t)
	return f, nil
}
