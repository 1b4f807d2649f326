package mailintake

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
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
func DefaultContractPattern() *regexp.Regexp {
	return regexp.MustCompile(`NP[\s\-:#.]*((?:\d\s?){6}\d)`)
}

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
	x := extractor{o: o, ref: m.Date}
	subject := cleanSubject(fold(m.Subject))
	lines := foldLines(m.Text)
	sig := foldLines(m.Signature)
	if len(x.contractsIn(strings.Join(lines, "\n"))) == 0 && len(x.contractsIn(subject)) == 0 && m.Forwarded != "" {
		fs := splitBody(forwardedBody(m.Forwarded), false)
		if fl := foldLines(fs.text); len(x.contractsIn(strings.Join(fl, "\n"))) > 0 {
			lines = append(lines, fl...)
			sig = append(sig, foldLines(fs.signature)...)
		}
	}

	// Where each contract is named first.
	type occ struct {
		contract string
		line     int
	}
	var occs []occ
	seen := map[string]bool{}
	for i, l := range lines {
		for _, c := range x.contractsIn(l) {
			if !seen[c] {
				seen[c] = true
				occs = append(occs, occ{c, i})
			}
		}
	}
	var subjectOnly []string
	for _, c := range x.contractsIn(subject) {
		if !seen[c] {
			seen[c] = true
			subjectOnly = append(subjectOnly, c)
		}
	}

	all := x.scan(lines)
	subj := x.scan([]string{subject})
	contractor := firstNonEmpty(all.contractor, x.companyIn(sig), x.companyIn([]string{fold(m.FromName)}))

	build := func(c string, seg partial, pre partial) Request {
		p := seg.or(pre).or(subj)
		if c != "" && len(occs)+len(subjectOnly) > 1 {
			// Several contracts: seats and kind belong to their own part only, or
			// to the preamble that introduces them all.
			p.before, p.after, p.removed = seg.before, seg.after, seg.removed
			if p.after == nil && p.removed == nil {
				p.before, p.after, p.removed = pre.before, pre.after, pre.removed
			}
		}
		p.contractor = firstNonEmpty(seg.contractor, contractor)
		return finish(Request{Contract: c}, p)
	}

	if len(occs)+len(subjectOnly) <= 1 {
		c := ""
		if len(occs) == 1 {
			c = occs[0].contract
		} else if len(subjectOnly) == 1 {
			c = subjectOnly[0]
		}
		return []Request{build(c, all, partial{})}
	}
	var out []Request
	firstStart := len(lines)
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
		if k == 0 {
			firstStart = s
		}
	}
	pre := x.scan(lines[:firstStart])
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
	before, after, removed    *int
	fullCancel                bool
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
	if p.after == nil && p.removed == nil {
		p.before, p.after, p.removed = q.before, q.after, q.removed
	}
	return p
}

