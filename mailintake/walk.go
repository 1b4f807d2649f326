package mailintake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	message "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// walker collects the main text of a MIME tree. Charsets are decoded here (by
// decodeText), not by go-message, so that a label that lies can be overruled.
type walker struct {
	left        int // bytes of text still to keep (ParseOptions.MaxTextBytes)
	cut         int64
	text        strings.Builder
	fromHTML    bool
	attachments []Attachment
	forwarded   []string
	// textAttachments are text/plain attachments: the body when there is no inline text.
	textAttachments []textAttachment
	// first is how the first text part read was decoded; lied is set when any was
	// read against its label.
	first    *decoded
	declared string
	lied     bool
}

type textAttachment struct {
	name    string
	text    string
	d       decoded
	charset string
}

func partPath(parent string, i int) string {
	if parent == "" {
		return strconv.Itoa(i)
	}
	return parent + "." + strconv.Itoa(i)
}

var lenientParam = regexp.MustCompile(`(?i)(?:^|;)\s*(charset|boundary|name)\s*=\s*"?([^";\s]+)"?`)

// contentType reads the Content-Type of a part leniently: no header is text/plain
// (RFC 2045 §5.2); a header whose parameters do not parse keeps its type and the
// charset and boundary found by hand. ok is false when the type itself is unreadable.
func contentType(h message.Header) (mt string, params map[string]string, ok bool) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}, true
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return strings.ToLower(mt), params, true
	}
	params = map[string]string{}
	for _, m := range lenientParam.FindAllStringSubmatch(v, -1) {
		params[strings.ToLower(m[1])] = m[2]
	}
	if errors.Is(err, mime.ErrInvalidMediaParameter) && mt != "" {
		return strings.ToLower(mt), params, true
	}
	t := strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
	if strings.Count(t, "/") == 1 && !strings.ContainsAny(t, " \t") {
		return t, params, true
	}
	return "text/plain", params, false
}

// filename returns the file name of a part: the Content-Disposition filename or the
// Content-Type name, in RFC 2231 form (continuations, any charset decodeText reads)
// or as RFC 2047 words, which Japanese clients write against the rules.
func filename(h message.Header) string {
	for _, field := range []struct{ header, param string }{{"Content-Disposition", "filename"}, {"Content-Type", "name"}} {
		v := h.Get(field.header)
		if v == "" {
			continue
		}
		if _, p, err := mime.ParseMediaType(v); err == nil && p[field.param] != "" {
			if s, err := decodeWords(p[field.param]); err == nil {
				return cleanText(s)
			}
			return cleanText(p[field.param])
		}
		if s := rfc2231(v, field.param); s != "" {
			return cleanText(s)
		}
	}
	return ""
}

var rfc2231Seg = regexp.MustCompile(`(?i)(?:^|;)\s*([a-z]+)\*(\d+)?(\*)?\s*=\s*("[^"]*"|[^;\s]*)`)

