package mailintake

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeFixture is one message of testdata/decode/: a class of real-world damage in
// its real bytes, made from UTF-8 text by encoding it and then breaking it the way
// some mail software does.
type decodeFixture struct {
	name  string
	bytes func(t testing.TB) []byte
}

const decodeRequest = "nPress 営業窓口 ご担当者様\n\n株式会社サンプル商事の山田です。\nNP-0001234 Microsoft 365 Business Standard を解約します。\n"

// crlf turns "\n" into "\r\n".
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func decodeHeader(subjectWord, extra string) string {
	return "From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@sample-shoji.co.jp>\nTo: esales@npress.jp\n" +
		"Subject: " + subjectWord + "\nDate: Thu, 01 Oct 2026 10:00:00 +0900\nMessage-ID: <decode@sample-shoji.co.jp>\n" + extra
}

var decodeFixtures = []decodeFixture{
	{"d01_mbox_from_line.eml", func(t testing.TB) []byte {
		// An mbox export: the separator line, LF line ends.
		return []byte("From yamada@sample-shoji.co.jp Thu Oct  1 10:00:00 2026\n" + decodeHeader("=?UTF-8?B?6Kej57SE?=",
			"MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n") + "\n" + decodeRequest)
	}},
	{"d02_cr_only.eml", func(t testing.TB) []byte {
		// Classic Mac OS line ends: CR only, in the header and the body.
		s := crlf(decodeHeader("=?ISO-2022-JP?B?GyRCMnJMcxsoQg==?=", "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n") + "\n")
		s += crlf(string(encodeText(t, "ISO-2022-JP", decodeRequest)))
		return []byte(strings.ReplaceAll(s, "\r\n", "\r"))
	}},
	{"d03_jis_no_content_type.eml", func(t testing.TB) []byte {
		// ISO-2022-JP (ESC $B) with no Content-Type at all.
		return []byte(crlf(decodeHeader("=?ISO-2022-JP?B?GyRCMnJMcxsoQg==?=", "")+"\n") + crlf(string(encodeText(t, "ISO-2022-JP", decodeRequest))))
	}},
	{"d04_jis_1978_roman_no_charset.eml", func(t testing.TB) []byte {
		// The older escapes: ESC $@ (JIS C 6226-1978) and ESC (J (JIS-Roman), under a
		// Content-Type that names no charset.
		b := string(encodeText(t, "ISO-2022-JP", decodeRequest))
		b = strings.ReplaceAll(b, "\x1b$B", "\x1b$@")
		b = strings.ReplaceAll(b, "\x1b(B", "\x1b(J")
		return []byte(crlf(decodeHeader("=?ISO-2022-JP?B?GyRCMnJMcxsoQg==?=", "MIME-Version: 1.0\nContent-Type: text/plain\n")+"\n") + crlf(b))
	}},
	{"d05_utf8_label_sjis_bytes.eml", func(t testing.TB) []byte {
		return []byte(crlf(decodeHeader("=?UTF-8?B?6Kej57SE?=", "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n")+"\n") +
			crlf(string(encodeText(t, "Shift_JIS", decodeRequest))))
	}},
	{"d06_jis_label_utf8_bytes.eml", func(t testing.TB) []byte {
		return []byte(crlf(decodeHeader("=?UTF-8?B?6Kej57SE?=", "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 8bit\n")+"\n") +
			crlf(decodeRequest))
	}},
	{"d07_ascii_label_utf8_bytes.eml", func(t testing.TB) []byte {
		return []byte(crlf(decodeHeader("=?UTF-8?B?6Kej57SE?=", "MIME-Version: 1.0\nContent-Type: text/plain; charset=US-ASCII\nContent-Transfer-Encoding: 8bit\n")+"\n") +
			crlf(decodeRequest))
	}},
	{"d08_txt_attachment_rfc2231_jis.eml", func(t testing.TB) []byte {
		// The request only as a .txt attachment, named in RFC 2231 continuations in
		// ISO-2022-JP (as Japanese clients write them).
		name := url.PathEscape(string(encodeText(t, "ISO-2022-JP", "解約申込書.txt")))
		half := len(name) / 2
		if i := strings.Index(name[half:], "%"); i >= 0 {
			half += i // split before an escape, never inside one
		}
		body := transfer(t, "base64", encodeText(t, "ISO-2022-JP", decodeRequest))
		return []byte(crlf(decodeHeader("=?UTF-8?B?6Kej57SE55Sz6L685pu4?=", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n")+"\n") +
			crlf("--b1\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Disposition: attachment;\n filename*0*=ISO-2022-JP''"+name[:half]+";\n filename*1*="+name[half:]+"\nContent-Transfer-Encoding: base64\n\n") +
			body + crlf("--b1--\n"))
	}},
	{"d09_txt_attachment_empty_inline.eml", func(t testing.TB) []byte {
		// An empty inline part, a PDF and the request as a UTF-8 .txt named in RFC 2231.
		body := transfer(t, "base64", []byte(decodeRequest))
		return []byte(crlf(decodeHeader("=?UTF-8?B?6Kej57SE55Sz6L685pu4?=", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b2\"\n")+"\n") +
			crlf("--b2\nContent-Type: text/plain; charset=UTF-8\n\n \n--b2\nContent-Type: application/pdf; name=\"form.pdf\"\nContent-Disposition: attachment; filename=\"form.pdf\"\nContent-Transfer-Encoding: base64\n\n") +
			transfer(t, "base64", []byte("%PDF-1.4 not a real pdf")) +
			crlf("--b2\nContent-Type: text/plain; charset=UTF-8\nContent-Disposition: attachment; filename*=UTF-8''"+url.PathEscape("解約申込書.txt")+"\nContent-Transfer-Encoding: base64\n\n") +
			body + crlf("--b2--\n"))
	}},
	{"d10_header_controls.eml", func(t testing.TB) []byte {
		// NUL and other control bytes in header keys and values.
		return []byte(crlf("From: =?UTF-8?B?5bGx55Sw?=\x01 <yamada@sample-shoji.co.jp>\nTo: esales@npress.jp\x00\n"+
			"Subject: =?UTF-8?B?6Kej57SE?=\x00\x07 NP-0001234\nX-\x00Mailer: Mail\x1f Writer\x7f 1.0\nDate: Thu, 01 Oct 2026 10:00:00 +0900\n"+
			"Message-ID: <ctl\x08@sample-shoji.co.jp>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n") + crlf(decodeRequest))
	}},
}

// TestGenerateDecodeFixtures writes testdata/decode/*.eml: go test -run TestGenerateDecodeFixtures -gen.
func TestGenerateDecodeFixtures(t *testing.T) {
	if !*gen {
		t.Skip("fixtures are committed; pass -gen to write them again")
	}
	if err := os.MkdirAll(filepath.Join("testdata", "decode"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range decodeFixtures {
		if err := os.WriteFile(filepath.Join("testdata", "decode", f.name), f.bytes(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
