// Copyright ©2026 The nightly authors. Use of this source code is governed by the
// MIT-style licence of go-pdf/fpdf in LICENSE. Patch 1 of PATCHES.md.

package fpdf

import (
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// UTF8Font is a TrueType font parsed once and then added to any number of documents
// with AddUTF8FontShared, from any number of goroutines. Upstream parses the whole font
// (and JSON-encodes its description to compute an ID) for every document that adds it,
// and parses its cmap, hmtx and loca again when subsetting at Output; with a 6 MB
// Japanese font that work dominates the cost of a one-page document.
type UTF8Font struct {
	def   fontDefType // metrics, widths and the font ID; Cw is never written after parsing
	array []byte
	cut   *cutCache
}

// cutCache is what GenerateCutFont needs from the whole font, computed once and only
// read afterwards.
type cutCache struct {
	baseName       string
	name           []byte // the 'name' table, Windows English records 0–6 only
	tables         map[string]*tableDescription
	locaFormat     int
	oldMetrics     int
	charSymbol     map[int]int
	symbolPosition []int
}

// ParseUTF8Font parses a TrueType font for AddUTF8FontShared. baseName is its
// PostScript name (e.g. "IPAexGothic"): each document names its subset TAG+baseName,
// the form PDF readers recognise as a subset (ISO 32000-1 §9.6.4).
func ParseUTF8Font(baseName string, ttf []byte) (font *UTF8Font, err error) {
	if baseName == "" || strings.ContainsAny(baseName, " /()<>[]{}%#") {
		return nil, fmt.Errorf("fpdf: font base name %q: want a PostScript name", baseName)
	}
	defer func() {
		if r := recover(); r != nil { // the upstream parser slices without bounds checks
			font, err = nil, fmt.Errorf("fpdf: malformed TrueType font: %v", r)
		}
	}()
	ttf = ttf[:len(ttf):len(ttf)] // reads past the end must fail, not see the caller's spare capacity
	utf := newUTF8Font(&fileReader{array: ttf})
	if err := utf.parseFile(); err != nil {
		return nil, fmt.Errorf("fpdf: %w", err)
	}
	def := fontDefType{
		Tp: "UTF8",
		Desc: FontDescType{
			Ascent:       utf.Ascent,
			Descent:      utf.Descent,
			CapHeight:    utf.CapHeight,
			Flags:        utf.Flags,
			FontBBox:     utf.Bbox,
			ItalicAngle:  utf.ItalicAngle,
			StemV:        utf.StemV,
			MissingWidth: round(utf.DefaultWidth),
		},
		Up: int(round(utf.UnderlinePosition)),
		Ut: round(utf.UnderlineThickness),
		Cw: utf.CharWidths,
	}
	if def.i, err = generateFontID(def); err != nil {
		return nil, fmt.Errorf("fpdf: font ID: %w", err)
	}

	// What GenerateCutFont recomputes for every document upstream.
	c := &cutCache{baseName: baseName}
	utf.fileReader.readerPosition = 0
	utf.skip(4)
	utf.generateTableDescriptions()
	for _, name := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "post"} {
		if utf.tableDescriptions[name] == nil {
			return nil, fmt.Errorf("fpdf: TrueType font has no %q table", name)
		}
	}
	c.tables = utf.tableDescriptions
	c.name = shortNameTable(utf.getTableData("name"))
	utf.SeekTable("head")
	utf.skip(50)
	c.locaFormat = utf.readUint16()
	utf.SeekTable("hhea")
	utf.skip(34)
	c.oldMetrics = utf.readUint16()
	utf.SeekTable("maxp")
	utf.skip(4)
	numSymbols := utf.readUint16()
	if utf.generateCMAP() == nil {
		return nil, errors.New("fpdf: TrueType font has no Unicode cmap")
	}
	c.charSymbol = utf.charSymbolDictionary
	utf.parseLOCATable(c.locaFormat, numSymbols)
	c.symbolPosition = utf.symbolPosition
	// What cutting a subset reads later must lie inside the file: check it now, so
	// that a broken font fails here and not in the middle of Output.
	for name, t := range c.tables {
		if t.position < 0 || t.size < 0 || t.position+t.size > len(ttf) {
			return nil, fmt.Errorf("fpdf: TrueType table %q lies outside the file", name)
		}
	}
	glyf := c.tables["glyf"].size
	for i, p := range c.symbolPosition {
		if p > glyf || i > 0 && p < c.symbolPosition[i-1] {
			return nil, fmt.Errorf("fpdf: TrueType loca entry %d is out of order or past glyf", i)
		}
	}
	if hm := c.tables["hmtx"]; c.oldMetrics < 1 || c.oldMetrics*4 > hm.size {
		return nil, errors.New("fpdf: TrueType hmtx shorter than hhea says")
	}
	return &UTF8Font{def: def, array: ttf, cut: c}, nil
}

