package bankfeed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/npress/nightly/calendar"
)

// row is what a test expects of a Txn (what `nightly bankfeed parse` prints, plus the
// reversal links and record number).
type row struct {
	Account, RefNo, Date string
	Amount               int64
	Payer, Norm, EDI     string
	Cancelled            bool
	Kind                 Kind
	Reversal             bool
	Reverses, Record     int
}

func rowsOf(txns []Txn) []row {
	out := make([]row, len(txns))
	for i, t := range txns {
		out[i] = row{t.Account, t.RefNo, t.ValueDate.String(), t.Amount, t.Payer, t.PayerNormalized, t.EDI, t.Cancelled, t.Kind, t.Reversal, t.Reverses, t.Record}
	}
	return out
}

func diffRows(t *testing.T, got, want []row) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d records, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

var run20261125 = calendar.MustParse("2026-11-25")

const mizuho = "0001-123-1-1234567"

func TestParseZengin01CRLFWareki(t *testing.T) {
	st, err := Parse("zengin01_crlf.txt", readFixture(t, "zengin01_crlf.txt"), ParseOptions{RunDate: run20261125})
	if err != nil {
		t.Fatal(err)
	}
	if st.Format != FormatZengin01 || st.Ignored != 0 {
		t.Errorf("format %q ignored %d, want zengin01 and 0", st.Format, st.Ignored)
	}
	diffRows(t, rowsOf(st.Txns), []row{
		{mizuho, "000101", "2026-11-24", 132000, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ミライトウキヨウ", "", false, Credit, false, 0, 2},
		{mizuho, "000102", "2026-11-24", 55000, "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ", "2026-000123", false, Credit, false, 0, 3},
		{mizuho, "000103", "2026-11-24", 21560, "123456 ﾃｽﾄｺｳｷﾞﾖｳ(ｶ", "テストコウギヨウ", "", false, Credit, false, 0, 4},
		{mizuho, "000104", "2026-11-25", 33000, "ｶ)ｻｸﾗﾃﾞﾝｷ", "サクラデンキ", "", false, Credit, false, 0, 5},
		{mizuho, "000104", "2026-11-25", 33000, "ｶ)ｻｸﾗﾃﾞﾝｷ", "サクラデンキ", "", true, Credit, false, 5, 6},
		{mizuho, "000105", "2026-11-25", 9900, "ｼﾖｳｼﾞ ﾊﾅｺ", "シヨウジハナコ", "", false, Credit, false, 0, 7},
	})
	if len(st.Accounts) != 1 {
		t.Fatalf("got %d accounts, want 1", len(st.Accounts))
	}
	a := st.Accounts[0]
	want := Account{Key: mizuho, BankCode: "0001", BankName: "ﾐｽﾞﾎ", BranchCode: "123", BranchName: "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ", Type: "1", Number: "1234567",
		Name: "ｻｲﾊﾞｰﾛｼﾞｽﾃｲｸｽ(ｶ", Created: run20261125, From: calendar.MustParse("2026-11-24"), To: run20261125, Era: EraWareki,
		Records: 6, Credits: 5, CreditTotal: 251460, Cancelled: 1, CancelledTotal: 33000}
	if a != want {
		t.Errorf("account\n got %+v\nwant %+v", a, want)
	}
}

func TestParseZengin03LFSeireki(t *testing.T) {
	st, err := Parse("zengin03_lf.txt", readFixture(t, "zengin03_lf.txt"), ParseOptions{RunDate: run20261125})
	if err != nil {
		t.Fatal(err)
	}
	if st.Format != FormatZengin03 || st.Ignored != 2 {
		t.Errorf("format %q ignored %d, want zengin03 and 2 (card and fee debits)", st.Format, st.Ignored)
	}
	diffRows(t, rowsOf(st.Txns), []row{
		{mizuho, "00020001", "2026-11-24", 132000, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ミライトウキヨウ", "", false, Credit, false, 0, 2},
		{mizuho, "00020002", "2026-11-24", 44000, "ﾕ)ｵｵｻｶｼﾖｳｶｲ", "オオサカシヨウカイ", "INV2026-000200", false, Credit, false, 0, 3},
		{mizuho, "00020003", "2026-11-24", 5500, "", "", "", false, Debit, false, 0, 4},
		{mizuho, "00020004", "2026-11-25", 77000, "ﾄﾞ)ｱｵｿﾞﾗ", "アオゾラ", "", false, Credit, false, 0, 5},
		{mizuho, "00020005", "2026-11-25", 77000, "ﾄﾞ)ｱｵｿﾞﾗ", "アオゾラ", "", false, Debit, true, 5, 6},
		{mizuho, "00020006", "2026-11-25", 16500, "ｻﾞｲ)ﾆﾎﾝｷﾖｳｲｸ", "ニホンキヨウイク", "", false, Credit, false, 0, 7},
		{mizuho, "00020007", "2026-11-25", 16500, "ｻﾞｲ)ﾆﾎﾝｷﾖｳｲｸ", "ニホンキヨウイク", "", false, Debit, true, 7, 8},
		{mizuho, "00020008", "2026-11-25", 1100, "", "", "", false, Debit, false, 0, 9},
	})
	if got := st.Txns[4].TxnCode; got != "19" {
		t.Errorf("取引区分 %q, want 19", got)
	}
	if got := st.Txns[6].Summary; got != "ｸﾐﾓﾄﾞｼ" {
		t.Errorf("摘要 %q, want ｸﾐﾓﾄﾞｼ", got)
	}
	a := st.Accounts[0]
	if a.Era != EraSeireki || a.Credits != 4 || a.CreditTotal != 269500 || a.Debits != 4 || a.DebitTotal != 100100 || a.Records != 8 {
		t.Errorf("account %+v", a)
	}
	var payments int
	for _, t := range st.Txns {
		if t.IsPayment() {
			payments++
		}
	}
	if payments != 4 {
		t.Errorf("%d payments, want 4 credits", payments)
	}
}

func TestParseZenginContinuousTwoAccounts(t *testing.T) {
	data := readFixture(t, "zengin01_continuous_two_accounts.txt")
	st, err := Parse("cont.txt", data, ParseOptions{RunDate: run20261125})
	if err != nil {
		t.Fatal(err)
	}
	const mufg = "0005-001-1-7654321"
	diffRows(t, rowsOf(st.Txns), []row{
		{mizuho, "000001", "2026-11-20", 11000, "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ミライトウキヨウ", "", false, Credit, false, 0, 2},
		{mizuho, "000002", "2026-11-20", 22000, "ｱｵｿﾞﾗ(ﾄﾞ", "アオゾラ", "", false, Credit, false, 0, 3},
		{mufg, "000001", "2026-11-20", 33000, "ｶﾌﾞｼｷｶﾞｲｼﾔ ｷﾀｶｾﾞ", "キタカゼ", "", false, Credit, false, 0, 6},
	})
	if len(st.Accounts) != 2 || st.Accounts[0].Key != mizuho || st.Accounts[1].Key != mufg {
		t.Errorf("accounts %+v", st.Accounts)
	}

	// The era is chosen per account: 西暦 for the first, auto (和暦) for the second.
	st, err = Parse("cont.txt", data, ParseOptions{RunDate: run20261125, Eras: map[string]string{"1234567": EraSeireki}})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{st.Txns[0].ValueDate.String(), st.Txns[2].ValueDate.String()}; got[0] != "2008-11-20" || got[1] != "2026-11-20" {
		t.Errorf("dates with era seireki for 1234567 only: %v, want [2008-11-20 2026-11-20]", got)
	}
	// The same by full account key, and a global default.
	st, err = Parse("cont.txt", data, ParseOptions{RunDate: run20261125, Era: EraSeireki, Eras: map[string]string{"0005-001-1-7654321": EraWareki}})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{st.Txns[0].ValueDate.String(), st.Txns[2].ValueDate.String()}; got[0] != "2008-11-20" || got[1] != "2026-11-20" {
		t.Errorf("dates with default seireki, wareki for MUFG: %v", got)
	}
}

func TestParseZenginHeisei(t *testing.T) {
	data := readFixture(t, "zengin01_heisei31.txt")
	for _, tc := range []struct {
		era, run, want string
	}{
		{EraAuto, "2019-04-26", "2019-04-26"},   // 平成 31 (令和 31 = 2049 is farther)
		{EraWareki, "2019-05-10", "2019-04-26"}, // still 平成 31
		{EraAuto, "", "2049-04-26"},             // no run date: 令和
	} {
		var run calendar.Date
		if tc.run != "" {
			run = calendar.MustParse(tc.run)
		}
		st, err := Parse("h31.txt", data, ParseOptions{Era: tc.era, RunDate: run})
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if got := st.Txns[0].ValueDate.String(); got != tc.want {
			t.Errorf("era %s run %s: %s, want %s", tc.era, tc.run, got, tc.want)
		}
	}
}

func TestEraDate(t *testing.T) {
	run := run20261125
	for _, tc := range []struct {
		yymmdd, era string
		run         calendar.Date
		want        string // date, or "!" + part of the reason
	}{
		{"081125", EraWareki, run, "2026-11-25"},
		{"010501", EraWareki, run, "2019-05-01"},                              // 令和 1
		{"310430", EraWareki, calendar.MustParse("2019-06-01"), "2019-04-30"}, // 平成 31
		{"050101", EraWareki, calendar.MustParse("1994-01-01"), "1993-01-01"}, // 平成 5
		{"260229", EraSeireki, run, "!day"},
		{"280229", EraSeireki, run, "2028-02-29"},
		{"100229", EraWareki, run, "2028-02-29"}, // 令和 10 = 2028, a leap year
		{"001231", EraWareki, run, "!00"},
		{"001231", EraSeireki, run, "2000-12-31"},
		{"081301", EraWareki, run, "!month"},
		{"0811 1", EraWareki, run, "!six digits"},
		{"08A101", EraWareki, run, "!six digits"},
	} {
		d, why := eraDate([]byte(tc.yymmdd), tc.era, tc.run)
		got := d.String()
		if why != "" {
			got = "!" + why
		}
		if !strings.HasPrefix(got, tc.want) && !(tc.want[0] == '!' && strings.Contains(got, tc.want[1:])) {
			t.Errorf("eraDate(%s, %s, %s) = %q, want %q", tc.yymmdd, tc.era, tc.run, got, tc.want)
		}
	}
	for _, tc := range []struct {
		yymmdd string
		run    calendar.Date
		want   string
	}{
		{"081125", run, EraWareki},
		{"261125", run, EraSeireki},
		{"191231", calendar.MustParse("2020-01-06"), EraSeireki}, // 2019 vs 令和 19 = 2037
		{"011231", calendar.MustParse("2020-01-06"), EraWareki},  // 令和 1 = 2019 vs 2001
		{"301231", calendar.MustParse("2020-01-06"), EraWareki},  // 平成 30 = 2018 is nearer than 2030
		{"081125", calendar.Date{}, EraWareki},                   // no run date
	} {
		yy, mm, dd, _ := yymmdd([]byte(tc.yymmdd))
		got := resolveEra(EraAuto, yy, mm, dd, tc.run)
		if want := tc.want; got != want {
			t.Errorf("auto for %s at %s: %s, want %s", tc.yymmdd, tc.run, got, want)
		}
	}
}

func TestParseZenginBadFixtures(t *testing.T) {
	for _, tc := range []struct {
		file   string
		record int
		field  string
		bytes  string
		err    error
	}{
		{"bad_trailer.txt", 4, "振込合計件数", "000001", ErrTrailer},
		{"bad_short_record.txt", 3, "レコード長", "", ErrRecordLength},
		{"bad_ebcdic_flag.txt", 1, "コード区分", "1", ErrEBCDIC},
		{"bad_ebcdic_bytes.txt", 1, "データ区分", "\xF1\xF0\xF1\xF0", ErrEBCDIC},
		{"bad_date.txt", 2, "勘定日", "081332", ErrDate},
		{"bad_amount.txt", 2, "金額", "00001320O0", ErrAmount},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Parse(tc.file, readFixture(t, tc.file), ParseOptions{RunDate: run20261125})
			checkFormatError(t, err, tc.file, tc.record, tc.field, tc.bytes, tc.err)
		})
	}
}

