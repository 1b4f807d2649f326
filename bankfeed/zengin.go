package bankfeed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/npress/nightly/calendar"
)

// RecordLen is the length of every Zengin record.
const RecordLen = 200

const (
	readChunk    = 1 << 20 // bytes read at a time from an io.Reader
	maxTextCache = 1 << 14 // distinct decoded texts remembered per file
)

// Scanner states.
const (
	stStart  = iota // nothing read yet
	stHeader        // between groups: a header or the end record comes next
	stGroup         // inside a header…trailer group
	stDone          // the end record was read
)

// groupState holds one header…trailer group while it is read.
type groupState struct {
	acct         Account
	headerRecord int
	bad          bool // a data record of the group was defective (collect mode): its trailer is not checked
}

// Scanner reads a Zengin 01 or 03 file record by record, for files too big to hold in
// memory. Scan yields each data record as a Txn; the trailer of each account and the end
// record are checked as they come, so a file is valid only when Scan has returned false
// and Err is nil: a caller that streams must hold back (or roll back) what it did with
// the Txns until then (SPEC §6.2). Parse uses a Scanner and then links reversals.
type Scanner struct {
	name string
	o    ParseOptions
	r    io.Reader

	buf []byte // buf[pos:] is unread
	pos int
	eof bool // r is exhausted (or there is no r)

	rec       int // number of the record last read
	separated int // 0 unknown, 1 records end with CR/LF or LF, 2 continuous
	state     int
	kind      byte // '1' or '3' once the first header was read
	grp       groupState
	accounts  []Account
	ignored   int

	txn Txn
	err error

	// Collect mode (CollectErrors): defects of data records and trailers are counted and
	// the first keep of them kept, and the scan goes on.
	keep      int
	collect   bool
	defects   []*FormatError
	ndefects  int
	collected bool // Err was made from the defects

	dec    transform.Transformer
	decBuf []byte
	cache  map[string]string
	norm   *Normalizer
}

// NewScanner returns a Scanner reading a Zengin file named name (the name is only used in
// errors) from r. o.Format is not consulted; o.Normalizer, when set, fills
// PayerNormalized (it costs time: the streaming use case normally leaves it nil).
func NewScanner(name string, r io.Reader, o ParseOptions) *Scanner {
	s := &Scanner{
		name:   name,
		o:      o,
		r:      r,
		dec:    japanese.ShiftJIS.NewDecoder(),
		decBuf: make([]byte, 3*RecordLen),
		cache:  make(map[string]string),
		norm:   o.Normalizer,
	}
	if err := o.Validate(); err != nil {
		s.err = err
	}
	return s
}

// setData makes s read data directly instead of through its reader.
func (s *Scanner) setData(data []byte) {
	s.r, s.buf, s.pos, s.eof = nil, data, 0, true
}

// Txn returns the data record read by the last successful Scan.
func (s *Scanner) Txn() Txn { return s.txn }

// Err returns the first error met, or nil when the whole file was read and checked.
func (s *Scanner) Err() error { return s.err }

// Format returns "zengin01" or "zengin03" once the first header was read.
func (s *Scanner) Format() string {
	switch s.kind {
	case '1':
		return FormatZengin01
	case '3':
		return FormatZengin03
	}
	return ""
}

// Accounts returns the account groups whose trailer has been read and checked.
func (s *Scanner) Accounts() []Account { return s.accounts }

// Ignored returns the number of debits read so far that are neither 訂正 nor 組戻し.
func (s *Scanner) Ignored() int { return s.ignored }

// Record returns the number of the record last read (1-based).
func (s *Scanner) Record() int { return s.rec }

func (s *Scanner) fail(field string, b []byte, sentinel error, format string, args ...any) bool {
	s.err = &FormatError{File: s.name, Record: s.rec, Field: field, Bytes: bytes.Clone(b), Reason: fmt.Sprintf(format, args...), Err: sentinel}
	return false
}

