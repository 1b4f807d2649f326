package mailintake

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// Address is a mailbox of a composed message: a display name (any text, from a
// customer's mail or the master data) and an address.
type Address struct {
	Name, Addr string
}

// Draft is a plain-text Japanese message as Japanese mail clients expect it:
// ISO-2022-JP (7 bit) in the body and in RFC 2047 B-encoded header words. Its header
// fields are built from their parts, never pasted: a display name is quoted or
// encoded, an address or Message-ID that is not one is refused, line breaks and
// control characters in text are dropped. The desk's reply drafts and the demo
// mailbox are Drafts.
type Draft struct {
	From Address
	// To is the recipient; a Draft without an address (the customer has none
	// registered) is written without a To field, for staff to fill in.
	To        Address
	Subject   string
	MessageID string    // without angle brackets; "" for none
	InReplyTo string    // the Message-ID answered, without angle brackets
	Date      time.Time // zero: no Date field (a draft)
	// Extra are further fields (X-Unsent, X-Nightly-…), names and values as text.
	Extra [][2]string
	Body  string
}

var jisEncoder = encoding.ReplaceUnsupported(japanese.ISO2022JP.NewEncoder())

// jis encodes s as ISO-2022-JP; characters ISO-2022-JP cannot carry become "?".
func jis(s string) string {
	out, err := jisEncoder.String(s)
	if err != nil {
		return s
	}
	return out
}

// headerText makes text fit for a header field: control characters and line breaks
// become spaces, runs of spaces one.
func headerText(s string) string {
	return collapseSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return ' '
		}
		return r
	}, s))
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// encodeWords B-encodes text as ISO-2022-JP words, each at most 75 bytes (RFC
// 2047), every part of the text inside a word: an ASCII run in a Japanese name is not
// left bare, where an "@" or "," of it would be read as part of the field. Printable
// ASCII text is returned as it is.
func encodeWords(s string) string {
	if isPrintableASCII(s) {
		return s
	}
	const maxPayload = 39 // bytes of ISO-2022-JP per word: 52 in base64, 70 with "=?ISO-2022-JP?B?" and "?="
	var words []string
	r := []rune(s)
	for len(r) > 0 {
		k := 1
		for k < len(r) && len(jis(string(r[:k+1]))) <= maxPayload {
			k++
		}
		words = append(words, "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString([]byte(jis(string(r[:k]))))+"?=")
		r = r[k:]
	}
	return strings.Join(words, " ")
}

// quotedString writes an ASCII display name as an RFC 5322 quoted-string.
func quotedString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// ErrBadAddress is returned by Draft.Bytes for an address that is not one addr-spec.
var ErrBadAddress = errors.New("not a single e-mail address")

// FormatAddress builds an address field value: the display name quoted when it is
// ASCII, RFC 2047 B-encoded in ISO-2022-JP when not, and the address checked to be one
// plain addr-spec, so that no name or address can add a recipient.
func FormatAddress(a Address) (string, error) {
	addr := strings.TrimSpace(a.Addr)
	p, err := mail.ParseAddress("<" + addr + ">")
	if err != nil || p.Address != addr || strings.ContainsAny(addr, " ,;<>\"()\\\r\n\t") || !strings.Contains(addr, "@") {
		return "", fmt.Errorf("address %q: %w", escapeBytes(a.Addr, 80), ErrBadAddress)
	}
	name := headerText(a.Name)
	switch {
	case name == "":
		return "<" + addr + ">", nil
	case isPrintableASCII(name):
		return quotedString(name) + " <" + addr + ">", nil
	}
	return encodeWords(name) + " <" + addr + ">", nil
}

// msgID returns "<id>" for a Message-ID made only of the characters one may hold,
// else "" (a crafted id from a customer's mail is left out, not pasted).
func msgID(id string) string {
	if id == "" || !isPrintableASCII(id) || strings.ContainsAny(id, " <>\"\\(),;") || strings.Count(id, "@") != 1 {
		return ""
	}
	return "<" + id + ">"
}

// Bytes renders the message with CRLF line ends.
func (d Draft) Bytes() ([]byte, error) {
	var h textproto.Header
	h.Set("MIME-Version", "1.0")
	h.Set("Content-Type", "text/plain; charset=ISO-2022-JP")
	h.Set("Content-Transfer-Encoding", "7bit")
	for _, x := range d.Extra {
		h.Set(headerText(x[0]), encodeWords(headerText(x[1])))
	}
	if id := msgID(d.InReplyTo); id != "" {
		h.Set("References", id)
		h.Set("In-Reply-To", id)
	}
	if id := msgID(d.MessageID); id != "" {
		h.Set("Message-ID", id)
	}
	if !d.Date.IsZero() {
		h.Set("Date", d.Date.Format(time.RFC1123Z))
	}
	h.Set("Subject", encodeWords(headerText(d.Subject)))
	if d.To.Addr != "" {
		to, err := FormatAddress(d.To)
		if err != nil {
			return nil, fmt.Errorf("compose To: %w", err)
		}
		h.Set("To", to)
	}
	from, err := FormatAddress(d.From)
	if err != nil {
		return nil, fmt.Errorf("compose From: %w", err)
	}
	h.Set("From", from)
	// go-message's part writer takes UTF-8 only, so the header goes through its
	// textproto writer and the body, already ISO-2022-JP (7 bit), follows as is.
	var b bytes.Buffer
	if err := textproto.WriteHeader(&b, h); err != nil {
		return nil, err
	}
	body := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(jis(body))
	return b.Bytes(), nil
}
