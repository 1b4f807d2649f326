package mailintake

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Kind is what a request asks for: 減数 (fewer seats from the next term) or 解約 (no
// renewal).
type Kind string

// The kinds of request (SPEC §7.4). The empty Kind means the message did not say.
const (
	KindReduction    Kind = "reduction"
	KindCancellation Kind = "cancellation"
)

// The names of the fields a request can lack, as listed in Request.Missing and in
// `nightly mail parse`.
const (
	FieldContract   = "contract"
	FieldContractor = "contractor"
	FieldProduct    = "product"
	FieldKind       = "kind"
	FieldSeats      = "seats"
)

// Request is what one message asks for one contract, as written by the customer and
// before it is checked against the database (SPEC §7.4). Empty strings and nil
// pointers mean "not found"; Missing lists the fields the desk needs and did not get
// (the seed asks for ご契約番号、ご契約者名、対象製品、数量、希望される内容).
type Request struct {
	// Contract is the normalized contract number ("NP-0001234"), or "".
	Contract string `json:"contract"`
	// Contractor is the company name as written (契約者名).
	Contractor string `json:"contractor"`
	// Product is the product or plan as written (対象製品).
	Product string `json:"product"`
	// SeatsAfter is the seat count the customer wants to keep ("20 → 15", "15ライセンスに").
	SeatsAfter *int `json:"seats_after"`
	// SeatsRemoved is the number of seats to remove ("5ライセンス減").
	SeatsRemoved *int `json:"seats_removed"`
	// SeatsBefore is the count the customer says they hold now ("20 → 15"), used only
	// as a cross-check against the contract.
	SeatsBefore *int `json:"seats_before,omitempty"`
	// Kind is reduction or cancellation, or "" when the message does not say.
	Kind Kind `json:"kind"`
	// RequestedTerm is the start of the term the request names, "YYYY-MM-DD" or
	// "YYYY-MM" ("2027年3月末で解約" names the term starting 2027-04), or "".
	RequestedTerm string `json:"requested_term"`
	// Missing lists the missing fields: contract, contractor, product, kind, seats
	// (seats only when the kind is not a cancellation).
	Missing []string `json:"missing"`
}

// MarshalJSON writes the request as `nightly mail parse` prints it: absent values are
// null, Missing is always a list.
func (r Request) MarshalJSON() ([]byte, error) {
	type out struct {
		Contract      *string  `json:"contract"`
		Contractor    *string  `json:"contractor"`
		Product       *string  `json:"product"`
		SeatsAfter    *int     `json:"seats_after"`
		SeatsRemoved  *int     `json:"seats_removed"`
		SeatsBefore   *int     `json:"seats_before,omitempty"`
		Kind          *string  `json:"kind"`
		RequestedTerm *string  `json:"requested_term"`
		Missing       []string `json:"missing"`
	}
	miss := r.Missing
	if miss == nil {
		miss = []string{}
	}
	return json.Marshal(out{nullable(r.Contract), nullable(r.Contractor), nullable(r.Product),
		r.SeatsAfter, r.SeatsRemoved, r.SeatsBefore, nullable(string(r.Kind)), nullable(r.RequestedTerm), miss})
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Empty reports whether nothing of a request was found: no contract number and no
// kind. Such a message is most likely not a request at all (a thank-you, a question).
func (r Request) Empty() bool { return r.Contract == "" && r.Kind == "" }

// ExtractOptions configures Extract. The zero value reads NP-0001234 numbers.
type ExtractOptions struct {
	// ContractPattern finds contract numbers in text that was folded to half width,
	// upper-cased and whose dashes were unified to "-"; its first capture group is the
	// number part (digits; spaces in it are dropped). Default: DefaultContractPattern.
	ContractPattern *regexp.Regexp
	// ContractFormat formats the captured number part; default "NP-%s".
	ContractFormat string
	// Products are the known plan names and aliases (from the plan master). A name
	// found in the text is returned as written here; otherwise Microsoft product
	// names are recognised by their form ("Microsoft 365 Business Standard").
	Products []string
	// NotContractors are names that are never the contractor: the reseller itself and
	// Microsoft. Default: サイバーロジスティクス, nPress, エヌプレス, Microsoft, マイクロソフト.
	NotContractors []string
}

// DefaultContractPattern matches "NP" and seven digits with any separator (SPEC §1.1).
func DefaultContractPattern() *regexp.Regexp { return defaultContractPattern }

var defaultContractPattern = regexp.MustCompile(`NP[\s\-:#.]*((?:\d\s?){6}\d)`)

// CompileContractPattern compiles a configured contract pattern and checks that it has
// the one capture group Extract needs.
func CompileContractPattern(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("contract pattern %q: %w", expr, err)
	}
	if re.NumSubexp() < 1 {
		return nil, fmt.Errorf("contract pattern %q: %w", expr, errors.New("needs a capture group for the number"))
	}
	return re, nil
}

func (o ExtractOptions) withDefaults() ExtractOptions {
	if o.ContractPattern == nil {
		o.ContractPattern = DefaultContractPattern()
	}
	if o.ContractFormat == "" {
		o.ContractFormat = "NP-%s"
	}
	if o.NotContractors == nil {
		o.NotContractors = []string{"サイバーロジスティクス", "nPress", "エヌプレス", "Microsoft", "マイクロソフト"}
	}
	return o
}

// Extract reads the requests in a message: one per contract number it names (in the
// new text, or only in the Subject), or one without a contract when it names none.
// It reads the new text (m.Text) and the Subject; a forwarded message is read only when
// neither names a contract, and quoted replies never. It always returns at least one
// Request; a message that is no request gives one whose Missing lists every field.
func Extract(m *Mail, o ExtractOptions) []Request {
	o = o.withDefaults()
	if m == nil {
		return []Request{finish(Request{}, partial{})}
	}
	x := extractor{o: o, ref: m.Date, aliases: productAliases(o.Products)}
	subject := cleanSubject(fold(m.Subject))
	lines := foldLines(head(m.Text, maxExtractBytes))
	sig := foldLines(head(m.Signature, maxExtractBytes))
	if len(x.contractsIn(strings.Join(lines, "\n"))) == 0 && len(x.contractsIn(subject)) == 0 && m.Forwarded != "" {
		fs := splitBody(forwardedBody(head(m.Forwarded, maxExtractBytes)), false)
		if fl := foldLines(fs.text); len(x.contractsIn(strings.Join(fl, "\n"))) > 0 {
			lines = append(lines, fl...)
			sig = append(sig, foldLines(fs.signature)...)
		}
	}
	occs, subjectOnly := x.occurrences(lines, subject)

	all := x.scan(lines)
	subj := x.scan([]string{subject})
	if all.withdrawn && all.kind == "" {
		subj.kind = "" // "先ほどの件は取り消します" under "Re: 解約" asks for nothing
	}
	from := []string{fold(m.FromName)}
	contractor := all.contractor
	for _, find := range []func() string{
		func() string { return x.companyIn(sig) }, func() string { return x.companyIn(from) },
		func() string { return x.looseNameIn(lines) }, func() string { return x.looseNameIn(sig) }, func() string { return x.looseNameIn(from) },
	} {
		if contractor != "" {
			break
		}
		contractor = find() // the next place is read only when the last gave nothing
	}
	several := len(occs)+len(subjectOnly) > 1

	build := func(c string, seg partial, pre partial) Request {
		p := seg.or(pre).or(subj)
		if c != "" && several {
			// Several contracts: seats and kind belong to their own part only, or
			// to the preamble that introduces them all.
			p.seats = seg.seats
			if !p.seats.stated() {
				p.seats = pre.seats
			}
		}
		p.contractor = firstNonEmpty(seg.contractor, contractor)
		return finish(Request{Contract: c}, p)
	}

	if !several {
		c := ""
		if len(occs) == 1 {
			c = occs[0].contract
		} else if len(subjectOnly) == 1 {
			c = subjectOnly[0]
		}
		return []Request{build(c, all, partial{})}
	}
	starts := x.segmentStarts(lines, occs)
	pre := x.scan(lines[:starts[0]])
	var out []Request
	for _, c := range subjectOnly {
		out = append(out, build(c, partial{}, pre))
	}
	for k, oc := range occs {
		end := len(lines)
		if k+1 < len(occs) {
			end = starts[k+1]
		}
		out = append(out, build(oc.contract, x.scan(lines[starts[k]:end]), pre))
	}
	return out
}

// occurrence is where a contract number is first named in the new text.
type occurrence struct {
	contract string
	line     int
}

// occurrences lists the contracts the lines name, in order, and those the subject
// alone names.
func (x *extractor) occurrences(lines []string, subject string) (occs []occurrence, subjectOnly []string) {
	seen := map[string]bool{}
	for i, l := range lines {
		for _, c := range x.contractsIn(l) {
			if !seen[c] {
				seen[c] = true
				occs = append(occs, occurrence{c, i})
			}
		}
	}
	for _, c := range x.contractsIn(subject) {
		if !seen[c] {
			seen[c] = true
			subjectOnly = append(subjectOnly, c)
		}
	}
	return occs, subjectOnly
}

// segmentStarts returns where the part of each contract starts: its line, or the
// first line of the paragraph that leads to it ("【2件目】"). With no contract in the
// lines it returns [len(lines)].
func (x *extractor) segmentStarts(lines []string, occs []occurrence) []int {
	if len(occs) == 0 {
		return []int{len(lines)}
	}
	starts := make([]int, len(occs))
	for k, oc := range occs {
		lo := 0
		if k > 0 {
			lo = occs[k-1].line + 1
		}
		s := oc.line
		for s > lo && strings.TrimSpace(lines[s-1]) != "" && len(x.contractsIn(lines[s-1])) == 0 {
			s--
		}
		starts[k] = s
	}
	return starts
}

// forwardedBody drops the marker line and the header block of a forwarded message,
// keeping its Subject line (it may carry the contract number) and its text.
func forwardedBody(fw string) string {
	lines := strings.Split(fw, "\n")
	var out []string
	inHeader := true
	for i, l := range lines {
		switch {
		case inHeader && (forwardMarker.MatchString(l) || originalMarker.MatchString(l) || outlookRule.MatchString(l)):
		case inHeader && (blockFrom.MatchString(l) || blockHeader.MatchString(l)):
			if i := strings.IndexAny(l, ":："); i > 0 && strings.Contains("Subject件名", strings.TrimSpace(strings.Trim(l[:i], "* "))) {
				out = append(out, strings.TrimSpace(l[i+len(string([]rune(l[i:])[0])):]))
			}
		case inHeader && strings.TrimSpace(l) == "" && len(out) <= 1:
			if i > 0 {
				inHeader = false
			}
		default:
			inHeader = false
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// maxExtractBytes bounds the text Extract reads: a request is written in the first
// lines of a message; a long log or document pasted below it is not read.
const maxExtractBytes = 64 << 10

// head returns s up to n bytes, cut at a line end.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n], '\n'); i > 0 {
		return s[:i]
	}
	return strings.ToValidUTF8(s[:n], "")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func foldLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(fold(s), "\n")
}

var subjectPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|tr|返信|転送)\s*(\[\d+\])?\s*[:：]\s*)+`)

func cleanSubject(s string) string { return subjectPrefix.ReplaceAllString(s, "") }

// partial is what a run of lines says.
type partial struct {
	contractor, product, term string
	kind                      Kind
	seats                     seatCounts
	fullCancel                bool
	// withdrawn: the text takes an earlier request back (取り消します).
	withdrawn bool
}

// or fills the fields p lacks from q.
func (p partial) or(q partial) partial {
	if p.contractor == "" {
		p.contractor = q.contractor
	}
	if p.product == "" {
		p.product = q.product
	}
	if p.term == "" {
		p.term = q.term
	}
	if p.kind == "" {
		p.kind = q.kind
		p.fullCancel = p.fullCancel || q.fullCancel
	}
	if !p.seats.stated() {
		p.seats = q.seats
	}
	return p
}

// finish turns what the lines said into a Request: the kind follows from the seats
// where the words leave it open, the desk form's plain quantity means the seats kept
// for a reduction and the seats cancelled for a cancellation (and nothing without a
// kind), and Missing lists what the desk still needs. A seat count no contract has
// leaves the seats missing whatever the kind.
func finish(r Request, p partial) Request {
	r.Contractor, r.Product, r.RequestedTerm = collapseSpace(cleanText(p.contractor)), collapseSpace(cleanText(p.product)), p.term
	sc := p.seats
	r.SeatsBefore, r.SeatsAfter, r.SeatsRemoved = sc.before, sc.after, sc.removed
	r.Kind = p.kind
	switch {
	case r.SeatsAfter != nil && *r.SeatsAfter == 0:
		r.Kind = KindCancellation // "0ライセンスに" ends the contract
	case r.Kind == KindCancellation && !p.fullCancel && (r.SeatsRemoved != nil || r.SeatsAfter != nil):
		r.Kind = KindReduction // "5ライセンスを解約" is a partial cancellation: fewer seats
	case r.Kind == "" && (r.SeatsRemoved != nil || r.SeatsAfter != nil):
		r.Kind = KindReduction // a seat change by mail can only be a reduction
	}
	if sc.qty != nil && r.SeatsAfter == nil && (r.SeatsRemoved == nil || r.Kind == KindReduction) {
		switch r.Kind {
		case KindCancellation:
			r.SeatsRemoved = sc.qty // the seats it cancels: checked against the contract
		case KindReduction:
			r.SeatsAfter = sc.qty
		}
	}
	r.Missing = []string{}
	if r.Contract == "" {
		r.Missing = append(r.Missing, FieldContract)
	}
	if r.Contractor == "" {
		r.Missing = append(r.Missing, FieldContractor)
	}
	if r.Product == "" {
		r.Missing = append(r.Missing, FieldProduct)
	}
	if r.Kind == "" {
		r.Missing = append(r.Missing, FieldKind)
	}
	if sc.unreadable || r.Kind != KindCancellation && r.SeatsAfter == nil && r.SeatsRemoved == nil {
		r.Missing = append(r.Missing, FieldSeats)
	}
	return r
}

type extractor struct {
	o       ExtractOptions
	aliases []productAlias // the forms of o.Products
	ref     time.Time      // the Date header, to place "4月から" in a year
}

// contractsIn returns the normalized contract numbers in s, in order, without repeats.
func (x *extractor) contractsIn(s string) []string {
	t := strings.ToUpper(unifyDashes(fold(s)))
	var out []string
	seen := map[string]bool{}
	re := x.o.ContractPattern
	for pos := 0; pos < len(t); {
		loc := re.FindStringSubmatchIndex(t[pos:])
		if loc == nil {
			break
		}
		st, gs, ge := pos+loc[0], pos+loc[2], pos+loc[3]
		next := pos + loc[1]
		if next <= pos {
			next = pos + 1
		}
		pos = next
		if gs < 0 {
			continue
		}
		if st > 0 && isASCIIAlnum(t[st-1]) || ge < len(t) && t[ge] >= '0' && t[ge] <= '9' {
			continue
		}
		num := strings.Join(strings.Fields(t[gs:ge]), "")
		c := fmt.Sprintf(x.o.ContractFormat, num)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func isASCIIAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}