// fill makes at least n unread bytes available in buf, unless the input ends first.
func (s *Scanner) fill(n int) error {
	for !s.eof && len(s.buf)-s.pos < n {
		if s.pos > 0 {
			m := copy(s.buf, s.buf[s.pos:])
			s.buf, s.pos = s.buf[:m], 0
		}
		if cap(s.buf) < readChunk {
			nb := make([]byte, len(s.buf), readChunk)
			copy(nb, s.buf)
			s.buf = nb
		}
		k, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+k]
		if errors.Is(err, io.EOF) {
			s.eof = true
		} else if err != nil {
			return fmt.Errorf("bankfeed: %s: reading after record %d: %w", s.name, s.rec, err)
		}
	}
	return nil
}

// lineBreak returns the index of the first CR or LF in b, or -1.
func lineBreak(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], '\r'); j >= 0 {
		return j
	}
	if i == len(b) {
		return -1
	}
	return i
}

func isTrailingJunk(c byte) bool { return c == '\r' || c == '\n' || c == 0x1A }

// restIsJunk reports whether everything left in the input is CR, LF or EOF (0x1A).
func (s *Scanner) restIsJunk() (bool, []byte, error) {
	for {
		for i, c := range s.buf[s.pos:] {
			if !isTrailingJunk(c) {
				return false, s.buf[s.pos+i:], nil
			}
		}
		s.pos = len(s.buf)
		if s.eof {
			return true, nil, nil
		}
		if err := s.fill(1); err != nil {
			return false, nil, err
		}
	}
}

// next returns the next 200-byte record, or nil at the end of the input.
func (s *Scanner) next() ([]byte, bool) {
	if err := s.fill(RecordLen + 2); err != nil {
		s.err = err
		return nil, false
	}
	avail := s.buf[s.pos:]
	if s.rec == 0 && len(avail) > 0 && avail[0] == 0xF1 {
		s.rec = 1
		return nil, s.fail("データ区分", head(avail, 4), ErrEBCDIC, "the file is in EBCDIC (header F1 F0 …); ask the bank for a JIS file (コード区分 0)")
	}
	if len(avail) < RecordLen {
		junk, rest, err := s.restIsJunk()
		if err != nil {
			s.err = err
			return nil, false
		}
		if junk {
			return nil, true
		}
		s.rec++
		rest = bytes.TrimRight(rest, "\r\n\x1a")
		return nil, s.fail("レコード長", rest, ErrRecordLength, "the last record is %d bytes long, want 200", len(rest))
	}
	rec := avail[:RecordLen]
	s.rec++
	if i := lineBreak(rec); i >= 0 {
		if s.rec > 1 && i == 0 {
			return nil, s.fail("レコード長", nil, ErrRecordLength, "empty line where a record should be")
		}
		return nil, s.fail("レコード長", rec[:i], ErrRecordLength, "record is %d bytes long, want 200", i)
	}
	adv := RecordLen
	sep := 2
	if len(avail) > RecordLen {
		switch avail[RecordLen] {
		case '\n':
			adv, sep = adv+1, 1
		case '\r':
			adv, sep = adv+1, 1
			if len(avail) > RecordLen+1 && avail[RecordLen+1] == '\n' {
				adv++
			}
		}
	} else {
		sep = s.separated
	}
	if s.separated == 0 {
		s.separated = sep
	} else if sep != s.separated && rec[0] != '9' {
		if s.separated == 1 {
			line := avail
			if i := lineBreak(line); i >= 0 {
				line = line[:i]
			}
			return nil, s.fail("レコード長", line, ErrRecordLength, "record is %d bytes long, want 200", len(line))
		}
		return nil, s.fail("レコード長", nil, ErrRecordLength, "a line break after this record, but none after the records before it")
	}
	s.pos += adv
	return rec, true
}

// Scan reads the next data record. It returns false at the end of the file or on the
// first error (see Err); in collect mode (CollectErrors) it skips defective data
// records and goes on.
func (s *Scanner) Scan() bool {
	ok := s.scan()
	if !ok && s.collect && !s.collected {
		s.collected = true
		s.err = s.collectedErr()
	}
	return ok
}

