package mailintake

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

var gen = flag.Bool("gen", false, "write the .eml fixtures in testdata/ from fixtures below")

// fixture is one .eml file, written in its real encoding by TestGenerateFixtures.
type fixture struct {
	name     string
	from     string // display name, encoded in the header charset
	addr     string
	subject  string
	date     string
	charset  string // MIME label of the text
	cte      string // 7bit, 8bit, base64, quoted-printable
	html     string // an HTML alternative (or the only part when body is "")
	body     string
	attach   []fixtureAttachment
	raw      string // written as is (malformed messages)
	extraHdr string
}

type fixtureAttachment struct{ name, ctype, data string }

func encoderFor(label string) encoding.Encoding {
	l := strings.ToLower(label)
	switch {
	case strings.HasPrefix(l, "iso-2022-jp"), strings.HasPrefix(l, "cp5022"):
		return japanese.ISO2022JP
	case strings.Contains(l, "shift") || strings.Contains(l, "sjis") || strings.Contains(l, "932") || l == "windows-31j":
		return japanese.ShiftJIS
	case strings.Contains(l, "euc"):
		return japanese.EUCJP
	}
	return encoding.Nop
}

func encodeText(t testing.TB, label, s string) []byte {
	b, err := encoderFor(label).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q in %s: %v", clip(s, 40), label, err)
	}
	return b
}

func encodedWord(t testing.TB, label, s string) string {
	if s == "" {
		return ""
	}
	ascii := true
	for _, r := range s {
		if r >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return s
	}
	return "=?" + label + "?B?" + base64.StdEncoding.EncodeToString(encodeText(t, label, s)) + "?="
}

func transfer(t testing.TB, cte string, b []byte) string {
	switch cte {
	case "base64":
		s := base64.StdEncoding.EncodeToString(b)
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		out.WriteString(s + "\r\n")
		return out.String()
	case "quoted-printable":
		var buf bytes.Buffer
		w := quotedprintable.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.String() + "\r\n"
	}
	return strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n")
}

func (f fixture) bytes(t testing.TB) []byte {
	if f.raw != "" {
		return []byte(strings.ReplaceAll(f.raw, "\n", "\r\n"))
	}
	cs := f.charset
	if cs == "" {
		cs = "UTF-8"
	}
	cte := f.cte
	if cte == "" {
		cte = "7bit"
	}
	date := f.date
	if date == "" {
		date = "Thu, 01 Oct 2026 10:00:00 +0900"
	}
	var b strings.Builder
	from := f.addr
	if f.from != "" {
		from = encodedWord(t, cs, f.from) + " <" + f.addr + ">"
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: esales@npress.jp\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@mail.example.co.jp>\r\nMIME-Version: 1.0\r\n",
		from, encodedWord(t, cs, f.subject), date, strings.TrimSuffix(f.name, ".eml"))
	b.WriteString(f.extraHdr)
	textPart := func(ctype, body string) string {
		return fmt.Sprintf("Content-Type: %s; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s", ctype, cs, cte, transfer(t, cte, encodeText(t, cs, body)))
	}
	var main string
	switch {
	case f.html != "" && f.body != "":
		main = "Content-Type: multipart/alternative; boundary=\"alt-b\"\r\n\r\n--alt-b\r\n" + textPart("text/plain", f.body) +
			"--alt-b\r\n" + textPart("text/html", f.html) + "--alt-b--\r\n"
	case f.html != "":
		main = textPart("text/html", f.html)
	default:
		main = textPart("text/plain", f.body)
	}
	if len(f.attach) == 0 {
		b.WriteString(main)
		return []byte(b.String())
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"mix-b\"\r\n\r\nThis is a multi-part message in MIME format.\r\n--mix-b\r\n")
	b.WriteString(main)
	for _, a := range f.attach {
		fmt.Fprintf(&b, "--mix-b\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s",
			a.ctype, a.name, a.name, transfer(t, "base64", []byte(a.data)))
	}
	b.WriteString("--mix-b--\r\n")
	return []byte(b.String())
}

