package masterdata

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/csvsafe"
)

// Encoding is the character encoding of a CSV file.
type Encoding string

// The encodings Read detects and Write produces.
const (
	UTF8     Encoding = "utf8" // UTF-8; Write adds the BOM Excel's "CSV UTF-8" writes
	ShiftJIS Encoding = "sjis" // Shift_JIS as Windows writes it (CP932 / Windows-31J)
)

// Format is the container of a file.
type Format string

// The formats Read and Write handle.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ErrNoSheet is returned by Read when Options.Sheet names a sheet the workbook lacks.
var ErrNoSheet = errors.New("no such sheet")

// table is a file cut into rows of text cells, before any column is interpreted.
type table struct {
	format   Format
	encoding Encoding // CSV only
	date1904 bool     // xlsx only: serial dates count from 1904
	rows     []tableRow
	broken   *RowError // a CSV quoting error that stopped reading
}

type tableRow struct {
	line  int // 1-based line (CSV: where the record starts) or sheet row
	cells []string
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// isXLSX reports whether data is a zip archive (an .xlsx workbook) or is named .xlsx.
func isXLSX(name string, data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || strings.HasSuffix(strings.ToLower(name), ".xlsx")
}

// oleMagic starts the old binary .xls format (and other OLE compound files).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// readTable detects the format and encoding of data and returns its rows, within the
// limits of o: a file too big, or a workbook that would unpack to too much, is refused
// before it is read (a *LimitError).
func readTable(name string, data []byte, o Options) (*table, error) {
	if max := o.maxFileBytes(); int64(len(data)) > max {
		return nil, &LimitError{Limit: LimitFile, Size: int64(len(data)), Max: max}
	}
	if bytes.HasPrefix(data, oleMagic) {
		return nil, fmt.Errorf("an old Excel .xls workbook (or an encrypted one) cannot be read; save it as .xlsx or CSV")
	}
	if isXLSX(name, data) {
		return readXLSX(data, o)
	}
	return readCSV(data)
}

// restore undoes, in place, the apostrophe that Write puts before a cell that would
// start a formula (csvsafe), so that export → import gives the text back.
func restore(cells []string) []string {
	for i, c := range cells {
		cells[i] = csvsafe.Restore(c)
	}
	return cells
}

// decodeText returns data as UTF-8 text: valid UTF-8 (with or without BOM) as is,
// anything else decoded as Shift_JIS (CP932).
func decodeText(data []byte) (string, Encoding, error) {
	if utf8.Valid(data) {
		return string(bytes.TrimPrefix(data, utf8BOM)), UTF8, nil
	}
	text, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("neither UTF-8 nor Shift_JIS: %w", err)
	}
	return string(text), ShiftJIS, nil
}

func readCSV(data []byte) (*table, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	t := &table{format: CSV, encoding: enc}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			t.broken = &RowError{Line: pe.StartLine, Reason: fmt.Sprintf(
				"broken quoting near line %d column %d (%v): close the quoted field, or double a quote inside it (\"\"); rows after it were not read",
				pe.Line, pe.Column, pe.Err)}
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, tableRow{line: line, cells: restore(rec)})
	}
	return t, nil
}

// readXLSX reads one sheet of a workbook. The sizes the zip's central directory gives
// for its parts are added up first, and a workbook that would unpack to more than
// o.MaxXLSXBytes is refused before anything is unpacked; excelize is then told the same
// limit (archive/zip refuses a part longer than its declared size), and the sheet is
// streamed row by row and refused past o.MaxCells cells, so that a zip bomb costs
// neither the time nor the memory it asks for.
func readXLSX(data []byte, o Options) (t *table, err error) {
	defer func() { // excelize parses hostile files too: a panic there refuses the file, not the night
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("not a readable .xlsx workbook (%v)", r)
		}
	}()
	max := o.maxXLSXBytes()
	if err := checkZipSizes(data, max); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: max, UnzipXMLSizeLimit: min(max, 16<<20)})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	defer f.Close()
	sheet := o.Sheet
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("the workbook has no sheet")
	}
	if sheet == "" {
		sheet = sheets[0]
	} else if !slices.Contains(sheets, sheet) {
		return nil, fmt.Errorf("sheet %q: %w (the workbook has %s)", sheet, ErrNoSheet, strings.Join(sheets, ", "))
	}
	t = &table{format: XLSX}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	if err := streamRows(f, sheet, o.maxCells(), t); err != nil {
		return nil, err
	}
	return t, nil
}

// streamRows reads the rows of sheet into t, one at a time, counting cells (an empty
// row counts as one, so that a sheet of a million empty rows is refused too).
func streamRows(f *excelize.File, sheet string, maxCells int, t *table) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	line, cells := 0, 0
	for rows.Next() {
		line++
		row, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("sheet %q row %d: %w", sheet, line, err)
		}
		if cells += max(1, len(row)); cells > maxCells {
			return &LimitError{Limit: LimitCells, Size: int64(cells), Max: int64(maxCells), Line: line}
		}
		if len(row) == 0 {
			continue
		}
		for j, c := range row {
			row[j] = plainNumber(c)
		}
		t.rows = append(t.rows, tableRow{line: line, cells: restore(row)})
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("sheet %q: %w", sheet, err)
	}
	return nil
}

// checkZipSizes adds up the uncompressed sizes the zip's central directory declares for
// every part of a workbook and refuses one that would unpack to more than max. Nothing
// is unpacked here.
func checkZipSizes(data []byte, max int64) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	var total uint64
	for _, zf := range zr.File {
		// One part over max is refused before it is added, so the sum cannot wrap around.
		if zf.UncompressedSize64 > uint64(max) || total+zf.UncompressedSize64 > uint64(max) {
			return &LimitError{Limit: LimitXLSX, Size: int64(min(total+zf.UncompressedSize64, 1<<62)), Max: max, Part: zf.Name}
		}
		total += zf.UncompressedSize64
	}
	return nil
}

var reScientific = regexp.MustCompile(`^\d(\.\d+)?[eE]\+\d{1,2}$`)

// plainNumber rewrites a whole number a workbook stored in scientific notation
// (a 法人番号 typed as a number may be stored as 5.180001034512E+12) as its digits;
// anything else is returned unchanged. It is exact: no float is involved.
func plainNumber(s string) string {
	if !reScientific.MatchString(s) {
		return s
	}
	mant, exp, _ := strings.Cut(strings.ToLower(s), "e+")
	whole, frac, _ := strings.Cut(mant, ".")
	n, _ := strconv.Atoi(exp)
	if len(frac) > n {
		return s // not a whole number
	}
	return whole + frac + strings.Repeat("0", n-len(frac))
}

// blank reports whether every cell of a row is empty or spaces (Excel pads sheets with
// such rows; they are skipped).
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
