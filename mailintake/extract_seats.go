package mailintake

import (
	"regexp"
	"strconv"
	"strings"
)

// maxSeats bounds a seat count: a number at or above it is no contract's and is read
// as unreadable (the request is incomplete), never clamped.
const maxSeats = 100000

const (
	// numRe takes a whole run of digits (with thousands commas), so that a number too
	// long for a seat count is seen whole and refused rather than cut.
	numRe  = `(\d+(?:,\d{3})*)`
	unitRe = `(?:ライセンス|本|席|件|名|ユーザー|ユーザ|アカウント|シート|個|人|ID|口|つ|seats?|licen[cs]es?|users?)`
	// reduceVerb is a verb of giving seats up, in the forms that take a count before it.
	reduceVerb = `(?:減数|減らし|減らす|削減|減少|減|解約|削除|返却|マイナス|少なく|キャンセル)`
)

var (
	// 20 → 15, 20本⇒15本, 15 -> 12
	reArrow = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `?\s*(?:→|⇒|➡|⇨|➝|⟶|[-‐―－ー=]+>|＞|>)\s*` + numRe + `\s*` + unitRe + `?`)
	// 40から35に, 40本を35本へ, 30ライセンスより25ライセンスまで
	reFromTo = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `?\s*(?:から|より|を)\s*` + numRe + `\s*` + unitRe + `?\s*(?:に|へ|まで|で)`)
	// from 25 to 20
	reFromToEn = regexp.MustCompile(`(?i)from\s+` + numRe + `\s*(?:licen[cs]es?|seats?|users?)?\s+to\s+` + numRe)
	// 5ライセンス減らして35, 2本減らして3本で継続
	reRemovedThenAfter = regexp.MustCompile(numRe + `\s*` + unitRe + `?\s*(?:分)?\s*(?:を)?\s*(?:減らして|減数して|削減して|減らし|減して)\s*` + numRe + `\s*` + unitRe + `?\s*(?:に|へ|で|と|まで)?`)
	// 減数後 15, 変更後の数量は15
	reAfterLbl = regexp.MustCompile(`(?:減数後|変更後|削減後|減少後)(?:の)?(?:数量|ライセンス数|本数|席数)?\s*(?:は|:)?\s*` + numRe)
	// 15ライセンスに, 6ライセンスで更新, 5 ライセンスでお願い
	reTo = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `\s*(?:分)?\s*(?:に|へ|まで|で(?:継続|更新|契約|利用|お願い|結構)|(?:のみ|だけ)(?:残|継続|更新|利用|に|で)|を残|と(?:して|する|します))`)
	// 15に減らして, 15へ変更
	reToVerb = regexp.MustCompile(numRe + `\s*` + unitRe + `?\s*(?:に|へ|まで)\s*(?:減らし|減らす|減ら|減数|削減|変更|変え|し|す|お願い)`)
	// 15で継続, 15だけ残して
	reKeep = regexp.MustCompile(numRe + `\s*` + unitRe + `?\s*(?:で(?:継続|更新)|(?:のみ|だけ)?\s*を?残(?:し|す))`)
	// we only need 15 licenses
	reNeedEn = regexp.MustCompile(`(?i)need\s+(?:only\s+)?` + numRe + `\s*(?:licen[cs]es?|seats?|users?)`)
	// 数量を5に, ライセンス数は12で
	reQtyTo = regexp.MustCompile(`(?:数量|ライセンス数|ライセンス|本数|席数|契約数|アカウント数|ユーザー数)\s*(?:を|は)\s*` + numRe + `\s*` + unitRe + `?\s*(?:に|へ|で)`)
	// さらに減らして20で
	reVerbTo = regexp.MustCompile(`(?:減らして|減数して|削減して)\s*` + numRe + `\s*` + unitRe + `?\s*(?:に|へ|で|と)`)
	reToEn   = regexp.MustCompile(`(?i)(?:reduce|decrease|change)\w*\s+(?:\w+\s+){0,5}?(?:to|down to)\s+` + numRe)
	// 5ライセンス減, 3本減らして
	reRemoved   = regexp.MustCompile(`(?i)` + numRe + `\s*` + unitRe + `\s*(?:分)?\s*(?:を|の)?\s*` + reduceVerb)
	reRemovedNU = regexp.MustCompile(numRe + `\s*(?:を|分)?\s*(?:減らし|減らす|削減|減少|減)`)
	reRemovedPf = regexp.MustCompile(`(?:減数|削減|マイナス|減少)\s*(?:数)?\s*(?:は|:)?\s*` + numRe + `\s*` + unitRe + `?`)
	reRemovedEn = regexp.MustCompile(`(?i)(?:remove|reduce\w*\s+by|minus|cancel|cut)\s+` + numRe)
	// 現在20ライセンス, 今6本, (現在7)
	reBefore  = regexp.MustCompile(`(?:現在|現行|今)\s*(?:の)?\s*(?:数量|ライセンス数|契約数|本数)?\s*(?:は|:)?\s*` + numRe + `\s*` + unitRe + `?`)
	reBareNum = regexp.MustCompile(`^\s*` + numRe + `\s*` + unitRe + `?\s*$`)
	// reLeadNum is a form value that starts with a bare count and explains it in
	// brackets: "15（5ライセンス減）".
	reLeadNum = regexp.MustCompile(`^\s*` + numRe + `\s*` + unitRe + `?\s*[(（]`)
)

