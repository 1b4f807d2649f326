package masterdata

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/npress/nightly/calendar"
)

// workbookParts are the parts of a minimal .xlsx around its one sheet.
var workbookParts = map[string]string{
	"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
	"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="orders" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// compressedSheet is a sheet that repeats row rows times, deflated, and its size.
func compressedSheet(row string, rows int) ([]byte, uint64) {
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write([]byte(sheetHead))
	chunk := []byte(strings.Repeat(row, 1000))
	for range rows / 1000 {
		fw.Write(chunk)
	}
	fw.Write([]byte(sheetTail))
	fw.Close()
	return raw.Bytes(), uint64(len(sheetHead) + len(sheetTail) + rows/1000*len(chunk))
}

// bombRow is the row the zip bomb of testdata/orders_bomb.xlsx repeats 1,500,000 times.
const bombRow = `<row><c t="inlineStr"><is><t>EC-0001</t></is></c><c t="inlineStr"><is><t>new</t></is></c></row>`

// TestGenerateBombFixture writes testdata/orders_bomb.xlsx (go test -run Bomb -gen): a
// 470 KB workbook whose sheet unpacks to 140 MB. It is a file rather than built in
// each test because deflating 140 MB takes 10 s under the race detector.
func TestGenerateBombFixture(t *testing.T) {
	if !*gen {
		t.Skip("run with -gen to regenerate testdata/orders_bomb.xlsx")
	}
	raw, size := compressedSheet(bombRow, 1_500_000)
	writeFixture(t, "orders_bomb.xlsx", workbook(t, raw, size, false))
}

// bigSheet is the deflated sheet of testdata/orders_bomb.xlsx and the size its central
// directory declares.
func bigSheet(t *testing.T) ([]byte, uint64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "orders_bomb.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			r, err := f.OpenRaw()
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(r)
			return raw, f.UncompressedSize64
		}
	}
	t.Fatal("testdata/orders_bomb.xlsx has no sheet1.xml")
	return nil, 0
}

// bomb is an .xlsx whose sheet repeats row rows times: a few hundred KB that unpack
// to rows×len(row) bytes. With lie, the central directory claims the sheet is 1 KB.
func bomb(t *testing.T, row string, rows int, lie bool) []byte {
	t.Helper()
	raw, size := compressedSheet(row, rows)
	return workbook(t, raw, size, lie)
}

// workbook puts a deflated sheet into an .xlsx; with lie, its declared size is 1 KB.
func workbook(t *testing.T, raw []byte, size uint64, lie bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range workbookParts {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	if lie {
		size = 1024
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	zw.Close()
	return b.Bytes()
}

// readMeasured reads data and returns the error, the time taken and the bytes allocated.
func readMeasured(data []byte, o Options) (error, time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	_, err := Read(Orders, "bomb.xlsx", data, o)
	d := time.Since(t0)
	runtime.ReadMemStats(&after)
	return err, d, after.TotalAlloc - before.TotalAlloc
}

// An .xlsx zip bomb is refused before it is read: its central directory says it unpacks
// beyond the limit (100 MB by default); one whose directory lies is stopped by the
// declared size; a sheet beyond 1,000,000 cells is stopped while it streams (issue 13, #5).
func TestXLSXBomb(t *testing.T) {
	row := bombRow
	raw, size := bigSheet(t)
	big := workbook(t, raw, size, false)
	if size < 140_000_000 {
		t.Fatalf("the bomb unpacks to %d bytes; regenerate testdata/orders_bomb.xlsx (-gen)", size)
	}
	if len(big) > 2<<20 {
		t.Fatalf("the bomb is %d bytes on disk; want a small file", len(big))
	}
	err, took, alloc := readMeasured(big, Options{})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitXLSX || !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), "100 MB") {
		t.Fatalf("bomb: %v, want a LimitError of the xlsx limit", err)
	}
	if took > 2*time.Second || alloc > 20<<20 {
		t.Errorf("bomb refused after %v and %d MB allocated: it was read", took, alloc>>20)
	}
	// A directory that lies: archive/zip stops at the declared 1 KB, so the sheet read is
	// a broken fragment: the file is refused as it is, without unpacking the rest.
	lying := workbook(t, raw, size, true)
	t0 := time.Now()
	f, err := Read(Orders, "lie.xlsx", lying, Options{})
	if took := time.Since(t0); took > 2*time.Second || err == nil && (len(f.Errors) == 0 || f.Rows > 0) {
		t.Errorf("bomb with a lying directory: %v after %v, %+v", err, took, f)
	}
	// Under the byte limit but over the cell limit: stopped while streaming.
	err, _, _ = readMeasured(bomb(t, row, 30_000, false), Options{MaxCells: 50_000})
	if !errors.As(err, &le) || le.Limit != LimitCells || le.Line != 25_001 {
		t.Errorf("cells: %v, want a LimitError at row 25,001", err)
	}
	// A million empty rows cost a cell each.
	err, took, _ = readMeasured(bomb(t, `<row r="1048576"><c r="A1048576"><v>1</v></c></row>`, 1000, false), Options{})
	if !errors.As(err, &le) || le.Limit != LimitCells || took > 5*time.Second {
		t.Errorf("a far row: %v after %v", err, took)
	}
	// Within the limits the same writer makes a workbook that reads.
	small := bomb(t, `<row><c t="inlineStr"><is><t>order_no</t></is></c></row>`, 1000, false)
	if f, err := Read(Orders, "ok.xlsx", small, Options{}); err != nil || f.Format != XLSX {
		t.Errorf("a small workbook: %v", err)
	}
}

