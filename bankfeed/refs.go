package bankfeed

import "slices"

// refs are the numbers written in EDI or the payer field: invoice numbers
// (YYYY-NNNNNN, with any dash or none, in any width) and other 6-digit numbers, which
// may be customer numbers.
type refs struct {
	invoices, sixDigits []string
}

func (m *matcher) refsOf(t Txn) refs {
	var out refs
	for _, s := range []string{t.EDI, t.Payer} {
		if !mayHaveDigits(s) {
			continue
		}
		for _, tok := range digitRuns(m.norm.Fold(s)) {
			switch {
			case tok.invoice != "":
				if !slices.Contains(out.invoices, tok.invoice) {
					out.invoices = append(out.invoices, tok.invoice)
				}
			case len(tok.digits) == 6:
				if !slices.Contains(out.sixDigits, tok.digits) {
					out.sixDigits = append(out.sixDigits, tok.digits)
				}
			}
		}
	}
	return out
}

// mayHaveDigits reports whether s may hold a digit, half or full width (U+FF10–FF19
// is EF BC 90–99 in UTF-8).
func mayHaveDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c >= '0' && c <= '9') || (c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2] >= 0x90 && s[i+2] <= 0x99) {
			return true
		}
	}
	return false
}

// customerRefs returns the known customers whose number the transfer names.
func (m *matcher) customerRefs(r refs) []int32 {
	var out []int32
	for _, d := range r.sixDigits {
		if c, ok := m.custID[d]; ok && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

type digitToken struct {
	digits  string
	invoice string // "YYYY-NNNNNN" when the token reads as an invoice number
}

// digitRuns splits folded text into runs of digits, joining "YYYY" + one separator +
// "NNNNNN" (and a bare 10-digit run) into invoice numbers.
func digitRuns(s string) []digitToken {
	var runs []struct {
		d        string
		start    int
		end      int
		joinable bool // followed by exactly one separator, then digits
	}
	isSep := func(c rune) bool { return c == longVowel || c == '/' || c == ' ' || c == '.' || c == '_' || c == '#' }
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if rs[i] < '0' || rs[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		runs = append(runs, struct {
			d          string
			start, end int
			joinable   bool
		}{string(rs[i:j]), i, j, j+1 < len(rs) && isSep(rs[j]) && rs[j+1] >= '0' && rs[j+1] <= '9'})
		i = j
	}
	var out []digitToken
	for k := 0; k < len(runs); k++ {
		r := runs[k]
		if len(r.d) == 4 && r.joinable && k+1 < len(runs) && len(runs[k+1].d) == 6 && runs[k+1].start == r.end+1 {
			out = append(out, digitToken{digits: r.d + runs[k+1].d, invoice: r.d + "-" + runs[k+1].d})
			k++
			continue
		}
		if len(r.d) == 10 && (r.d[:2] == "20") {
			out = append(out, digitToken{digits: r.d, invoice: r.d[:4] + "-" + r.d[4:]})
			continue
		}
		out = append(out, digitToken{digits: r.d})
	}
	return out
}
