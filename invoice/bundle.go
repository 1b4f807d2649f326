package invoice

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Bundle writes one print bundle (SPEC §8.4): the pages of many documents, in the
// order they are added, as one PDF streamed to w. It takes the stored bytes of each
// document (the evidence copy, so the bundle prints exactly what was issued) one at a
// time and keeps only a few integers per object, never the documents: memory does not
// grow with their size, only by about 12 bytes per PDF object (some 40 per document).
//
// It reads the PDFs this package renders (classic cross-reference table, one
// revision); others are refused with ErrBundle.
type Bundle struct {
	w       *bufio.Writer
	off     int64   // bytes written
	xref    []int64 // offset of object i+1; 0 for a free slot
	kids    []int   // page objects, in order
	docs    int
	err     error
	written bool
}

// ErrBundle is returned for a document Bundle cannot take.
var ErrBundle = errors.New("invoice: cannot add document to the print bundle")

// Objects 1 and 2 of the bundle are its page tree and catalog, written last.
const (
	bundlePages   = 1
	bundleCatalog = 2
)

// NewBundle starts a bundle on w. Call Add for each document, then Close.
func NewBundle(w io.Writer) *Bundle {
	b := &Bundle{w: bufio.NewWriterSize(w, 64<<10), xref: make([]int64, 2)}
	b.write([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"))
	return b
}

func (b *Bundle) write(p []byte) {
	if b.err != nil {
		return
	}
	n, err := b.w.Write(p)
	b.off += int64(n)
	b.err = err
}

var (
	reObjHead = regexp.MustCompile(`^(\d+) 0 obj\b`)
	reRef     = regexp.MustCompile(`(\d+) 0 R\b`)
	reKids    = regexp.MustCompile(`/Kids\s*\[([^\]]*)\]`)
	reRoot    = regexp.MustCompile(`/Root\s+(\d+) 0 R`)
	reInfo    = regexp.MustCompile(`/Info\s+(\d+) 0 R`)
	rePages   = regexp.MustCompile(`/Pages\s+(\d+) 0 R`)
	reMedia   = regexp.MustCompile(`/MediaBox\s*\[[^\]]*\]`)
)

// Add appends the pages of one PDF and returns how many it has (for the dispatch
// list). name identifies the document in errors.
func (b *Bundle) Add(name string, pdf []byte) (pages int, err error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.written {
		return 0, fmt.Errorf("%w %s: bundle already closed", ErrBundle, name)
	}
	doc, err := parseSimplePDF(pdf)
	if err != nil {
		return 0, fmt.Errorf("%w %s: %w", ErrBundle, name, err)
	}
	base := len(b.xref) // old object n becomes base+n-1
	renum := func(n int) int {
		if n == doc.pages {
			return bundlePages
		}
		return base + n - 1
	}
	for i := 1; i < len(doc.offsets); i++ {
		b.xref = append(b.xref, 0)
	}
	for n := 1; n < len(doc.offsets); n++ {
		body := doc.object(n)
		if body == nil || n == doc.pages || n == doc.root || n == doc.info {
			continue // free, or replaced by the bundle's own page tree and catalog
		}
		b.xref[renum(n)-1] = b.off
		head, rest := body, []byte(nil)
		if i := bytes.Index(body, []byte("stream\n")); i >= 0 {
			head, rest = body[:i], body[i:]
		}
		head = reObjHead.ReplaceAll(head, []byte(strconv.Itoa(renum(n))+" 0 obj"))
		if doc.isKid(n) && doc.media != nil && !reMedia.Match(head) {
			// The page inherited its size from the document's page tree.
			head = bytes.Replace(head, []byte("/Type /Page"), append([]byte("/Type /Page "), doc.media...), 1)
		}
		head = reRef.ReplaceAllFunc(head, func(m []byte) []byte {
			old, _ := strconv.Atoi(string(m[:bytes.IndexByte(m, ' ')]))
			return []byte(strconv.Itoa(renum(old)) + " 0 R")
		})
		b.write(head)
		b.write(rest)
	}
	for _, k := range doc.kids {
		b.kids = append(b.kids, renum(k))
	}
	b.docs++
	return len(doc.kids), b.err
}

// Close writes the page tree, the catalog, the cross-reference table and the trailer,
// and flushes. A bundle of no documents is an error: a PDF needs a page.
func (b *Bundle) Close() error {
	if b.err != nil {
		return b.err
	}
	if b.written {
		return nil
	}
	b.written = true
	if len(b.kids) == 0 {
		return fmt.Errorf("%w: no documents", ErrBundle)
	}
	b.xref[bundlePages-1] = b.off
	var s strings.Builder
	fmt.Fprintf(&s, "%d 0 obj\n<</Type /Pages /Count %d /Kids [", bundlePages, len(b.kids))
	for i, k := range b.kids {
		if i%16 == 0 {
			s.WriteByte('\n')
		}
		fmt.Fprintf(&s, "%d 0 R ", k)
	}
	s.WriteString("]>>\nendobj\n")
	b.write([]byte(s.String()))
	b.xref[bundleCatalog-1] = b.off
	b.write(fmt.Appendf(nil, "%d 0 obj\n<</Type /Catalog /Pages %d 0 R>>\nendobj\n", bundleCatalog, bundlePages))
	xrefAt := b.off
	b.write(fmt.Appendf(nil, "xref\n0 %d\n0000000000 65535 f \n", len(b.xref)+1))
	for _, o := range b.xref {
		if o == 0 {
			b.write([]byte("0000000000 65535 f \n"))
		} else {
			b.write(fmt.Appendf(nil, "%010d 00000 n \n", o))
		}
	}
	b.write(fmt.Appendf(nil, "trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(b.xref)+1, bundleCatalog, xrefAt))
	if b.err != nil {
		return b.err
	}
	return b.w.Flush()
}

// Documents returns the number of documents added so far.
func (b *Bundle) Documents() int { return b.docs }

// Pages returns the number of pages added so far.
func (b *Bundle) Pages() int { return len(b.kids) }

// simplePDF is a PDF with a classic cross-reference table and one revision, as fpdf
// writes it.
type simplePDF struct {
	data              []byte
	offsets           []int // offsets[n] of object n; 0 = free
	ends              []int // ends[n]: where object n's "endobj" ends
	root, pages, info int
	kids              []int
	media             []byte // the page tree's /MediaBox, inherited by its pages
}

func (p *simplePDF) isKid(n int) bool {
	for _, k := range p.kids {
		if k == n {
			return true
		}
	}
	return false
}

func (p *simplePDF) object(n int) []byte {
	if p.offsets[n] == 0 {
		return nil
	}
	return p.data[p.offsets[n]:p.ends[n]]
}

// PageCount returns the number of pages of a PDF this package rendered.
func PageCount(pdf []byte) (int, error) {
	doc, err := parseSimplePDF(pdf)
	if err != nil {
		return 0, err
	}
	return len(doc.kids), nil
}

// parseSimplePDF reads the objects, the trailer and the flat page tree of a PDF that
// fpdf wrote (see simplePDF); any other shape is an error.
func parseSimplePDF(data []byte) (*simplePDF, error) {
	xref, trailerAt, err := findXref(data)
	if err != nil {
		return nil, err
	}
	lines, count, err := xrefLines(data[xref+4 : xref+trailerAt])
	if err != nil {
		return nil, err
	}
	p := &simplePDF{data: data, offsets: make([]int, count), ends: make([]int, count)}
	order, err := p.readOffsets(lines, xref)
	if err != nil {
		return nil, err
	}
	if err := p.findEnds(order, xref); err != nil {
		return nil, err
	}
	if err := p.readPageTree(data[xref+trailerAt:], count); err != nil {
		return nil, err
	}
	return p, nil
}

// findXref returns where the classic cross-reference table that startxref names
// begins, and where its trailer begins relative to it.
func findXref(data []byte) (xref, trailerAt int, err error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return 0, 0, errors.New("not a PDF")
	}
	tail := data[max(0, len(data)-64):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, 0, errors.New("no startxref")
	}
	f := strings.Fields(string(tail[i+len("startxref"):]))
	if len(f) == 0 {
		return 0, 0, errors.New("no startxref offset")
	}
	xref, err = strconv.Atoi(f[0])
	if err != nil || xref <= 0 || xref >= len(data) || !bytes.HasPrefix(data[xref:], []byte("xref")) {
		return 0, 0, errors.New("not a classic cross-reference table (only PDFs rendered here can be bundled)")
	}
	trailerAt = bytes.Index(data[xref:], []byte("trailer"))
	if trailerAt < 0 {
		return 0, 0, errors.New("no trailer")
	}
	return xref, trailerAt, nil
}

// xrefLines splits the table (after "xref", before "trailer") into its lines: the
// section head "0 COUNT", then one entry per object. It returns them and COUNT.
func xrefLines(table []byte) ([]string, int, error) {
	lines := strings.Split(strings.TrimSpace(string(table)), "\n")
	if len(lines) < 1 {
		return nil, 0, errors.New("empty xref")
	}
	head := strings.Fields(lines[0])
	if len(head) != 2 || head[0] != "0" {
		return nil, 0, errors.New("xref with several sections or an update (only PDFs rendered here can be bundled)")
	}
	count, err := strconv.Atoi(head[1])
	if err != nil || count < 2 || count != len(lines)-1 || count > 1<<20 {
		return nil, 0, errors.New("bad xref size")
	}
	return lines, count, nil
}

// objectAt is where object n begins.
type objectAt struct{ n, off int }

// readOffsets reads the offset of every object in use from the table's lines, checking
// that each object begins there, and returns them in the order of their offsets.
func (p *simplePDF) readOffsets(lines []string, xref int) ([]objectAt, error) {
	var order []objectAt
	for n := 1; n < len(p.offsets); n++ {
		e := strings.Fields(lines[n+1])
		if len(e) != 3 || e[1] != "00000" && e[2] == "n" {
			return nil, fmt.Errorf("xref entry %d: %q", n, lines[n+1])
		}
		if e[2] != "n" {
			continue
		}
		off, err := strconv.Atoi(e[0])
		if err != nil || off <= 0 || off >= xref {
			return nil, fmt.Errorf("xref entry %d: bad offset", n)
		}
		if !bytes.HasPrefix(p.data[off:], []byte(strconv.Itoa(n)+" 0 obj")) {
			return nil, fmt.Errorf("object %d is not at its xref offset", n)
		}
		p.offsets[n] = off
		order = append(order, objectAt{n, off})
	}
	sort.Slice(order, func(i, j int) bool { return order[i].off < order[j].off })
	return order, nil
}

// findEnds sets where each object ends: after the last "endobj" (and its newline)
// before the next object, or the table for the last one.
func (p *simplePDF) findEnds(order []objectAt, xref int) error {
	for i, o := range order {
		next := xref
		if i+1 < len(order) {
			next = order[i+1].off
		}
		end := bytes.LastIndex(p.data[o.off:next], []byte("endobj"))
		if end < 0 {
			return fmt.Errorf("object %d has no endobj", o.n)
		}
		p.ends[o.n] = o.off + end + len("endobj\n")
		if p.ends[o.n] > next {
			p.ends[o.n] = o.off + end + len("endobj")
		}
	}
	return nil
}

// readPageTree follows the trailer to the catalog, the information dictionary and the
// page tree, which must be flat: one /Pages object whose kids are all pages.
func (p *simplePDF) readPageTree(trailer []byte, count int) error {
	ref := func(re *regexp.Regexp, in []byte) int {
		m := re.FindSubmatch(in)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(string(m[1]))
		if n <= 0 || n >= count {
			return 0
		}
		return n
	}
	if p.root = ref(reRoot, trailer); p.root == 0 {
		return errors.New("trailer has no /Root")
	}
	p.info = ref(reInfo, trailer)
	if p.pages = ref(rePages, p.object(p.root)); p.pages == 0 {
		return errors.New("catalog has no /Pages")
	}
	m := reKids.FindSubmatch(p.object(p.pages))
	if m == nil || bytes.Contains(p.object(p.pages), []byte("/Parent")) {
		return errors.New("page tree is not flat")
	}
	for _, r := range reRef.FindAllSubmatch(m[1], -1) {
		k, _ := strconv.Atoi(string(r[1]))
		if k <= 0 || k >= count || !bytes.Contains(p.object(k), []byte("/Type /Page")) {
			return errors.New("page tree names an object that is not a page")
		}
		p.kids = append(p.kids, k)
	}
	if len(p.kids) == 0 {
		return errors.New("no pages")
	}
	p.media = reMedia.Find(p.object(p.pages))
	return nil
}

// PostalOrder compares two postal codes for the bulk-mail order of the bundle (SPEC
// §8.4): by their digits (half- or full-width, hyphen or not), a missing or malformed
// code last. Use it with slices.SortStableFunc, breaking ties by document number.
func PostalOrder(a, b string) int {
	da, db := postalDigits(a), postalDigits(b)
	switch {
	case da == db:
		return 0
	case da == "":
		return 1
	case db == "":
		return -1
	}
	return strings.Compare(da, db)
}

func postalDigits(s string) string {
	d := strings.ReplaceAll(formatPostal(s), "-", "")
	if len(d) != 7 || strings.Trim(d, "0123456789") != "" {
		return ""
	}
	return d
}