// AddUTF8FontShared adds a font parsed by ParseUTF8Font under family and style. The
// document gets its own subset of the glyphs it uses, as with AddUTF8FontFromBytes.
func (f *Fpdf) AddUTF8FontShared(familyStr, styleStr string, font *UTF8Font) {
	if f.err != nil {
		return
	}
	if font == nil {
		f.err = errors.New("fpdf: AddUTF8FontShared: nil font")
		return
	}
	familyStr = fontFamilyEscape(familyStr)
	fontkey := getFontKey(familyStr, styleStr)
	if _, ok := f.fonts[fontkey]; ok {
		return
	}
	def := font.def
	def.Name = fontkey
	// Upstream starts every subset with runes 0–56 (or 0–31); a shared font starts
	// empty, with the digits when an alias for the page count may be replaced later.
	def.usedRunes = make(map[int]int, 256)
	if f.aliasNbPagesStr != "" {
		for r := '0'; r <= '9'; r++ {
			def.usedRunes[int(r)] = int(r)
		}
	}
	def.utf8File = &utf8FontFile{
		fileReader: &fileReader{array: font.array},
		shared:     font.cut,
		CharWidths: font.def.Cw,
	}
	f.fonts[fontkey] = def
}

// generateSharedCutFont is GenerateCutFont for a font added with AddUTF8FontShared:
// the same subset, without parsing the whole font again. It writes only to utf, which
// belongs to one document; the cache and the font bytes are only read.
func (utf *utf8FontFile) generateSharedCutFont(usedRunes map[int]int) []byte {
	c := utf.shared
	utf.fileReader.readerPosition = 0
	utf.outTablesData = make(map[string][]byte)
	utf.tableDescriptions = c.tables
	utf.charSymbolDictionary = c.charSymbol
	utf.symbolPosition = c.symbolPosition
	utf.LastRune = 0
	return utf.cutFrom(usedRunes, c.locaFormat, c.oldMetrics)
}

// HasGlyph reports whether the font has a glyph for r that documents can show: r is
// in the Basic Multilingual Plane (the only plane fpdf's width tables and CID map
// cover) and the font's cmap maps it to a glyph other than .notdef.
func (font *UTF8Font) HasGlyph(r rune) bool {
	if r < 0 || r > 0xFFFF {
		return false
	}
	return font.cut.charSymbol[int(r)] != 0
}

// subsetTag derives the six capital letters that prefix a subset font's name from the
// runes it holds, so that the same text gives the same name (deterministic output)
// and different subsets get different names.
func subsetTag(usedRunes map[int]int) string {
	runes := make([]int, 0, len(usedRunes))
	for r := range usedRunes {
		runes = append(runes, r)
	}
	sort.Ints(runes)
	h := sha1.New()
	var b [4]byte
	for _, r := range runes {
		binary.BigEndian.PutUint32(b[:], uint32(r))
		h.Write(b[:])
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return string(tag)
}

// stripInstructions returns a simple glyph without its TrueType hinting instructions
// (PATCHES.md 3): they are about 45% of IPAex Gothic's glyph data and serve only
// low-resolution screen rasterizers. Composite glyphs and malformed data are returned
// unchanged.
func stripInstructions(g []byte) []byte {
	if len(g) < 12 {
		return g
	}
	nc := int(int16(binary.BigEndian.Uint16(g)))
	if nc < 0 {
		return g
	}
	p := 10 + 2*nc
	if p+2 > len(g) {
		return g
	}
	il := int(binary.BigEndian.Uint16(g[p:]))
	if il == 0 || p+2+il > len(g) {
		return g
	}
	out := make([]byte, 0, len(g)-il)
	out = append(out, g[:p]...)
	out = append(out, 0, 0)
	return append(out, g[p+2+il:]...)
}

// shortNameTable keeps the Windows, Unicode, English records with name IDs 0–6
// (copyright, family, style, unique ID, full name, version, PostScript name) of a
// 'name' table, the ones a subset embedded in a PDF can use (PATCHES.md 4). A table it
// cannot read is kept whole.
func shortNameTable(t []byte) []byte {
	if len(t) < 6 || binary.BigEndian.Uint16(t) != 0 {
		return t
	}
	count := int(binary.BigEndian.Uint16(t[2:]))
	strOff := int(binary.BigEndian.Uint16(t[4:]))
	if 6+12*count > len(t) || strOff > len(t) {
		return t
	}
	var recs [][6]uint16
	for i := 0; i < count; i++ {
		var r [6]uint16
		for j := range r {
			r[j] = binary.BigEndian.Uint16(t[6+12*i+2*j:])
		}
		if r[0] == 3 && r[1] == 1 && r[2] == 0x409 && r[3] <= 6 && strOff+int(r[5])+int(r[4]) <= len(t) {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return t
	}
	out := make([]byte, 6+12*len(recs))
	binary.BigEndian.PutUint16(out[2:], uint16(len(recs)))
	binary.BigEndian.PutUint16(out[4:], uint16(len(out)))
	var strs []byte
	for i, r := range recs {
		str := t[strOff+int(r[5]) : strOff+int(r[5])+int(r[4])]
		r[5] = uint16(len(strs))
		strs = append(strs, str...)
		for j := range r {
			binary.BigEndian.PutUint16(out[6+12*i+2*j:], r[j])
		}
	}
	return append(out, strs...)
}
