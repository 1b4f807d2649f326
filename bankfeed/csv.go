package bankfeed

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/japanese"
)

// CSVProfile says how to read one bank's CSV export: its encoding, how many rows come
// before the header row, and which columns hold what. A column is named by its header
// text, with alternatives separated by "|" ("日付|取引日"), or by its 1-based index
// ("3"). Date, Amount and Payer are required; the others may be left empty or name a
// column the file does not have.
type CSVProfile struct {
	Name string
	// Encoding is "sjis", "utf8" (a BOM is skipped), or "" to tell them apart by content.
	Encoding string
	// SkipRows is the number of rows before the header row (a bank's title lines).
	SkipRows int
	// NoHeader says the file has no header row: every column is then given by index.
	NoHeader bool
	// Comma is the field separator; "" means ",". "\t" reads tab-separated exports.
	Comma string

	Date    string // 勘定日 / 取引日
	Amount  string // 入金額: a row with an amount is a credit
	Payer   string // 振込依頼人名
	Ref     string // 照会番号
	EDI     string // EDI情報
	Account string // account number, when one file holds several accounts
	Debit   string // 出金額: a row with only this is a debit (counted, ignored)
	Summary string // 摘要

	// DateLayout lists Go time layouts separated by "|"; "" means the usual ones
	// (2006/01/02, 2006-01-02, 20060102, 2006年1月2日, with or without zero padding).
	DateLayout string
	// DefaultAccount is the account key of rows with no Account column value.
	DefaultAccount string
}

// BuiltinProfiles returns the profiles that work with no configuration (documented in
// doc.go). Each call returns a fresh slice.
func BuiltinProfiles() []CSVProfile {
	return []CSVProfile{{
		Name:    "standard",
		Date:    "日付|取引日|勘定日",
		Amount:  "入金額|入金金額|お預入れ金額",
		Payer:   "振込依頼人名|依頼人名|振込依頼人",
		Ref:     "照会番号",
		EDI:     "EDI|EDI情報",
		Account: "口座番号",
		Debit:   "出金額|出金金額|お引出し金額",
		Summary: "摘要|摘要内容",
	}}
}

var defaultDateLayouts = []string{
	"2006/01/02", "2006/1/2", "2006-01-02", "2006-1-2", "20060102", "2006.01.02", "2006.1.2",
	"2006年1月2日", "2006年01月02日", "2006/01/02 15:04:05", "2006/01/02 15:04", "2006-01-02 15:04:05",
}

// Validate reports a profile that cannot be used.
func (p CSVProfile) Validate() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("a CSV profile needs a name"))
	}
	switch p.Encoding {
	case "", "sjis", "utf8":
	default:
		errs = append(errs, fmt.Errorf("encoding %q: want sjis, utf8 or empty (detect)", p.Encoding))
	}
	if p.SkipRows < 0 {
		errs = append(errs, fmt.Errorf("skip_rows %d is negative", p.SkipRows))
	}
	if len([]rune(p.Comma)) > 1 {
		errs = append(errs, fmt.Errorf("comma %q: want one character", p.Comma))
	}
	for _, c := range []struct{ name, spec string }{{"date", p.Date}, {"amount", p.Amount}, {"payer", p.Payer}} {
		if c.spec == "" {
			errs = append(errs, fmt.Errorf("the %s column is required", c.name))
		}
	}
	if p.NoHeader {
		for _, spec := range []string{p.Date, p.Amount, p.Payer, p.Ref, p.EDI, p.Account, p.Debit, p.Summary} {
			if _, err := strconv.Atoi(spec); spec != "" && err != nil {
				errs = append(errs, fmt.Errorf("column %q: a profile without a header row names columns by 1-based index", spec))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("CSV profile %q: %w", p.Name, err)
	}
	return nil
}

// profile finds a profile by name: configured ones first, then built-in.
func (o ParseOptions) profile(name string) (CSVProfile, bool) {
	for _, p := range o.Profiles {
		if p.Name == name {
			return p, true
		}
	}
	for _, p := range BuiltinProfiles() {
		if p.Name == name {
			return p, true
		}
	}
	return CSVProfile{}, false
}

// allProfiles lists the configured profiles, then the built-in ones not overridden.
func (o ParseOptions) allProfiles() []CSVProfile {
	ps := append([]CSVProfile(nil), o.Profiles...)
	for _, b := range BuiltinProfiles() {
		overridden := false
		for _, p := range o.Profiles {
			overridden = overridden || p.Name == b.Name
		}
		if !overridden {
			ps = append(ps, b)
		}
	}
	return ps
}

func (o ParseOptions) profileNames() []string {
	var names []string
	for _, p := range o.allProfiles() {
		names = append(names, p.Name)
	}
	return names
}

// decodeCSV returns the file as UTF-8 without BOM.
func decodeCSV(data []byte, enc string) ([]byte, error) {
	switch enc {
	case "utf8":
		return bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), nil
	case "sjis":
		return japanese.ShiftJIS.NewDecoder().Bytes(data)
	}
	if p, ok := validUTF8(data); ok {
		return p, nil
	}
	return japanese.ShiftJIS.NewDecoder().Bytes(data)
}