func finish(r Request, p partial) Request {
	r.Contractor, r.Product, r.RequestedTerm = p.contractor, p.product, p.term
	r.SeatsBefore, r.SeatsAfter, r.SeatsRemoved = p.before, p.after, p.removed
	r.Kind = p.kind
	switch {
	case r.SeatsAfter != nil && *r.SeatsAfter == 0:
		r.Kind = KindCancellation // "0ライセンスに" ends the contract
	case r.Kind == KindCancellation && !p.fullCancel && (r.SeatsRemoved != nil || r.SeatsAfter != nil):
		r.Kind = KindReduction // "5ライセンスを解約" is a partial cancellation: fewer seats
	case r.Kind == "" && (r.SeatsRemoved != nil || r.SeatsAfter != nil):
		r.Kind = KindReduction // a seat change by mail can only be a reduction
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
	if r.Kind != KindCancellation && r.SeatsAfter == nil && r.SeatsRemoved == nil {
		r.Missing = append(r.Missing, FieldSeats)
	}
	return r
}

type extractor struct {
	o   ExtractOptions
	ref time.Time // the Date header, to place "4月から" in a year
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

// scan reads the fields of a run of folded lines: form fields first, then prose.
func (x *extractor) scan(lines []string) partial {
	var p partial
	var kindText []string
	for i := 0; i < len(lines); i++ {
		label, value, ok := formField(lines[i])
		if !ok {
			continue
		}
		if value == "" { // "契約者名:" with the value on the next line
			if j := nextNonBlank(lines, i+1); j > 0 {
				if _, _, isField := formField(lines[j]); !isField {
					value = strings.TrimSpace(lines[j])
				}
			}
		}
		if value == "" {
			continue
		}
		switch classifyLabel(label) {
		case labelContractor:
			if p.contractor == "" && !x.notContractor(value) {
				p.contractor = trimName(value)
			}
		case labelProduct:
			if p.product == "" {
				p.product = x.productName(value)
			}
		case labelSeats:
			if p.after == nil && p.removed == nil {
				b, a, r := seatsIn(value)
				if a == nil && r == nil && b == nil {
					if n, ok := bareNumber(value); ok {
						switch {
						case reLabelRemoved.MatchString(label):
							r = &n
						case reLabelBefore.MatchString(label):
							b = &n
						default:
							a = &n // 数量 / ライセンス数: the count wanted (desk's form)
						}
					}
				}
				if b != nil && p.before == nil {
					p.before = b
				}
				p.after, p.removed = a, r
			}
		case labelKind:
			kindText = append(kindText, value)
		case labelTerm:
			if p.term == "" {
				p.term = x.termIn(value, true, reLabelEnd.MatchString(label))
			}
		}
	}
	text := strings.Join(lines, "\n")
	if k, full := kindOf(strings.Join(kindText, "\n")); k != "" {
		p.kind, p.fullCancel = k, full
	} else if k, full := kindOf(text); k != "" {
		p.kind, p.fullCancel = k, full
	}
	if p.after == nil && p.removed == nil {
		b, a, r := seatsIn(text)
		p.after, p.removed = a, r
		if p.before == nil {
			p.before = b
		}
	}
	if p.product == "" {
		p.product = x.productIn(lines)
	}
	if p.contractor == "" {
		p.contractor = x.companyIn(lines)
	}
	if p.term == "" {
		p.term = x.termIn(text, false, false)
	}
	return p
}

func nextNonBlank(lines []string, i int) int {
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return i
		}
	}
	return -1
}

// ---- form fields ----

var (
	bulletPrefix = regexp.MustCompile(`^[\s■□◆◇●○◎・*\-+>]*(?:\(?\d{1,2}[.)]\s*|[①-⑳]\s*)?`)
	bracketLabel = regexp.MustCompile(`^[【\[<〈《]([^】\]>〉》]{1,20})[】\]>〉》]\s*[:]?\s*(.*)$`)
)

// formField splits "項目: 値", "【項目】値", "項目<TAB>値" and "項目 値" (for a known
// label). The label comes back without bullets and spaces.
func formField(line string) (label, value string, ok bool) {
	l := bulletPrefix.ReplaceAllString(line, "")
	if m := bracketLabel.FindStringSubmatch(l); m != nil {
		return compactLabel(m[1]), strings.TrimSpace(m[2]), true
	}
	if i := strings.IndexAny(l, ":\t"); i > 0 {
		lab := l[:i]
		if len([]rune(lab)) <= 20 && !strings.ContainsAny(lab, "。、") {
			return compactLabel(lab), strings.TrimSpace(strings.TrimLeft(l[i+1:], ":\t ")), true
		}
	}
	if f := strings.Fields(l); len(f) >= 2 {
		lab := compactLabel(f[0])
		if classifyLabel(lab) != labelNone {
			return lab, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), f[0])), true
		}
	}
	return "", "", false
}

func compactLabel(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.Trim(s, "「」『』()*※")
}

type labelClass int

