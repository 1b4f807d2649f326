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
		return write(w, f.Kind, customerColumns, f.Customers, func(c *Customer) string { return c.No }, o)
	case Plans:
		return write(w, f.Kind, planColumns, f.Plans, func(p *Plan) string { return p.Code + " " + p.ValidFrom.String() }, o)
	case Contracts:
		return write(w, f.Kind, contractColumns, f.Contracts, func(c *Contract) string { return c.No }, o)
	case Orders:
		return write(w, f.Kind, orderColumns, f.Orders, func(o *Order) string { return o.No }, o)
	}
	return fmt.Errorf("masterdata: write: unknown kind %q", f.Kind)
}

func write[T any](w io.Writer, kind Kind, cols []column[T], recs []T, key func(*T) string, o WriteOptions) error {
	header := ColumnNames(kind)
	if o.Japanese {
		header = JapaneseColumnNames(kind)
	}
	switch o.Format {
	case "", CSV:
		switch o.Encoding {
		case "", UTF8, ShiftJIS:
		default:
			return fmt.Errorf("masterdata: write %s: unknown encoding %q (want utf8 or sjis)", kind, o.Encoding)
		}
		return writeCSV(w, kind, cols, recs, key, header, o.Encoding == ShiftJIS)
	case XLSX:
		return writeXLSX(w, kind, cols, recs, header, o.Sheet)
	}
	return fmt.Errorf("masterdata: write %s: unknown format %q (want csv or xlsx)", kind, o.Format)
}

func writeCSV[T any](w io.Writer, kind Kind, cols []column[T], recs []T, key func(*T) string, header []string, sjis bool) error {
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
	for i := range recs {
		rec := make([]string, len(cols))
		for j, c := range cols {
			rec[j] = csvsafe.Cell(c.get(&recs[i]))
			if !sjis {
				continue
			}
			if _, err := enc.String(rec[j]); err != nil {
				return fmt.Errorf("masterdata: write %s %s, %s %q: %s cannot be written in Shift_JIS; export with encoding utf8 or change the text",
					kind, key(&recs[i]), c.name, rec[j], unencodable(rec[j]))
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
			return fmt.Errorf("masterdata: write %s: %w", kind, err)
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

func writeXLSX[T any](w io.Writer, kind Kind, cols []column[T], recs []T, header []string, sheet string) error {
	if sheet == "" {
		sheet = string(kind)
	}
	x := excelize.NewFile()
	defer x.Close()
	fail := func(err error) error { return fmt.Errorf("masterdata: write %s .xlsx: %w", kind, err) }
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	dateFmt := "yyyy/m/d"
	dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fail(err)
	}
	intStyle, err := x.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		return fail(err)
	}
	textFmt := "@"
	textStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: &textFmt})
	if err != nil {
		return fail(err)
	}
	for j, h := range header {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		if err := x.SetCellStr(sheet, cell, h); err != nil {
			return fail(err)
		}
		colName, _ := excelize.ColumnNumberToName(j + 1)
		width := 14.0
		if cols[j].name == "name" || cols[j].name == "address" {
			width = 36
		}
		if err := x.SetColWidth(sheet, colName, colName, width); err != nil {
			return fail(err)
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := x.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return fail(err)
	}
	for i := range recs {
		for j, c := range cols {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			text := c.get(&recs[i])
			style := textStyle
			switch {
			case text == "":
				continue
			case c.cell == intCell && isInt(text):
				n, _ := strconv.ParseInt(text, 10, 64)
				err = x.SetCellInt(sheet, cell, n)
				style = intStyle
			case c.cell == dateCell:
				d, perr := calendar.ParseDate(text)
				if perr != nil {
					return fail(perr)
				}
				err = x.SetCellValue(sheet, cell, time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC))
				style = dateStyle
			default:
				err = x.SetCellStr(sheet, cell, csvsafe.Cell(text))
			}
			if err != nil {
				return fail(err)
			}
			if err := x.SetCellStyle(sheet, cell, cell, style); err != nil {
				return fail(err)
			}
		}
	}
	if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	return x.Write(w)
}

func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}
