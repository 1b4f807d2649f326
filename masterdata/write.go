package masterdata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/csvsafe"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"
)

// WriteOptions says how Write lays a file out. The zero WriteOptions writes CSV in
// UTF-8 with BOM and English headers.
type WriteOptions struct {
	Format   Format   // csv (default) or xlsx
	Encoding Encoding // CSV only: utf8 (default, with BOM) or sjis
	Japanese bool     // write the Japanese headers instead of the English ones
	Sheet    string   // xlsx: the sheet name; empty for the kind ("customers")
}

// Write writes the records of f (those of f.Kind) with every column of the kind, in the
// forms Read accepts, so that a file exported, edited in Excel and imported again
// changes nothing. CSV lines end in CRLF as Excel writes them. A character Shift_JIS
// cannot hold fails the write, naming the record and column.
func Write(w io.Writer, f *File, o WriteOptions) error {
	switch f.Kind {
	case Customers:
		return write(w, recordSet[Customer]{f.Kind, customerColumns, f.Customers, func(c *Customer) string { return c.No }}, o)
	case Plans:
		return write(w, recordSet[Plan]{f.Kind, planColumns, f.Plans, func(p *Plan) string { return p.Code + " " + p.ValidFrom.String() }}, o)
	case Contracts:
		return write(w, recordSet[Contract]{f.Kind, contractColumns, f.Contracts, func(c *Contract) string { return c.No }}, o)
	case Orders:
		return write(w, recordSet[Order]{f.Kind, orderColumns, f.Orders, func(o *Order) string { return o.No }}, o)
	}
	return fmt.Errorf("masterdata: write: unknown kind %q", f.Kind)
}

// recordSet is the records of one kind to write, with the kind's columns and the key
// that names a record in an error.
type recordSet[T any] struct {
	kind Kind
	cols []column[T]
	recs []T
	key  func(*T) string
}

// write writes t in the format and encoding o asks for.
func write[T any](w io.Writer, t recordSet[T], o WriteOptions) error {
	header := ColumnNames(t.kind)
	if o.Japanese {
		header = JapaneseColumnNames(t.kind)
	}
	switch o.Format {
	case "", CSV:
		switch o.Encoding {
		case "", UTF8, ShiftJIS:
		default:
			return fmt.Errorf("masterdata: write %s: unknown encoding %q (want utf8 or sjis)", t.kind, o.Encoding)
		}
		return writeCSV(w, t, header, o.Encoding == ShiftJIS)
	case XLSX:
		return writeXLSX(w, t, header, o.Sheet)
	}
	return fmt.Errorf("masterdata: write %s: unknown format %q (want csv or xlsx)", t.kind, o.Format)
}