const (
	labelNone labelClass = iota
	labelContract
	labelContractor
	labelProduct
	labelSeats
	labelKind
	labelTerm
)

var (
	reLabelContract   = regexp.MustCompile(`(?i)契約(番号|No|ID|コード)|ContractNo`)
	reLabelSeats      = regexp.MustCompile(`(?i)(数量|ライセンス数|本数|席数|シート数|ユーザー?数|アカウント数|契約数|台数|ID数|減数数?|削減数|減少数|変更後|変更前|現在|現行|seats|quantity)`)
	reLabelRemoved    = regexp.MustCompile(`(減数|削減|減少|減らす|解約数|マイナス)`)
	reLabelBefore     = regexp.MustCompile(`(現在|変更前|現行)`)
	reLabelTerm       = regexp.MustCompile(`(時期|適用|開始|終了|解約日|希望日|希望月|変更日|年月|期日|更新日|期間|実施日|反映|満了|月度)`)
	reLabelEnd        = regexp.MustCompile(`(終了|解約日|解約希望日|満了|最終)`)
	reLabelKind       = regexp.MustCompile(`^(お|ご)?(申込|申し込み|依頼|申請|手続き?)?(種別|区分|内容|種類|手続き?|依頼内容|申込内容|申請内容|希望内容|ご希望|希望|希望される内容|処理内容|用件|ご用件|件名)$|^(減数|解約)(・|/)?(減数|解約)?(区分|種別)?$`)
	reLabelProduct    = regexp.MustCompile(`(?i)^(対象)?(ご契約)?(契約)?(製品|商品|品名|プラン|サービス|ライセンス名|ライセンス種類|ライセンス種別|ライセンス|品目|SKU|product|plan)(名|名称|種別)?$`)
	reLabelContractor = regexp.MustCompile(`^(ご|御)?(契約者|契約会社|会社|御社|貴社|法人|企業|団体|お客様|顧客|社|契約名義|名義|申込会社|申込者会社)(様)?(名|名称)?(様)?$`)
)

func classifyLabel(l string) labelClass {
	switch {
	case l == "":
		return labelNone
	case reLabelContract.MatchString(l):
		return labelContract
	case reLabelSeats.MatchString(l):
		return labelSeats
	case reLabelTerm.MatchString(l):
		return labelTerm
	case reLabelKind.MatchString(l):
		return labelKind
	case reLabelProduct.MatchString(l):
		return labelProduct
	case reLabelContractor.MatchString(l):
		return labelContractor
	}
	return labelNone
}

// ---- seats ----

const (
	numRe  = `(\d{1,3}(?:,\d{3})+|\d{1,5})`
	unitRe = `(?:ライセンス|本|席|件|名|ユーザー|ユーザ|アカウント|シート|個|人|ID|口|seats?|licen[cs]es?|users?)`
)

var (
	reArrow     = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `?\s*(?:→|⇒|➡|⇨|->|=>|＞)\s*` + numRe + `\s*` + unitRe + `?`)
	reFromTo    = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `\s*(?:から|より)\s*` + numRe + `\s*` + unitRe + `?\s*(?:に|へ|まで)`)
	reAfterLbl  = regexp.MustCompile(`(?:減数後|変更後|削減後|減少後)(?:の)?(?:数量|ライセンス数|本数|席数)?\s*(?:は|:)?\s*` + numRe)
	reTo        = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `\s*(?:に|へ|まで|で(?:継続|更新|契約|利用)|のみ(?:残|継続|に)|を残)`)
	reToEn      = regexp.MustCompile(`(?i)(?:reduce|decrease|change)\w*\s+(?:\w+\s+){0,3}?(?:to|down to)\s+` + numRe)
	reRemoved   = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `\s*(?:分)?\s*(?:を|の)?\s*(?:減数|減らし|減らす|削減|減少|減|解約|削除|返却|マイナス|少なく|キャンセル)`)
	reRemovedNU = regexp.MustCompile(numRe + `\s*(?:を|分)?\s*(?:減らし|減らす|削減|減少|減)`)
	reRemovedPf = regexp.MustCompile(`(?:減数|削減|マイナス|減少)\s*(?:数)?\s*(?:は|:)?\s*` + numRe + `\s*` + unitRe)
	reRemovedEn = regexp.MustCompile(`(?i)(?:remove|reduce\w*\s+by|minus|cancel)\s+` + numRe)
	reBefore    = regexp.MustCompile(`(?:現在|現行|今)\s*(?:の)?\s*(?:数量|ライセンス数|契約数|本数)?\s*(?:は|:)?\s*` + numRe + `\s*` + unitRe)
	reBareNum   = regexp.MustCompile(`^\s*` + numRe + `\s*` + unitRe + `?\s*$`)
)

