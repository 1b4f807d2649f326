package mailintake

import (
	"bytes"
	"crypto/sha256"
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
	"golang.org/x/text/encoding/japanese"
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

// ParseError says which part of a message could not be read and why.
type ParseError struct {
	Part string // "header", "body", or a MIME part number such as "1.2"
	Err  error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("mail: malformed message: %s: %v", e.Part, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrMalformed) true.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }

const maxDepth = 16 // nesting of multiparts and attached messages

// Parse reads a raw RFC 5322 message. It decodes transfer encodings and charsets
// (ISO-2022-JP and CP50220, Shift_JIS/CP932, EUC-JP, UTF-8), picks the main text,
// converts HTML-only mail to text and separates the new text from quotes, forwarded
// parts and the signature. An unreadable header, a broken multipart, bad base64 or an
// unknown charset gives a *ParseError (errors.Is ErrMalformed); Parse never panics.
func Parse(raw []byte) (m *Mail, err error) {
	registerCharsets()
	defer func() {
		if r := recover(); r != nil { // a library bug must not stop the night
			m, err = nil, &ParseError{Part: "message", Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	sum := sha256.Sum256(raw)
	m = &Mail{Size: len(raw), SHA256: hex.EncodeToString(sum[:])}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &ParseError{Part: "message", Err: errors.New("empty")}
	}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, &ParseError{Part: "header", Err: err}
	}
	if err != nil {
		return nil, &ParseError{Part: "body", Err: err}
	}
	if e.Header.Len() == 0 || !looksLikeHeader(e.Header) {
		return nil, &ParseError{Part: "header", Err: errors.New("no header fields (From, Date, Subject…)")}
	}
	hc := headerCharset(e.Header)
	h := mail.Header{Header: e.Header}
	if err := readHeader(m, h, hc); err != nil {
		return nil, err
	}
	var w walker
	if err := w.entity(e, "", 0); err != nil {
		return nil, err
	}
	m.Body = normalizeNewlines(w.text.String())
	m.BodyFromHTML = w.fromHTML
	m.Attachments = w.attachments
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
	m.Subject = collapseSpace(subj)
	if id, err := h.MessageID(); err == nil {
		m.MessageID = id
	} else {
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
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
		return collapseSpace(l[0].Name), l[0].Address, nil
	}
	// Not RFC 5322 (a common case: an unquoted name with a dot or a raw comma):
	// decode the words and find the address by hand.
	dec, err := decodeWords(v)
	if err != nil {
		return "", "", err
	}
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
	return s, nil
}

func charsetReader(label string, r io.Reader) (io.Reader, error) {
	if message.CharsetReader == nil {
		return nil, fmt.Errorf("no charset reader for %q", label)
	}
	return message.CharsetReader(strings.ToLower(label), r)
}

// rawHeaderToUTF8 turns a header that carries raw ISO-2022-JP escapes or 8-bit bytes
// (against RFC 5322, but some Japanese clients send it) into UTF-8. 8-bit bytes are
// read in the message's own charset, else as CP932, the commonest.
func rawHeaderToUTF8(v, hc string) string {
	if strings.Contains(v, "\x1b$") || strings.Contains(v, "\x1b(") {
		if s, err := japanese.ISO2022JP.NewDecoder().String(v); err == nil {
			return s
		}
	}
	if utf8.ValidString(v) {
		return v
	}
	label := hc
	if label == "" || strings.HasPrefix(label, "utf") || strings.HasPrefix(label, "iso-2022") || label == "us-ascii" {
		label = "cp932"
	}
	if r, err := charsetReader(label, strings.NewReader(v)); err == nil {
		if b, err := io.ReadAll(r); err == nil {
			return string(b)
		}
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

func headerCharset(h message.Header) string {
	_, p, err := h.ContentType()
	if err != nil {
		return ""
	}
	return strings.ToLower(p["charset"])
}

// walker collects the main text of a MIME tree.
type walker struct {
	text        strings.Builder
	html        []string // HTML bodies of parts that had no plain alternative
	fromHTML    bool
	attachments []Attachment
	forwarded   []string
}

func partPath(parent string, i int) string {
	if parent == "" {
		return strconv.Itoa(i)
	}
	return parent + "." + strconv.Itoa(i)
}

func (w *walker) entity(e *message.Entity, path string, depth int) error {
	if depth > maxDepth {
		return &ParseError{Part: nonEmpty(path, "body"), Err: errors.New("MIME nesting too deep")}
	}
	mt, params, err := e.Header.ContentType()
	if err != nil {
		// An unreadable Content-Type is read as text/plain (RFC 2045 §5.2) unless it
		// claims to be multipart, whose boundary we could then not find.
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(e.Header.Get("Content-Type"))), "multipart/") {
			return &ParseError{Part: nonEmpty(path, "body"), Err: fmt.Errorf("Content-Type: %w", err)}
		}
		mt = "text/plain"
	}
	mt = strings.ToLower(mt)
	disp, dparams, _ := e.Header.ContentDisposition()
	attached := strings.EqualFold(disp, "attachment")

	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if params["boundary"] == "" {
			return &ParseError{Part: nonEmpty(path, "body"), Err: errors.New("multipart without boundary")}
		}
		return w.multipart(e, mt, path, depth)
	case mt == "message/rfc822" || mt == "message/global":
		return w.attachedMessage(e, path, depth)
	case (mt == "text/plain" || mt == "text/html") && !attached:
		b, err := io.ReadAll(e.Body)
		if err != nil {
			return &ParseError{Part: nonEmpty(path, "body"), Err: err}
		}
		s := strings.ToValidUTF8(string(b), "\uFFFD")
		if mt == "text/html" {
			s = htmlToText(s)
			w.fromHTML = true
		}
		w.appendText(s)
		return nil
	default:
		n, err := io.Copy(io.Discard, e.Body)
		if err != nil {
			return &ParseError{Part: nonEmpty(path, "body"), Err: err}
		}
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		w.attachments = append(w.attachments, Attachment{Path: nonEmpty(path, "1"), ContentType: mt, Filename: name, Size: n})
		return nil
	}
}

func (w *walker) appendText(s string) {
	s = strings.TrimRight(normalizeNewlines(s), "\n ")
	if s == "" {
		return
	}
	if w.text.Len() > 0 {
		w.text.WriteString("\n\n")
	}
	w.text.WriteString(s)
}

func (w *walker) multipart(e *message.Entity, mt, path string, depth int) error {
	mr := e.MultipartReader()
	if mr == nil {
		return &ParseError{Part: nonEmpty(path, "body"), Err: errors.New("multipart body unreadable")}
	}
	type child struct {
		e    *message.Entity
		path string
		mt   string
	}
	var alts []child
	for i := 1; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		cp := partPath(path, i)
		if err != nil {
			if message.IsUnknownCharset(err) {
				return &ParseError{Part: cp, Err: err}
			}
			return &ParseError{Part: cp, Err: fmt.Errorf("multipart: %w", err)}
		}
		if i > 10000 {
			return &ParseError{Part: cp, Err: errors.New("too many parts")}
		}
		if mt != "multipart/alternative" {
			if err := w.entity(p, cp, depth+1); err != nil {
				return err
			}
			continue
		}
		// Read the alternatives now (the reader moves on), choose after.
		cmt, _, _ := p.Header.ContentType()
		b, err := io.ReadAll(p.Body)
		if err != nil {
			return &ParseError{Part: cp, Err: err}
		}
		// p.Body is already decoded; the chosen one is rebuilt over these bytes.
		alts = append(alts, child{&message.Entity{Header: p.Header, Body: bytes.NewReader(b)}, cp, strings.ToLower(cmt)})
	}
	if len(alts) == 0 {
		return nil
	}
	pick := -1
	for i, c := range alts {
		if c.mt == "text/plain" || strings.HasPrefix(c.mt, "multipart/") && pick < 0 {
			pick = i
			if c.mt == "text/plain" {
				break
			}
		}
	}
	if pick < 0 {
		for i, c := range alts {
			if c.mt == "text/html" {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		pick = 0
	}
	c := alts[pick]
	de, err := decodedEntity(c.e)
	if err != nil {
		return &ParseError{Part: c.path, Err: err}
	}
	return w.entity(de, c.path, depth+1)
}

// decodedEntity marks an entity whose body is already transfer- and charset-decoded,
// so that w.entity does not decode it again.
func decodedEntity(e *message.Entity) (*message.Entity, error) {
	h := e.Header.Copy()
	mt, p, err := h.ContentType()
	if !strings.HasPrefix(strings.ToLower(mt), "multipart/") {
		h.Del("Content-Transfer-Encoding")
		if err == nil && p["charset"] != "" {
			p["charset"] = "utf-8"
			h.SetContentType(mt, p)
		}
	}
	return message.New(h, e.Body)
}

func (w *walker) attachedMessage(e *message.Entity, path string, depth int) error {
	b, err := io.ReadAll(e.Body)
	if err != nil {
		return &ParseError{Part: nonEmpty(path, "body"), Err: err}
	}
	inner, err := message.Read(bytes.NewReader(b))
	if inner == nil || err != nil {
		if err == nil {
			err = errors.New("empty attached message")
		}
		return &ParseError{Part: nonEmpty(path, "body"), Err: fmt.Errorf("attached message: %w", err)}
	}
	var iw walker
	if err := iw.entity(inner, path, depth+1); err != nil {
		return err
	}
	hc := headerCharset(inner.Header)
	ih := mail.Header{Header: inner.Header}
	var im Mail
	if err := readHeader(&im, ih, hc); err != nil {
		return err
	}
	var sb strings.Builder
	if im.From != "" {
		sb.WriteString("From: " + im.From + "\n")
	}
	if !im.Date.IsZero() {
		sb.WriteString("Date: " + im.Date.Format(time.RFC1123Z) + "\n")
	}
	if im.Subject != "" {
		sb.WriteString("Subject: " + im.Subject + "\n")
	}
	sb.WriteString("\n")
	sb.WriteString(normalizeNewlines(iw.text.String()))
	w.forwarded = append(w.forwarded, strings.TrimRight(sb.String(), "\n"))
	w.attachments = append(w.attachments, iw.attachments...)
	return nil
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
