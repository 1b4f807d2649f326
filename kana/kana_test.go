package kana

import "testing"

func TestLarge(t *testing.T) {
	tests := []struct {
		in, want rune
	}{
		// every small katakana
		{'ァ', 'ア'}, {'ィ', 'イ'}, {'ゥ', 'ウ'}, {'ェ', 'エ'}, {'ォ', 'オ'},
		{'ッ', 'ツ'}, {'ャ', 'ヤ'}, {'ュ', 'ユ'}, {'ョ', 'ヨ'}, {'ヮ', 'ワ'},
		{'ヵ', 'カ'}, {'ヶ', 'ケ'},
		// full-size katakana stay
		{'ア', 'ア'}, {'ツ', 'ツ'}, {'ヨ', 'ヨ'}, {'ワ', 'ワ'}, {'カ', 'カ'}, {'ケ', 'ケ'},
		{'ガ', 'ガ'}, {'ヴ', 'ヴ'}, {'ー', 'ー'},
		// hiragana, half-width kana, the katakana extensions and others are not folded
		{'ぁ', 'ぁ'}, {'っ', 'っ'}, {'ｧ', 'ｧ'}, {'ｯ', 'ｯ'}, {'ㇰ', 'ㇰ'},
		{'a', 'a'}, {'A', 'A'}, {'1', '1'}, {'株', '株'}, {0, 0},
	}
	for _, tt := range tests {
		if got := Large(tt.in); got != tt.want {
			t.Errorf("Large(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