// rfc2231 decodes the parameter param of a header value written in RFC 2231
// extended form (param*=charset'lang'%XX, param*0*=…; param*1*=…) in a charset that
// mime.ParseMediaType does not read (it reads only UTF-8 and US-ASCII).
func rfc2231(v, param string) string {
	type seg struct {
		n       int
		text    string
		escaped bool
	}
	var segs []seg
	for _, m := range rfc2231Seg.FindAllStringSubmatch(v, -1) {
		if !strings.EqualFold(m[1], param) {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		segs = append(segs, seg{n, strings.Trim(m[4], `"`), m[3] == "*" || m[2] == ""})
	}
	if len(segs) == 0 {
		return ""
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
	charset := ""
	var raw []byte
	for i, s := range segs {
		t := s.text
		if i == 0 && s.escaped {
			parts := strings.SplitN(t, "'", 3)
			if len(parts) == 3 {
				charset, t = parts[0], parts[2]
			}
		}
		if s.escaped {
			u, err := url.PathUnescape(t)
			if err != nil {
				return ""
			}
			t = u
		}
		raw = append(raw, t...)
	}
	d, err := decodeText(raw, charset)
	if err != nil {
		return ""
	}
	return d.text
}

// transferDecoded returns the body of a part with its Content-Transfer-Encoding
// removed (go-message's decoders); an unknown encoding is read as 8bit.
func transferDecoded(h message.Header, body io.Reader) io.Reader {
	var th textproto.Header
	th.Set("Content-Transfer-Encoding", strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	e, err := message.New(message.Header{Header: th}, body)
	if err != nil {
		return body
	}
	return e.Body
}

// readLimited reads up to n bytes of r, cut back to the last line end when r has
// more (so that no character is split), and discards the rest, returning how many
// bytes were dropped. Reading to the end finds a broken base64 anywhere in the part.
func readLimited(r io.Reader, n int) ([]byte, int64, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(n)+1))
	if err != nil {
		return nil, 0, err
	}
	if len(b) <= n {
		return b, 0, nil
	}
	keep := bytes.LastIndexByte(b[:n], '\n') + 1
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, 0, err
	}
	return b[:keep], int64(len(b)-keep) + rest, nil
}

func (w *walker) entity(h message.Header, body io.Reader, path string, depth int) error {
	if depth > maxDepth {
		return &ParseError{Part: nonEmpty(path, "body"), Err: errors.New("MIME nesting too deep")}
	}
	mt, params, ok := contentType(h)
	if !ok && strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("Content-Type"))), "multipart/") {
		return &ParseError{Part: nonEmpty(path, "body"), Err: fmt.Errorf("Content-Type %q unreadable", clip(h.Get("Content-Type"), 80))}
	}
	disp := strings.ToLower(strings.TrimSpace(strings.SplitN(h.Get("Content-Disposition"), ";", 2)[0]))
	attached := disp == "attachment"

	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if params["boundary"] == "" {
			return &ParseError{Part: nonEmpty(path, "body"), Err: errors.New("multipart without boundary")}
		}
		return w.multipart(textproto.NewMultipartReader(body, params["boundary"]), mt, path, depth)
	case mt == "message/rfc822" || mt == "message/global":
		return w.attachedMessage(transferDecoded(h, body), path, depth)
	case (mt == "text/plain" || mt == "text/html") && !attached:
		s, d, err := w.readText(h, body, params["charset"], path)
		if err != nil {
			return err
		}
		w.note(d, params["charset"])
		if mt == "text/html" {
			s = htmlToText(s)
			w.fromHTML = true
		}
		w.appendText(s)
		return nil
	default:
		return w.attachment(h, body, mt, path)
	}
}

// readText reads a text part within the text still allowed and decodes its charset.
func (w *walker) readText(h message.Header, body io.Reader, charset, path string) (string, decoded, error) {
	b, cut, err := readLimited(transferDecoded(h, body), max(w.left, 0))
	if err != nil {
		return "", decoded{}, &ParseError{Part: nonEmpty(path, "body"), Err: err}
	}
	w.left -= len(b)
	w.cut += cut
	d, err := decodeText(b, charset)
	if err != nil {
		return "", decoded{}, &ParseError{Part: nonEmpty(path, "body"), Err: err}
	}
	return d.text, d, nil
}

// note records how a text part of the main text was decoded.
func (w *walker) note(d decoded, label string) {
	if w.first == nil {
		w.first, w.declared = &d, charsetLabel(label)
	}
	w.lied = w.lied || d.lied
}