func checkFormatError(t *testing.T, err error, file string, record int, field, bs string, sentinel error) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *FormatError", err)
	}
	if fe.File != file || fe.Record != record || fe.Field != field || !errors.Is(err, sentinel) {
		t.Errorf("got file %q record %d field %q err %v; want %q %d %q %v", fe.File, fe.Record, fe.Field, fe.Err, file, record, field, sentinel)
	}
	if bs != "" && string(fe.Bytes) != bs {
		t.Errorf("bytes %q, want %q", fe.Bytes, bs)
	}
	msg := err.Error()
	for _, part := range []string{file, fmt.Sprintf("record %d", record), field} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q does not name %q", msg, part)
		}
	}
	if bs != "" && !strings.Contains(msg, showBytes([]byte(bs))) {
		t.Errorf("message %q does not show the bytes %q", msg, bs)
	}
}

// good01 is a valid CRLF 01 file of two records, for the mutation tests.
func good01() [][]byte {
	return append(group01(acctMizuho, "081125", notices01[:2]), endRecord())
}

func TestParseZenginBadLayout(t *testing.T) {
	mutate := func(f func(recs [][]byte) [][]byte) []byte {
		recs := good01()
		for i := range recs {
			recs[i] = bytes.Clone(recs[i])
		}
		return join("\r\n", "", f(recs)...)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		record int
		field  string
		err    error
	}{
		{"no end record", mutate(func(r [][]byte) [][]byte { return r[:4] }), 4, "", ErrLayout},
		{"no trailer", mutate(func(r [][]byte) [][]byte { return r[:3] }), 3, "", ErrLayout},
		{"end inside group", mutate(func(r [][]byte) [][]byte { return append(r[:3], r[4]) }), 4, "データ区分", ErrLayout},
		{"header inside group", mutate(func(r [][]byte) [][]byte { return append(r[:2], r[0], r[2], r[3], r[4]) }), 3, "データ区分", ErrLayout},
		{"data before header", mutate(func(r [][]byte) [][]byte { return append([][]byte{r[1]}, r...) }), 1, "データ区分", ErrUnknown},
		{"data after trailer", mutate(func(r [][]byte) [][]byte { return append(r[:4], r[1], r[4]) }), 5, "データ区分", ErrLayout},
		{"trailer without header", mutate(func(r [][]byte) [][]byte { return append(r[:4], r[3], r[4]) }), 5, "データ区分", ErrLayout},
		{"data after end", mutate(func(r [][]byte) [][]byte { return append(r, r[1]) }), 6, "", ErrLayout},
		{"unknown data kind", mutate(func(r [][]byte) [][]byte { r[1][0] = '5'; return r }), 2, "データ区分", ErrLayout},
		{"03 header in 01 file", mutate(func(r [][]byte) [][]byte {
			return append(r[:4], header03(acctMizuho, "081125", "081125", "081125"), trailer03(nil), r[4])
		}), 5, "種別コード", ErrLayout},
		{"種別コード 02", mutate(func(r [][]byte) [][]byte { r[0][2] = '2'; return r }), 1, "種別コード", ErrUnknown},
		{"bad 取消区分", mutate(func(r [][]byte) [][]byte { r[1][127] = '2'; return r }), 2, "取消区分", ErrField},
		{"bad 照会番号", mutate(func(r [][]byte) [][]byte { r[1][3] = 'X'; return r }), 2, "照会番号", ErrField},
		{"zero amount", mutate(func(r [][]byte) [][]byte { copy(r[1][19:29], "0000000000"); return r }), 2, "金額", ErrAmount},
		{"blank amount", mutate(func(r [][]byte) [][]byte { copy(r[1][19:29], "          "); return r }), 2, "金額", ErrAmount},
		{"trailer total", mutate(func(r [][]byte) [][]byte { copy(r[3][7:19], "000000000001"); return r }), 4, "振込合計金額", ErrTrailer},
		{"trailer cancelled count", mutate(func(r [][]byte) [][]byte { copy(r[3][19:25], "000001"); return r }), 4, "取消合計件数", ErrTrailer},
		{"trailer not a number", mutate(func(r [][]byte) [][]byte { copy(r[3][1:7], "00000X"); return r }), 4, "振込合計件数", ErrAmount},
		{"bad 作成日", mutate(func(r [][]byte) [][]byte { copy(r[0][4:10], "08112X"); return r }), 1, "作成日", ErrDate},
		{"bad 勘定日(自)", mutate(func(r [][]byte) [][]byte { copy(r[0][10:16], "081131"); return r }), 1, "勘定日(自)", ErrDate},
		{"bad 口座番号", mutate(func(r [][]byte) [][]byte { r[0][62] = ' '; return r }), 1, "口座番号", ErrField},
		{"long record", mutate(func(r [][]byte) [][]byte { r[2] = append(r[2], ' '); return r }), 3, "レコード長", ErrRecordLength},
		{"empty line", mutate(func(r [][]byte) [][]byte { return append(r[:2], append([][]byte{{}}, r[2:]...)...) }), 3, "レコード長", ErrRecordLength},
		{"short end record", mutate(func(r [][]byte) [][]byte { r[4] = r[4][:150]; return r }), 5, "レコード長", ErrRecordLength},
		{"continuous, short last record", join("", "", append(good01()[:4], good01()[4][:199])...), 5, "レコード長", ErrRecordLength},
		{"empty file", nil, 0, "", ErrLayout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.txt", tc.data, ParseOptions{Format: "zengin", RunDate: run20261125})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if fe.Record != tc.record || fe.Field != tc.field || !errors.Is(err, tc.err) {
				t.Errorf("got %v\n(record %d field %q err %v); want record %d field %q err %v", err, fe.Record, fe.Field, fe.Err, tc.record, tc.field, tc.err)
			}
		})
	}
}

