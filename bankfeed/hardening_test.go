package bankfeed

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/calendar"
)

// zengin01With is a one-record 01 file whose record has value date date and the raw
// payer bytes payer.
func zengin01With(date string, payer []byte) []byte {
	d := d01{ref: 1, date: date, amount: 11000, payer: "ｱ"}
	rec := data01(d)
	copy(rec[49:97], append(payer, bytes.Repeat([]byte(" "), 48-len(payer))...))
	var f []byte
	for _, r := range [][]byte{header01(acctMizuho, "261125", "261125", "261125"), rec, trailer01([]d01{d}), endRecord()} {
		f = append(append(f, r...), "\r\n"...)
	}
	return f
}

// A value date implausibly far from the run date (more than a year after it, or before
// 2000) refuses the file, naming the record and the field (issue 13, #3, #11).
func TestValueDateFarFromRunDate(t *testing.T) {
	kana, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("ﾐﾗｲﾄｳｷﾖｳ"))
	csv := func(date string) []byte {
		return []byte("日付,入金額,振込依頼人名\r\n2026/11/24,1000,ﾐﾗｲ\r\n" + date + ",11000,ﾐﾗｲ\r\n")
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		o      ParseOptions
		record int
		field  string
		says   string
	}{
		{"zengin 西暦 2099", zengin01With("991231", kana), ParseOptions{Era: EraSeireki, RunDate: run20261125}, 2, "勘定日", "more than a year after"},
		{"zengin 平成31 read as 西暦", readFixture(t, "zengin01_heisei31.txt"), ParseOptions{Era: EraSeireki, RunDate: calendar.MustParse("2019-04-26")}, 2, "勘定日", "2031-04-26"},
		{"zengin 平成5", zengin01With("050401", kana), ParseOptions{Era: EraWareki, RunDate: calendar.MustParse("2000-01-05")}, 2, "勘定日", "before 2000-01-01"},
		{"csv 0001-01-01", csv("0001/01/01"), ParseOptions{RunDate: run20261125}, 3, "日付", "before 2000-01-01"},
		{"csv 9999-12-31", csv("9999/12/31"), ParseOptions{RunDate: run20261125}, 3, "日付", "more than a year after the run date 2026-11-25"},
		{"csv 1999-12-31", csv("1999/12/31"), ParseOptions{}, 3, "日付", "before 2000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f", tc.data, tc.o)
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrDate) || fe.Record != tc.record || fe.Field != tc.field || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want a date error at record %d field %s saying %q", err, tc.record, tc.field, tc.says)
			}
		})
	}
	// Near dates stay accepted: a year after the run date, and the day itself.
	for _, date := range []string{"271125", "261125"} {
		if _, err := Parse("f", zengin01With(date, kana), ParseOptions{Era: EraSeireki, RunDate: run20261125}); err != nil {
			t.Errorf("value date %s: %v", date, err)
		}
	}
}

// A payer field that is not JIS X 0201 (invalid Shift_JIS, a double-byte character,
// UTF-8) refuses the file instead of storing replacement characters or mojibake; a
// CSV payer that is not text in its encoding too (issue 13, #9).
func TestPayerCharset(t *testing.T) {
	utf8Kana := []byte("ミライ") // UTF-8 bytes in a Shift_JIS field
	for _, tc := range []struct {
		name  string
		payer []byte
		says  string
	}{
		{"invalid Shift_JIS", []byte{0xB1, 0x82, 0x20, 0xB2}, "0x82"},
		{"lone 0xFF", []byte{0xB1, 0xFF}, "0xFF"},
		{"double-byte kanji", []byte{0x88, 0x9F}, "0x88"},
		{"UTF-8", utf8Kana, "the field is UTF-8"},
		{"control character", []byte{0xB1, 0x00, 0xB2}, "0x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f", zengin01With("261125", tc.payer), ParseOptions{RunDate: run20261125})
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Record != 2 || fe.Field != "振込依頼人名" || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want record 2 field 振込依頼人名 saying %q", err, tc.says)
			}
		})
	}
	ok := []byte{0xD0, 0xD7, 0xB2, 0x28, 0xB6, 0x20, 0x31, 0x2E} // ﾐﾗｲ(ｶ 1.
	st, err := Parse("f", zengin01With("261125", ok), ParseOptions{RunDate: run20261125})
	if err != nil || st.Txns[0].Payer != "ﾐﾗｲ(ｶ 1." {
		t.Fatalf("a JIS X 0201 payer: %v %+v", err, st)
	}
	header, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("日付,入金額,振込依頼人名\r\n2026/11/24,1000,"))
	bad := slices.Concat(header, []byte{0xB1, 0x82, 0x20, '\r', '\n'}) // a lead byte followed by a space
	if _, err := Parse("f.csv", slices.Concat(header, []byte{0xB1, '\r', '\n'}), ParseOptions{RunDate: run20261125}); err != nil {
		t.Fatalf("a Shift_JIS CSV: %v", err)
	}
	_, err = Parse("f.csv", bad, ParseOptions{RunDate: run20261125})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Record != 2 || fe.Field != "振込依頼人名" {
		t.Errorf("CSV payer with invalid Shift_JIS: %v, want line 2 column 振込依頼人名", err)
	}
}
