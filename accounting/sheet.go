package accounting

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/npress/nightly/calendar"
)

// Encoding is the character encoding of a written file.
type Encoding string

// The encodings the importers take.
const (
	CP932 Encoding = "sjis" // Shift_JIS as Windows writes it (CP932), what 弥生 requires
	UTF8  Encoding = "utf8" // UTF-8 without a byte order mark
)

// Stats says what a writer wrote.
type Stats struct {
	Entries int // journal entries (or freee 取引)
	Rows    int // data rows, the header not counted
	// Replaced counts the characters Shift_JIS cannot hold that were written as 〓.
	Replaced int
}

// sheet writes CSV rows with CRLF line ends in an encoding, text cells made safe.
type sheet struct {
	cw    *csv.Writer
	close func() error
	enc   Encoding
	stats Stats
}

func newSheet(w io.Writer, enc Encoding) (*sheet, error) {
	s := &sheet{enc: enc, close: func() error { return nil }}
	switch enc {
	case CP932:
		tw := transform.NewWriter(w, japanese.ShiftJIS.NewEncoder())
		s.cw, s.close = csv.NewWriter(tw), tw.Close
	case UTF8:
		s.cw = csv.NewWriter(w)
	default:
		return nil, fmt.Errorf("encoding %q: want %s or %s", enc, CP932, UTF8)
	}
	s.cw.UseCRLF = true
	return s, nil
}

// cell is one cell: text (made safe for spreadsheets and for the encoding) or a number
// or date written as it is.
type cell struct {
	v    string
	text bool
}

func text(s string) cell { return cell{v: s, text: true} }
func num(v int64) cell   { return cell{v: strconv.FormatInt(v, 10)} }
func raw(s string) cell  { return cell{v: s} }
func slashDate(d calendar.Date) cell {
	return cell{v: fmt.Sprintf("%04d/%02d/%02d", d.Year, int(d.Month), d.Day)}
}

// write writes one row; header rows count as no data row.
func (s *sheet) write(cells []cell, data bool) error {
	rec := make([]string, len(cells))
	for i, c := range cells {
		v := c.v
		if c.text {
			v = NeutralizeFormula(v)
			if s.enc == CP932 {
				var n int
				v, n = cp932Safe(v)
				s.stats.Replaced += n
			}
		}
		rec[i] = v
	}
	if data {
		s.stats.Rows++
	}
	return s.cw.Write(rec)
}

// finish flushes everything written.
func (s *sheet) finish() (Stats, error) {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return s.stats, fmt.Errorf("write CSV: %w", err)
	}
	if err := s.close(); err != nil {
		return s.stats, fmt.Errorf("write CSV: %w", err)
	}
	return s.stats, nil
}

// NeutralizeFormula is the one place where a text cell is made safe to open in a
// spreadsheet (SPEC §10.0: no cell starts with =, +, -, @, or a tab or carriage return,
// which Excel reads as a formula): such a cell gets a leading apostrophe. It stands in
// for package csvsafe, which another branch is adding; replace its body with a call to
// csvsafe once that package is on main.
func NeutralizeFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// cp932Safe returns s with every character that Shift_JIS (CP932) cannot hold replaced
// by 〓 (geta, the customary mark for a missing character), and how many were replaced,
// so that one odd character in a name never stops an export.
func cp932Safe(s string) (string, int) {
	enc := japanese.ShiftJIS.NewEncoder()
	if _, err := enc.String(s); err == nil {
		return s, 0
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			b.WriteString("〓")
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), n
}