// writeCSV writes t as CSV with CRLF lines: UTF-8 with a BOM, or Shift_JIS when sjis,
// refusing a cell Shift_JIS cannot hold.
func writeCSV[T any](w io.Writer, t recordSet[T], header []string, sjis bool) error {
	var buf bytes.Buffer
	if !sjis {
		buf.Write(utf8BOM)
	}
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	enc := japanese.ShiftJIS.NewEncoder()
	for i := range t.recs {
		rec := make([]string, len(t.cols))
		for j, c := range t.cols {
			rec[j] = csvsafe.Cell(c.get(&t.recs[i]))
			if !sjis {
				continue
			}
			if _, err := enc.String(rec[j]); err != nil {
				return fmt.Errorf("masterdata: write %s %s, %s %q: %s cannot be written in Shift_JIS; export with encoding utf8 or change the text",
					t.kind, t.key(&t.recs[i]), c.name, rec[j], unencodable(rec[j]))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	out := buf.Bytes()
	if sjis {
		var err error
		if out, err = enc.Bytes(out); err != nil {
			return fmt.Errorf("masterdata: write %s: %w", t.kind, err)
		}
	}
	_, err := w.Write(out)
	return err
}

// unencodable names the characters of s that Shift_JIS (CP932) lacks.
func unencodable(s string) string {
	enc := japanese.ShiftJIS.NewEncoder()
	var bad []string
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			bad = append(bad, fmt.Sprintf("%c (%U)", r, r))
		}
	}
	return strings.Join(bad, ", ")
}

// writeXLSX writes t as an .xlsx file of one sheet (named for the kind when sheet is
// empty).
func writeXLSX[T any](w io.Writer, t recordSet[T], header []string, sheet string) error {
	if sheet == "" {
		sheet = string(t.kind)
	}
	x := excelize.NewFile()
	defer x.Close()
	s := &xlsxSheet[T]{x: x, name: sheet, cols: t.cols}
	if err := s.fill(header, t.recs); err != nil {
		return fmt.Errorf("masterdata: write %s .xlsx: %w", t.kind, err)
	}
	return x.Write(w)
}

// xlsxSheet fills one sheet with records in the forms Read takes back: integers as
// numbers with separators, dates as dates, the rest as text.
type xlsxSheet[T any] struct {
	x    *excelize.File
	name string
	cols []column[T]
	// styles
	bold, dateStyle, intStyle, textStyle int
}

// fill writes the header row (bold, frozen) and one row per record.
func (s *xlsxSheet[T]) fill(header []string, recs []T) error {
	if err := s.x.SetSheetName("Sheet1", s.name); err != nil {
		return err
	}
	if err := s.newStyles(); err != nil {
		return err
	}
	if err := s.header(header); err != nil {
		return err
	}
	for i := range recs {
		if err := s.row(i+2, &recs[i]); err != nil {
			return err
		}
	}
	return s.x.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// newStyles adds the styles of the header and of the cells to the file.
func (s *xlsxSheet[T]) newStyles() error {
	var err error
	if s.bold, err = s.x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	dateFmt := "yyyy/m/d"
	if s.dateStyle, err = s.x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	if s.intStyle, err = s.x.NewStyle(&excelize.Style{NumFmt: 3}); err != nil { // #,##0
		return err
	}
	textFmt := "@"
	s.textStyle, err = s.x.NewStyle(&excelize.Style{CustomNumFmt: &textFmt})
	return err
}

// header writes the header row in bold and sets the column widths (names and
// addresses wider).
func (s *xlsxSheet[T]) header(header []string) error {
	for j, h := range header {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		if err := s.x.SetCellStr(s.name, cell, h); err != nil {
			return err
		}
		colName, _ := excelize.ColumnNumberToName(j + 1)
		width := 14.0
		if s.cols[j].name == "name" || s.cols[j].name == "address" {
			width = 36
		}
		if err := s.x.SetColWidth(s.name, colName, colName, width); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	return s.x.SetCellStyle(s.name, "A1", last, s.bold)
}

// row writes the non-empty cells of rec into row r of the sheet.
func (s *xlsxSheet[T]) row(r int, rec *T) error {
	for j, c := range s.cols {
		cell, _ := excelize.CoordinatesToCellName(j+1, r)
		text := c.get(rec)
		if text == "" {
			continue
		}
		if err := s.cell(cell, c.cell, text); err != nil {
			return err
		}
	}
	return nil
}

// cell writes text into cell as the column's type says: an integer as a number, a
// date as a date, anything else (or an integer column holding text) as text.
func (s *xlsxSheet[T]) cell(cell string, typ cellType, text string) error {
	var err error
	style := s.textStyle
	switch {
	case typ == intCell && isInt(text):
		n, _ := strconv.ParseInt(text, 10, 64)
		err = s.x.SetCellInt(s.name, cell, n)
		style = s.intStyle
	case typ == dateCell:
		d, perr := calendar.ParseDate(text)
		if perr != nil {
			return perr
		}
		err = s.x.SetCellValue(s.name, cell, time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC))
		style = s.dateStyle
	default:
		err = s.x.SetCellStr(s.name, cell, csvsafe.Cell(text))
	}
	if err != nil {
		return err
	}
	return s.x.SetCellStyle(s.name, cell, cell, style)
}

func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}
