package mailintake

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCharsetLabels decodes a body and an encoded-word Subject under every label
// Japanese clients send, from bytes made by the x/text encoders.
func TestCharsetLabels(t *testing.T) {
	const text = "㈱丸一 ① 髙﨑 ｶﾅ 減数"
	for _, label := range []string{"ISO-2022-JP", "iso-2022-jp", "CP50220", "cp50221", "ISO-2022-JP-MS", "Shift_JIS", "shift-jis",
		"CP932", "cp932", "windows-31j", "x-sjis", "MS932", "EUC-JP", "x-euc-jp", "UTF-8"} {
		body := encodeText(t, label, text)
		cte := "8bit"
		if strings.HasPrefix(strings.ToLower(label), "iso-2022") || strings.HasPrefix(strings.ToLower(label), "cp5022") {
			cte = "7bit"
		}
		raw := "From: " + encodedWord(t, label, "丸一 森") + " <mori@example.jp>\r\nSubject: " + encodedWord(t, label, "件名①㈱") +
			"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + label + "\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + string(body) + "\r\n"
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		// Half-width katakana cannot be written in ISO-2022-JP by every encoder; x/text
		// writes it with ESC ( I and reads it back.
		if m.Body != text || m.Subject != "件名①㈱" || m.From != "丸一 森 <mori@example.jp>" {
			t.Errorf("%s: body %q subject %q from %q", label, m.Body, m.Subject, m.From)
		}
	}
}

// TestRawHeaderBytes: some clients put ISO-2022-JP escapes or raw Shift_JIS in headers.
func TestRawHeaderBytes(t *testing.T) {
	jis := encodeText(t, "ISO-2022-JP", "減数のお願い")
	sjis := encodeText(t, "Shift_JIS", "解約")
	raw := "From: " + string(sjis) + " <a@example.jp>\r\nSubject: " + string(jis) + "\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\nx\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "減数のお願い" || m.From != "解約 <a@example.jp>" {
		t.Errorf("subject %q from %q", m.Subject, m.From)
	}
}

// bigMessage builds a message of a short request and an attachment of n random bytes
// in base64.
func bigMessage(n int) []byte {
	blob := make([]byte, n)
	rand.Read(blob)
	var b bytes.Buffer
	b.WriteString("From: a@example.jp\r\nSubject: NP-0001234 =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("解約")) + "?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n株式会社サンプル商事です。\r\n--b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=big.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(blob)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b--\r\n")
	return b.Bytes()
}

// TestLargeAttachment parses a message of 24 MB (a 17 MB attachment) made at run time,
// and refuses one over the limit with ErrTooLarge.
func TestLargeAttachment(t *testing.T) {
	if testing.Short() {
		t.Skip("24 MB message; skipped with -short")
	}
	raw := bigMessage(17 << 20)
	start := time.Now()
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parsed %d MB in %v", len(raw)>>20, time.Since(start))
	if len(m.Attachments) != 1 || m.Attachments[0].Size != 17<<20 || m.Attachments[0].Filename != "big.zip" {
		t.Errorf("attachments %+v", m.Attachments)
	}
	r := Extract(m, ExtractOptions{})
	if r[0].Contract != "NP-0001234" || r[0].Kind != KindCancellation {
		t.Errorf("request %+v", r[0])
	}
	_, err = ParseWith(raw, ParseOptions{MaxMessageBytes: 20 << 20})
	var tl *TooLargeError
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMalformed) || !errors.As(err, &tl) || tl.Size != int64(len(raw)) || tl.Limit != 20<<20 {
		t.Errorf("over the limit: %v", err)
	}
}

// TestNeverPanics feeds every prefix-truncated and byte-flipped fixture to Parse:
// each gives a Mail or an ErrMalformed error.
func TestNeverPanics(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		for cut := 0; cut < len(raw); cut += 1 + len(raw)/40 {
			for _, b := range [][]byte{raw[:cut], flip(raw, cut)} {
				m, err := Parse(b)
				if err != nil && !errors.Is(err, ErrMalformed) || err == nil && m == nil {
					t.Fatalf("%s cut %d: %v %v", f, cut, m, err)
				}
				if err == nil {
					Extract(m, ExtractOptions{})
				}
			}
		}
	}
	for _, junk := range []string{"", "\r\n", "not a mail at all", "\x00\x01\x02", "Content-Type: multipart/mixed\r\n\r\n--x\r\n"} {
		if _, err := Parse([]byte(junk)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err %v, want ErrMalformed", junk, err)
		}
	}
}

func flip(raw []byte, i int) []byte {
	b := bytes.Clone(raw)
	if i < len(b) {
		b[i] ^= 0xA5
	}
	return b
}

