package mailintake

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	message "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Mail is one e-mail as intake reads it: the decoded headers, the main text, and that
// text split into what the sender wrote now and what it quotes (SPEC §7.3). It is a
// value computed from the raw bytes only; the server's INTERNALDATE is not part of it.
type Mail struct {
	// MessageID is the Message-ID header without angle brackets ("" when absent).
	MessageID string `json:"message_id"`
	// From is the decoded sender as people read it: `山田 太郎 <yamada@example.co.jp>`.
	From string `json:"from"`
	// FromName and FromAddress are the two halves of From.
	FromName    string `json:"from_name"`
	FromAddress string `json:"from_address"`
	// ReplyTo is the first Reply-To address, where a reply draft should go ("" if none).
	ReplyTo string `json:"reply_to,omitempty"`
	// Subject is the decoded Subject header (RFC 2047 words, raw ISO-2022-JP).
	Subject string `json:"subject"`
	// Date is the sender's Date header (zero when missing or unreadable). It is never
	// used for deadlines: those go by the server's INTERNALDATE (SPEC §4.4).
	Date time.Time `json:"date,omitzero"`
	// Body is the whole decoded main text: the text/plain parts, or the HTML part turned
	// into text when there is no plain one.
	Body string `json:"body"`
	// BodyFromHTML reports that Body was converted from text/html.
	BodyFromHTML bool `json:"body_from_html,omitempty"`
	// BodyFromAttachment names the text/plain attachment read as Body because the
	// message had no inline text (customers attach their request as a .txt).
	BodyFromAttachment string `json:"body_from_attachment,omitempty"`
	// DeclaredCharset is the charset label of the first text part ("" when none);
	// DecodedAs is the charset its bytes were actually read in; LabelLied says the
	// label could not be right for the bytes (invalid for it, valid for another) and
	// was overruled (SPEC §7.3).
	DeclaredCharset string `json:"declared_charset,omitempty"`
	DecodedAs       string `json:"decoded_as"`
	LabelLied       bool   `json:"label_lied"`
	// Text is the new text, read as the request: Body without quoted replies, the
	// forwarded part and the signature.
	Text string `json:"text"`
	// Quoted holds the quoted reply lines and the original under a reply header.
	Quoted string `json:"quoted,omitempty"`
	// Forwarded holds a forwarded message (its header block and text), from the body or
	// from an attached message/rfc822 part.
	Forwarded string `json:"forwarded,omitempty"`
	// Signature is the sender's signature block (it often names the company).
	Signature string `json:"signature,omitempty"`
	// Attachments lists the parts that are not the main text.
	Attachments []Attachment `json:"attachments,omitempty"`
	// TextCut is the number of bytes of text parts beyond ParseOptions.MaxTextBytes,
	// not read (the original keeps them).
	TextCut int64 `json:"text_cut,omitempty"`
	// Size is the length of the raw message in bytes.
	Size int `json:"size"`
	// SHA256 is the lowercase hex SHA-256 of the raw bytes: the evidence key (§7.5).
	SHA256 string `json:"sha256"`
}

// Attachment describes a MIME part that is not the main text.
type Attachment struct {
	Path        string `json:"path"` // MIME part number, "2" or "1.2"
	ContentType string `json:"content_type"`
	Filename    string `json:"filename,omitempty"`
	Size        int64  `json:"size"` // decoded bytes
}

// ErrMalformed is matched (errors.Is) by every error Parse returns for bytes that are
// not a readable message; the caller keeps the evidence and reports an exception.
var ErrMalformed = errors.New("malformed message")

// ErrTooLarge is matched (errors.Is) by the error Parse returns for a message over
// ParseOptions.MaxMessageBytes; the caller keeps the evidence and reports it.
var ErrTooLarge = errors.New("message too large")

// ParseError says which part of a message could not be read and why. Its text is
// valid UTF-8 whatever the message holds: bytes from the message are escaped (\xNN).
type ParseError struct {
	Part string // "header", "body", or a MIME part number such as "1.2"
	Err  error
}

func (e *ParseError) Error() string {
	return "mail: malformed message: " + escapeBytes(e.Part, 40) + ": " + escapeBytes(e.Err.Error(), 300)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrMalformed) true.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }

// TooLargeError is a message refused for its size before it is read.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("mail: message of %d bytes is over the limit of %d bytes (mail.max_message_bytes)", e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Defaults of ParseOptions.
const (
	DefaultMaxMessageBytes = 25 << 20
	DefaultMaxTextBytes    = 1 << 20
)

// ParseOptions bounds what Parse reads, so that a message of any size is read in
// bounded memory and time. The zero value takes the defaults.
type ParseOptions struct {
	// MaxMessageBytes: a larger message is refused with a *TooLargeError (default 25 MiB).
	MaxMessageBytes int64
	// MaxTextBytes bounds the text kept from the message's text parts (default 1 MiB
	// of their bytes); what is beyond is counted in Mail.TextCut, not read as the
	// request. A request is a few lines at the top.
	MaxTextBytes int
}

