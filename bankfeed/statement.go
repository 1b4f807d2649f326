package bankfeed

import (
	"bytes"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/calendar"
)

// Kind says whether a transaction put money into the account (入金) or took it out (出金).
type Kind int

const (
	// Credit is 入金: money received. Only credits are candidate payments.
	Credit Kind = iota + 1
	// Debit is 出金: money paid out. Debits are read and counted; a 訂正 or 組戻し debit
	// may reverse an earlier credit (SPEC §6.4), every other debit is ignored.
	Debit
)

// String returns "credit" or "debit", the words `nightly bankfeed parse` prints.
func (k Kind) String() string {
	switch k {
	case Credit:
		return "credit"
	case Debit:
		return "debit"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText makes a Kind print as "credit" or "debit" in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Value stores a Kind as its name ("credit", "debit"), the way the database holds it.
func (k Kind) Value() (driver.Value, error) { return k.String(), nil }

// Scan reads a Kind stored by Value.
func (k *Kind) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("bankfeed: kind from %T", src)
	}
	switch s {
	case "credit":
		*k = Credit
	case "debit":
		*k = Debit
	default:
		return fmt.Errorf("bankfeed: kind %q is neither credit nor debit", s)
	}
	return nil
}

// Format names of a Statement.
const (
	FormatZengin01 = "zengin01" // 全銀協 振込入金通知, 種別コード 01
	FormatZengin03 = "zengin03" // 全銀協 入出金取引明細, 種別コード 03
	// A CSV statement's format is "csv:" followed by the profile name ("csv:standard").
	formatCSVPrefix = "csv:"
)

// Txn is one data record of a bank file: a transfer received, a cancellation of one,
// or a debit. Strings are decoded to UTF-8 exactly as the bank printed them (half-width
// katakana stays half-width); PayerNormalized is the §6.5 form used for matching.
type Txn struct {
	// Account is the account key, "bank-branch-type-number" with a 7-digit number for
	// Zengin ("0001-123-1-1234567"), so that 01 and 03 files of one account agree; for a
	// CSV it is the profile's Account column or DefaultAccount.
	Account string `db:"account"`
	// RefNo is 照会番号 as printed, leading zeros kept; "" when the bank left it empty
	// (all zeros or spaces), in which case it is not a key (SPEC §6.3).
	RefNo string `db:"ref_no"`
	// ValueDate is 勘定日, the booking date.
	ValueDate calendar.Date `db:"value_date"`
	// Amount is the amount in yen, always positive; Kind gives the direction.
	Amount int64 `db:"amount"`
	// Payer is 振込依頼人名 as printed, trailing spaces removed.
	Payer string `db:"payer"`
	// PayerNormalized is Payer after Normalizer.Normalize (empty from a Scanner with no
	// Normalizer, in which case Match computes it).
	PayerNormalized string `db:"payer_normalized"`
	// EDI is EDI情報, trailing spaces removed.
	EDI string `db:"edi"`
	// Cancelled is true for an 01 record with 取消区分 1: it cancels an earlier notice.
	Cancelled bool `db:"cancelled"`
	// Kind is Credit or Debit (01 records are always credits).
	Kind Kind `db:"kind"`
	// TxnCode is 取引区分 of an 03 record ("11" 振込, "19" 訂正, ...); "" for 01 and CSV.
	TxnCode string `db:"-"`
	// Summary is 摘要内容 of an 03 record (e.g. "ｸﾐﾓﾄﾞｼ"), or a CSV summary column.
	Summary string `db:"-"`
	// Reversal is true for a debit the bank marks as 訂正 (取引区分 19) or 組戻し (摘要
	// ｸﾐﾓﾄﾞｼ): it reverses an earlier credit of the same amount and payer, in this file
	// (see Reverses) or in one imported before.
	Reversal bool `db:"-"`
	// Reverses is, for a cancelled or reversal record, the Record number of the credit
	// in the same file that it mirrors; 0 when that credit came in an earlier file (the
	// caller looks it up) or none was found. Only Parse fills it.
	Reverses int `db:"-"`
	// Record is the 1-based record number in the file (Zengin: counting header, data,
	// trailer and end records; CSV: the line number).
	Record int `db:"record"`
}