func atoiNum(s string) (int, bool) {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return n, err == nil
}

func bareNumber(s string) (int, bool) {
	m := reBareNum.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	return atoiNum(m[1])
}

// okNumAt reports whether the number starting at i in s stands alone: not the end of
// a longer number, a date, a time, a contract number or a phone number.
func okNumAt(s string, i, j int) bool {
	if i > 0 {
		c := s[i-1]
		if c >= '0' && c <= '9' || c == '-' || c == '/' || c == '.' || c == ':' || isASCIIAlnum(c) {
			return false
		}
	}
	if j < len(s) {
		c := s[j]
		if c == '/' || c == ':' || c == '-' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
			return false
		}
		rest := s[j:]
		for _, bad := range []string{"年", "月", "日", "時", "分", "%", "円"} {
			if strings.HasPrefix(strings.TrimLeft(rest, " "), bad) {
				return false
			}
		}
	}
	return true
}

// okStart reports whether a number starting at i is not the tail of a longer token.
func okStart(s string, i int) bool {
	return i == 0 || !isASCIIAlnum(s[i-1]) && s[i-1] != '-' && s[i-1] != '/' && s[i-1] != '.'
}

// findNum returns the capture groups of the first match of re whose numbers all stand
// alone.
func findNum(re *regexp.Regexp, s string) []int {
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		ok := true
		for g := 1; 2*g < len(loc); g++ {
			if loc[2*g] >= 0 && !okNumAt(s, loc[2*g], loc[2*g+1]) {
				ok = false
			}
		}
		if ok {
			return loc
		}
	}
	return nil
}

func numAt(s string, loc []int, g int) *int {
	if 2*g+1 >= len(loc) || loc[2*g] < 0 {
		return nil
	}
	n, ok := atoiNum(s[loc[2*g]:loc[2*g+1]])
	if !ok {
		return nil
	}
	return &n
}

// seatsIn reads the seat counts in folded text: the count held now, the count wanted
// and the count to remove.
func seatsIn(s string) (before, after, removed *int) {
	if loc := findNum(reArrow, s); loc != nil {
		return numAt(s, loc, 1), numAt(s, loc, 2), nil
	}
	if loc := findNum(reFromTo, s); loc != nil {
		return numAt(s, loc, 1), numAt(s, loc, 2), nil
	}
	if loc := findNum(reBefore, s); loc != nil {
		before = numAt(s, loc, 1)
	}
	for _, re := range []*regexp.Regexp{reAfterLbl, reTo, reToEn} {
		if loc := findNum(re, s); loc != nil {
			if re == reTo && strings.HasPrefix(s[loc[1]:], "つい") || re == reTo && strings.HasPrefix(s[loc[1]:], "関") {
				continue
			}
			after = numAt(s, loc, 1)
			break
		}
	}
	for _, re := range []*regexp.Regexp{reRemoved, reRemovedPf, reRemovedNU, reRemovedEn} {
		if loc := findNum(re, s); loc != nil {
			removed = numAt(s, loc, 1)
			break
		}
	}
	return before, after, removed
}

