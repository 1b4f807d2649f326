package bankfeed

import (
	"bytes"
	"fmt"
	"io"

	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/calendar"
)

// ZenginFile is a Zengin file to write: 振込入金通知 (Kind "01") or 入出金取引明細
// (Kind "03"), one group per account. WriteZengin produces it byte-exact in JIS X 0201
// (Shift_JIS single bytes), for demos, tests and generated samples; Parse reads it back.
type ZenginFile struct {
	Kind string // "01" or "03"
	// Era writes YYMMDD dates as 和暦 (EraWareki, 令和/平成: the default) or 西暦 (EraSeireki).
	Era string
	// LineBreak goes after each record: "\r\n" (the default when empty), "\n", or
	// NoLineBreak for a continuous file.
	LineBreak string
	Groups    []ZenginGroup
}

// NoLineBreak as ZenginFile.LineBreak writes the records with nothing between them.
const NoLineBreak = "none"

// ZenginGroup is one account's header, data records and (computed) trailer.
type ZenginGroup struct {
	Created, From, To calendar.Date
	BankCode          string // 4 digits
	BankName          string // half-width katakana
	BranchCode        string // 3 digits
	BranchName        string
	AccountType       string // 預金種目, 1 digit
	AccountNumber     string // up to 7 digits
	AccountName       string
	Records           []ZenginRecord
}

// ZenginRecord is a data record. For 01 only credits exist: Debit and TxnCode are
// ignored and Cancelled sets 取消区分 1. For 03, Cancelled is ignored: a reversal is a
// Debit with TxnCode "19" or Summary "ｸﾐﾓﾄﾞｼ".
type ZenginRecord struct {
	RefNo      string // 照会番号, digits; "" writes zeros
	ValueDate  calendar.Date
	Amount     int64
	Debit      bool
	TxnCode    string // 取引区分 (03): "11" 振込 when empty
	PayerCode  string
	Payer      string // half-width katakana as a bank prints it
	FromBank   string
	FromBranch string
	Summary    string // 摘要内容 (03)
	EDI        string
	Cancelled  bool
}

// WriteZengin writes f; it fails on a field that does not fit or is not JIS X 0201.
func WriteZengin(w io.Writer, f ZenginFile) error {
	var out bytes.Buffer
	z, err := NewZenginWriter(&out, f.Kind, f.Era, f.LineBreak)
	if err != nil {
		return err
	}
	for _, g := range f.Groups {
		if err := z.Header(g); err != nil {
			return err
		}
		for _, d := range g.Records {
			if err := z.Record(d); err != nil {
				return err
			}
		}
		if err := z.Trailer(); err != nil {
			return err
		}
	}
	if err := z.End(); err != nil {
		return err
	}
	_, err = w.Write(out.Bytes())
	return err
}

// ZenginWriter writes a Zengin file record by record, computing each group's trailer,
// for files too big to build in memory (a gigabyte of transfers for a load test).
// Call Header, then Record for each data record (ZenginGroup.Records is not read),
// then Trailer, for each group, and End once. WriteZengin uses it.
type ZenginWriter struct {
	w     io.Writer
	kind  string
	era   string
	lb    string
	buf   bytes.Buffer
	group int // groups begun
	rec   int // data records of the current group
	open  bool

	credits, debits, cancelled              int
	creditTotal, debitTotal, cancelledTotal int64
}

// NewZenginWriter returns a writer of a Zengin file of kind "01" or "03" in era
// (EraWareki by default) with lineBreak after each record ("\r\n" when empty, "\n", or
// NoLineBreak), writing to w.
func NewZenginWriter(w io.Writer, kind, era, lineBreak string) (*ZenginWriter, error) {
	if kind != "01" && kind != "03" {
		return nil, fmt.Errorf("bankfeed: write zengin: kind %q, want 01 or 03", kind)
	}
	switch lineBreak {
	case "":
		lineBreak = "\r\n"
	case NoLineBreak:
		lineBreak = ""
	}
	return &ZenginWriter{w: w, kind: kind, era: era, lb: lineBreak}, nil
}

func (z *ZenginWriter) emit(r *recordWriter, where string) error {
	z.buf.Reset()
	if err := r.flush(&z.buf, z.lb, where); err != nil {
		return err
	}
	_, err := z.w.Write(z.buf.Bytes())
	return err
}