// IsPayment reports whether t is a candidate payment: a credit that is neither a
// cancellation nor a reversal. Match looks only at these.
func (t Txn) IsPayment() bool { return t.Kind == Credit && !t.Cancelled && !t.Reversal }

// Account describes one header…trailer group of a Zengin file (one bank account), or
// the account of a CSV file, with the totals its trailer stated and the parser checked.
type Account struct {
	Key        string // the Txn.Account key
	BankCode   string // 銀行コード
	BankName   string // 銀行名 (half-width kana as printed)
	BranchCode string // 支店コード
	BranchName string // 支店名
	Type       string // 預金種目 (1 普通, 2 当座, ...)
	Number     string // 口座番号, 7 digits
	Name       string // 口座名
	Created    calendar.Date
	From, To   calendar.Date // 勘定日(自), 勘定日(至); zero when the bank left them empty
	// Era is the YYMMDD reading used for this account's dates: "wareki" or "seireki".
	Era string
	// Records is the number of data records; Credits/Debits and their totals split them
	// (for 01 Credits counts normal notices and Cancelled the 取消 ones).
	Records        int
	Credits        int
	CreditTotal    int64
	Debits         int
	DebitTotal     int64
	Cancelled      int
	CancelledTotal int64
}

// Statement is a parsed bank file.
type Statement struct {
	// Format is "zengin01", "zengin03" or "csv:PROFILE".
	Format   string
	Accounts []Account
	// Txns are all data records in file order, debits and cancellations included.
	Txns []Txn
	// Ignored counts the debits that are neither 訂正 nor 組戻し: read, counted, not used.
	Ignored int
}

// Era options for YYMMDD dates (SPEC §6.1).
const (
	EraAuto    = "auto"    // the reading (和暦 or 西暦) nearer the run date, decided per account
	EraWareki  = "wareki"  // 令和 or 平成 year
	EraSeireki = "seireki" // year − 2000
)

// ParseOptions controls Parse and NewScanner. The zero value reads any supported format
// with the built-in CSV profiles, era "auto" and no run date (auto then reads 和暦).
type ParseOptions struct {
	// Format is "auto" (or ""), "zengin", or "csv:PROFILE" to force one.
	Format string
	// Era is the default era for accounts not in Eras: "auto" (or ""), "wareki", "seireki".
	Era string
	// Eras gives the era per account, keyed by the account key ("0001-123-1-1234567")
	// or by the bare 7-digit account number.
	Eras map[string]string
	// RunDate is the run date; "auto" picks the reading nearer to it.
	RunDate calendar.Date
	// Profiles are CSV profiles from the configuration. They are tried before the
	// built-in ones and replace a built-in profile of the same name.
	Profiles []CSVProfile
	// Normalizer fills Txn.PayerNormalized in Parse; nil means the default Normalizer.
	// A Scanner leaves PayerNormalized empty unless Normalizer is set.
	Normalizer *Normalizer
}

// Validate reports an option that cannot be meant: an unknown format, era or profile.
func (o ParseOptions) Validate() error {
	var errs []error
	if !validEra(o.Era) {
		errs = append(errs, fmt.Errorf("era %q: want auto, wareki or seireki", o.Era))
	}
	for acct, e := range o.Eras {
		if !validEra(e) || e == "" {
			errs = append(errs, fmt.Errorf("era %q for account %s: want auto, wareki or seireki", e, acct))
		}
	}
	switch f := o.Format; {
	case f == "", f == "auto", f == "zengin":
	case strings.HasPrefix(f, formatCSVPrefix):
		if _, ok := o.profile(f[len(formatCSVPrefix):]); !ok {
			errs = append(errs, fmt.Errorf("format %q: no CSV profile named %q (have %s)", f, f[len(formatCSVPrefix):], strings.Join(o.profileNames(), ", ")))
		}
	default:
		errs = append(errs, fmt.Errorf("format %q: want auto, zengin or csv:PROFILE", f))
	}
	for _, p := range o.Profiles {
		if err := p.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bankfeed: options: %w", err)
	}
	return nil
}