func (s *Scanner) scan() bool {
	for s.err == nil {
		if s.state == stDone {
			junk, rest, err := s.restIsJunk()
			switch {
			case err != nil:
				s.err = err
			case !junk:
				s.rec++
				s.fail("", head(rest, 16), ErrLayout, "data after the end record (データ区分 9); only CR, LF or EOF (1A) may follow it")
			}
			return false
		}
		rec, ok := s.next()
		if !ok {
			return false
		}
		if rec == nil {
			switch s.state {
			case stStart:
				return s.fail("", nil, ErrLayout, "empty file: no Zengin header record")
			case stGroup:
				return s.fail("", nil, ErrLayout, "file ends inside the account group begun at record %d: trailer (データ区分 8) and end record (9) missing — truncated?", s.grp.headerRecord)
			default:
				return s.fail("", nil, ErrLayout, "file ends without the end record (データ区分 9) — truncated?")
			}
		}
		if s.state == stStart && rec[0] != '1' {
			return s.fail("データ区分", rec[:1], ErrUnknown, "not a Zengin file: the first record must be a header (データ区分 1)")
		}
		switch rec[0] {
		case '1':
			s.header(rec)
		case '2':
			if s.state != stGroup {
				return s.fail("データ区分", rec[:1], ErrLayout, "data record outside an account group (no header before it)")
			}
			var ok bool
			if s.kind == '1' {
				ok = s.data01(rec)
			} else {
				ok = s.data03(rec)
			}
			if !ok && s.collect && s.defect() {
				s.grp.bad = true
				continue
			}
			return ok
		case '8':
			if !s.trailer(rec) && s.collect && s.state == stGroup && s.defect() {
				s.state = stHeader
			}
		case '9':
			switch s.state {
			case stGroup:
				return s.fail("データ区分", rec[:1], ErrLayout, "end record inside the account group begun at record %d: its trailer (データ区分 8) is missing", s.grp.headerRecord)
			case stStart:
				return s.fail("データ区分", rec[:1], ErrLayout, "end record before any header")
			}
			s.state = stDone
		default:
			return s.fail("データ区分", rec[:1], ErrLayout, "データ区分 must be 1, 2, 8 or 9")
		}
	}
	return false
}

// text decodes a C field: trailing spaces dropped, ASCII kept as is, anything else
// (half-width katakana) decoded from Shift_JIS. Repeated texts come from a cache.
func (s *Scanner) text(b []byte) string {
	b = trimSpaces(b)
	if len(b) == 0 {
		return ""
	}
	if v, ok := s.cache[string(b)]; ok {
		return v
	}
	v := s.decode(b)
	if len(s.cache) < maxTextCache {
		s.cache[string(b)] = v
	}
	return v
}

// decode converts b to UTF-8 without the cache (fields that rarely repeat).
func (s *Scanner) decode(b []byte) string {
	b = trimSpaces(b)
	if isASCII(b) {
		return string(b)
	}
	s.dec.Reset()
	n, _, err := s.dec.Transform(s.decBuf, b, true)
	if err != nil { // cannot happen with a 3× buffer; keep the bytes visible if it does
		return string(b)
	}
	return string(s.decBuf[:n])
}