func TestSplitBody(t *testing.T) {
	tests := []struct {
		name, body, text, quoted, forwarded, signature string
		fwd                                            bool
	}{
		{name: "original message", body: "15本に減数します。\n-----Original Message-----\nFrom: esales\nNP-0000001",
			text: "15本に減数します。", quoted: "-----Original Message-----\nFrom: esales\nNP-0000001"},
		{name: "outlook block", body: "解約します。\n\n________________________________\n差出人: nPress\n送信日時: 2026年10月1日\n件名: ご案内\n\n本文",
			text: "解約します。", quoted: "________________________________\n差出人: nPress\n送信日時: 2026年10月1日\n件名: ご案内\n\n本文"},
		{name: "outlook block forwarded", fwd: true, body: "FYI\nFrom: 鈴木 <s@example.jp>\nSent: Monday\nSubject: 解約\n\nNP-0001234 解約",
			text: "FYI", forwarded: "From: 鈴木 <s@example.jp>\nSent: Monday\nSubject: 解約\n\nNP-0001234 解約"},
		{name: "inline quotes kept apart", body: "> 数量は？\n15です\n> 時期は？\n4月から",
			text: "15です\n4月から", quoted: "> 数量は？\n> 時期は？"},
		{name: "english attribution", body: "OK\n\nOn Thu, Oct 1, 2026 at 10:00 AM nPress <e@n.jp> wrote:\n> old",
			text: "OK", quoted: "On Thu, Oct 1, 2026 at 10:00 AM nPress <e@n.jp> wrote:\n> old"},
		{name: "signature rule", body: "NP-0001234 解約\n\n==============\n株式会社A\nTEL 03-0000-0000\n==============",
			text: "NP-0001234 解約", signature: "==============\n株式会社A\nTEL 03-0000-0000\n=============="},
		{name: "rule lines inside a form are not a signature", body: "━━━━━━\n契約番号: NP-0001234\n数量: 15\n━━━━━━\nよろしく",
			text: "━━━━━━\n契約番号: NP-0001234\n数量: 15\n━━━━━━\nよろしく"},
		{name: "dash-dash-space", body: "解約\n-- \n山田", text: "解約", signature: "--\n山田"},
	}
	for _, tt := range tests {
		sp := splitBody(tt.body, tt.fwd)
		if sp.text != tt.text || sp.quoted != tt.quoted || sp.forwarded != tt.forwarded || sp.signature != tt.signature {
			t.Errorf("%s:\ntext %q\nquoted %q\nforwarded %q\nsignature %q", tt.name, sp.text, sp.quoted, sp.forwarded, sp.signature)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	got := htmlToText(`<div>A&nbsp;B</div><table><tr><td>数量</td><td>15</td></tr></table><script>x()</script><ul><li>一</li><li>二</li></ul><blockquote>old<br>line</blockquote>after`)
	want := "A B\n数量\t15\n・一\n・二\n\n> old\n> line\n\nafter"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// peakHeap runs f and returns the highest heap in use seen while it ran (sampled every
// 2 ms) and how long it took.
func peakHeap(f func()) (uint64, time.Duration) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	f()
	d := time.Since(start)
	close(done)
	return peak.Load(), d
}

// TestMessageAtTheSizeLimit reads messages just under the 25 MB limit, of the shapes
// that cost most (plain text full of dates and numbers, one line without an end, a
// base64 text part, HTML): each within 10 s and 300 MB of heap (SPEC §10.0).
func TestMessageAtTheSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("25 MB messages; skipped with -short")
	}
	head := "From: a@example.jp\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("解約")) + "?=\r\nMIME-Version: 1.0\r\n"
	fill := func(line string) string {
		var b strings.Builder
		b.WriteString("NP-0001234 を解約します。株式会社サンプル商事\r\n")
		for b.Len() < DefaultMaxMessageBytes-(1<<20) {
			b.WriteString(line)
		}
		return b.String()
	}
	logLine := "2026-10-01 10:00:00 処理 12345 件 ライセンス 20 本 → 15 本 2027年4月1日から NP-000 abc\r\n"
	b64 := base64.StdEncoding.EncodeToString([]byte(fill(logLine)))[:DefaultMaxMessageBytes*3/4]
	msgs := map[string]string{
		"plain":    head + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + fill(logLine),
		"one line": head + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + fill("あいうえお 20→15 2027年4月 "),
		"base64":   head + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64,
		"html":     head + "Content-Type: text/html; charset=UTF-8\r\n\r\n" + fill("<div><p>20 → 15</p><blockquote>old</blockquote></div>\r\n"),
	}
	for name, raw := range msgs {
		if len(raw) > DefaultMaxMessageBytes {
			t.Fatalf("%s: %d bytes, over the limit", name, len(raw))
		}
		var m *Mail
		var err error
		peak, d := peakHeap(func() {
			m, err = Parse([]byte(raw))
			if err == nil {
				Extract(m, ExtractOptions{})
			}
		})
		t.Logf("%s: %.1f MB read in %v, heap peak %d MB", name, float64(len(raw))/(1<<20), d.Round(time.Millisecond), peak>>20)
		if err != nil && name != "base64" {
			t.Errorf("%s: %v", name, err)
		}
		if d > slowdown*10*time.Second || peak > 300<<20 {
			t.Errorf("%s: %v and %d MB, want within 10 s and 300 MB", name, d, peak>>20)
		}
	}
}