func (p CSVProfile) reader(text []byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	if p.Comma != "" {
		r.Comma = []rune(p.Comma)[0]
	}
	return r
}

// columns maps the profile's column specs to 0-based indexes (-1: absent). missing
// names the required columns the header lacks.
type columns struct {
	date, amount, payer, ref, edi, account, debit, summary int
	names                                                  []string // header text, for errors
}

func (p CSVProfile) resolve(header []string) (columns, []string) {
	var missing []string
	find := func(spec string, required bool) int {
		if spec == "" {
			return -1
		}
		if n, err := strconv.Atoi(spec); err == nil {
			if n >= 1 && (p.NoHeader || n <= len(header)) {
				return n - 1
			}
			if required {
				missing = append(missing, spec)
			}
			return -1
		}
		for _, alt := range strings.Split(spec, "|") {
			for i, h := range header {
				if strings.TrimSpace(h) == strings.TrimSpace(alt) {
					return i
				}
			}
		}
		if required {
			missing = append(missing, spec)
		}
		return -1
	}
	c := columns{
		date:    find(p.Date, true),
		amount:  find(p.Amount, true),
		payer:   find(p.Payer, true),
		ref:     find(p.Ref, false),
		edi:     find(p.EDI, false),
		account: find(p.Account, false),
		debit:   find(p.Debit, false),
		summary: find(p.Summary, false),
		names:   header,
	}
	return c, missing
}

// headerRow reads the rows up to and including the header row.
func (p CSVProfile) headerRow(r *csv.Reader) ([]string, error) {
	for range p.SkipRows {
		if _, err := r.Read(); err != nil {
			return nil, err
		}
	}
	if p.NoHeader {
		return nil, nil
	}
	h, err := r.Read()
	if err != nil {
		return nil, err
	}
	if len(h) > 0 {
		h[0] = strings.TrimPrefix(h[0], "\uFEFF")
	}
	return h, nil
}

// detectCSV finds the first profile whose header row names all its required columns.
func detectCSV(name string, data []byte, o ParseOptions) (CSVProfile, error) {
	var tried []string
	for _, p := range o.allProfiles() {
		if p.NoHeader {
			continue
		}
		text, err := decodeCSV(data, p.Encoding)
		if err != nil {
			continue
		}
		h, err := p.headerRow(p.reader(text))
		if err != nil {
			continue
		}
		if _, missing := p.resolve(h); len(missing) == 0 {
			return p, nil
		}
		tried = append(tried, p.Name)
	}
	return CSVProfile{}, &FormatError{File: name, Bytes: head(data, 32), Err: ErrUnknown,
		Reason: fmt.Sprintf("not a Zengin file, and no CSV profile's columns match its header row (tried %s); name the profile with --format csv:PROFILE or add one to the configuration", strings.Join(tried, ", "))}
}