// Header begins a group with g's header record.
func (z *ZenginWriter) Header(g ZenginGroup) error {
	if z.open {
		return fmt.Errorf("bankfeed: write zengin: group %d: header before the trailer of the group before", z.group+1)
	}
	z.group++
	z.open, z.rec = true, 0
	z.credits, z.debits, z.cancelled = 0, 0, 0
	z.creditTotal, z.debitTotal, z.cancelledTotal = 0, 0, 0
	r := &recordWriter{era: z.era}
	if z.kind == "01" {
		r.writeHeader01(g)
	} else {
		r.writeHeader03(g)
	}
	return z.emit(r, fmt.Sprintf("group %d header", z.group))
}

// Record writes a data record of the current group.
func (z *ZenginWriter) Record(d ZenginRecord) error {
	if !z.open {
		return fmt.Errorf("bankfeed: write zengin: a data record outside a group")
	}
	z.rec++
	r := &recordWriter{era: z.era}
	if z.kind == "01" {
		r.writeData01(d)
		if d.Cancelled {
			z.cancelled++
			z.cancelledTotal += d.Amount
		} else {
			z.credits++
			z.creditTotal += d.Amount
		}
	} else {
		r.writeData03(d)
		if d.Debit {
			z.debits++
			z.debitTotal += d.Amount
		} else {
			z.credits++
			z.creditTotal += d.Amount
		}
	}
	return z.emit(r, fmt.Sprintf("group %d record %d", z.group, z.rec))
}

// Trailer ends the current group with the trailer its records add up to.
func (z *ZenginWriter) Trailer() error {
	if !z.open {
		return fmt.Errorf("bankfeed: write zengin: a trailer outside a group")
	}
	z.open = false
	r := &recordWriter{era: z.era}
	r.put("8", 1)
	if z.kind == "01" {
		r.num(int64(z.credits), 6)
		r.num(z.creditTotal, 12)
		r.num(int64(z.cancelled), 6)
		r.num(z.cancelledTotal, 12)
		r.put("", 163)
	} else {
		r.num(int64(z.credits), 6)
		r.num(z.creditTotal, 13)
		r.num(int64(z.debits), 6)
		r.num(z.debitTotal, 13)
		r.put("0", 1)
		r.num(0, 14)
		r.num(int64(z.rec), 7)
		r.put("", 139)
	}
	return z.emit(r, fmt.Sprintf("group %d trailer", z.group))
}

// End writes the end record.
func (z *ZenginWriter) End() error {
	if z.open {
		return fmt.Errorf("bankfeed: write zengin: end record inside group %d", z.group)
	}
	r := &recordWriter{}
	r.put("9", 1)
	r.put("", 199)
	return z.emit(r, "end record")
}

// recordWriter builds one 200-byte record, remembering the first error.
type recordWriter struct {
	era string
	b   []byte
	err error
}

func (r *recordWriter) flush(out *bytes.Buffer, lb, where string) error {
	if r.err == nil && len(r.b) != recordLen {
		r.err = fmt.Errorf("record is %d bytes, not %d", len(r.b), recordLen)
	}
	if r.err != nil {
		return fmt.Errorf("bankfeed: write zengin: %s: %w", where, r.err)
	}
	out.Write(r.b)
	out.WriteString(lb)
	r.b = r.b[:0]
	return nil
}

const recordLen = 200

// put writes s left-aligned and space-padded in n bytes of JIS X 0201.
func (r *recordWriter) put(s string, n int) {
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err == nil && len(b) != len([]rune(s)) {
		err = fmt.Errorf("%q has characters outside JIS X 0201 (use half-width katakana)", s)
	}
	if err == nil && len(b) > n {
		err = fmt.Errorf("%q is %d bytes, the field has %d", s, len(b), n)
	}
	if err != nil {
		if r.err == nil {
			r.err = err
		}
		b = nil
	}
	r.b = append(r.b, b...)
	r.b = append(r.b, bytes.Repeat([]byte{' '}, n-len(b))...)
}