var fixtures = []fixture{
	{name: "01_form_iso2022jp.eml", from: "山田 太郎", addr: "yamada@sample-shoji.co.jp", subject: "減数・解約のお申込み",
		charset: "ISO-2022-JP", body: `サイバーロジスティクス株式会社
nPress 営業窓口 ご担当者様

いつもお世話になっております。
下記の通り減数を申し込みます。

■ご契約番号：NP-0001234
■ご契約者名：株式会社サンプル商事
■対象製品：Microsoft 365 Business Standard
■数量：20 → 15
■希望される内容：減数
■適用時期：2027年4月の更新から

以上、よろしくお願いいたします。

--
株式会社サンプル商事
情報システム部 山田 太郎
TEL 03-1234-5678
`, attach: []fixtureAttachment{{"申込書.pdf", "application/pdf", "%PDF-1.4\n% not a real pdf\n"}}},

	{name: "02_prose_iso2022jp.eml", from: "佐藤 花子", addr: "sato@minato-kogyo.jp", subject: "ライセンス数の変更について",
		charset: "ISO-2022-JP", body: `nPress ご担当者様

いつもお世話になっております。みなと工業株式会社の佐藤です。

契約番号 NP-0002345 の Microsoft 365 E3 について、次回の更新から
ライセンス数を30ライセンスから25ライセンスに減らしたいと考えております。

お手数ですがご対応をお願いいたします。

佐藤
`},

	{name: "03_reply_quoted.eml", from: "山田 太郎", addr: "yamada@sample-shoji.co.jp", subject: "Re: 【NP-0001234】減数のお申込みについて（ご確認）",
		charset: "UTF-8", cte: "base64", body: `nPress 営業窓口
ご担当者様

ご連絡ありがとうございます。
不足しておりました数量ですが、15ライセンスに減数でお願いします。
製品は Microsoft 365 Business Standard です。

株式会社サンプル商事 山田

2026年10月1日(木) 10:00 nPress 営業窓口 <esales@npress.jp>:
> 株式会社サンプル商事
> 山田 様
>
> 減数のお申込みをありがとうございます。
> 恐れ入りますが、NP-0009999 の数量をご記載ください。
> 5ライセンス減
`},

	{name: "04_forwarded.eml", from: "田中 一郎", addr: "tanaka@kita-denki.co.jp", subject: "Fwd: 解約のお願い",
		charset: "UTF-8", cte: "quoted-printable", body: `esales ご担当者様

総務の依頼を転送いたします。よろしくお願いいたします。

田中

---------- Forwarded message ---------
From: 総務部 鈴木 <suzuki@kita-denki.co.jp>
Date: 2026年9月30日(水) 17:12
Subject: 解約のお願い
To: 田中 一郎 <tanaka@kita-denki.co.jp>

北電機株式会社です。
ご契約番号：ＮＰ－０００３４５６
対象製品：Microsoft 365 Business Basic
2027年3月末をもって解約（更新しない）とさせてください。
`},

	{name: "05_html_only.eml", from: "高橋", addr: "takahashi@higashi-soft.co.jp", subject: "減数依頼",
		charset: "UTF-8", cte: "base64", html: `<html><head><style>td{border:1px}</style><title>x</title></head><body>
<p>nPress ご担当者様</p>
<p>お世話になっております。東ソフト株式会社の高橋です。<br>以下の通り減数をお願いします。</p>
<table>
<tr><th>契約番号</th><td>np 0004567</td></tr>
<tr><th>契約者名</th><td>東ソフト株式会社</td></tr>
<tr><th>製品名</th><td>Microsoft 365 Business Premium</td></tr>
<tr><th>減数</th><td>3ライセンス</td></tr>
</table>
<p>よろしくお願いいたします。</p>
<div class="gmail_quote">2026年9月1日(火) 9:00 nPress &lt;esales@npress.jp&gt;:<blockquote>ご案内<br>NP-0000001 は旧契約です。</blockquote></div>
</body></html>`},

	{name: "06_shift_jis.eml", from: "伊藤", addr: "ito@nishi-unyu.co.jp", subject: "契約更新しない旨のご連絡",
		charset: "Shift_JIS", cte: "8bit", body: `ｎＰｒｅｓｓ　御中

西運輸㈱の伊藤です。
契約番号NP0005678（Exchange Online (Plan 1)）は次回更新しないこととしました。
契約を解約いたします。

━━━━━━━━━━━━━━━━
西運輸㈱　総務課
伊藤　誠
〒100-0001 東京都千代田区1-1
━━━━━━━━━━━━━━━━
`},

	{name: "07_euc_jp.eml", from: "渡辺", addr: "watanabe@minami.example.jp", subject: "減数のお願い",
		charset: "EUC-JP", cte: "8bit", body: `お世話になっております。

【契約番号】NP-0006789
【契約者】有限会社南商店
【製品】Microsoft 365 Apps for business
【内容】5ライセンス減

渡辺
`},

	{name: "08_utf8_qp_outlook.eml", from: "中村 聡", addr: "nakamura@chuo-kensetsu.co.jp", subject: "RE: 減数のお申込み",
		charset: "UTF-8", cte: "quoted-printable", body: `nPress 営業窓口 様

中央建設株式会社 中村です。
先日の件、NP-0007890 Microsoft 365 E5 を12ライセンスで継続、としてください。
時期は2027年6月からです。

差出人: nPress 営業窓口 <esales@npress.jp>
送信日時: 2026年9月28日 15:00
宛先: 中村 聡 <nakamura@chuo-kensetsu.co.jp>
件名: 減数のお申込み

中央建設株式会社
中村 様

NP-0007890 の減数について、数量をご記載ください（現在20ライセンス）。
`},

	{name: "09_fullwidth.eml", from: "小林", addr: "kobayashi@ki-sangyo.co.jp", subject: "ライセンス減数",
		charset: "ISO-2022-JP", body: `ご担当者様

紀産業株式会社　小林です。
契約番号：ＮＰ－０００８９０１
製品：Ｍｉｃｒｏｓｏｆｔ　３６５　Ｂｕｓｉｎｅｓｓ　Ｓｔａｎｄａｒｄ
１０ライセンスを６ライセンスに減数してください。
`},

	{name: "10_missing_fields.eml", from: "加藤", addr: "kato@example.com", subject: "減数したい",
		charset: "ISO-2022-JP", body: `お世話になっております。
ライセンスを減数したいのですが、どうすればよいでしょうか。

加藤
`},

	{name: "11_two_contracts.eml", from: "吉田", addr: "yoshida@sample-shoji.co.jp", subject: "減数・解約のお申込み（2件）",
		charset: "ISO-2022-JP", body: `株式会社サンプル商事の吉田です。
2027年4月の更新から、下記2契約についてお願いします。

1. 契約番号：NP-0001234
   製品：Microsoft 365 Business Standard
   数量：20→18

2. 契約番号：NP-0001235
   製品：Microsoft 365 E3
   解約（更新しない）

よろしくお願いいたします。
`},

	{name: "12_no_request.eml", from: "山本", addr: "yamamoto@example.org", subject: "請求書受領のご連絡",
		charset: "ISO-2022-JP", body: `いつもお世話になっております。
請求書を受領いたしました。ありがとうございました。

山本
`},

	{name: "13_cp50220_nec.eml", from: "㈱丸一 森", addr: "mori@maruichi.co.jp", subject: "①解約の件（㈱丸一）",
		charset: "ISO-2022-JP", body: `nPress 御中

㈱丸一の森です。
① 契約番号：NP-0009012
② 契約者名：㈱丸一
③ 製品：Microsoft 365 Business Basic
④ 内容：解約
以上です。
`},

	{name: "14_malformed_boundary.eml", raw: `From: someone@example.com
To: esales@npress.jp
Subject: broken
Date: Thu, 01 Oct 2026 10:00:00 +0900
Message-ID: <14_malformed_boundary@mail.example.co.jp>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="never-there"

--other-boundary
Content-Type: text/plain; charset=UTF-8

NP-0001234 解約
--other-boundary--
`},

	{name: "15_bad_base64.eml", raw: `From: someone@example.com
To: esales@npress.jp
Subject: bad base64
Date: Thu, 01 Oct 2026 10:00:00 +0900
Message-ID: <15_bad_base64@mail.example.co.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

5pys5paH!!!!@@@@ not base64 at all ~~~
`},

	{name: "16_unknown_charset.eml", raw: `From: someone@example.com
To: esales@npress.jp
Subject: unknown charset
Date: Thu, 01 Oct 2026 10:00:00 +0900
Message-ID: <16_unknown_charset@mail.example.co.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset=x-klingon-2022
Content-Transfer-Encoding: 8bit

NP-0001234
`},

	{name: "17_subject_only.eml", from: "木村", addr: "kimura@kita.example.jp", subject: "[NP 0001122] 解約のお願い",
		charset: "UTF-8", cte: "8bit", body: `株式会社キタデザインの木村です。
表題の契約（Azure）を 令和9年3月31日 をもって解約します。
`},
}

// TestGenerateFixtures writes testdata/*.eml: go test -run TestGenerateFixtures -gen.
func TestGenerateFixtures(t *testing.T) {
	if !*gen {
		t.Skip("fixtures are committed; pass -gen to write them again")
	}
	for _, f := range fixtures {
		if err := os.WriteFile(filepath.Join("testdata", f.name), f.bytes(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
