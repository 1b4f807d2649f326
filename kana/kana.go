// Package kana folds Japanese kana the way bank payer names are written, so that a name
// typed by a person and the same name as a bank sends it compare equal. It is pure: runes
// in, runes out.
package kana

// Large returns the full-size form of a small katakana (ァ → ア, ッ → ツ, ヮ → ワ,
// ヵ → カ, ヶ → ケ) and any other rune as it is. Bank payer names have no small kana
// (ｼﾖｳｼﾞ for ショウジ), so names are compared with them folded. Hiragana is not
// folded: convert it to katakana first.
func Large(r rune) rune {
	switch r {
	case 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ッ', 'ャ', 'ュ', 'ョ', 'ヮ':
		return r + 1
	case 'ヵ':
		return 'カ'
	case 'ヶ':
		return 'ケ'
	}
	return r
}