// A CSV (or any file) beyond the file limit is refused before it is decoded.
func TestFileLimit(t *testing.T) {
	data := bytes.Repeat([]byte("a,b\r\n"), (DefaultMaxFileBytes/5)+1)
	_, err := Read(Customers, "big.csv", data, Options{})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitFile || !strings.Contains(err.Error(), "more than 50 MB") {
		t.Errorf("a 50 MB+ CSV: %v", err)
	}
	if _, err := Read(Customers, "c.csv", []byte("customer_no\r\n"), Options{MaxFileBytes: 5}); !errors.As(err, &le) {
		t.Errorf("a configured limit of 5 bytes: %v", err)
	}
}

// An order dated after the run date, or before 2000, is a row error (issue 13, #3).
func TestOrderDateAgainstRunDate(t *testing.T) {
	_, idx := examples(t)
	head := "order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\r\n"
	for _, tc := range []struct {
		date, month string
		says        string
	}{
		{"2026-11-24", "2026-12", ""},
		{"2026-11-25", "2026-12", "処理日 2026-11-24 より後です"},
		{"2099-12-31", "2100-01", "は処理日"},
		{"1999-12-31", "2000-01", "は 2000-01-01 より前です"},
	} {
		data := []byte(head + fmt.Sprintf("EC-1,new,100007,,M365-BB,20,%s,%s\r\n", tc.date, tc.month))
		f, err := Read(Orders, "o.csv", data, Options{Lookup: idx, RunDate: calendar.MustParse("2026-11-24")})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		for _, e := range f.Errors {
			if e.Column == "order_date" {
				got = e.Reason
			}
		}
		if tc.says == "" && got != "" || !strings.Contains(got, tc.says) {
			t.Errorf("order date %s: %q, want %q", tc.date, got, tc.says)
		}
	}
}

// Text that would start a formula is written with a leading apostrophe in CSV (both
// encodings) and .xlsx, and comes back as it was when the file is imported (issue 13, #6).
func TestFormulaCellsRoundTrip(t *testing.T) {
	files, _ := examples(t)
	f := files[Customers]
	names := []string{"=HYPERLINK(\"http://evil.example\",\"請求書\")", "+81-3-1234-5678", "@SUM(A1:A9)", "-株式会社", "'=元から"}
	for i, n := range names {
		f.Customers[i].Name = n
		f.Customers[i].Contact = n
	}
	for _, o := range []WriteOptions{{Format: CSV, Encoding: UTF8}, {Format: CSV, Encoding: ShiftJIS}, {Format: XLSX}} {
		var b bytes.Buffer
		if err := Write(&b, f, o); err != nil {
			t.Fatal(err)
		}
		cells := cellsOf(t, b.Bytes(), o)
		for _, n := range names {
			if !cells["'"+n] {
				t.Errorf("%s %s: no cell %q in the file", o.Format, o.Encoding, "'"+n)
			}
			if cells[n] {
				t.Errorf("%s %s: the cell %q is written as it is", o.Format, o.Encoding, n)
			}
		}
		back, err := Read(Customers, "c."+string(o.Format), b.Bytes(), Options{})
		if err != nil || len(back.Errors) > 0 {
			t.Fatalf("%s: %v %v", o.Format, err, back.Errors)
		}
		for i, n := range names {
			if back.Customers[i].Name != n || back.Customers[i].Contact != n {
				t.Errorf("%s %s: read back %q / %q, want %q", o.Format, o.Encoding, back.Customers[i].Name, back.Customers[i].Contact, n)
			}
		}
	}
}

// cellsOf returns the set of cell texts of a written file, as a spreadsheet would see them.
func cellsOf(t *testing.T, data []byte, o WriteOptions) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if o.Format == XLSX {
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		for _, r := range rows {
			for _, c := range r {
				out[c] = true
			}
		}
		return out
	}
	text, _, err := decodeText(data) // the cells as written, before Read restores them
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for _, c := range r {
			out[c] = true
		}
	}
	return out
}