func (o ParseOptions) withDefaults() ParseOptions {
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
	}
	return o
}

const maxDepth = 16 // nesting of multiparts and attached messages

// Parse reads a raw RFC 5322 message with the default ParseOptions.
func Parse(raw []byte) (*Mail, error) { return ParseWith(raw, ParseOptions{}) }

// ParseWith reads a raw RFC 5322 message. It decodes transfer encodings and charsets
// (ISO-2022-JP and CP50220, Shift_JIS/CP932, EUC-JP, UTF-8), overruling a charset
// label the bytes show to be wrong; it accepts an mbox "From " line, CR-only line
// ends and control bytes in the header; it picks the main text (a .txt attachment when
// there is no inline text), converts HTML-only mail to text and separates the new text
// from quotes, forwarded parts and the signature. An unreadable header, a broken
// multipart, bad base64 or an unknown charset gives a *ParseError (errors.Is
// ErrMalformed), a message over the size limit a *TooLargeError; it never panics.
func ParseWith(raw []byte, o ParseOptions) (m *Mail, err error) {
	registerCharsets()
	o = o.withDefaults()
	defer func() {
		if r := recover(); r != nil { // a library bug must not stop the night
			m, err = nil, &ParseError{Part: "message", Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	if int64(len(raw)) > o.MaxMessageBytes {
		return nil, &TooLargeError{Size: int64(len(raw)), Limit: o.MaxMessageBytes}
	}
	sum := sha256.Sum256(raw)
	m = &Mail{Size: len(raw), SHA256: hex.EncodeToString(sum[:])}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &ParseError{Part: "message", Err: errors.New("empty")}
	}
	br := bufio.NewReader(bytes.NewReader(prepare(raw)))
	th, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, &ParseError{Part: "header", Err: err}
	}
	h := message.Header{Header: th}
	if h.Len() == 0 || !looksLikeHeader(h) {
		return nil, &ParseError{Part: "header", Err: errors.New("no header fields (From, Date, Subject…)")}
	}
	hc := headerCharset(h)
	if err := readHeader(m, mail.Header{Header: h}, hc); err != nil {
		return nil, err
	}
	w := walker{left: o.MaxTextBytes}
	if err := w.entity(h, br, "", 0); err != nil {
		return nil, err
	}
	w.finish(m)
	sp := splitBody(m.Body, isForwardSubject(m.Subject))
	m.Text, m.Quoted, m.Signature = sp.text, sp.quoted, sp.signature
	fw := []string{}
	if sp.forwarded != "" {
		fw = append(fw, sp.forwarded)
	}
	fw = append(fw, w.forwarded...)
	m.Forwarded = strings.Join(fw, "\n")
	return m, nil
}

// prepare repairs what keeps a message from being read as RFC 5322 without changing
// what it says: the separator line of an mbox export ("From addr date") is dropped,
// CR-only line ends (old Mac mail) become CRLF, and NUL and other control bytes are
// taken out of the header block. raw itself is never changed (it is the evidence).
func prepare(raw []byte) []byte {
	b := raw
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexAny(b, "\r\n"); i > 0 && !bytes.HasPrefix(bytes.TrimLeft(b[5:i], " "), []byte(":")) {
			b = bytes.TrimLeft(b[i:], "\r\n")
		}
	}
	if bytes.IndexByte(b, '\n') < 0 && bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\r"), []byte("\r\n"))
	}
	end := len(b)
	if i := bytes.Index(b, []byte("\n\r\n")); i >= 0 {
		end = i + 1
	}
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 && i+1 < end {
		end = i + 1
	}
	if clean := cleanHeaderBlock(b[:end]); len(clean) != end {
		b = append(clean, b[end:]...)
	}
	return b
}

// looksLikeHeader rejects bytes whose "header" is really something else (a file that
// is not mail at all): at least one of the usual fields must be there.
func looksLikeHeader(h message.Header) bool {
	for _, k := range []string{"From", "Date", "Subject", "Message-Id", "Mime-Version", "Content-Type", "To", "Received"} {
		if h.Has(k) {
			return true
		}
	}
	return false
}

