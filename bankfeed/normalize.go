package bankfeed

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/npress/nightly/kana"
)

// LegalForm is a legal form of company (株式会社, 有限会社, ...) as it appears in payer
// names and registered names: the bank's abbreviation in parentheses (ｶ), the kanji
// short form ㈱ (株), the full kanji, and its spelled-out kana reading. Normalization
// removes all of them (SPEC §6.5). Any width or kana style may be used: the texts are
// normalized when a Normalizer is built.
type LegalForm struct {
	// Abbrev is the bank abbreviation, removed as "(ｶ)" anywhere, "ｶ)" in front and
	// "(ｶ" at the end.
	Abbrev string
	// Short is the one-kanji form removed the same way as Abbrev: "(株)", "株)", "(株".
	Short string
	// Full are the written-out forms, removed anywhere (株式会社, 一般社団法人, ...).
	Full []string
	// Readings are spelled-out kana forms, removed anywhere (ｶﾌﾞｼｷｶﾞｲｼﾔ).
	Readings []string
	// Suffixes are Latin forms removed only at the end of a name (CO.,LTD., INC.).
	Suffixes []string
}

// DefaultLegalForms returns the abbreviations of reference/zengin.md with their kanji
// and kana forms. Staff extend the list in the configuration (NewNormalizer's extra).
func DefaultLegalForms() []LegalForm {
	return []LegalForm{
		{Abbrev: "ｶ", Short: "株", Full: []string{"株式会社"}, Readings: []string{"カブシキガイシャ", "カブシキカイシャ"}, Suffixes: []string{"CO.,LTD.", "CO.LTD.", "INC.", "CORP.", "CORPORATION", "K.K."}},
		{Abbrev: "ﾕ", Short: "有", Full: []string{"有限会社"}, Readings: []string{"ユウゲンガイシャ", "ユウゲンカイシャ"}, Suffixes: []string{"LTD."}},
		{Abbrev: "ﾒ", Short: "名", Full: []string{"合名会社"}, Readings: []string{"ゴウメイガイシャ", "ゴウメイカイシャ"}},
		{Abbrev: "ｼ", Short: "資", Full: []string{"合資会社"}, Readings: []string{"ゴウシガイシャ", "ゴウシカイシャ"}},
		{Abbrev: "ﾄﾞ", Short: "同", Full: []string{"合同会社"}, Readings: []string{"ゴウドウガイシャ", "ゴウドウカイシャ"}, Suffixes: []string{"LLC", "L.L.C."}},
		{Abbrev: "ｲ", Short: "医", Full: []string{"医療法人社団", "医療法人財団", "医療法人"}, Readings: []string{"イリョウホウジンシャダン", "イリョウホウジンザイダン", "イリョウホウジン"}},
		{Abbrev: "ｻﾞｲ", Short: "財", Full: []string{"一般財団法人", "公益財団法人", "財団法人"}, Readings: []string{"イッパンザイダンホウジン", "コウエキザイダンホウジン", "ザイダンホウジン"}},
		{Abbrev: "ｼﾔ", Short: "社", Full: []string{"一般社団法人", "公益社団法人", "社団法人"}, Readings: []string{"イッパンシャダンホウジン", "コウエキシャダンホウジン", "シャダンホウジン"}},
		{Abbrev: "ｶﾞｸ", Short: "学", Full: []string{"学校法人"}, Readings: []string{"ガッコウホウジン"}},
		{Abbrev: "ﾌｸ", Short: "福", Full: []string{"社会福祉法人"}, Readings: []string{"シャカイフクシホウジン"}},
		{Abbrev: "ﾄｸﾋ", Short: "特非", Full: []string{"特定非営利活動法人", "NPO法人"}, Readings: []string{"トクテイヒエイリカツドウホウジン"}},
		{Abbrev: "ﾄﾞｸ", Short: "独", Full: []string{"独立行政法人"}, Readings: []string{"ドクリツギョウセイホウジン"}},
		{Abbrev: "ｼﾕｳ", Short: "宗", Full: []string{"宗教法人"}, Readings: []string{"シュウキョウホウジン"}},
		{Abbrev: "ｿ", Short: "相", Full: []string{"相互会社"}, Readings: []string{"ソウゴガイシャ", "ソウゴカイシャ"}},
		{Abbrev: "ﾍﾞﾝ", Short: "弁", Full: []string{"弁護士法人"}, Readings: []string{"ベンゴシホウジン"}},
		{Abbrev: "ｾﾞｲ", Short: "税", Full: []string{"税理士法人"}, Readings: []string{"ゼイリシホウジン"}},
		{Abbrev: "ｶﾝｻ", Short: "監", Full: []string{"監査法人"}, Readings: []string{"カンサホウジン"}},
		{Abbrev: "ﾀﾞｲ", Short: "大", Full: []string{"国立大学法人"}, Readings: []string{"コクリツダイガクホウジン"}},
		{Abbrev: "ﾉｳｷﾖｳ", Short: "農", Full: []string{"農業協同組合"}, Readings: []string{"ノウギョウキョウドウクミアイ"}},
		{Abbrev: "ｾｲｷﾖｳ", Short: "生協", Full: []string{"生活協同組合"}, Readings: []string{"セイカツキョウドウクミアイ"}},
	}
}

