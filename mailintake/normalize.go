package mailintake

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"github.com/npress/nightly/kana"
)

// fold maps full-width ASCII (ＮＰ０１２, ：, （）) to ASCII and half-width katakana to
// full width, keeping everything else (①, ㈱) as it is. Extraction reads folded text.
func fold(s string) string { return width.Fold.String(s) }

// dashes are every character people type as the hyphen of a contract number (SPEC
// §1.1, reference/mail.md). width.Fold already turns U+FF0D into "-".
const dashes = "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc\uff70"

// unifyDashes replaces every dash of the list with "-".
func unifyDashes(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(dashes, r) {
			return '-'
		}
		return r
	}, s)
}

// corporateForms are the legal-form words that customers write, abbreviate (㈱, (株))
// or leave out; names are compared without them.
var corporateForms = []string{
	"株式会社", "有限会社", "合同会社", "合資会社", "合名会社",
	"一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "特定非営利活動法人",
	"npo法人", "学校法人", "医療法人", "社会福祉法人", "独立行政法人", "国立大学法人",
	"税理士法人", "弁護士法人", "監査法人", "司法書士法人", "社会保険労務士法人", "宗教法人",
	"(株)", "(有)", "(同)", "(資)", "(名)", "(社)", "(財)", "(医)", "(学)", "(福)",
}

// englishForms are removed only at the end of a name ("Sample Co., Ltd.").
var englishForms = []string{
	"kabushikikaisha", "kabushiki kaisha", "co.,ltd.", "co., ltd.", "co.,ltd", "co., ltd",
	"co.ltd.", "co. ltd.", "inc.", "inc", "ltd.", "ltd", "corporation", "corp.", "corp", "k.k.", "kk",
}

// NormalizeName reduces a company name for comparison: NFKC (full width to ASCII,
// ㈱ to (株), half-width kana to full width), lower case, hiragana to katakana, legal
// forms (株式会社, ㈱, (株), Co., Ltd. …), spaces and punctuation removed.
func NormalizeName(s string) string {
	s = norm.NFKC.String(s)
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "（", "(")
	s = strings.ReplaceAll(s, "）", ")")
	for _, f := range corporateForms {
		s = strings.ReplaceAll(s, f, "")
	}
	s = strings.TrimSpace(s)
	for _, f := range englishForms {
		if t := strings.TrimSuffix(s, f); t != s && t != "" {
			s = strings.TrimRight(t, " ,.")
			break
		}
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'ぁ' && r <= 'ゖ':
			b.WriteRune(kana.Large(r + ('ァ' - 'ぁ')))
		case r >= 'ァ' && r <= 'ヶ':
			b.WriteRune(kana.Large(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == 'ー':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeProduct reduces a product or plan name for comparison: NFKC, lower case,
// spaces and punctuation removed, and the common short forms expanded (M365 →
// microsoft365, O365 → office365, "BS" → businessstandard …).
func NormalizeProduct(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	s = b.String()
	for _, p := range [][2]string{
		{"マイクロソフト", "microsoft"}, {"オフィス", "office"},
		{"ビジネススタンダード", "businessstandard"}, {"ビジネスベーシック", "businessbasic"},
		{"ビジネスプレミアム", "businesspremium"}, {"スタンダード", "standard"},
		{"ベーシック", "basic"}, {"プレミアム", "premium"},
		{"m365", "microsoft365"}, {"o365", "office365"}, {"ms365", "microsoft365"},
	} {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return s
}