func TestParseZengin03Bad(t *testing.T) {
	build := func(f func(recs [][]byte)) []byte {
		recs := append(group03(acctMizuho, "261125", stmt03[:3]), endRecord())
		f(recs)
		return join("\n", "", recs...)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		record int
		field  string
		err    error
	}{
		{"bad 入払区分", build(func(r [][]byte) { r[1][21] = '3' }), 2, "入払区分", ErrField},
		{"bad 取引区分", build(func(r [][]byte) { r[1][22] = 'A' }), 2, "取引区分", ErrField},
		{"bad 取引金額", build(func(r [][]byte) { r[2][30] = '-' }), 3, "取引金額", ErrAmount},
		{"record count", build(func(r [][]byte) { copy(r[4][54:61], "0000004") }), 5, "データレコード件数", ErrTrailer},
		{"debit total", build(func(r [][]byte) { copy(r[4][26:39], "0000000005501") }), 5, "出金額合計", ErrTrailer},
		{"credit count", build(func(r [][]byte) { copy(r[4][1:7], "000003") }), 5, "入金件数", ErrTrailer},
		{"account number > 7 digits", build(func(r [][]byte) { r[0][63] = '1' }), 1, "口座番号", ErrField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.txt", tc.data, ParseOptions{RunDate: run20261125})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if fe.Record != tc.record || fe.Field != tc.field || !errors.Is(err, tc.err) {
				t.Errorf("got %v; want record %d field %q err %v", err, tc.record, tc.field, tc.err)
			}
		})
	}
}