// Normalizer puts payer names and registered names into one comparable form (SPEC
// §6.5). It is immutable after NewNormalizer and safe for concurrent use.
type Normalizer struct {
	half     [0xFF9F - 0xFF01 + 1]rune // folded forms of U+FF01–U+FF9F, from x/text/width
	inParens [][]rune                  // abbreviations and short forms, folded
	maxParen int                       // longest of them, in runes
	anywhere [][]rune                  // full forms and readings, folded, longest first
	byFirst  map[rune][]int            // anywhere indexes by first rune (outside katakana)
	firsts   [16]uint64                // bit r%1024 set for each key r of byFirst
	byKana   [0x60][]int               // anywhere indexes by first rune U+30A0–U+30FF
	suffixes [][]rune                  // end-only forms, folded, longest first
}

// NewNormalizer returns a Normalizer for DefaultLegalForms plus extra.
func NewNormalizer(extra []LegalForm) *Normalizer {
	n := &Normalizer{byFirst: map[rune][]int{}}
	for i := range n.half {
		n.half[i] = width.LookupRune(rune(0xFF01 + i)).Folded()
	}
	add := func(list *[][]rune, s string) {
		f := n.fold(nil, s)
		f = removePunct(f)
		if len(f) > 0 && !slices.ContainsFunc(*list, func(x []rune) bool { return slices.Equal(x, f) }) {
			*list = append(*list, f)
		}
	}
	for _, lf := range append(DefaultLegalForms(), extra...) {
		add(&n.inParens, lf.Abbrev)
		add(&n.inParens, lf.Short)
		for _, s := range lf.Full {
			add(&n.anywhere, s)
		}
		for _, s := range lf.Readings {
			add(&n.anywhere, s)
		}
		for _, s := range lf.Suffixes {
			add(&n.suffixes, s)
		}
	}
	longestFirst := func(a, b []rune) int { return len(b) - len(a) }
	slices.SortStableFunc(n.anywhere, longestFirst)
	slices.SortStableFunc(n.suffixes, longestFirst)
	for _, p := range n.inParens {
		n.maxParen = max(n.maxParen, len(p))
	}
	for i, p := range n.anywhere {
		if p[0] >= 0x30A0 && p[0] <= 0x30FF {
			n.byKana[p[0]-0x30A0] = append(n.byKana[p[0]-0x30A0], i)
		} else {
			n.byFirst[p[0]] = append(n.byFirst[p[0]], i)
			n.firsts[p[0]%1024/64] |= 1 << (p[0] % 64)
		}
	}
	return n
}

var defaultNormalizer = sync.OnceValue(func() *Normalizer { return NewNormalizer(nil) })

// Normalize normalizes s with the default legal forms; see Normalizer.Normalize.
func Normalize(s string) string { return defaultNormalizer().Normalize(s) }

// Normalize returns the comparable form of a payer or registered name (SPEC §6.5):
// half-width katakana and hiragana become full-width katakana, full-width Latin and
// digits half-width and upper case; small kana become full size (banks print ｼﾖｳｼﾞ for
// ショウジ); voiced marks are composed (ｶﾞ → ガ); every dash and long-vowel mark becomes
// ー; legal forms are removed in front, behind and in the middle ("ｶ)", "(ｶ", "(ｶ)",
// ㈱, 株式会社, ｶﾌﾞｼｷｶﾞｲｼﾔ); a 6-digit customer number typed before or after the name
// is dropped; spaces and punctuation are removed. Normalize is idempotent.
func (n *Normalizer) Normalize(s string) string {
	if s == "" {
		return ""
	}
	var stack [96]rune
	rs := n.fold(stack[:0], s)
	rs = stripCustomerNumber(trimSpaceRunes(rs))
	rs = n.removeParenForms(rs)
	rs = removePunct(rs)
	// Removing a legal form can uncover a customer number and the reverse
	// ("0kk000 000"): repeat until nothing changes, so that Normalize is idempotent.
	for {
		before := len(rs)
		rs = stripCustomerNumber(n.removeSpelled(rs))
		if len(rs) == before {
			return string(rs)
		}
	}
}

