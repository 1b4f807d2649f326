package invoice

import (
	"bytes"
	"io"
	"time"

	"github.com/npress/nightly/third_party/fpdf"
)

// canvas is the part of fpdf the documents draw with. It lets the benchmark draw the
// same documents with the upstream library as a baseline.
type canvas interface {
	SetFontSize(size float64)
	SetXY(x, y float64)
	CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string)
	GetStringWidth(s string) float64
	SetLineWidth(w float64)
	Line(x1, y1, x2, y2 float64)
	Rect(x, y, w, h float64, style string)
	SetTextColor(r, g, b int)
	SetDrawColor(r, g, b int)
	SetFillColor(r, g, b int)
	AddPage()
	SetPage(n int)
	PageNo() int
	TransformBegin()
	TransformRotate(angle, x, y float64)
	TransformEnd()
	Output(w io.Writer) error
	// PNG draws the PNG image img at x, y in a w × h mm box.
	PNG(img []byte, x, y, w, h float64)
}

// docInfo is what a new canvas needs to know about its document.
type docInfo struct {
	title, author string
	created       time.Time
	marginL       float64
	marginR       float64
}

// sharedCanvas draws with the patched fpdf and the font parsed once (third_party/fpdf).
type sharedCanvas struct{ *fpdf.Fpdf }

func (r *Renderer) newSharedCanvas(info docInfo) canvas {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(info.created)
	pdf.SetModificationDate(info.created)
	pdf.SetProducer("nightly", true)
	pdf.SetCreator("nightly", true)
	pdf.SetTitle(info.title, true)
	pdf.SetAuthor(info.author, true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(info.marginL, 10, info.marginR)
	pdf.SetCellMargin(0)
	pdf.AddUTF8FontShared(fontFamily, "", r.font)
	pdf.SetFont(fontFamily, "", 10)
	return sharedCanvas{pdf}
}

func (c sharedCanvas) PNG(img []byte, x, y, w, h float64) {
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	c.RegisterImageOptionsReader("seal", opt, bytes.NewReader(img))
	c.ImageOptions("seal", x, y, w, h, false, opt, 0, "")
}