// ---- kind ----

var (
	reGenericKind = regexp.MustCompile(`(減数|解約)\s*(・|/|、|,|及び|および|または|又は|or|と)\s*(減数|解約)`)
	reNegated     = regexp.MustCompile(`(解約|減数)\s*(では(なく|ありません)|はしません|はせず|ではない|しません|はいたしません)`)
	reCancel      = regexp.MustCompile(`(?i)(解約|契約解除|解除|更新(を|は)?(希望)?しない|更新(を|は)?(停止|不要|なし|しません|いたしません)|自動(更新|継続)(を|は)?(停止|解除|しない|なし|不要|しません|いたしません|希望しない)|継続(を|は)?(希望)?しない|継続(を|は)?(停止|不要|しません|いたしません)|キャンセル|利用(を|は)?(終了|停止|やめ)|打ち?切|cancel|terminate|not\s+renew)`)
	reReduce      = regexp.MustCompile(`(?i)(減数|減らし|減らす|減ら|削減|減少|ライセンス減|本減|席減|一部解約|数量(を|の)?変更|reduc|decrease|fewer)`)
	reFullCancel  = regexp.MustCompile(`(全て|すべて|全部|全数|全ライセンス|全契約|契約自体|契約全体|全量)`)
)

// kindOf classifies folded text: a reduction where it speaks of fewer seats, a
// cancellation where it speaks of ending or not renewing. The desk's generic phrase
// 「減数・解約」 (a form's title) and negated words (解約ではなく) say nothing.
func kindOf(s string) (Kind, bool) {
	s = reGenericKind.ReplaceAllString(s, "")
	s = reNegated.ReplaceAllString(s, "")
	if s == "" {
		return "", false
	}
	c, r := reCancel.FindStringIndex(s), reReduce.FindStringIndex(s)
	full := reFullCancel.MatchString(s)
	switch {
	case r != nil && strings.Contains(s[r[0]:r[1]], "一部解約"):
		return KindReduction, false
	case r != nil && (c == nil || !full):
		if c != nil && r[0] > c[0] && !hasSeatCount(s) {
			return KindCancellation, full
		}
		return KindReduction, false
	case c != nil:
		return KindCancellation, full
	}
	return "", false
}

func hasSeatCount(s string) bool {
	_, a, r := seatsIn(s)
	return a != nil || r != nil
}

// ---- requested term ----

var (
	reYMD    = regexp.MustCompile(`(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*(?:月|/|-|\.)\s*(\d{1,2})\s*日?`)
	reYM     = regexp.MustCompile(`(\d{4})\s*(?:年|/|-|\.)\s*(\d{1,2})\s*月?`)
	reReiwa  = regexp.MustCompile(`(?:令和|R)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?`)
	reMD     = regexp.MustCompile(`(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?`)
	reCueEnd = regexp.MustCompile(`^\s*[)\]）】]?\s*(?:\(.{1,4}\))?\s*(?:末|いっぱい|一杯|まで|迄|をもって|を以て|をもちまして|で終了|で満了|満了|終了|付で解約|付けで解約|で解約|にて解約|で契約終了)`)
	reCueSt  = regexp.MustCompile(`^\s*[)\]）】]?\s*(?:\(.{1,4}\))?\s*(?:の|度)?\s*(?:から|より|以降|開始|分|更新|契約更新|の更新|更新時|更新分|適用|期|スタート|始ま|以後|〜|~)`)
)