// Fold applies only the character-level steps of Normalize (width, kana size, voiced
// marks, dashes, case), keeping legal forms, digits, spaces and punctuation. It is what
// the matcher uses to read invoice and customer numbers in full-width text.
func (n *Normalizer) Fold(s string) string {
	var stack [96]rune
	return string(n.fold(stack[:0], s))
}

const longVowel = 'ー'

// smallKana maps small katakana (after folding) to full size.
var smallKana = map[rune]rune{
	'ァ': 'ア', 'ィ': 'イ', 'ゥ': 'ウ', 'ェ': 'エ', 'ォ': 'オ', 'ッ': 'ツ', 'ャ': 'ヤ', 'ュ': 'ユ', 'ョ': 'ヨ',
	'ヮ': 'ワ', 'ヵ': 'カ', 'ヶ': 'ケ', 'ㇰ': 'ク', 'ㇱ': 'シ', 'ㇲ': 'ス', 'ㇳ': 'ト', 'ㇴ': 'ヌ', 'ㇵ': 'ハ',
	'ㇶ': 'ヒ', 'ㇷ': 'フ', 'ㇸ': 'ヘ', 'ㇹ': 'ホ', 'ㇺ': 'ム', 'ㇻ': 'ラ', 'ㇼ': 'リ', 'ㇽ': 'ル', 'ㇾ': 'レ', 'ㇿ': 'ロ',
}

// enclosed maps enclosed legal-form symbols to the text they stand for.
var enclosed = map[rune]string{
	'㈱': "(株)", '㈲': "(有)", '㈳': "(社)", '㈶': "(財)", '㈾': "(資)", '㈴': "(名)", '㈻': "(学)", '㈼': "(監)",
	'㍿': "株式会社", '㈹': "(代)",
}

// fold appends the folded runes of s to dst.
func (n *Normalizer) fold(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		dst = n.foldRune(dst, r)
	}
	return dst
}

func (n *Normalizer) foldRune(dst []rune, r rune) []rune {
	switch {
	case r >= 0x30A1 && r <= 0x30FA: // katakana: the common case
		return append(dst, kana.Large(r))
	case r < utf8.RuneSelf:
		switch {
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r == '-':
			r = longVowel
		case r == '\t':
			r = ' '
		}
		return append(dst, r)
	case r >= 0xFF01 && r <= 0xFF9F: // full-width ASCII, half-width katakana
		if f := n.half[r-0xFF01]; f != 0 {
			r = f
		}
		if r < utf8.RuneSelf || (r >= 0x30A1 && r <= 0x30FA) {
			return n.foldRune(dst, r)
		}
	case r >= 0x3041 && r <= 0x3096: // hiragana → katakana
		return n.foldRune(dst, r+0x60)
	case r == 0x3000, r == 0x00A0:
		return append(dst, ' ')
	}
	switch r {
	case 0x3099, 0x309B: // voiced sound mark
		if len(dst) > 0 {
			if v, ok := voiced(dst[len(dst)-1]); ok {
				dst[len(dst)-1] = v
			}
		}
		return dst
	case 0x309A, 0x309C: // semi-voiced sound mark
		if len(dst) > 0 {
			if v, ok := semiVoiced(dst[len(dst)-1]); ok {
				dst[len(dst)-1] = v
			}
		}
		return dst
	case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x2500, 0x2501, 0xFE63, 0x30FC, 0xFF70:
		return append(dst, longVowel)
	}
	if r >= 0x31F0 && r <= 0x31FF {
		if l, ok := smallKana[r]; ok {
			return append(dst, l)
		}
	}
	if r >= 0x3231 && r <= 0x337F {
		if e, ok := enclosed[r]; ok {
			for _, c := range e {
				dst = append(dst, c)
			}
			return dst
		}
	}
	return append(dst, r)
}

// voiced composes a katakana with the voiced sound mark (カ → ガ, ウ → ヴ).
func voiced(r rune) (rune, bool) {
	switch {
	case r >= 'カ' && r <= 'ト' && r != 'ッ':
		// カ キ ク ケ コ サ … ト alternate with their voiced forms, except after ッ.
		if r <= 'ヂ' && (r-'カ')%2 == 0 {
			return r + 1, true
		}
		if r >= 'ツ' && (r-'ツ')%2 == 0 {
			return r + 1, true
		}
	case r >= 'ハ' && r <= 'ホ' && (r-'ハ')%3 == 0:
		return r + 1, true
	case r == 'ウ':
		return 'ヴ', true
	case r == 'ワ':
		return 'ヷ', true
	case r == 'ヲ':
		return 'ヺ', true
	}
	return 0, false
}

// semiVoiced composes a katakana with the semi-voiced sound mark (ハ → パ).
func semiVoiced(r rune) (rune, bool) {
	if r >= 'ハ' && r <= 'ホ' && (r-'ハ')%3 == 0 {
		return r + 2, true
	}
	return 0, false
}

