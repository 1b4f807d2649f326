package masterdata

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Limits that keep amounts far from int64 overflow downstream
// (unit price × seats × 12 months stays below 2^53).
const (
	maxSeats     = 1_000_000
	maxUnitPrice = 100_000_000
	minYear      = 1990
	maxYear      = 2100
)

// dashes are the characters people type for a hyphen in codes, postal codes and numbers.
const dashes = "-‐‑‒–—―−－ーｰ"

// fold returns s trimmed, in NFKC (full-width digits and letters become half-width,
// half-width katakana become full-width), with every dash variant made "-".
func fold(s string) string {
	s = norm.NFKC.String(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(dashes, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
}

// nfkc returns s trimmed and in NFKC, for words compared with fixed values.
func nfkc(s string) string { return strings.TrimSpace(norm.NFKC.String(strings.TrimSpace(s))) }

// cleanText trims a free-text field (including full-width spaces), turns CRLF into LF,
// and refuses control characters; a line break is refused unless multiLine.
func cleanText(s string, multiLine bool) (string, error) {
	// Shift_JIS 0x8160 decodes to 〜 (U+301C) but Windows types ～ (U+FF5E) in UTF-8
	// files; one form keeps both imports, and a Shift_JIS round trip, equal.
	s = strings.NewReplacer("\r\n", "\n", "\u301C", "\uFF5E").Replace(s)
	s = strings.TrimFunc(s, unicode.IsSpace)
	for _, r := range s {
		switch {
		case r == '\n' && multiLine:
		case r == '\n':
			return "", fmt.Errorf("改行が入っています。1行で書いてください")
		case r == utf8.RuneError:
			return "", fmt.Errorf("読めない文字があります（この部分は UTF-8 でも Shift_JIS でもありません）")
		case unicode.IsControl(r):
			return "", fmt.Errorf("制御文字 %U が入っています。削除してください", r)
		}
	}
	return s, nil
}

var (
	reDigits6   = regexp.MustCompile(`^\d{6}$`)
	reDigitsFew = regexp.MustCompile(`^\d{1,5}$`)
)

// parseCustomerNo reads an お客様番号: exactly 6 digits (full-width digits accepted).
func parseCustomerNo(s string) (string, error) {
	v := fold(s)
	switch {
	case v == "":
		return "", fmt.Errorf("空欄です。6桁のお客様番号を書いてください")
	case reDigits6.MatchString(v):
		return v, nil
	case reDigitsFew.MatchString(v):
		return "", fmt.Errorf("%q は%d桁です。6桁で書いてください（Excel が先頭の0を消した場合は、列を文字列の書式にして %s と入力してください）", s, len(v), strings.Repeat("0", 6-len(v))+v)
	}
	return "", fmt.Errorf("%q はお客様番号ではありません。6桁の数字で書いてください（例: 100001）", s)
}

// parseContractNo reads a 契約番号, folding width, letter case and dash variants,
// and checks it against the configured pattern.
func parseContractNo(s string, pattern *regexp.Regexp) (string, error) {
	v := strings.ToUpper(strings.ReplaceAll(fold(s), " ", ""))
	if v == "" {
		return "", fmt.Errorf("空欄です。契約番号を書いてください")
	}
	if !pattern.MatchString(v) {
		return "", fmt.Errorf("%q は契約番号の形（%s、例: NP-0001234）ではありません", s, pattern)
	}
	return v, nil
}

var rePlanCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$`)

// parsePlanCode reads a プランコード: letters, digits and . _ : / - (no spaces), up to 64.
func parsePlanCode(s string) (string, error) {
	v := fold(s)
	if v == "" {
		return "", fmt.Errorf("空欄です。プランコードを書いてください")
	}
	if !rePlanCode.MatchString(v) {
		return "", fmt.Errorf("%q はプランコードではありません。英数字と . _ : / - だけを使い、空白なし、64文字までで書いてください", s)
	}
	return v, nil
}

// parseOrderNo reads a 注文番号 as the EC store gives it: any single-line text up to 64
// characters, trimmed.
func parseOrderNo(s string) (string, error) {
	v, err := cleanText(s, false)
	switch {
	case err != nil:
		return "", err
	case v == "":
		return "", fmt.Errorf("空欄です。注文には注文番号が必要です")
	case utf8.RuneCountInString(v) > 64:
		return "", fmt.Errorf("64文字を超えています")
	}
	return v, nil
}

var (
	reAmountPlain   = regexp.MustCompile(`^(\d+|\d{1,3}(,\d{3})+)(\.0+)?$`)
	reAmountFrac    = regexp.MustCompile(`^(\d+|\d{1,3}(,\d{3})+)\.\d+$`)
	reCountPlain    = regexp.MustCompile(`^(\d+|\d{1,3}(,\d{3})+)$`)
	reZeroFraction  = regexp.MustCompile(`\.0+$`)
	reYenDecoration = strings.NewReplacer("¥", "", "\\", "", "円", "", " ", "")
)

// parseYen reads an amount in whole yen: digits with optional thousands separators,
// a leading ¥ (or the backslash Shift_JIS shows for it) or a trailing 円. It never
// goes through a float.
func parseYen(s string) (int64, error) {
	v := fold(s)
	if v == "" {
		return 0, fmt.Errorf("空欄です。金額を円で書いてください（例: 1,200）")
	}
	if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "△") || strings.HasPrefix(v, "▲") {
		return 0, fmt.Errorf("%q は負の値です。価格は0以上です", s)
	}
	v = reYenDecoration.Replace(v)
	if reAmountFrac.MatchString(v) && !reAmountPlain.MatchString(v) {
		return 0, fmt.Errorf("%q に1円未満の端数があります。円単位で書いてください", s)
	}
	if !reAmountPlain.MatchString(v) {
		return 0, fmt.Errorf("%q は円の金額ではありません（1200、1,200、¥1,200 のように書いてください）", s)
	}
	v, _, _ = strings.Cut(v, ".")
	n, err := strconv.ParseInt(strings.ReplaceAll(v, ",", ""), 10, 64)
	if err != nil || n > maxUnitPrice {
		return 0, fmt.Errorf("%q は ¥%s を超えています。金額を確認してください", s, commas(maxUnitPrice))
	}
	return n, nil
}

// parseSeats reads a seat count: a whole number from 1 to maxSeats.
func parseSeats(s string) (int, error) {
	v := strings.ReplaceAll(fold(s), " ", "")
	v = strings.TrimSuffix(strings.TrimSuffix(v, "席"), "ライセンス")
	if v == "" {
		return 0, fmt.Errorf("空欄です。数量（1以上）を書いてください")
	}
	v = reZeroFraction.ReplaceAllString(v, "") // a numeric cell in .xlsx may read 10.0
	if strings.HasPrefix(v, "-") {
		return 0, fmt.Errorf("%q は負の値です。数量は1以上です", s)
	}
	if !reCountPlain.MatchString(v) {
		return 0, fmt.Errorf("%q は数量（整数）ではありません", s)
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
	switch {
	case err != nil || n > maxSeats:
		return 0, fmt.Errorf("%q は数量の上限 %s を超えています。確認してください", s, commas(maxSeats))
	case n < 1:
		return 0, fmt.Errorf("%d です。数量は1以上です", n)
	}
	return n, nil
}

// Share is a parent company's share of a subsidiary (出資比率) in hundredths of a
// percent, so that 66.67% is exact without a float: Percent(51) is 51%.
type Share int

// Percent returns the Share of p whole percent.
func Percent(p int) Share { return Share(p * 100) }

// String formats the share as a percentage without the sign: "51", "66.67", or "" for 0.
func (s Share) String() string {
	if s == 0 {
		return ""
	}
	if s%100 == 0 {
		return strconv.Itoa(int(s / 100))
	}
	return strings.TrimRight(fmt.Sprintf("%d.%02d", s/100, s%100), "0")
}

var reShare = regexp.MustCompile(`^(\d{1,3})(?:\.(\d{1,2}))?$`)

// parseShare reads a percentage: 51, 51%, ５１％, 66.67.
func parseShare(s string) (Share, error) {
	v := strings.TrimSuffix(strings.ReplaceAll(fold(s), " ", ""), "%")
	m := reShare.FindStringSubmatch(v)
	if m == nil {
		return 0, fmt.Errorf("%q は百分率ではありません（51 や 51%% のように、小数は2桁までで書いてください）", s)
	}
	whole, _ := strconv.Atoi(m[1])
	frac := 0
	if m[2] != "" {
		frac, _ = strconv.Atoi((m[2] + "0")[:2])
	}
	sh := Share(whole*100 + frac)
	if sh <= 0 || sh > Percent(100) {
		return 0, fmt.Errorf("%q は0〜100%%の比率ではありません", s)
	}
	return sh, nil
}

var rePostal = regexp.MustCompile(`^(\d{3})-?(\d{4})$`)

// parsePostalCode reads a 郵便番号 as NNN-NNNN; a leading 〒, full-width digits, any dash
// and the bare 7 digits are accepted. The result is half-width NNN-NNNN.
func parsePostalCode(s string) (string, error) {
	v := strings.TrimSpace(strings.TrimPrefix(fold(s), "〒"))
	v = strings.ReplaceAll(v, " ", "")
	if v == "" {
		return "", fmt.Errorf("空欄です。郵便番号を NNN-NNNN の形で書いてください")
	}
	m := rePostal.FindStringSubmatch(v)
	if m == nil {
		if reDigits6.MatchString(v) {
			return "", fmt.Errorf("%q は6桁です。NNN-NNNN の形で書いてください（Excel が先頭の0を消していませんか）", s)
		}
		return "", fmt.Errorf("%q は郵便番号の形（NNN-NNNN、例: 100-0005）ではありません", s)
	}
	return m[1] + "-" + m[2], nil
}

// parseKana reads a フリガナ: katakana (full- or half-width), ー, ・ and spaces. It
// returns full-width katakana with single full-width spaces.
func parseKana(s string) (string, error) {
	v := norm.NFKC.String(strings.TrimSpace(s))
	if v == "" {
		return "", fmt.Errorf("空欄です。会社名のフリガナをカタカナで書いてください")
	}
	var b strings.Builder
	space := false
	for _, r := range v {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r >= 'ァ' && r <= 'ヺ', r == 'ー', r == '・', r == 'ヽ', r == 'ヾ':
		case r >= 'ぁ' && r <= 'ゖ':
			return "", fmt.Errorf("%q にひらがな（%c）があります。フリガナはカタカナで書いてください", s, r)
		default:
			return "", fmt.Errorf("%q にカタカナでない文字 %q があります。フリガナはカタカナだけで書いてください", s, r)
		}
		if space {
			b.WriteRune('\u3000')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// parsePayerNames reads 振込依頼人名 separated by ";": katakana (full- or half-width),
// A–Z, digits, spaces and ( ) . , - / as a bank shows them. Each name is returned in
// half-width katakana, the form of a bank statement.
func parsePayerNames(s string) ([]string, error) {
	v := norm.NFKC.String(strings.TrimSpace(s))
	if v == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		name := width.Narrow.String(norm.NFD.String(strings.ToUpper(strings.TrimSpace(part))))
		name = strings.Join(strings.Fields(name), " ")
		if name == "" {
			continue
		}
		for _, r := range name {
			switch {
			case r >= 0xFF61 && r <= 0xFF9F, r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			case strings.ContainsRune(" ().,-/\\", r):
			default:
				return nil, fmt.Errorf("%q に %q があります。振込依頼人名は銀行の表示どおりカタカナで書き、複数は ; で区切ってください", strings.TrimSpace(part), r)
			}
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

var reCorporateNo = regexp.MustCompile(`^\d{13}$`)

// parseCorporateNo reads a 法人番号: 13 digits whose first is a check digit (an invoice
// registration number T+13 digits and hyphens or spaces are accepted).
func parseCorporateNo(s string) (string, error) {
	v := strings.TrimPrefix(strings.ToUpper(fold(s)), "T")
	v = strings.NewReplacer("-", "", " ", "").Replace(v)
	if !reCorporateNo.MatchString(v) {
		return "", fmt.Errorf("%q は法人番号ではありません。13桁で書いてください", s)
	}
	if want := corporateCheckDigit(v[1:]); int(v[0]-'0') != want {
		return "", fmt.Errorf("%q はチェックデジットが違います（先頭の桁は %d のはずです）。法人番号公表サイトで確認してください", s, want)
	}
	return v, nil
}

// corporateCheckDigit computes the 法人番号 check digit of its other 12 digits:
// 9 − (Σ Pₙ × (n odd ? 1 : 2) mod 9), n counted from the right.
func corporateCheckDigit(body string) int {
	sum := 0
	for i := 0; i < len(body); i++ {
		n := len(body) - i
		p := int(body[i] - '0')
		if n%2 == 0 {
			p *= 2
		}
		sum += p
	}
	return 9 - sum%9
}

// parseEmail reads one bare e-mail address.
func parseEmail(s string) (string, error) {
	v := strings.TrimSpace(norm.NFKC.String(s))
	if v == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		return "", fmt.Errorf("%q はメールアドレスではありません（keiri@example.co.jp のように1つ書いてください）", s)
	}
	return v, nil
}

// EmailSeparator separates the addresses of a customer's e-mail field, in files and in
// the database; mail intake reads the same list (SPEC §7.4: a sender is verified by any
// of them).
const EmailSeparator = ";"

// parseEmails reads メールアドレス: one address or several separated by ";" (a
// full-width "；" or a line break counts as one). Each is validated; the same address
// twice is kept once. A comma or "、" between addresses is refused with the fix, since a
// comma can also be part of a quoted name.
func parseEmails(s string) (string, error) {
	v := strings.TrimSpace(norm.NFKC.String(s))
	if v == "" {
		return "", nil
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' })
	var out []string
	seen := map[string]bool{}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		a, err := parseEmail(p)
		if err != nil {
			if strings.ContainsAny(p, ",、") && strings.Count(p, "@") > 1 {
				return "", fmt.Errorf("%q: 複数のアドレスはカンマや「、」ではなく ;（セミコロン）で区切ってください", p)
			}
			if len(parts) > 1 {
				return "", fmt.Errorf("%[3]d 件中 %[2]d 件目の %[1]q はメールアドレスではありません（keiri@example.co.jp のように書き、複数は ; で区切ってください）", p, i+1, len(parts))
			}
			return "", err
		}
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return strings.Join(out, EmailSeparator), nil
}

// Emails returns the customer's e-mail addresses (the Email field split at
// EmailSeparator).
func (c Customer) Emails() []string {
	var out []string
	for _, a := range strings.Split(c.Email, EmailSeparator) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// parseCountry reads an ISO 3166-1 alpha-2 code; empty is JP.
func parseCountry(s string) (string, error) {
	v := strings.ToUpper(nfkc(s))
	switch v {
	case "", "JP", "JPN", "JAPAN", "日本":
		return "JP", nil
	}
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		return "", fmt.Errorf("%q は国コード（JP、US など）ではありません", s)
	}
	return v, nil
}

// parseBool reads auto_renew-style flags: 1/0, true/false, yes/no, する/しない, 有/無;
// empty is def.
func parseBool(s string, def bool) (bool, error) {
	switch strings.ToLower(nfkc(s)) {
	case "":
		return def, nil
	case "1", "true", "yes", "y", "する", "有", "あり", "はい", "○":
		return true, nil
	case "0", "false", "no", "n", "しない", "無", "なし", "いいえ", "×":
		return false, nil
	}
	return false, fmt.Errorf("%q は 1 でも 0 でもありません", s)
}

// PlanKind says how a plan is sold: an annual subscription or a perpetual licence (§3.5).
type PlanKind string

// The plan kinds.
const (
	Subscription PlanKind = "subscription"
	Perpetual    PlanKind = "perpetual"
)

func parsePlanKind(s string) (PlanKind, error) {
	switch strings.ToLower(nfkc(s)) {
	case "subscription", "サブスクリプション", "年間契約", "年額":
		return Subscription, nil
	case "perpetual", "永続", "永続ライセンス", "買い切り", "買切":
		return Perpetual, nil
	}
	return "", fmt.Errorf("%q はプランの種別ではありません。サブスクリプションか永続を書いてください", s)
}

// OrderKind is what an order asks for (SPEC §4.1–4.2).
type OrderKind string

// The order kinds.
const (
	New       OrderKind = "new"       // 新規
	Addition  OrderKind = "addition"  // 追加: more seats on an existing contract
	Migration OrderKind = "migration" // 既存テナント移行
)

func parseOrderKind(s string) (OrderKind, error) {
	switch strings.ToLower(nfkc(s)) {
	case "new", "新規":
		return New, nil
	case "addition", "追加":
		return Addition, nil
	case "migration", "移行", "既存テナント移行", "テナント移行":
		return Migration, nil
	}
	return "", fmt.Errorf("%q は注文種別ではありません。新規・追加・移行のどれかを書いてください", s)
}

// YearMonth is contract.YearMonth, the desired start month of an order.
type YearMonth = contract.YearMonth

// monthOf returns the month d falls in.
func monthOf(d calendar.Date) YearMonth { return contract.YearMonthOf(d) }

// monthBefore reports whether month a is before month b.
func monthBefore(a, b YearMonth) bool {
	return a.Year < b.Year || a.Year == b.Year && a.Month < b.Month
}

// eras are the Japanese eras a date may be written in, newest first.
var eras = []struct {
	names []string
	first calendar.Date // the era's first day; year 1 is first.Year
	last  calendar.Date // zero for the current era
}{
	{[]string{"令和", "R"}, calendar.Date{Year: 2019, Month: 5, Day: 1}, calendar.Date{}},
	{[]string{"平成", "H"}, calendar.Date{Year: 1989, Month: 1, Day: 8}, calendar.Date{Year: 2019, Month: 4, Day: 30}},
	{[]string{"昭和", "S"}, calendar.Date{Year: 1926, Month: 12, Day: 25}, calendar.Date{Year: 1989, Month: 1, Day: 7}},
}

var (
	reTimeSuffix = regexp.MustCompile(`^(.+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$`)
	reYMD        = regexp.MustCompile(`^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})$`)
	reYMDKanji   = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
	reYMDCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reEraDate    = regexp.MustCompile(`^(令和|平成|昭和|[RHS])(\d{1,2}|元)(?:年|[./-])(\d{1,2})(?:月|[./-])(\d{1,2})日?$`)
	reSerial     = regexp.MustCompile(`^\d{1,5}(\.\d+)?$`)
	reDMY        = regexp.MustCompile(`^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$`)
	reShortYear  = regexp.MustCompile(`^\d{1,2}[-/.]\d{1,2}[-/.]\d{1,2}$`)
	reYM         = regexp.MustCompile(`^(\d{4})(?:[-/.]|年)(\d{1,2})月?$`)
	reYMCompact  = regexp.MustCompile(`^(\d{4})(\d{2})$`)
	reEraMonth   = regexp.MustCompile(`^(令和|平成|[RH])(\d{1,2}|元)(?:年|[./-])(\d{1,2})月?$`)
)

// dateFormats is what a date column accepts, for error messages.
const dateFormats = "2026/4/1、2026-04-01、令和8年4月1日 のように書いてください"

// parseDate reads a date as Japanese Excel and sales systems write it: 2026/4/1,
// 2026-04-01, 2026年4月1日, 20260401, 令和8年4月1日, R8.4.1, with an optional time of
// day that is ignored; in .xlsx (xlsx true) also an Excel serial number. Dates that do
// not exist and ambiguous forms (1/2/2026, 26/4/1) are refused.
func parseDate(s string, xlsx, date1904 bool) (calendar.Date, error) {
	v := strings.ToUpper(fold(s))
	if v == "" {
		return calendar.Date{}, fmt.Errorf("空欄です。%s", dateFormats)
	}
	if m := reTimeSuffix.FindStringSubmatch(v); m != nil {
		v = m[1]
	}
	var y, mo, d int
	era := -1
	switch {
	case reSerial.MatchString(v):
		if !xlsx {
			return calendar.Date{}, fmt.Errorf("%q は日付ではなく Excel のシリアル値のようです。列を日付の書式にしてください（%s）", s, dateFormats)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 {
			return calendar.Date{}, fmt.Errorf("%q は日付ではありません。%s", s, dateFormats)
		}
		t, err := excelize.ExcelDateToTime(math.Floor(f), date1904)
		if err != nil {
			return calendar.Date{}, fmt.Errorf("%q は Excel の日付ではありません: %v", s, err)
		}
		y, mo, d = t.Year(), int(t.Month()), t.Day()
	case reYMD.MatchString(v):
		m := reYMD.FindStringSubmatch(v)
		if m[2] != m[4] {
			return calendar.Date{}, fmt.Errorf("%q は区切り文字が混ざっています。%s", s, dateFormats)
		}
		y, mo, d = atoi(m[1]), atoi(m[3]), atoi(m[5])
	case reYMDKanji.MatchString(v):
		m := reYMDKanji.FindStringSubmatch(v)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
	case reYMDCompact.MatchString(v):
		m := reYMDCompact.FindStringSubmatch(v)
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
	case reEraDate.MatchString(v):
		m := reEraDate.FindStringSubmatch(v)
		var err error
		era, y, err = eraYear(m[1], m[2])
		if err != nil {
			return calendar.Date{}, fmt.Errorf("%q: %v", s, err)
		}
		mo, d = atoi(m[3]), atoi(m[4])
	case reDMY.MatchString(v):
		return calendar.Date{}, fmt.Errorf("%q は月と日の順が分かりません。年から書いてください（2026/4/1）", s)
	case reShortYear.MatchString(v):
		return calendar.Date{}, fmt.Errorf("%q は年が2桁で分かりません。年を4桁で書いてください（2026/4/1）", s)
	default:
		return calendar.Date{}, fmt.Errorf("%q は日付ではありません。%s", s, dateFormats)
	}
	if mo < 1 || mo > 12 || d < 1 || d > calendar.DaysIn(y, time.Month(mo)) {
		return calendar.Date{}, fmt.Errorf("%q という日はありません。月と日を確認してください", s)
	}
	date := calendar.Date{Year: y, Month: time.Month(mo), Day: d}
	if era >= 0 {
		e := eras[era]
		if date.Before(e.first) || !e.last.IsZero() && date.After(e.last) {
			return calendar.Date{}, fmt.Errorf("%q は%sの範囲外です。年を確認してください", s, e.names[0])
		}
	}
	if y < minYear || y > maxYear {
		return calendar.Date{}, fmt.Errorf("%q の年 %d は %d〜%d の範囲外です。年を確認してください", s, y, minYear, maxYear)
	}
	return date, nil
}

// eraYear turns an era name and its year (digits or 元) into the eras index and the
// Gregorian year.
func eraYear(name, year string) (int, int, error) {
	n := 1
	if year != "元" {
		n = atoi(year)
	}
	for i, e := range eras {
		for _, en := range e.names {
			if en == name {
				if n < 1 {
					return 0, 0, fmt.Errorf("%s%d年はありません", e.names[0], n)
				}
				return i, e.first.Year + n - 1, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("元号 %s は分かりません", name)
}

// parseYearMonth reads a month as 2026-06, 2026/6, 2026年6月, 202606, 令和8年6月, R8.6,
// or as the first day of the month in any form parseDate takes (Excel turns a typed
// 2026/6 into the date 2026/6/1).
func parseYearMonth(s string, xlsx, date1904 bool) (YearMonth, error) {
	v := strings.ToUpper(fold(s))
	if v == "" {
		return YearMonth{}, fmt.Errorf("空欄です。月を 2026-06 のように書いてください")
	}
	var y, mo int
	switch {
	case reYM.MatchString(v):
		m := reYM.FindStringSubmatch(v)
		y, mo = atoi(m[1]), atoi(m[2])
	case reYMCompact.MatchString(v):
		m := reYMCompact.FindStringSubmatch(v)
		y, mo = atoi(m[1]), atoi(m[2])
	case reEraMonth.MatchString(v):
		m := reEraMonth.FindStringSubmatch(v)
		i, yy, err := eraYear(m[1], m[2])
		if err != nil {
			return YearMonth{}, fmt.Errorf("%q: %v", s, err)
		}
		y, mo = yy, atoi(m[3])
		if mo >= 1 && mo <= 12 {
			first := eras[i].first
			lastMonth := YearMonth{Year: 9999, Month: 12}
			if !eras[i].last.IsZero() {
				lastMonth = monthOf(eras[i].last)
			}
			if ym := (YearMonth{Year: y, Month: time.Month(mo)}); monthBefore(ym, monthOf(first)) || monthBefore(lastMonth, ym) {
				return YearMonth{}, fmt.Errorf("%q は%sの範囲外です。年を確認してください", s, eras[i].names[0])
			}
		}
	default:
		d, err := parseDate(s, xlsx, date1904)
		if err != nil {
			return YearMonth{}, fmt.Errorf("%q は月ではありません。2026-06（または2026年6月）のように書いてください", s)
		}
		if d.Day != 1 {
			return YearMonth{}, fmt.Errorf("%q は日付で、月ではありません。月を %s のように書いてください", s, monthOf(d))
		}
		return monthOf(d), nil
	}
	if mo < 1 || mo > 12 {
		return YearMonth{}, fmt.Errorf("%q の %d 月はありません。2026-06 のように書いてください", s, mo)
	}
	if y < minYear || y > maxYear {
		return YearMonth{}, fmt.Errorf("%q の年 %d は %d〜%d の範囲外です。年を確認してください", s, y, minYear, maxYear)
	}
	return YearMonth{Year: y, Month: time.Month(mo)}, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// commas formats n with thousands separators.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