func validEra(e string) bool {
	switch e {
	case "", EraAuto, EraWareki, EraSeireki:
		return true
	}
	return false
}

func (o ParseOptions) eraFor(key, number string) string {
	if e, ok := o.Eras[key]; ok {
		return e
	}
	if e, ok := o.Eras[number]; ok {
		return e
	}
	if o.Era == "" {
		return EraAuto
	}
	return o.Era
}

func (o ParseOptions) normalizer() *Normalizer {
	if o.Normalizer != nil {
		return o.Normalizer
	}
	return NewNormalizer(nil)
}

// Sentinel errors wrapped by FormatError, for callers that branch on the kind of defect.
var (
	ErrEBCDIC       = errors.New("EBCDIC file (コード区分 1): ask the bank for a JIS (コード区分 0) file")
	ErrRecordLength = errors.New("record is not 200 bytes")
	ErrLayout       = errors.New("record out of place")
	ErrField        = errors.New("bad field")
	ErrDate         = errors.New("bad date")
	ErrAmount       = errors.New("bad amount")
	ErrTrailer      = errors.New("trailer does not match the data records")
	ErrUnknown      = errors.New("unknown file format")
)

// FormatError says which byte of which file is wrong: a malformed bank file is refused
// whole with this error (SPEC §6.1, §6.2) and the report shows it.
type FormatError struct {
	File   string
	Record int    // 1-based record (Zengin) or line (CSV); 0 for the file as a whole
	Field  string // the Zengin field name (金額, 勘定日, ...) or CSV column
	Bytes  []byte // the offending bytes as found in the file
	Reason string
	Err    error // one of the Err… sentinels
}

func (e *FormatError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bankfeed: %s", e.File)
	if e.Record > 0 {
		fmt.Fprintf(&b, ": record %d", e.Record)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", field %s", e.Field)
	}
	if e.Bytes != nil {
		fmt.Fprintf(&b, " %s", showBytes(e.Bytes))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *FormatError) Unwrap() error { return e.Err }

// showBytes prints bytes readably: quoted when printable ASCII, else as hex too.
func showBytes(p []byte) string {
	const max = 48
	cut := ""
	if len(p) > max {
		p, cut = p[:max], "…"
	}
	printable := true
	for _, c := range p {
		if c < 0x20 || c >= 0x7f {
			printable = false
			break
		}
	}
	if printable {
		return fmt.Sprintf("%q%s", p, cut)
	}
	text, err := japanese.ShiftJIS.NewDecoder().Bytes(p)
	if err != nil {
		return fmt.Sprintf("% X%s", p, cut)
	}
	return fmt.Sprintf("% X%s (%+q in Shift_JIS)", p, cut, text)
}

// Parse reads a bank file whole: Zengin 01 or 03, or a CSV through a profile, detected
// automatically unless o.Format says which. The file is validated whole (trailer counts
// and totals, every record): any defect returns a *FormatError and no Statement.
func Parse(name string, data []byte, o ParseOptions) (*Statement, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	format, profile, err := detect(name, data, o)
	if err != nil {
		return nil, err
	}
	var st *Statement
	if format == "zengin" {
		st, err = parseZengin(name, data, o)
	} else {
		st, err = parseCSV(name, data, profile, o)
	}
	if err != nil {
		return nil, err
	}
	n := o.normalizer()
	seen := map[string]string{} // payers repeat: normalize each text once
	for i := range st.Txns {
		p := st.Txns[i].Payer
		v, ok := seen[p]
		if !ok {
			v = n.Normalize(p)
			seen[p] = v
		}
		st.Txns[i].PayerNormalized = v
	}
	linkReversals(st.Txns)
	return st, nil
}

