package mailintake

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDecodeClasses reads each class of damaged message in testdata/decode/ (written
// by TestGenerateDecodeFixtures): each must give the request's text, say which charset
// was actually used and whether the declared one lied, and extract the request.
func TestDecodeClasses(t *testing.T) {
	tests := []struct {
		file      string
		decodedAs string
		lied      bool
		subject   string
		fromAttch string // the attachment read as the body
	}{
		{"d01_mbox_from_line.eml", "utf-8", false, "解約", ""},
		{"d02_cr_only.eml", "iso-2022-jp", false, "解約", ""},
		{"d03_jis_no_content_type.eml", "iso-2022-jp", false, "解約", ""},
		{"d04_jis_1978_roman_no_charset.eml", "iso-2022-jp", false, "解約", ""},
		{"d05_utf8_label_sjis_bytes.eml", "shift_jis", true, "解約", ""},
		{"d06_jis_label_utf8_bytes.eml", "utf-8", true, "解約", ""},
		{"d07_ascii_label_utf8_bytes.eml", "utf-8", true, "解約", ""},
		{"d08_txt_attachment_rfc2231_jis.eml", "iso-2022-jp", false, "解約申込書", "解約申込書.txt"},
		{"d09_txt_attachment_empty_inline.eml", "utf-8", false, "解約申込書", "解約申込書.txt"},
		{"d10_header_controls.eml", "utf-8", false, "解約 NP-0001234", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "decode", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !strings.Contains(m.Text, "NP-0001234 Microsoft 365 Business Standard を解約します。") || strings.ContainsAny(m.Body, "\x1b\ufffd") {
				t.Errorf("text %q", m.Text)
			}
			if m.DecodedAs != tt.decodedAs || m.LabelLied != tt.lied {
				t.Errorf("decoded_as %q label_lied %v, want %q %v", m.DecodedAs, m.LabelLied, tt.decodedAs, tt.lied)
			}
			if m.Subject != tt.subject || m.FromAddress != "yamada@sample-shoji.co.jp" {
				t.Errorf("subject %q from %q", m.Subject, m.From)
			}
			if m.BodyFromAttachment != tt.fromAttch {
				t.Errorf("body from attachment %q, want %q", m.BodyFromAttachment, tt.fromAttch)
			}
			for _, s := range []string{m.From, m.FromName, m.Subject, m.MessageID, m.Body} {
				if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
					t.Errorf("control character or invalid UTF-8 left in %q", s)
				}
			}
			r := Extract(m, ExtractOptions{Products: goldenOptions.Products})
			if len(r) != 1 || r[0].Contract != "NP-0001234" || r[0].Kind != KindCancellation || r[0].Contractor != "株式会社サンプル商事" {
				t.Errorf("requests %+v", r)
			}
		})
	}
}

// TestEncodedWordLabelLies: an RFC 2047 word whose charset label lies (UTF-8 bytes
// under ISO-2022-JP, Shift_JIS bytes under UTF-8) is read by what its bytes are.
func TestEncodedWordLabelLies(t *testing.T) {
	sjis := encodeText(t, "Shift_JIS", "解約のお願い")
	for label, word := range map[string]string{
		"UTF-8 bytes under ISO-2022-JP": "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte("解約のお願い")) + "?=",
		"Shift_JIS bytes under UTF-8":   "=?UTF-8?B?" + base64.StdEncoding.EncodeToString(sjis) + "?=",
		"two words, one lying":          "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("解約")) + "?= =?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte("のお願い")) + "?=",
	} {
		m, err := Parse([]byte("From: a@example.jp\r\nSubject: " + word + "\r\n\r\nx\r\n"))
		if err != nil || m.Subject != "解約のお願い" {
			t.Errorf("%s: subject %q (%v)", label, m.Subject, err)
		}
	}
}