// num writes v right-aligned and zero-padded in n digits.
func (r *recordWriter) num(v int64, n int) {
	s := fmt.Sprintf("%0*d", n, v)
	if v < 0 || len(s) > n {
		if r.err == nil {
			r.err = fmt.Errorf("%d does not fit in %d digits", v, n)
		}
		s = fmt.Sprintf("%0*d", n, 0)
	}
	r.b = append(r.b, s...)
}

// digits writes a digit string right-aligned, zero-padded.
func (r *recordWriter) digits(s string, n int) {
	for _, c := range s {
		if c < '0' || c > '9' {
			if r.err == nil {
				r.err = fmt.Errorf("%q must be digits", s)
			}
			s = ""
			break
		}
	}
	if len(s) > n {
		if r.err == nil {
			r.err = fmt.Errorf("%q does not fit in %d digits", s, n)
		}
		s = ""
	}
	r.b = append(r.b, bytes.Repeat([]byte{'0'}, n-len(s))...)
	r.b = append(r.b, s...)
}

// date writes YYMMDD in the file's era; a zero date writes zeros.
func (r *recordWriter) date(d calendar.Date) {
	if d.IsZero() {
		r.b = append(r.b, "000000"...)
		return
	}
	y := d.Year - 2000
	if r.era != EraSeireki {
		switch {
		case d.Compare(calendar.MustParse("2019-05-01")) >= 0:
			y = d.Year - 2018
		default:
			y = d.Year - 1988
		}
	}
	r.num(int64(y), 2)
	r.num(int64(d.Month), 2)
	r.num(int64(d.Day), 2)
}

func (r *recordWriter) writeHeader01(g ZenginGroup) {
	r.put("1", 1)
	r.put("01", 2)
	r.put("0", 1)
	r.date(g.Created)
	r.date(g.From)
	r.date(g.To)
	r.digits(g.BankCode, 4)
	r.put(g.BankName, 15)
	r.digits(g.BranchCode, 3)
	r.put(g.BranchName, 15)
	r.digits(g.AccountType, 1)
	r.digits(g.AccountNumber, 7)
	r.put(g.AccountName, 40)
	r.put("", 93)
}

func (r *recordWriter) writeHeader03(g ZenginGroup) {
	r.put("1", 1)
	r.put("03", 2)
	r.put("0", 1)
	r.date(g.Created)
	r.date(g.From)
	r.date(g.To)
	r.digits(g.BankCode, 4)
	r.put(g.BankName, 15)
	r.digits(g.BranchCode, 3)
	r.put(g.BranchName, 15)
	r.put("", 3)
	r.digits(g.AccountType, 1)
	r.digits(g.AccountNumber, 10)
	r.put(g.AccountName, 40)
	r.put("0", 1)
	r.put("1", 1)
	r.num(0, 14)
	r.put("", 71)
}

func (r *recordWriter) writeData01(d ZenginRecord) {
	r.put("2", 1)
	r.digits(d.RefNo, 6)
	r.date(d.ValueDate)
	r.date(d.ValueDate)
	r.num(d.Amount, 10)
	r.num(0, 10)
	r.put(d.PayerCode, 10)
	r.put(d.Payer, 48)
	r.put(d.FromBank, 15)
	r.put(d.FromBranch, 15)
	if d.Cancelled {
		r.put("1", 1)
	} else {
		r.put("0", 1)
	}
	r.put(d.EDI, 20)
	r.put("", 52)
}

func (r *recordWriter) writeData03(d ZenginRecord) {
	r.put("2", 1)
	r.digits(d.RefNo, 8)
	r.date(d.ValueDate)
	r.date(d.ValueDate)
	if d.Debit {
		r.put("2", 1)
	} else {
		r.put("1", 1)
	}
	code := d.TxnCode
	if code == "" {
		code = "11"
	}
	r.digits(code, 2)
	r.num(d.Amount, 12)
	r.num(0, 12)
	r.num(0, 6)
	r.num(0, 6)
	r.put("", 1)
	r.put("", 7)
	r.put("", 3)
	r.put(d.PayerCode, 10)
	r.put(d.Payer, 48)
	r.put(d.FromBank, 15)
	r.put(d.FromBranch, 15)
	r.put(d.Summary, 20)
	r.put(d.EDI, 20)
	r.put("", 1)
}