// seatCounts are the seat counts a text states.
type seatCounts struct {
	before, after, removed *int
	// qty is a bare number under the desk form's 数量: its meaning depends on the kind.
	qty *int
	// unreadable is set when a count was written that no contract can have (too long,
	// too big): the request must ask for the seats again.
	unreadable bool
}

// any reports a count wanted or a count given up.
func (s seatCounts) any() bool { return s.after != nil || s.removed != nil }

// stated reports that the text said something about the seats it wants: a count, a
// quantity, or a number that could not be read.
func (s seatCounts) stated() bool { return s.any() || s.qty != nil || s.unreadable }

// seatNumber reads a seat count; ok is false for a number no contract has.
func seatNumber(s string) (int, bool) {
	d := strings.ReplaceAll(s, ",", "")
	if len(d) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(d)
	return n, err == nil && n < maxSeats
}

// bareNumber reads a form value that is only a count ("15", "15本"); unreadable is
// set for a count no contract has.
func bareNumber(s string) (n int, found, unreadable bool) {
	m := reBareNum.FindStringSubmatch(s)
	if m == nil {
		return 0, false, false
	}
	n, ok := seatNumber(m[1])
	return n, ok, !ok
}

// okNumAt reports whether the number at s[i:j] stands alone: not the end of a longer
// token, a date, a time, a contract number, a decimal or a phone number.
func okNumAt(s string, i, j int) bool {
	if i > 0 {
		c := s[i-1]
		// A number before the separator (not a word like E3) makes a date, a time
		// or a decimal of it.
		digitBefore := false
		for k := i - 2; k >= 0 && isASCIIAlnum(s[k]); k-- {
			digitBefore = s[k] >= '0' && s[k] <= '9'
			if !digitBefore {
				break
			}
		}
		switch {
		case isASCIIAlnum(c):
			return false // NP0001234, ID123
		case c == '-' && (i < 2 || isASCIIAlnum(s[i-2])):
			return false // NP-0001234, 03-1234
		case (c == '/' || c == '.' || c == ':') && digitBefore:
			return false // 2027/04, 0.5, 10:30; "E3:50→45" is a label and its value
		}
	}
	if j < len(s) {
		c := s[j]
		if c == '/' || c == ':' || c == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' || c == '-' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
			return false
		}
		rest := strings.TrimLeft(s[j:], " ")
		for _, bad := range []string{"年", "月", "日", "時", "分", "%", "円", "か所", "台", "歳", "号", "階", "F"} {
			if strings.HasPrefix(rest, bad) {
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

// numAt reads capture group g of a match as a seat count; it marks sc unreadable for
// a count no contract has.
func numAt(s string, loc []int, g int, sc *seatCounts) *int {
	if 2*g+1 >= len(loc) || loc[2*g] < 0 {
		return nil
	}
	n, ok := seatNumber(s[loc[2*g]:loc[2*g+1]])
	if !ok {
		sc.unreadable = true
		return nil
	}
	return &n
}

// seatsIn reads the seat counts in folded text: the count held now, the count wanted
// and the count to remove. The forms that state two counts are tried first.
func seatsIn(s string) seatCounts {
	var sc seatCounts
	for _, re := range []*regexp.Regexp{reArrow, reFromTo, reFromToEn} {
		if loc := findNum(re, s); loc != nil {
			sc.before, sc.after = numAt(s, loc, 1, &sc), numAt(s, loc, 2, &sc)
			if sc.unreadable {
				sc.before, sc.after = nil, nil
			}
			return sc
		}
	}
	if loc := findNum(reRemovedThenAfter, s); loc != nil {
		sc.removed, sc.after = numAt(s, loc, 1, &sc), numAt(s, loc, 2, &sc)
		if sc.unreadable {
			sc.removed, sc.after = nil, nil
		}
		return sc
	}
	if loc := findNum(reBefore, s); loc != nil {
		sc.before = numAt(s, loc, 1, &sc)
	}
	for _, re := range []*regexp.Regexp{reAfterLbl, reQtyTo, reVerbTo, reTo, reToVerb, reKeep, reToEn, reNeedEn} {
		if loc := findNum(re, s); loc != nil {
			if re == reTo && (strings.HasPrefix(s[loc[1]:], "つい") || strings.HasPrefix(s[loc[1]:], "関")) {
				continue // 5本について, 5本に関して
			}
			sc.after = numAt(s, loc, 1, &sc)
			break
		}
	}
	for _, re := range []*regexp.Regexp{reRemoved, reRemovedPf, reRemovedNU, reRemovedEn} {
		if loc := findNum(re, s); loc != nil {
			sc.removed = numAt(s, loc, 1, &sc)
			break
		}
	}
	return sc
}

var (
	reGenericKind = regexp.MustCompile(`(減数|解約)\s*(・|/|、|,|及び|および|または|又は|or|と)\s*(減数|解約)`)
	reNegated     = regexp.MustCompile(`(解約|減数)\s*(では(なく|ありません)|はしません|はせず|ではない|しません|はいたしません)`)
	reCancel      = regexp.MustCompile(`(?i)(解約|契約解除|解除|` +
		`更新(を|は)?(希望|必要と)?(しない|しません|いたしません|致しません|せず)|更新(を|は)?(停止|不要|なし|しなくて|しないで)|` +
		`自動(更新|継続)(を|は)?(停止|解除|しない|なし|不要|しません|いたしません|希望しない)|` +
		`継続(を|は)?(希望)?(しない|しません|いたしません|致しません|せず)|継続(を|は)?(停止|不要)|` +
		`(次年度|来年度|来期|次期|来年|次回|今後|更新後)(以降)?(は|も)?(利用|使用)(し)?(ない|しません|いたしません|致しません)|` +
		`(次年度|来年度|来期|来年|次回|今後)(以降)?(は|も)?(いらない|要らない|不要|必要(ない|ありません))|` +
		`(契約|利用|サービス)(を|は)?(終了|停止|解除)(し|さ|と|で|を|希望|いた|致|願)|` +
		`キャンセル|利用(を|は)?(やめ|止め)|打ち?切|かいやく|cancel|terminate|not\s+renew|will\s+not\s+renew)`)
	reReduce     = regexp.MustCompile(`(?i)(減数|減らし|減らす|減ら|削減|減少|ライセンス減|本減|席減|一部解約|数量(を|の)?変更|reduc|decrease|fewer)`)
	reFullCancel = regexp.MustCompile(`(全て|すべて|全部|全数|全ライセンス|全契約|契約自体|契約全体|全量)`)
	// reUndecided: the customer has not decided yet; no kind is read.
	reUndecided = regexp.MustCompile(`検討(中|しています|しております|しているところ)|未定|迷って|(減らす|減数する)か(解約する)?か`)
	// reWithdrawn: the customer takes an earlier request back.
	reWithdrawn = regexp.MustCompile(`(件|依頼|申込|申し込み|お願い|メール)(は|を)?(取り消|取り下げ|撤回)`)
)

// kindOf classifies folded text: a reduction where it speaks of fewer seats, a
// cancellation where it speaks of ending or not renewing. The desk's generic phrase
// 「減数・解約」 (a form's title) and negated words (解約ではなく) say nothing, and
// neither does a text that is still deciding.
func kindOf(s string) (Kind, bool) {
	s = reGenericKind.ReplaceAllString(s, "")
	s = reNegated.ReplaceAllString(s, "")
	if s == "" || reUndecided.MatchString(s) {
		return "", false
	}
	c, r := reCancel.FindStringIndex(s), reReduce.FindStringIndex(s)
	full := reFullCancel.MatchString(s)
	switch {
	case r != nil && strings.Contains(s[r[0]:r[1]], "一部解約"):
		return KindReduction, false
	case r != nil && (c == nil || !full):
		if c != nil && r[0] > c[0] && !seatsIn(s).any() {
			return KindCancellation, full
		}
		return KindReduction, false
	case c != nil:
		return KindCancellation, full
	}
	return "", false
}