// termIn finds the term start a text names: a date or month followed by a start word
// (から, 更新, 以降 …) is that start; one followed by an end word (末, まで, をもって …)
// is the end of the previous term, so the start is the next day or month. A bare date
// counts only in a form field about the term (labelled); in a field about the end
// (endLabel: 解約日, 終了日) a month's last day names the term starting the next day.
func (x *extractor) termIn(s string, labelled, endLabel bool) string {
	type hit struct {
		pos        int
		y, m, d    int
		end, start bool
	}
	var hits []hit
	add := func(loc []int, y, m, d int) {
		rest := s[loc[1]:]
		h := hit{pos: loc[0], y: y, m: m, d: d, end: reCueEnd.MatchString(rest), start: reCueSt.MatchString(rest)}
		hits = append(hits, h)
	}
	covered := func(i int) bool {
		for _, h := range hits {
			if h.pos <= i && i < h.pos+4 {
				return true
			}
		}
		return false
	}
	for _, loc := range reReiwa.FindAllStringSubmatchIndex(s, -1) {
		y := 1
		if g := s[loc[2]:loc[3]]; g != "元" {
			y, _ = strconv.Atoi(g)
		}
		m, _ := strconv.Atoi(s[loc[4]:loc[5]])
		d := 0
		if loc[6] >= 0 {
			d, _ = strconv.Atoi(s[loc[6]:loc[7]])
		}
		add(loc, 2018+y, m, d)
	}
	for _, loc := range reYMD.FindAllStringSubmatchIndex(s, -1) {
		if covered(loc[0]) || !okStart(s, loc[0]) {
			continue
		}
		y, _ := strconv.Atoi(s[loc[2]:loc[3]])
		m, _ := strconv.Atoi(s[loc[4]:loc[5]])
		d, _ := strconv.Atoi(s[loc[6]:loc[7]])
		add(loc, y, m, d)
	}
	for _, loc := range reYM.FindAllStringSubmatchIndex(s, -1) {
		if covered(loc[0]) || !okStart(s, loc[0]) {
			continue
		}
		if loc[1] < len(s) && s[loc[1]] >= '0' && s[loc[1]] <= '9' {
			continue
		}
		y, _ := strconv.Atoi(s[loc[2]:loc[3]])
		m, _ := strconv.Atoi(s[loc[4]:loc[5]])
		add(loc, y, m, 0)
	}
	if !x.ref.IsZero() {
		ref := calendar.InTokyo(x.ref)
		for _, loc := range reMD.FindAllStringSubmatchIndex(s, -1) {
			if covered(loc[0]) || loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || strings.HasSuffix(s[:loc[0]], "年")) {
				continue
			}
			m, _ := strconv.Atoi(s[loc[2]:loc[3]])
			d := 0
			if loc[4] >= 0 {
				d, _ = strconv.Atoi(s[loc[4]:loc[5]])
			}
			y := ref.Year
			if m < int(ref.Month) {
				y++ // "4月から" written in October means next April
			}
			add(loc, y, m, d)
		}
	}
	best := -1
	for i, h := range hits {
		if h.m < 1 || h.m > 12 || h.y < 2000 || h.y > 2100 {
			continue
		}
		if h.d != 0 && (h.d < 1 || h.d > calendar.DaysIn(h.y, time.Month(h.m))) {
			continue
		}
		if !h.end && !h.start && !labelled {
			continue
		}
		if best < 0 || h.pos < hits[best].pos {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	h := hits[best]
	end := h.end || (endLabel && h.d != 0 && h.d == calendar.DaysIn(h.y, time.Month(h.m)))
	if h.d == 0 {
		if end {
			d := calendar.New(h.y, time.Month(h.m), 1).AddMonths(1)
			return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
		}
		return fmt.Sprintf("%04d-%02d", h.y, h.m)
	}
	d := calendar.New(h.y, time.Month(h.m), h.d)
	if end {
		d = d.AddDays(1)
	}
	return d.String()
}

// ---- contractor ----

const corpDesig = `株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|学校法人|医療法人|社会福祉法人|特定非営利活動法人|NPO法人|独立行政法人|国立大学法人|税理士法人|弁護士法人|監査法人|司法書士法人|社会保険労務士法人|宗教法人|㈱|㈲|\(株\)|\(有\)|\(同\)`

var (
	reCompany   = regexp.MustCompile(`(?:` + corpDesig + `)\s?[^\s、。,!?「」『』:<>()\[\]【】]{1,40}|[^\s、。,!?「」『』:<>()\[\]【】]{1,40}?\s?(?:` + corpDesig + `)`)
	reNameTail  = regexp.MustCompile(`(の[^の]{1,12}?(です|でございます|と申します|より|から|にて|が|は)|(より|から|では|です|にて|として|様|御中|殿|さま|の|が|は|を|に|で|と|も|ご担当者))$`)
	reNameHead  = regexp.MustCompile(`^(弊社|当社|私ども|わたくしども|私|当方|こちら|いつも|先日|本日|御社|貴社)(は|の|、|では)?`)
	reAddressee = regexp.MustCompile(`(御中|様|殿|さま|ご担当|御担当|各位)\s*$`)
)

// companyIn finds the first company name in folded lines, skipping lines addressed to
// the reseller (…御中, …様) and the names in NotContractors.
func (x *extractor) companyIn(lines []string) string {
	for _, l := range lines {
		if reAddressee.MatchString(strings.TrimSpace(l)) || isQuoteLine(l) {
			continue
		}
		for _, m := range reCompany.FindAllString(l, -1) {
			n := trimName(m)
			if NormalizeName(n) == "" || x.notContractor(n) {
				continue
			}
			return n
		}
	}
	return ""
}

func trimName(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < 4; i++ {
		t := reNameTail.ReplaceAllString(s, "")
		t = reNameHead.ReplaceAllString(t, "")
		t = strings.TrimSpace(t)
		if t == s || t == "" {
			break
		}
		s = t
	}
	return s
}

func (x *extractor) notContractor(s string) bool {
	n := NormalizeName(s)
	for _, own := range x.o.NotContractors {
		if o := NormalizeName(own); o != "" && strings.Contains(n, o) {
			return true
		}
	}
	return false
}

// ---- product ----

var (
	reMSProduct = regexp.MustCompile(`(?i)\b(?:Microsoft|Office|Exchange|Azure|Teams|Visio|Project|Power\s?BI|Power\s?Apps|Power\s?Automate|Dynamics|Windows|Intune|Defender|Copilot|Entra|SharePoint|OneDrive|M365|O365)(?:[ ]?(?:365|\d{4}|[A-Za-z][A-Za-z0-9+]*|\([^)]{1,30}\)))*`)
	productStop = map[string]bool{"license": true, "licenses": true, "licence": true, "licences": true, "seats": true, "seat": true,
		"users": true, "user": true, "subscription": true, "subscriptions": true, "for": true, "and": true, "with": true, "to": true, "from": true, "the": true, "of": true}
)

// productName reads a product form field: a known name if it is one, else the value.
func (x *extractor) productName(v string) string {
	if p := x.knownProduct(v); p != "" {
		return p
	}
	return strings.TrimSpace(v)
}

func (x *extractor) knownProduct(s string) string {
	ns := NormalizeProduct(s)
	best, bestLen := "", 0
	for _, p := range x.o.Products {
		np := NormalizeProduct(p)
		if np != "" && strings.Contains(ns, np) && len(np) > bestLen {
			best, bestLen = p, len(np)
		}
	}
	return best
}

func (x *extractor) productIn(lines []string) string {
	for _, l := range lines {
		if p := x.knownProduct(l); p != "" {
			return p
		}
	}
	for _, l := range lines {
		for _, m := range reMSProduct.FindAllString(l, -1) {
			w := strings.Fields(m)
			for len(w) > 0 && productStop[strings.ToLower(w[len(w)-1])] {
				w = w[:len(w)-1]
			}
			if len(w) >= 2 || len(w) == 1 && (strings.EqualFold(w[0], "M365") || strings.EqualFold(w[0], "O365") || strings.EqualFold(w[0], "Azure")) {
				return strings.Join(w, " ")
			}
		}
	}
	return ""
}