func readHeader(m *Mail, h mail.Header, hc string) error {
	subj, err := decodeHeaderText(h.Get("Subject"), hc)
	if err != nil {
		return &ParseError{Part: "header Subject", Err: err}
	}
	m.Subject = collapseSpace(cleanText(subj))
	if id, err := h.MessageID(); err == nil {
		m.MessageID = id
	} else {
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	m.MessageID = strings.ToValidUTF8(cleanText(m.MessageID), "")
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	name, addr, err := decodeAddress(h.Get("From"), hc)
	if err != nil {
		return &ParseError{Part: "header From", Err: err}
	}
	m.FromName, m.FromAddress = name, addr
	switch {
	case name != "" && addr != "":
		m.From = name + " <" + addr + ">"
	case addr != "":
		m.From = addr
	default:
		m.From = name
	}
	if _, rt, err := decodeAddress(h.Get("Reply-To"), hc); err == nil {
		m.ReplyTo = rt
	}
	return nil
}

var angleAddr = regexp.MustCompile(`<([^<>@\s]+@[^<>\s]+)>`)
var bareAddr = regexp.MustCompile(`[^\s<>"()]+@[^\s<>"()]+`)

// decodeAddress returns the display name and address of the first mailbox of an
// address header, decoding encoded words and raw Japanese bytes.
func decodeAddress(v, hc string) (name, addr string, err error) {
	if strings.TrimSpace(v) == "" {
		return "", "", nil
	}
	v = rawHeaderToUTF8(v, hc)
	if l, perr := mail.ParseAddressList(v); perr == nil && len(l) > 0 {
		return collapseSpace(cleanText(l[0].Name)), cleanText(l[0].Address), nil
	}
	// Not RFC 5322 (a common case: an unquoted name with a dot or a raw comma):
	// decode the words and find the address by hand.
	dec, err := decodeWords(v)
	if err != nil {
		return "", "", err
	}
	dec = cleanText(dec)
	if mm := angleAddr.FindStringSubmatchIndex(dec); mm != nil {
		name = strings.Trim(strings.TrimSpace(dec[:mm[0]]), `"'`)
		return collapseSpace(name), dec[mm[2]:mm[3]], nil
	}
	if a := bareAddr.FindString(dec); a != "" {
		return "", a, nil
	}
	return collapseSpace(dec), "", nil
}

// decodeHeaderText decodes an unstructured header field.
func decodeHeaderText(v, hc string) (string, error) {
	return decodeWords(rawHeaderToUTF8(v, hc))
}

func decodeWords(v string) (string, error) {
	wd := mime.WordDecoder{CharsetReader: charsetReader}
	s, err := wd.DecodeHeader(v)
	if err != nil {
		return v, fmt.Errorf("encoded word in %q: %w", clip(v, 80), err)
	}
	// A word in a charset that lied (UTF-8 bytes in an ISO-2022-JP word) decodes to
	// replacement characters; such a word is read again by what its bytes are.
	if strings.ContainsRune(s, utf8.RuneError) {
		if t, ok := redecodeWords(v); ok {
			return t, nil
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD"), nil
}

var adjacentWords = regexp.MustCompile(`\?=\s+=\?`)

var encodedWordRe = regexp.MustCompile(`=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=`)

// redecodeWords decodes the encoded words of v with decodeText, which overrules a
// charset the bytes cannot be in.
func redecodeWords(v string) (string, bool) {
	ok := true
	v = adjacentWords.ReplaceAllString(v, "?==?") // space between two words is not text (RFC 2047 §6.2)
	out := encodedWordRe.ReplaceAllStringFunc(v, func(w string) string {
		m := encodedWordRe.FindStringSubmatch(w)
		b, err := wordBytes(m[2], m[3])
		if err != nil {
			ok = false
			return w
		}
		d, err := decodeText(b, m[1])
		if err != nil {
			ok = false
			return w
		}
		return d.text
	})
	return out, ok && !strings.ContainsRune(out, utf8.RuneError)
}

// wordBytes decodes the payload of one RFC 2047 word.
func wordBytes(enc, text string) ([]byte, error) {
	if strings.EqualFold(enc, "b") {
		return base64.StdEncoding.DecodeString(text)
	}
	text = strings.ReplaceAll(text, "_", " ")
	var b []byte
	for i := 0; i < len(text); i++ {
		if text[i] == '=' && i+2 < len(text) {
			n, err := strconv.ParseUint(text[i+1:i+3], 16, 8)
			if err != nil {
				return nil, err
			}
			b = append(b, byte(n))
			i += 2
			continue
		}
		b = append(b, text[i])
	}
	return b, nil
}

func charsetReader(label string, r io.Reader) (io.Reader, error) {
	if message.CharsetReader == nil {
		return nil, fmt.Errorf("no charset reader for %q", label)
	}
	return message.CharsetReader(strings.ToLower(label), r)
}

// rawHeaderToUTF8 turns a header that carries raw ISO-2022-JP escapes or 8-bit bytes
// (against RFC 5322, but some Japanese clients send it) into UTF-8, reading the bytes
// in the charset they are valid in: the message's own when it fits, else UTF-8,
// Shift_JIS or EUC-JP.
func rawHeaderToUTF8(v, hc string) string {
	if !has8bit([]byte(v)) && !strings.Contains(v, "\x1b") {
		return v
	}
	label := hc
	if f := family(hc); f != csSJIS && f != csEUC {
		label = ""
	}
	d, err := decodeText([]byte(v), label)
	if err != nil {
		return strings.ToValidUTF8(v, "\uFFFD")
	}
	return d.text
}

func headerCharset(h message.Header) string {
	_, p, ok := contentType(h)
	if !ok {
		return ""
	}
	return strings.ToLower(p["charset"])
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
