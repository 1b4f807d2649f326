package mailintake

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// The charsets the intake reads Japanese text in, by the names DecodedAs reports when
// a label was overruled or missing.
const (
	csASCII = "us-ascii"
	csUTF8  = "utf-8"
	csJIS   = "iso-2022-jp"
	csSJIS  = "shift_jis"
	csEUC   = "euc-jp"
)

// family is what a charset label names, as far as sniffing is concerned.
func family(label string) string {
	switch label {
	case "", csASCII, "ascii", "ansi_x3.4-1968", "us":
		return csASCII
	case csUTF8, "utf8":
		return csUTF8
	case "iso-2022-jp", "csiso2022jp":
		return csJIS
	case "shift_jis", "shift-jis", "csshiftjis", "x-sjis", "sjis", "ms_kanji":
		return csSJIS
	case "euc-jp", "cseucpkdfmtjapanese":
		return csEUC
	}
	if e, ok := japaneseLabels[label]; ok {
		switch e {
		case japanese.ShiftJIS:
			return csSJIS
		case japanese.EUCJP:
			return csEUC
		case japanese.ISO2022JP:
			return csJIS
		}
	}
	return label
}

// decoderOf returns the x/text encoding of a Japanese family.
func decoderOf(fam string) encoding.Encoding {
	switch fam {
	case csJIS:
		return japanese.ISO2022JP
	case csSJIS:
		return japanese.ShiftJIS
	case csEUC:
		return japanese.EUCJP
	}
	return nil
}

// hasJISEscape reports whether b holds the escape sequences of ISO-2022-JP: ESC $B
// (JIS X 0208-1983), ESC $@ (JIS C 6226-1978) or ESC (J (JIS-Roman).
func hasJISEscape(b []byte) bool {
	return bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")) || bytes.Contains(b, []byte("\x1b(J"))
}

func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeClean decodes b in a Japanese family and reports whether every byte was
// valid for it: no replacement character and no C1 control (Shift_JIS maps the
// unassigned 0x80 to U+0080).
func decodeClean(fam string, b []byte) (string, bool) {
	enc := decoderOf(fam)
	if enc == nil {
		return "", false
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", false
	}
	s := string(out)
	return s, !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || r >= 0x80 && r <= 0x9f })
}

// japaneseScore rates how much decoded text looks like Japanese: kana, kanji and
// full-width punctuation count for it, half-width katakana and private-use characters
// (what EUC-JP read as Shift_JIS, or the reverse, turns into) against it.
func japaneseScore(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x3040 && r <= 0x30ff, r >= 0x4e00 && r <= 0x9fff, r >= 0x3000 && r <= 0x303f, r >= 0xff01 && r <= 0xff5e:
			n += 2
		case r >= 0xff61 && r <= 0xff9f:
			n -= 3
		case r >= 0xe000 && r <= 0xf8ff, unicode.Is(unicode.Co, r):
			n -= 5
		}
	}
	return n
}

// sniff8bit reads 8-bit bytes that are not UTF-8 as the Japanese charset they are
// valid in: Shift_JIS or EUC-JP, the one that reads more like Japanese when both are.
func sniff8bit(b []byte) (string, string, bool) {
	sj, sjOK := decodeClean(csSJIS, b)
	eu, euOK := decodeClean(csEUC, b)
	switch {
	case sjOK && euOK:
		if japaneseScore(eu) > japaneseScore(sj) {
			return eu, csEUC, true
		}
		return sj, csSJIS, true
	case sjOK:
		return sj, csSJIS, true
	case euOK:
		return eu, csEUC, true
	}
	return "", "", false
}

// charsetLabel normalizes a charset label as written: lower case, without quotes,
// and without any character a label cannot hold (it is shown to staff).
func charsetLabel(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	label = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:+()", r) {
			return r
		}
		return -1
	}, label)
	if len(label) > 40 {
		label = label[:40]
	}
	return label
}

