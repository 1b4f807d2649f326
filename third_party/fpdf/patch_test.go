package fpdf

import (
	"bytes"
	"encoding/binary"
	"os"
	"regexp"
	"sync"
	"testing"
)

const fontFile = "../../templates/font/ipaexg.ttf"

func TestSharedFont(t *testing.T) {
	ttf, err := os.ReadFile(fontFile)
	if err != nil {
		t.Skip("font not found: ", err)
	}
	font, err := ParseUTF8Font("IPAexGothic", ttf)
	if err != nil {
		t.Fatal(err)
	}
	if !font.HasGlyph('請') || font.HasGlyph(0x20BB7) || font.HasGlyph(0xE000) {
		t.Error("HasGlyph wrong")
	}
	render := func(text string) []byte {
		pdf := New("P", "mm", "A4", "")
		pdf.SetCatalogSort(true)
		pdf.AddUTF8FontShared("f", "", font)
		pdf.AddPage()
		pdf.SetFont("f", "", 12)
		pdf.Text(20, 20, text)
		var b bytes.Buffer
		if err := pdf.Output(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	var wg sync.WaitGroup
	out := make([][]byte, 4)
	for i := range out {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = render("請求書 ¥1,234") }()
	}
	wg.Wait()
	for i := range out {
		if !bytes.Equal(out[i], out[0]) {
			t.Error("concurrent documents differ")
		}
	}
	a, b := out[0], render("御中")
	name := regexp.MustCompile(`/BaseFont /([A-Z]{6})\+IPAexGothic`)
	ma, mb := name.FindSubmatch(a), name.FindSubmatch(b)
	if ma == nil || mb == nil || bytes.Equal(ma[1], mb[1]) {
		t.Errorf("subset tags %q, %q: want TAG+IPAexGothic, different for different text", ma, mb)
	}
	if len(a) > 12<<10 {
		t.Errorf("a 7-character document is %d bytes: not a subset", len(a))
	}
	if _, err := ParseUTF8Font("IPAexGothic", ttf[:5000]); err == nil {
		t.Error("a truncated font parsed")
	}
	if _, err := ParseUTF8Font("bad name", ttf); err == nil {
		t.Error("a base name with a space was accepted")
	}
}

func TestStripInstructions(t *testing.T) {
	// One contour: header (10), endPts (2), instruction length 3, 3 instruction bytes,
	// then flags and coordinates.
	g := []byte{0, 1, 0, 0, 0, 0, 0, 9, 0, 9, 0, 2, 0, 3, 0xB0, 0x01, 0x2F, 1, 1, 1, 5, 5, 5}
	want := []byte{0, 1, 0, 0, 0, 0, 0, 9, 0, 9, 0, 2, 0, 0, 1, 1, 1, 5, 5, 5}
	if got := stripInstructions(g); !bytes.Equal(got, want) {
		t.Errorf("stripInstructions = %v, want %v", got, want)
	}
	composite := append([]byte{0xFF, 0xFF}, g[2:]...)
	if got := stripInstructions(composite); !bytes.Equal(got, composite) {
		t.Error("a composite glyph was changed")
	}
	bad := []byte{0, 1, 0, 0, 0, 0, 0, 9, 0, 9, 0, 2, 0, 99, 1}
	if got := stripInstructions(bad); !bytes.Equal(got, bad) {
		t.Error("a malformed glyph was changed")
	}
}

func TestShortNameTable(t *testing.T) {
	ttf, err := os.ReadFile(fontFile)
	if err != nil {
		t.Skip("font not found: ", err)
	}
	font, err := ParseUTF8Font("IPAexGothic", ttf)
	if err != nil {
		t.Fatal(err)
	}
	n := font.cut.name
	count := int(binary.BigEndian.Uint16(n[2:]))
	if count == 0 || count > 7 {
		t.Fatalf("%d records", count)
	}
	for i := 0; i < count; i++ {
		if p, id := binary.BigEndian.Uint16(n[6+12*i:]), binary.BigEndian.Uint16(n[6+12*i+6:]); p != 3 || id > 6 {
			t.Errorf("record %d: platform %d name %d", i, p, id)
		}
	}
}
