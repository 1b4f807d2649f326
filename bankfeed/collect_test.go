package bankfeed

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

// manyRecords01 is an 01 file of n good records in two groups (so that record numbers
// cross a trailer and a header), CR LF after each record.
func manyRecords01(t testing.TB, n int) []byte {
	t.Helper()
	d := calendar.MustParse("2026-11-24")
	var b bytes.Buffer
	z, err := NewZenginWriter(&b, "01", "", "")
	if err != nil {
		t.Fatal(err)
	}
	for gi, size := range []int{n / 2, n - n/2} {
		if err := z.Header(ZenginGroup{Created: d, From: d, To: d, BankCode: "0001", BankName: "ﾐｽﾞﾎ", BranchCode: "123",
			AccountType: "1", AccountNumber: fmt.Sprint(1234567 + gi), AccountName: "ｴﾇﾌﾟﾚｽ(ｶ"}); err != nil {
			t.Fatal(err)
		}
		for i := range size {
			if err := z.Record(ZenginRecord{RefNo: fmt.Sprintf("%06d", i+1), ValueDate: d, Amount: int64(1000 + i), Payer: "ﾔﾏﾀﾞ ﾀﾛｳ"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := z.Trailer(); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.End(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// recordAt returns the bytes of record rec (1-based) of a CR LF file.
func recordAt(data []byte, rec int) []byte { return data[(rec-1)*202 : (rec-1)*202+200] }

// TestCheckCountsEveryDefect: a file with 10,000 malformed records is refused with the
// first ten named (record, field, reason) and the count; Parse is unchanged and stops
// at the first.
func TestCheckCountsEveryDefect(t *testing.T) {
	const total, bad = 12000, 10000
	data := manyRecords01(t, total)
	opts := ParseOptions{RunDate: calendar.MustParse("2026-11-25")}
	if err := Check("ok.txt", bytes.NewReader(data), opts, 10); err != nil {
		t.Fatalf("Check of a good file: %v", err)
	}
	// Data records are 2..6001 (group 1) and 6004..12003 (group 2). Break the amount of
	// the first 10,000 of them, skipping none.
	var broken []int
	for rec := 2; len(broken) < bad; rec++ {
		if rec == 6002 || rec == 6003 { // trailer of group 1, header of group 2
			continue
		}
		copy(recordAt(data, rec)[19:29], "12A4567890")
		broken = append(broken, rec)
	}
	err := Check("bad.txt", bytes.NewReader(data), opts, 10)
	var fes *FormatErrors
	if !errors.As(err, &fes) {
		t.Fatalf("Check = %v, want *FormatErrors", err)
	}
	if fes.Count != bad || len(fes.First) != 10 {
		t.Fatalf("Count %d, First %d; want %d and 10", fes.Count, len(fes.First), bad)
	}
	for i, fe := range fes.First {
		if fe.Record != broken[i] || fe.Field != "金額" || !errors.Is(fe, ErrAmount) || string(fe.Bytes) != "12A4567890" {
			t.Errorf("defect %d = record %d field %s bytes %q (%v); want record %d 金額", i, fe.Record, fe.Field, fe.Bytes, fe.Err, broken[i])
		}
	}
	msg := err.Error()
	for _, want := range []string{"bad.txt", "10000 malformed records", "record 2 field 金額", "and 9990 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	var first *FormatError
	if !errors.As(err, &first) || first.Record != 2 || !errors.Is(err, ErrAmount) {
		t.Errorf("errors.As/Is do not see the first defect: %v", first)
	}
	// Parse still stops at the first defect.
	_, perr := Parse("bad.txt", data, opts)
	var pe *FormatError
	if !errors.As(perr, &pe) || errors.As(perr, &fes) && perr == error(fes) || pe.Record != 2 {
		t.Fatalf("Parse = %v, want the *FormatError of record 2 alone", perr)
	}
}

func TestCheckCases(t *testing.T) {
	opts := ParseOptions{RunDate: calendar.MustParse("2026-11-25")}
	tests := []struct {
		name    string
		damage  func([]byte) []byte
		count   int
		records []int // of the first defects
		fields  []string
	}{
		{"one bad date", func(b []byte) []byte { copy(recordAt(b, 3)[7:13], "ABCDEF"); return b }, 1, []int{3}, []string{"勘定日"}},
		{"two bad fields in two groups", func(b []byte) []byte {
			copy(recordAt(b, 3)[127:128], "7")
			copy(recordAt(b, 9)[19:29], "0000000000")
			return b
		}, 2, []int{3, 9}, []string{"取消区分", "金額"}},
		{"trailer disagrees in a clean group", func(b []byte) []byte { copy(recordAt(b, 6)[1:7], "000009"); return b }, 1, []int{6}, []string{"振込合計件数"}},
		{"bad record, then the file is cut", func(b []byte) []byte {
			copy(recordAt(b, 3)[19:29], "ABCDEFGHIJ")
			return b[:202*9+50]
		}, 2, []int{3, 10}, []string{"金額", "レコード長"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.damage(manyRecords01(t, 8)) // 1 header, 2-5 data, 6 trailer, 7 header, 8-11 data, 12 trailer, 13 end
			err := Check("x.txt", bytes.NewReader(data), opts, 10)
			var fes *FormatErrors
			if !errors.As(err, &fes) {
				t.Fatalf("Check = %v, want *FormatErrors", err)
			}
			if fes.Count != tc.count {
				t.Fatalf("Count %d, want %d: %v", fes.Count, tc.count, err)
			}
			for i, fe := range fes.First {
				if fe.Record != tc.records[i] || fe.Field != tc.fields[i] {
					t.Errorf("defect %d: record %d %s, want %d %s", i, fe.Record, fe.Field, tc.records[i], tc.fields[i])
				}
			}
		})
	}
}