func trimSpaces(b []byte) []byte {
	i := len(b)
	for i > 0 && b[i-1] == ' ' {
		i--
	}
	return b[:i]
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// number reads a right-aligned N field: optional leading spaces, then digits.
func number(b []byte) (int64, bool) {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var n int64
	for _, c := range b[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func digitsOrSpaces(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && c != ' ' {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// refNo returns 照会番号 as printed, or "" when the bank left it empty.
func refNo(b []byte) (string, bool) {
	if !digitsOrSpaces(b) {
		return "", false
	}
	t := bytes.TrimSpace(b)
	if len(bytes.Trim(t, "0")) == 0 {
		return "", true
	}
	return string(t), true
}

func (s *Scanner) date(rec []byte, off int, field string) (calendar.Date, bool) {
	b := rec[off : off+6]
	d, why := eraDate(b, s.grp.acct.Era, s.o.RunDate)
	if why != "" {
		return d, s.fail(field, b, ErrDate, "%s (era %s)", why, s.grp.acct.Era)
	}
	return d, true
}

// valueDate reads 勘定日 and refuses one implausibly far from the run date.
func (s *Scanner) valueDate(rec []byte, off int) (calendar.Date, bool) {
	d, ok := s.date(rec, off, "勘定日")
	if !ok {
		return d, false
	}
	if why := implausibleValueDate(d, s.o.RunDate); why != "" {
		return d, s.fail("勘定日", rec[off:off+6], ErrDate, "%s (era %s)", why, s.grp.acct.Era)
	}
	return d, true
}

// firstValueDate is the first value date nightly accepts: the eras and the calendar are
// exact from 2000 on, and no bank sends older transfers.
var firstValueDate = calendar.New(2000, 1, 1)

// implausibleValueDate says why a value date cannot belong to a file read on the run
// date run (SPEC §10.0: dates in input are checked against the run date): before 2000,
// or more than a year after run. "" when it is plausible; without a run date only the
// lower bound is checked.
func implausibleValueDate(d, run calendar.Date) string {
	switch {
	case d.Before(firstValueDate):
		return fmt.Sprintf("value date %s is before %s: a wrong era or a broken file", d, firstValueDate)
	case !run.IsZero() && d.After(run.AddMonths(12)):
		return fmt.Sprintf("value date %s is more than a year after the run date %s: a wrong era or a broken file", d, run)
	}
	return ""
}

// payer reads 振込依頼人名, a field of JIS X 0201: ASCII and half-width katakana, one byte
// a character. Another byte (a Shift_JIS double-byte character, UTF-8, a control
// character) would be stored as replacement characters or mojibake, and the transfer's
// key would differ from the one a corrected file gives (a double payment once the
// bank resends it): the file is refused, naming the record, the field and the byte.
func (s *Scanner) payer(b []byte) (string, bool) {
	for i, c := range b {
		if c >= 0x20 && c <= 0x7E || c >= 0xA1 && c <= 0xDF {
			continue
		}
		hint := ""
		if t := trimSpaces(b); !isASCII(t) && utf8.Valid(t) {
			hint = "; the field is UTF-8: was the file converted from Shift_JIS?"
		}
		return "", s.fail("振込依頼人名", b, ErrField,
			"byte %d is 0x%02X, not JIS X 0201 (ASCII or half-width katakana)%s; ask the bank for the file again as it was sent", i+1, c, hint)
	}
	return s.text(b), true
}

// optionalDate is date for fields a bank may leave as zeros or spaces.
func (s *Scanner) optionalDate(rec []byte, off int, field string) (calendar.Date, bool) {
	b := rec[off : off+6]
	if string(b) == "000000" || string(b) == "      " {
		return calendar.Date{}, true
	}
	return s.date(rec, off, field)
}

func (s *Scanner) amount(rec []byte, off, n int, field string) (int64, bool) {
	b := rec[off : off+n]
	v, ok := number(b)
	if !ok {
		return 0, s.fail(field, b, ErrAmount, "not a right-aligned number")
	}
	return v, true
}

// header reads a header record (データ区分 1) and opens an account group.
func (s *Scanner) header(rec []byte) bool {
	if s.state == stGroup {
		return s.fail("データ区分", rec[:1], ErrLayout, "header inside the account group begun at record %d: its trailer (データ区分 8) is missing", s.grp.headerRecord)
	}
	switch rec[3] {
	case '0', ' ':
	case '1':
		return s.fail("コード区分", rec[3:4], ErrEBCDIC, "コード区分 1 (EBCDIC) is not supported; ask the bank for a JIS file (コード区分 0)")
	default:
		return s.fail("コード区分", rec[3:4], ErrField, "コード区分 must be 0 (JIS)")
	}
	kind := rec[1:3]
	if string(kind) != "01" && string(kind) != "03" {
		return s.fail("種別コード", kind, ErrUnknown, "種別コード must be 01 (振込入金通知) or 03 (入出金取引明細)")
	}
	if s.kind != 0 && s.kind != kind[1] {
		return s.fail("種別コード", kind, ErrLayout, "種別コード %s in a file that began as 種別コード 0%c", kind, s.kind)
	}
	s.kind = kind[1]
	a := Account{}
	var typ, num []byte
	if s.kind == '1' {
		typ, num = rec[59:60], rec[60:67]
		a.Name = s.text(rec[67:107])
	} else {
		typ, num = rec[62:63], rec[63:73]
		a.Name = s.text(rec[73:113])
	}
	fields := []struct {
		name string
		b    []byte
	}{{"銀行コード", rec[22:26]}, {"支店コード", rec[41:44]}, {"預金種目", typ}, {"口座番号", num}}
	for _, f := range fields {
		if !allDigits(f.b) {
			return s.fail(f.name, f.b, ErrField, "must be digits")
		}
	}
	if len(num) == 10 {
		if string(num[:3]) != "000" {
			return s.fail("口座番号", num, ErrField, "an account number longer than 7 digits")
		}
		num = num[3:]
	}
	a.BankCode, a.BranchCode, a.Type, a.Number = string(rec[22:26]), string(rec[41:44]), string(typ), string(num)
	a.BankName, a.BranchName = s.text(rec[26:41]), s.text(rec[44:59])
	a.Key = a.BankCode + "-" + a.BranchCode + "-" + a.Type + "-" + a.Number

	created := rec[4:10]
	yy, mm, dd, ok := yymmdd(created)
	if !ok {
		return s.fail("作成日", created, ErrDate, "not six digits YYMMDD")
	}
	a.Era = resolveEra(s.o.eraFor(a.Key, a.Number), yy, mm, dd, s.o.RunDate)
	s.grp = groupState{acct: a, headerRecord: s.rec}
	if s.grp.acct.Created, ok = s.date(rec, 4, "作成日"); !ok {
		return false
	}
	if s.grp.acct.From, ok = s.optionalDate(rec, 10, "勘定日(自)"); !ok {
		return false
	}
	if s.grp.acct.To, ok = s.optionalDate(rec, 16, "勘定日(至)"); !ok {
		return false
	}
	s.state = stGroup
	return true
}

// data01 reads a 振込入金通知 data record.
func (s *Scanner) data01(rec []byte) bool {
	g := &s.grp.acct
	ref, ok := refNo(rec[1:7])
	if !ok {
		return s.fail("照会番号", rec[1:7], ErrField, "must be digits")
	}
	vd, ok := s.valueDate(rec, 7)
	if !ok {
		return false
	}
	payer, ok := s.payer(rec[49:97])
	if !ok {
		return false
	}
	amt, ok := s.amount(rec, 19, 10, "金額")
	if !ok {
		return false
	}
	if amt == 0 {
		return s.fail("金額", rec[19:29], ErrAmount, "a transfer of 0 yen")
	}
	var cancelled bool
	switch rec[127] {
	case '0', ' ':
	case '1':
		cancelled = true
	default:
		return s.fail("取消区分", rec[127:128], ErrField, "取消区分 must be 0 (normal), 1 (cancellation) or a space")
	}
	g.Records++
	if cancelled {
		g.Cancelled++
		g.CancelledTotal += amt
	} else {
		g.Credits++
		g.CreditTotal += amt
	}
	s.txn = Txn{
		Account:   g.Key,
		RefNo:     ref,
		ValueDate: vd,
		Amount:    amt,
		Payer:     payer,
		EDI:       s.decode(rec[128:148]),
		Cancelled: cancelled,
		Kind:      Credit,
		Record:    s.rec,
	}
	if s.norm != nil {
		s.txn.PayerNormalized = s.norm.Normalize(s.txn.Payer)
	}
	return true
}

// kumimodoshi is ｸﾐﾓﾄﾞｼ (組戻し) in JIS X 0201.
var kumimodoshi = []byte{0xB8, 0xD0, 0xD3, 0xC4, 0xDE, 0xBC}

// data03 reads an 入出金取引明細 data record.
func (s *Scanner) data03(rec []byte) bool {
	g := &s.grp.acct
	ref, ok := refNo(rec[1:9])
	if !ok {
		return s.fail("照会番号", rec[1:9], ErrField, "must be digits")
	}
	vd, ok := s.valueDate(rec, 9)
	if !ok {
		return false
	}
	payer, ok := s.payer(rec[81:129])
	if !ok {
		return false
	}
	var kind Kind
	switch rec[21] {
	case '1':
		kind = Credit
	case '2':
		kind = Debit
	default:
		return s.fail("入払区分", rec[21:22], ErrField, "入払区分 must be 1 (入金) or 2 (出金)")
	}
	code := rec[22:24]
	if !digitsOrSpaces(code) {
		return s.fail("取引区分", code, ErrField, "取引区分 must be two digits")
	}
	amt, ok := s.amount(rec, 24, 12, "取引金額")
	if !ok {
		return false
	}
	if amt == 0 {
		return s.fail("取引金額", rec[24:36], ErrAmount, "a transaction of 0 yen")
	}
	summary := rec[159:179]
	g.Records++
	reversal := false
	if kind == Credit {
		g.Credits++
		g.CreditTotal += amt
	} else {
		g.Debits++
		g.DebitTotal += amt
		reversal = string(code) == "19" || bytes.Contains(summary, kumimodoshi)
		if !reversal {
			s.ignored++
		}
	}
	s.txn = Txn{
		Account:   g.Key,
		RefNo:     ref,
		ValueDate: vd,
		Amount:    amt,
		Payer:     payer,
		EDI:       s.decode(rec[179:199]),
		Kind:      kind,
		TxnCode:   s.text(code),
		Summary:   s.text(summary),
		Reversal:  reversal,
		Record:    s.rec,
	}
	if s.norm != nil {
		s.txn.PayerNormalized = s.norm.Normalize(s.txn.Payer)
	}
	return true
}

// trailer reads a trailer record (データ区分 8), checks it against the group's data
// records and closes the group.
func (s *Scanner) trailer(rec []byte) bool {
	if s.state != stGroup {
		return s.fail("データ区分", rec[:1], ErrLayout, "trailer without a header before it")
	}
	g := &s.grp.acct
	if s.grp.bad { // its totals cannot agree: the defects of its records are reported instead
		s.accounts = append(s.accounts, *g)
		s.state = stHeader
		return true
	}
	type check struct {
		field    string
		off, n   int
		computed int64
	}
	var checks []check
	if s.kind == '1' {
		checks = []check{
			{"振込合計件数", 1, 6, int64(g.Credits)},
			{"振込合計金額", 7, 12, g.CreditTotal},
			{"取消合計件数", 19, 6, int64(g.Cancelled)},
			{"取消合計金額", 25, 12, g.CancelledTotal},
		}
	} else {
		checks = []check{
			{"入金件数", 1, 6, int64(g.Credits)},
			{"入金額合計", 7, 13, g.CreditTotal},
			{"出金件数", 20, 6, int64(g.Debits)},
			{"出金額合計", 26, 13, g.DebitTotal},
			{"データレコード件数", 54, 7, int64(g.Records)},
		}
	}
	for _, c := range checks {
		b := rec[c.off : c.off+c.n]
		v, ok := number(b)
		if !ok {
			return s.fail(c.field, b, ErrAmount, "not a right-aligned number")
		}
		if v != c.computed {
			return s.fail(c.field, b, ErrTrailer, "trailer says %d, the data records of this account (from record %d) give %d", v, s.grp.headerRecord, c.computed)
		}
	}
	s.accounts = append(s.accounts, *g)
	s.state = stHeader
	return true
}