func parseZengin(name string, data []byte, o ParseOptions) (*Statement, error) {
	sc := NewScanner(name, bytes.NewReader(data), o)
	sc.setData(data)
	txns := make([]Txn, 0, len(data)/202)
	for sc.Scan() {
		txns = append(txns, sc.Txn())
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return &Statement{Format: sc.Format(), Accounts: sc.Accounts(), Txns: txns, Ignored: sc.Ignored()}, nil
}

// Detect says what a bank file is (SPEC §6.1): "zengin01", "zengin03", "csv:PROFILE",
// or an error naming the file when it is none of them. Zengin is recognised by its
// header record; a CSV by the first profile (configured ones first, then the built-in
// ones) whose columns its header row names.
func Detect(name string, data []byte, o ParseOptions) (string, error) {
	format, p, err := detect(name, data, o)
	if err != nil {
		return "", err
	}
	if format == "zengin" {
		switch {
		case len(data) >= 3 && string(data[1:3]) == "01":
			return FormatZengin01, nil
		case len(data) >= 3 && string(data[1:3]) == "03":
			return FormatZengin03, nil
		}
		return "", &FormatError{File: name, Record: 1, Field: "種別コード", Bytes: head(data, 4), Reason: "not a Zengin 01 or 03 file", Err: ErrUnknown}
	}
	return formatCSVPrefix + p.Name, nil
}

func head(p []byte, n int) []byte {
	if len(p) < n {
		n = len(p)
	}
	return bytes.Clone(p[:n])
}

// looksZengin reports whether data starts like a Zengin header: データ区分 1 and a
// two-digit 種別コード, in JIS or in EBCDIC (F1 F0 F1 / F1 F0 F3).
func looksZengin(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	if data[0] == '1' && isDigit(data[1]) && isDigit(data[2]) && (data[3] == '0' || data[3] == '1' || data[3] == ' ') {
		return true
	}
	return data[0] == 0xF1 && data[1] == 0xF0 && (data[2] == 0xF1 || data[2] == 0xF3)
}

func detect(name string, data []byte, o ParseOptions) (string, CSVProfile, error) {
	switch f := o.Format; {
	case f == "zengin":
		return "zengin", CSVProfile{}, nil
	case strings.HasPrefix(f, formatCSVPrefix):
		p, _ := o.profile(f[len(formatCSVPrefix):])
		return "csv", p, nil
	}
	if looksZengin(data) {
		return "zengin", CSVProfile{}, nil
	}
	if len(data) == 0 {
		return "", CSVProfile{}, &FormatError{File: name, Reason: "empty file", Err: ErrUnknown}
	}
	p, err := detectCSV(name, data, o)
	if err != nil {
		return "", CSVProfile{}, err
	}
	return "csv", p, nil
}

// linkReversals sets Reverses on cancellations (01) and reversal debits (03) that mirror
// an earlier credit of the same file: same account and amount, and the same 照会番号 or
// payer (a reversal with an empty payer mirrors by amount). Each credit is reversed once.
func linkReversals(txns []Txn) {
	type key struct {
		account string
		amount  int64
	}
	var open map[key][]int // indexes of credits not yet reversed
	for i := range txns {
		t := &txns[i]
		if t.IsPayment() {
			if open == nil {
				open = make(map[key][]int)
			}
			k := key{t.Account, t.Amount}
			open[k] = append(open[k], i)
			continue
		}
		if !t.Cancelled && !t.Reversal {
			continue
		}
		k := key{t.Account, t.Amount}
		cands := open[k]
		best := -1
		for j := len(cands) - 1; j >= 0; j-- { // the latest earlier credit first
			c := &txns[cands[j]]
			if (t.RefNo != "" && t.RefNo == c.RefNo && t.Cancelled) || t.PayerNormalized == c.PayerNormalized || t.PayerNormalized == "" {
				best = j
				break
			}
		}
		if best >= 0 {
			t.Reverses = txns[cands[best]].Record
			open[k] = append(cands[:best:best], cands[best+1:]...)
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validUTF8 strips a UTF-8 BOM and reports whether the rest is valid UTF-8.
func validUTF8(p []byte) ([]byte, bool) {
	p = bytes.TrimPrefix(p, []byte("\xEF\xBB\xBF"))
	return p, utf8.Valid(p)
}