func isSpace(r rune) bool { return r == ' ' }

// removeParenForms removes "(X)" anywhere, "X)" in front and "(X" at the end, where X
// is an abbreviation or short form.
func (n *Normalizer) removeParenForms(rs []rune) []rune {
	if !slices.Contains(rs, '(') && !slices.Contains(rs, ')') {
		return rs
	}
	out := rs
	// (X) anywhere
	for i := 0; i < len(out); i++ {
		if out[i] != '(' {
			continue
		}
		for j := i + 1; j < len(out) && j-i-1 <= n.maxParen; j++ {
			if out[j] == ')' {
				if n.isParenForm(trimSpaceRunes(out[i+1 : j])) {
					out[i] = ' '
					out = append(out[:i+1], out[j+1:]...)
				}
				break
			}
			if out[j] == '(' {
				break
			}
		}
	}
	// X) in front
	start := 0
	for start < len(out) && isSpace(out[start]) {
		start++
	}
	for j := start; j < len(out) && j-start <= n.maxParen; j++ {
		if out[j] == ')' {
			if n.isParenForm(trimSpaceRunes(out[start:j])) {
				out = out[j+1:]
			}
			break
		}
		if out[j] == '(' {
			break
		}
	}
	// (X at the end
	end := len(out)
	for end > 0 && isSpace(out[end-1]) {
		end--
	}
	for j := end - 1; j >= 0 && end-j-1 <= n.maxParen; j-- {
		if out[j] == '(' {
			if n.isParenForm(trimSpaceRunes(out[j+1 : end])) {
				out = out[:j]
			}
			break
		}
		if out[j] == ')' {
			break
		}
	}
	return out
}

func trimSpaceRunes(rs []rune) []rune {
	for len(rs) > 0 && isSpace(rs[0]) {
		rs = rs[1:]
	}
	for len(rs) > 0 && isSpace(rs[len(rs)-1]) {
		rs = rs[:len(rs)-1]
	}
	return rs
}

func (n *Normalizer) isParenForm(x []rune) bool {
	if len(x) == 0 {
		return false
	}
	for _, p := range n.inParens {
		if slices.Equal(p, x) {
			return true
		}
	}
	return false
}

// removePunct keeps letters, digits and ー.
func removePunct(rs []rune) []rune {
	out := rs[:0]
	for _, r := range rs {
		if r < utf8.RuneSelf {
			if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') {
				out = append(out, r)
			}
			continue
		}
		if (r >= 0x30A1 && r <= 0x30FA) || r == longVowel || (r >= 0x4E00 && r <= 0x9FFF) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
		}
	}
	return out
}

// removeSpelled removes written-out legal forms anywhere and Latin suffixes at the end,
// until none is left.
func (n *Normalizer) removeSpelled(rs []rune) []rune {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(rs); i++ {
			if rs[i] < 0x3000 {
				continue
			}
			var cands []int
			if rs[i] >= 0x30A0 && rs[i] <= 0x30FF {
				cands = n.byKana[rs[i]-0x30A0]
			} else if r := rs[i]; n.firsts[r%1024/64]&(1<<(r%64)) != 0 {
				cands = n.byFirst[r]
			}
			for _, k := range cands {
				p := n.anywhere[k]
				if len(rs)-i >= len(p) && slices.Equal(rs[i:i+len(p)], p) && len(rs) > len(p) {
					rs = append(rs[:i], rs[i+len(p):]...)
					changed = true
					i--
					break
				}
			}
		}
		for _, p := range n.suffixes {
			if len(rs) > len(p) && slices.Equal(rs[len(rs)-len(p):], p) {
				rs = rs[:len(rs)-len(p)]
				changed = true
			}
		}
	}
	return rs
}

// stripCustomerNumber drops a 6-digit お客様番号 typed before or after the name
// ("123456ﾃｽﾄ", "ﾃｽﾄ 123456"), with the spaces around it, when something else remains.
func stripCustomerNumber(rs []rune) []rune {
	isD := func(r rune) bool { return r >= '0' && r <= '9' }
	for {
		switch {
		case len(rs) > 6 && allRunes(rs[:6], isD) && !isD(rs[6]):
			rs = trimSpaceRunes(rs[6:])
		case len(rs) > 6 && allRunes(rs[len(rs)-6:], isD) && !isD(rs[len(rs)-7]):
			rs = trimSpaceRunes(rs[:len(rs)-6])
		default:
			return rs
		}
	}
}

func allRunes(rs []rune, f func(rune) bool) bool {
	for _, r := range rs {
		if !f(r) {
			return false
		}
	}
	return true
}