func TestZenginSeparatorsAndTail(t *testing.T) {
	recs := good01()
	for _, tc := range []struct{ name, sep, tail string }{
		{"CRLF", "\r\n", ""}, {"LF", "\n", ""}, {"CR", "\r", ""}, {"none", "", ""},
		{"CRLF + EOF", "\r\n", "\x1a"}, {"none + EOF", "", "\x1a"}, {"LF + EOF + CRLF", "\n", "\x1a\r\n"},
		{"no newline after end", "\r\n", "\b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := join(tc.sep, tc.tail, recs...)
			if tc.tail == "\b" { // the last record without its line break
				data = bytes.TrimSuffix(join(tc.sep, "", recs...), []byte(tc.sep))
			}
			st, err := Parse("f.txt", data, ParseOptions{RunDate: run20261125})
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Txns) != 2 || st.Txns[1].Amount != 55000 || st.Txns[1].EDI != "2026-000123" {
				t.Errorf("got %+v", st.Txns)
			}
		})
	}
}

// TestScannerStreams reads through readers that return few bytes at a time and through
// a file bigger than the read buffer: the same transactions as Parse.
func TestScannerStreams(t *testing.T) {
	data := readFixture(t, "zengin03_lf.txt")
	want, err := Parse("s.txt", data, ParseOptions{RunDate: run20261125})
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{
		"one byte": iotest.OneByteReader(bytes.NewReader(data)),
		"half":     iotest.HalfReader(bytes.NewReader(data)),
		"data+EOF": iotest.DataErrReader(bytes.NewReader(data)),
	} {
		sc := NewScanner("s.txt", r, ParseOptions{RunDate: run20261125, Normalizer: NewNormalizer(nil)})
		var got []Txn
		for sc.Scan() {
			got = append(got, sc.Txn())
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range want.Txns {
			w := want.Txns[i]
			w.Reverses = 0 // only Parse links reversals
			if i >= len(got) || got[i] != w {
				t.Errorf("%s: record %d differs", name, i)
			}
		}
		if sc.Ignored() != 2 || sc.Format() != FormatZengin03 || len(sc.Accounts()) != 1 {
			t.Errorf("%s: ignored %d format %s accounts %d", name, sc.Ignored(), sc.Format(), len(sc.Accounts()))
		}
	}

	big := benchFile(20000, "\r\n") // about 4 MB: several buffer refills
	sc := NewScanner("big.txt", iotest.HalfReader(bytes.NewReader(big)), ParseOptions{RunDate: run20261125})
	var n int
	var sum int64
	for sc.Scan() {
		n++
		sum += sc.Txn().Amount
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 20000 || len(sc.Accounts()) != 1 || sum != sc.Accounts()[0].CreditTotal {
		t.Errorf("read %d records summing %d, want 20000 and %d", n, sum, sc.Accounts()[0].CreditTotal)
	}

	// A reader error is reported, not taken for the end of the file.
	sc = NewScanner("e.txt", iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(data))), ParseOptions{})
	for sc.Scan() {
	}
	if err := sc.Err(); err == nil || !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("reader error: got %v, want ErrTimeout", err)
	}
}

func TestFormatErrorMessage(t *testing.T) {
	e := &FormatError{File: "a.txt", Record: 7, Field: "振込依頼人名", Bytes: []byte{0xD0, 0xD7, 0xB2}, Reason: "why", Err: ErrField}
	want := `bankfeed: a.txt: record 7, field 振込依頼人名 D0 D7 B2 ("\uff90\uff97\uff72" in Shift_JIS): why`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e.Error(), want)
	}
}