// decoded is a text part's bytes read as text.
type decoded struct {
	text string
	// as is the charset used: the label as written when it was honoured, else the
	// canonical name of the charset the bytes were found to be in.
	as   string
	lied bool
}

// decodeText reads the bytes of a text part (transfer encoding already removed)
// under its charset label, and overrules the label when it cannot be right (SPEC
// §7.3): ISO-2022-JP escapes under no label, US-ASCII or UTF-8; 8-bit bytes under
// ISO-2022-JP or US-ASCII; bytes invalid for UTF-8, Shift_JIS or EUC-JP that are valid
// in another of them. Undecodable bytes become U+FFFD. An unknown label is an error.
func decodeText(b []byte, label string) (decoded, error) {
	label = charsetLabel(label)
	fam := family(label)
	declared := label != ""
	eightBit := has8bit(b)
	honour := func(s string) decoded { return decoded{text: s, as: nonEmpty(label, fam)} }
	overrule := func(s, as string) decoded { return decoded{text: s, as: as, lied: declared} }

	if !eightBit && hasJISEscape(b) {
		s, _ := decodeClean(csJIS, b)
		if fam == csJIS {
			return honour(s), nil
		}
		return overrule(s, csJIS), nil
	}
	switch fam {
	case csASCII, csUTF8:
		if !eightBit {
			return decoded{text: string(b), as: nonEmpty(label, csASCII)}, nil
		}
		if utf8.Valid(b) {
			if fam == csUTF8 {
				return honour(string(b)), nil
			}
			return overrule(string(b), csUTF8), nil
		}
		if s, as, ok := sniff8bit(b); ok {
			return decoded{text: s, as: as, lied: declared}, nil
		}
		return decoded{text: strings.ToValidUTF8(string(b), "\ufffd"), as: nonEmpty(label, csUTF8)}, nil
	case csJIS, csSJIS, csEUC:
		if s, ok := decodeClean(fam, b); ok {
			return honour(s), nil
		}
		if utf8.Valid(b) && eightBit {
			return overrule(string(b), csUTF8), nil
		}
		for _, other := range []string{csSJIS, csEUC} {
			if other == fam {
				continue
			}
			if s, ok := decodeClean(other, b); ok && eightBit {
				return overrule(s, other), nil
			}
		}
		s, _ := decodeClean(fam, b)
		return honour(s), nil
	}
	r, err := charsetReader(label, bytes.NewReader(b))
	if err != nil {
		return decoded{}, fmt.Errorf("unknown charset: %w", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return decoded{}, fmt.Errorf("charset %q: %w", label, err)
	}
	return honour(strings.ToValidUTF8(string(out), "\ufffd")), nil
}

// cleanHeaderBlock removes the bytes that have no place in a header block: NUL and
// the other C0 controls but tab, CR, LF and ESC (raw ISO-2022-JP headers need it),
// and DEL. It returns b itself when there is none.
func cleanHeaderBlock(b []byte) []byte {
	bad := func(c byte) bool { return c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != 0x1b || c == 0x7f }
	if bytes.IndexFunc(b, func(r rune) bool { return r < 0x80 && bad(byte(r)) }) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if !bad(c) {
			out = append(out, c)
		}
	}
	return out
}

// cleanText drops control characters (C0 but tab, DEL, C1) from a decoded header
// value; a tab becomes a space.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return -1
		}
		return r
	}, s)
}

// cleanBody drops the control characters of a text but line ends and tabs (NUL,
// form feeds, DEL, C1): they are not part of what a customer wrote.
func cleanBody(s string) string {
	if !strings.ContainsFunc(s, isJunkControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isJunkControl(r) {
			return -1
		}
		return r
	}, s)
}

func isJunkControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f
}

// escapeBytes makes text from untrusted bytes safe for an error message: valid
// UTF-8, with invalid bytes and control characters written as \xNN, cut to n bytes.
func escapeBytes(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if b.Len() >= n {
		b.WriteString("…")
	}
	return b.String()
}
