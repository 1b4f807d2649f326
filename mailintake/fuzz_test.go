package mailintake

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseExtract feeds arbitrary bytes to Parse and Extract: each message is read
// or refused with ErrMalformed or ErrTooLarge, within a second, never with a panic;
// an error's text and every string read are valid UTF-8 without control characters
// (they are stored and shown to staff, SPEC §10.0), and every request names what it
// lacks and no seat count beyond any contract's.
func FuzzParseExtract(f *testing.F) {
	for _, glob := range []string{"testdata/*.eml", "testdata/decode/*.eml", "testdata/corpus/tune/form-0*.eml", "testdata/corpus/tune/html-*.eml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("From x Thu Oct  1 10:00:00 2026\nSubject: \x00\xff\r\n\r\n\x1b$B$\"\x1b(B 20→99999999"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		start := time.Now()
		m, err := ParseWith(raw, ParseOptions{MaxMessageBytes: 1 << 20, MaxTextBytes: 64 << 10})
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error is neither ErrMalformed nor ErrTooLarge: %v", err)
			}
			if !storable(err.Error(), false) {
				t.Fatalf("error text not storable: %q", err.Error())
			}
			return
		}
		for _, s := range []string{m.MessageID, m.From, m.FromName, m.FromAddress, m.ReplyTo, m.Subject, m.DecodedAs, m.DeclaredCharset} {
			if !storable(s, false) {
				t.Fatalf("header value not storable: %q", s)
			}
		}
		for _, s := range []string{m.Body, m.Text, m.Quoted, m.Signature, m.Forwarded} {
			if !utf8.ValidString(s) {
				t.Fatalf("text not valid UTF-8: %q", s)
			}
		}
		rs := Extract(m, ExtractOptions{Products: corpusPlans})
		if len(rs) == 0 {
			t.Fatal("no request")
		}
		for _, r := range rs {
			if r.Missing == nil || !storable(r.Contractor, false) || !storable(r.Product, true) {
				t.Fatalf("request %+v", r)
			}
			for _, n := range []*int{r.SeatsAfter, r.SeatsRemoved, r.SeatsBefore} {
				if n != nil && (*n < 0 || *n >= maxSeats) {
					t.Fatalf("seat count %d", *n)
				}
			}
		}
		if d := time.Since(start); d > slowdown*2*time.Second {
			os.WriteFile(filepath.Join(os.TempDir(), "slow-mail.eml"), raw, 0o644)
			t.Fatalf("%d bytes took %v", len(raw), d)
		}
	})
}

// storable reports valid UTF-8 without control characters (tabs allowed when tab).
func storable(s string, tab bool) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 && !(tab && r == '\t') || r == 0x7f || r >= 0x80 && r <= 0x9f
	})
}
