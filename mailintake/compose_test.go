package mailintake

import (
	"bufio"
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// TestComposeHeaderInjection builds drafts whose display names try to add recipients
// or header fields (commas, quotes, angle brackets, line breaks, in ASCII and in
// Japanese) and parses each To and From back: exactly one address each, the one meant,
// with the name as written (its line breaks as spaces), and no field added.
func TestComposeHeaderInjection(t *testing.T) {
	names := []string{
		`attacker@evil.example, Takahashi`,
		`"attacker@evil.example", "Takahashi"`,
		`Takahashi <attacker@evil.example>`,
		`Takahashi" <attacker@evil.example>, "x`,
		"Takahashi\r\nBcc: attacker@evil.example",
		"Takahashi\nX-Injected: 1",
		`back\slash "quoted"`,
		`高橋, attacker@evil.example`,
		"高橋 <attacker@evil.example>\r\nBcc: attacker@evil.example",
		`株式会社サンプル商事 "総務部" 山田`,
		strings.Repeat("あa,", 40),
		"",
	}
	wd := mime.WordDecoder{CharsetReader: charsetReader}
	ap := mail.AddressParser{WordDecoder: &wd}
	for _, name := range names {
		raw, err := Draft{From: Address{Name: name, Addr: "esales@npress.jp"}, To: Address{Name: name, Addr: "it@sample-shoji.co.jp"},
			Subject: name, InReplyTo: "abc@example.jp", Body: "本文\n"}.Bytes()
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if bytes.ContainsFunc(raw, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("%q: not 7-bit", name)
		}
		for _, w := range encodedWordRe.FindAllString(string(raw), -1) {
			if len(w) > 75 {
				t.Errorf("%q: encoded word of %d bytes: %s", name, len(w), w)
			}
		}
		msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		for k := range msg.Header {
			switch k {
			case "From", "To", "Subject", "Mime-Version", "Content-Type", "Content-Transfer-Encoding", "References", "In-Reply-To":
			default:
				t.Errorf("%q: field %s added", name, k)
			}
		}
		for field, want := range map[string]string{"From": "esales@npress.jp", "To": "it@sample-shoji.co.jp"} {
			l, err := ap.ParseList(msg.Header.Get(field))
			if err != nil || len(l) != 1 || l[0].Address != want {
				t.Errorf("%q: %s %q parses to %v (%v), want one address %s", name, field, msg.Header.Get(field), l, err, want)
				continue
			}
			if l[0].Name != headerText(name) {
				t.Errorf("%q: %s name %q, want %q", name, field, l[0].Name, headerText(name))
			}
		}
		m, err := Parse(raw)
		if err != nil || m.FromAddress != "esales@npress.jp" || m.Subject != headerText(name) {
			t.Errorf("%q: read back as %q %q (%v)", name, m.From, m.Subject, err)
		}
	}
}

// TestComposeRefusesBadAddresses: an address that is not one addr-spec is refused,
// never pasted; a crafted Message-ID is left out.
func TestComposeRefusesBadAddresses(t *testing.T) {
	for _, addr := range []string{"a@b.example, c@d.example", "a@b.example>\r\nBcc: c@d.example", "<a@b.example>", "no-at", "a b@c.example"} {
		_, err := Draft{From: Address{Addr: "esales@npress.jp"}, To: Address{Name: "x", Addr: addr}}.Bytes()
		if !errors.Is(err, ErrBadAddress) {
			t.Errorf("%q: %v, want ErrBadAddress", addr, err)
		}
	}
	raw, err := Draft{From: Address{Addr: "esales@npress.jp"}, InReplyTo: "x@y>\r\nBcc: c@d.example", MessageID: "id@npress.jp",
		Date: time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)}.Bytes()
	if err != nil || strings.Contains(string(raw), "Bcc") || strings.Contains(string(raw), "In-Reply-To") || !strings.Contains(string(raw), "Message-Id: <id@npress.jp>") {
		t.Errorf("crafted In-Reply-To: %v\n%s", err, raw)
	}
	// No To address: the draft is written without a To field, for staff to fill.
	raw, err = Draft{From: Address{Addr: "esales@npress.jp"}, To: Address{Name: "山田"}, Subject: "確認"}.Bytes()
	if err != nil || strings.Contains(string(raw), "To:") {
		t.Errorf("draft without an address: %v\n%s", err, raw)
	}
}
