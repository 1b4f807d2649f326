package bankfeed

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// FormatErrors is every defect found in a bank file read in collect mode
// (Scanner.CollectErrors, Check): the first ones in full and how many there are, so
// that a report can say "10,000 malformed records, the first at records 3, 5, …"
// instead of naming only the first. The file is refused whole all the same.
type FormatErrors struct {
	File  string
	First []*FormatError // the first defects, in file order (at most the keep asked for)
	Count int            // every defect found
}

func (e *FormatErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bankfeed: %s: %d malformed records", e.File, e.Count)
	for i, fe := range e.First {
		if i == 0 {
			b.WriteString("; first: ")
		} else {
			b.WriteString("; ")
		}
		if fe.Record > 0 {
			fmt.Fprintf(&b, "record %d", fe.Record)
		}
		if fe.Field != "" {
			fmt.Fprintf(&b, " field %s", fe.Field)
		}
		if fe.Bytes != nil {
			fmt.Fprintf(&b, " %s", showBytes(fe.Bytes))
		}
		fmt.Fprintf(&b, ": %s", fe.Reason)
	}
	if len(e.First) < e.Count {
		fmt.Fprintf(&b, "; and %d more", e.Count-len(e.First))
	}
	return b.String()
}

// Unwrap returns the first defect, so that errors.As(err, **FormatError) and
// errors.Is(err, ErrAmount) see it.
func (e *FormatErrors) Unwrap() error {
	if len(e.First) == 0 {
		return nil
	}
	return e.First[0]
}

// CollectErrors switches s to collect mode before the first Scan: a defective data
// record (bad date, amount, field) is counted and skipped instead of ending the scan,
// a trailer that disagrees with its records is counted (and not checked at all for a
// group with defective records, whose totals cannot agree), and the scan goes on. A
// defect that loses the record structure (record length, layout, header, EBCDIC) still
// ends it. At the end Err returns a *FormatErrors holding the first keep defects and the
// count, or nil when there were none. Parse never uses this mode.
func (s *Scanner) CollectErrors(keep int) {
	s.collect, s.keep = true, max(keep, 1)
}

// defect moves the error just met into the collected defects; it reports false when
// the error is not a *FormatError (an I/O error), which still ends the scan.
func (s *Scanner) defect() bool {
	var fe *FormatError
	if !errors.As(s.err, &fe) {
		return false
	}
	s.ndefects++
	if len(s.defects) < s.keep {
		s.defects = append(s.defects, fe)
	}
	s.err = nil
	return true
}

// collectedErr is Err at the end of a collect-mode scan: the defects with the error
// that ended the scan (if any) last.
func (s *Scanner) collectedErr() error {
	var fe *FormatError
	if s.err != nil {
		if !errors.As(s.err, &fe) {
			return s.err // an I/O error is not a defect of the file
		}
		s.ndefects++
		if len(s.defects) < s.keep {
			s.defects = append(s.defects, fe)
		}
	}
	if s.ndefects == 0 {
		return nil
	}
	return &FormatErrors{File: s.name, First: s.defects, Count: s.ndefects}
}

// Check reads a Zengin file from r to the end in collect mode and returns nil when it is
// valid, else a *FormatErrors with the first keep defects and their count (or the
// option or I/O error met). It is what a report uses to say how broken a refused file
// is; Parse still stops at the first defect.
func Check(name string, r io.Reader, o ParseOptions, keep int) error {
	sc := NewScanner(name, r, o)
	sc.CollectErrors(keep)
	for sc.Scan() {
	}
	return sc.Err()
}
