package mailintake

import (
	"regexp"
	"strconv"
	"strings"
)

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