// attachment records a part that is not the main text; a text/plain one (or a .txt
// file) is kept as text in case the message has no other.
func (w *walker) attachment(h message.Header, body io.Reader, mt, path string) error {
	name := filename(h)
	r := transferDecoded(h, body)
	if mt == "text/plain" || strings.EqualFold(pathExt(name), ".txt") {
		_, params, _ := contentType(h)
		b, cut, err := readLimited(r, max(w.left, 0))
		if err != nil {
			return &ParseError{Part: nonEmpty(path, "body"), Err: err}
		}
		d, err := decodeText(b, params["charset"])
		if err != nil {
			return &ParseError{Part: nonEmpty(path, "body"), Err: err}
		}
		w.left -= len(b)
		w.textAttachments = append(w.textAttachments, textAttachment{name: name, text: d.text, d: d, charset: params["charset"]})
		w.attachments = append(w.attachments, Attachment{Path: nonEmpty(path, "1"), ContentType: mt, Filename: name, Size: int64(len(b)) + cut})
		return nil
	}
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return &ParseError{Part: nonEmpty(path, "body"), Err: err}
	}
	w.attachments = append(w.attachments, Attachment{Path: nonEmpty(path, "1"), ContentType: mt, Filename: name, Size: n})
	return nil
}

func pathExt(name string) string { return path.Ext(strings.ReplaceAll(name, `\`, "/")) }

func (w *walker) appendText(s string) {
	s = strings.TrimRight(cleanBody(normalizeNewlines(s)), "\n \t")
	if strings.TrimSpace(s) == "" {
		return
	}
	if w.text.Len() > 0 {
		w.text.WriteString("\n\n")
	}
	w.text.WriteString(s)
}

// finish puts what the walk found into m: the inline text, or the text attachments
// when there is none.
func (w *walker) finish(m *Mail) {
	if w.text.Len() == 0 && len(w.textAttachments) > 0 {
		w.first, w.lied = nil, false
		for _, a := range w.textAttachments {
			w.appendText(a.text)
			w.note(a.d, a.charset)
		}
		m.BodyFromAttachment = w.textAttachments[0].name
	}
	m.Body = normalizeNewlines(w.text.String())
	m.BodyFromHTML = w.fromHTML
	m.Attachments = w.attachments
	m.TextCut = w.cut
	if w.first != nil {
		m.DeclaredCharset, m.DecodedAs = w.declared, w.first.as
	}
	m.LabelLied = w.lied
}

// multipart walks the parts of a multipart; of an alternative it reads the plain text
// (or else a nested multipart, or else the HTML).
func (w *walker) multipart(mr *textproto.MultipartReader, mt, path string, depth int) error {
	type alt struct {
		h    message.Header
		raw  []byte
		path string
		mt   string
	}
	var alts []alt
	for i := 1; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		cp := partPath(path, i)
		if err != nil {
			return &ParseError{Part: cp, Err: fmt.Errorf("multipart: %w", err)}
		}
		if i > 10000 {
			return &ParseError{Part: cp, Err: errors.New("too many parts")}
		}
		h := message.Header{Header: p.Header}
		if mt != "multipart/alternative" {
			if err := w.entity(h, p, cp, depth+1); err != nil {
				return err
			}
			continue
		}
		// Read the alternatives now (the reader moves on), choose after.
		raw, err := io.ReadAll(p)
		if err != nil {
			return &ParseError{Part: cp, Err: err}
		}
		cmt, _, _ := contentType(h)
		alts = append(alts, alt{h, raw, cp, cmt})
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
	c := alts[max(pick, 0)]
	return w.entity(c.h, bytes.NewReader(c.raw), c.path, depth+1)
}

// attachedMessage reads a message/rfc822 part as a forwarded message.
func (w *walker) attachedMessage(body io.Reader, path string, depth int) error {
	br := bufio.NewReader(body)
	th, err := textproto.ReadHeader(br)
	if err != nil || th.Len() == 0 {
		if err == nil {
			err = errors.New("empty attached message")
		}
		return &ParseError{Part: nonEmpty(path, "body"), Err: fmt.Errorf("attached message: %w", err)}
	}
	ih := message.Header{Header: th}
	iw := walker{left: w.left}
	if err := iw.entity(ih, br, path, depth+1); err != nil {
		return err
	}
	w.left, w.cut = iw.left, w.cut+iw.cut
	var im Mail
	if err := readHeader(&im, mail.Header{Header: ih}, headerCharset(ih)); err != nil {
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
