package mailintake

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var genCorpus = flag.Bool("gencorpus", false, "write testdata/corpus/*/*.eml and expect.json from each folder's src.txt")

// corpusDirs are the two halves of the extraction corpus: tune is read while the
// extractor is changed, holdout only through the scores TestCorpus prints.
var corpusDirs = []string{"testdata/corpus/tune", "testdata/corpus/holdout"}

// corpusMessage is one message of a corpus src.txt.
type corpusMessage struct {
	id, from, subject, charset, label, cte, format, attachName string
	expect                                                     []corpusExpect
	body                                                       string
}

// corpusExpect is what a reader of the message finds for one contract; "" is none.
// Seats is "after=N" (the seats wanted) or "removed=N" (the seats given up; for a
// cancellation, the seats it cancels).
type corpusExpect struct {
	Contract   string `json:"contract"`
	Kind       string `json:"kind"`
	Seats      string `json:"seats"`
	Contractor string `json:"contractor"`
	Product    string `json:"product"`
}

// corpusEntry is one line of expect.json.
type corpusEntry struct {
	File     string         `json:"file"`
	Requests []corpusExpect `json:"requests"`
}

func readCorpusSource(t testing.TB, path string) []corpusMessage {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusMessage
	var cur *corpusMessage
	inBody := false
	var body []string
	flush := func() {
		if cur != nil {
			cur.body = strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"
			out = append(out, *cur)
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "=== "):
			flush()
			cur, inBody, body = &corpusMessage{id: strings.TrimSpace(l[4:]), cte: "7bit", format: "plain"}, false, nil
		case cur == nil || strings.HasPrefix(l, "#") && !inBody:
		case inBody:
			body = append(body, l)
		case l == "---":
			inBody = true
		default:
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				t.Fatalf("%s: %s: bad header line %q", path, cur.id, l)
			}
			v = strings.TrimSpace(v)
			switch k {
			case "from":
				cur.from = v
			case "subject":
				cur.subject = v
			case "charset":
				cur.charset = v
			case "label":
				cur.label = v
			case "cte":
				cur.cte = v
			case "format":
				cur.format = v
			case "attach-name":
				cur.attachName = v
			case "expect":
				f := strings.Split(v, "|")
				if len(f) != 5 {
					t.Fatalf("%s: %s: expect needs 5 fields: %q", path, cur.id, v)
				}
				for i := range f {
					if f[i] = strings.TrimSpace(f[i]); f[i] == "-" {
						f[i] = ""
					}
				}
				cur.expect = append(cur.expect, corpusExpect{f[0], f[1], f[2], f[3], f[4]})
			default:
				t.Fatalf("%s: %s: unknown header %q", path, cur.id, k)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	return out
}

// outlookHTML wraps plain lines the way Outlook writes an HTML-only message.
func outlookHTML(body string) string {
	var b strings.Builder
	b.WriteString(`<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" content="text/html"><style><!-- p.MsoNormal {margin:0mm;font-size:10.5pt;} --></style></head>` + "\n")
	b.WriteString(`<body lang="JA"><div class="WordSection1">` + "\n")
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		if l == "" {
			b.WriteString(`<p class="MsoNormal"><o:p>&nbsp;</o:p></p>` + "\n")
			continue
		}
		l = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(l)
		b.WriteString(`<p class="MsoNormal">` + l + `<o:p></o:p></p>` + "\n")
	}
	b.WriteString("</div></body></html>\n")
	return b.String()
}

// eml renders a corpus message in its real bytes: headers in RFC 2047 words of its
// charset, the body in the charset and transfer encoding named, under the label named
// (which may lie, or be "none").
func (c corpusMessage) eml(t testing.TB) []byte {
	cs := c.charset
	label := c.label
	if label == "" {
		label = cs
	}
	ctParam := "; charset=" + label
	if label == "none" {
		ctParam = ""
	}
	var b strings.Builder
	from := c.from
	if name, addr, ok := strings.Cut(from, "<"); ok {
		name = strings.Trim(strings.TrimSpace(name), `"`)
		addr = "<" + addr
		switch {
		case name == "":
			from = addr
		case isASCIIText(name):
			from = `"` + name + `" ` + addr
		default:
			from = encodedWord(t, cs, name) + " " + addr
		}
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s <esales@npress.jp>\r\nSubject: %s\r\nDate: Thu, 01 Oct 2026 10:00:00 +0900\r\nMessage-ID: <%s@corpus.example.jp>\r\nMIME-Version: 1.0\r\n",
		from, encodedWord(t, cs, "nPress 営業窓口"), encodedWord(t, cs, c.subject), c.id)
	part := func(ctype, body string) string {
		return fmt.Sprintf("Content-Type: %s%s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s", ctype, ctParam, c.cte, transfer(t, c.cte, encodeText(t, cs, body)))
	}
	html := c.body
	if !strings.HasPrefix(strings.TrimSpace(html), "<") {
		html = outlookHTML(c.body)
	}
	switch c.format {
	case "plain":
		b.WriteString(part("text/plain", c.body))
	case "html":
		b.WriteString(part("text/html", html))
	case "alt":
		b.WriteString("Content-Type: multipart/alternative; boundary=\"alt-" + c.id + "\"\r\n\r\n--alt-" + c.id + "\r\n" +
			part("text/plain", c.body) + "--alt-" + c.id + "\r\n" + part("text/html", html) + "--alt-" + c.id + "--\r\n")
	case "attach-txt":
		name := c.attachName
		disp := `filename="` + name + `"`
		if !isASCIIText(name) {
			disp = "filename*=" + label + "''" + strings.ReplaceAll(url.PathEscape(string(encodeText(t, cs, name))), "%2E", ".")
		}
		b.WriteString("Content-Type: multipart/mixed; boundary=\"mix-" + c.id + "\"\r\n\r\n--mix-" + c.id + "\r\n")
		fmt.Fprintf(&b, "Content-Type: text/plain%s\r\nContent-Disposition: attachment; %s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s",
			ctParam, disp, c.cte, transfer(t, c.cte, encodeText(t, cs, c.body)))
		b.WriteString("--mix-" + c.id + "--\r\n")
	default:
		t.Fatalf("%s: unknown format %q", c.id, c.format)
	}
	return []byte(b.String())
}

func isASCIIText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestGenerateCorpus writes the corpus messages: go test -run TestGenerateCorpus -gencorpus.
func TestGenerateCorpus(t *testing.T) {
	if !*genCorpus {
		t.Skip("the corpus is committed; pass -gencorpus to write it again from src.txt")
	}
	for _, dir := range corpusDirs {
		old, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, f := range old {
			os.Remove(f)
		}
		var entries []corpusEntry
		for _, m := range readCorpusSource(t, filepath.Join(dir, "src.txt")) {
			name := m.id + ".eml"
			if err := os.WriteFile(filepath.Join(dir, name), m.eml(t), 0o644); err != nil {
				t.Fatal(err)
			}
			entries = append(entries, corpusEntry{File: name, Requests: m.expect})
		}
		b, err := json.MarshalIndent(entries, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "expect.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
