package bankfeed

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

// The files in testdata/ are made by the builders below, field by field, with the
// Shift_JIS encoder of golang.org/x/text. TestFixturesUpToDate checks that the committed
// files are exactly what the builders make; `go test ./bankfeed -run Fixtures -update`
// writes them again after a builder changed.
var update = flag.Bool("update", false, "rewrite the testdata fixtures")

// fld is one field of a Zengin record: N fields right-aligned with zeros, C fields
// left-aligned with spaces, in Shift_JIS.
type fld struct {
	name    string
	n       int
	text    string
	numeric bool
	raw     bool // text is already bytes (to build broken records)
}

func n(name string, size int, v int64) fld {
	return fld{name: name, n: size, text: fmt.Sprint(v), numeric: true}
}
func c(name string, size int, s string) fld { return fld{name: name, n: size, text: s} }

// rawf puts bytes as they are, padded with spaces: for records the tests break on purpose.
func rawf(name string, size int, s string) fld { return fld{name: name, n: size, text: s, raw: true} }

func sjis(s string) []byte {
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("cannot encode %q in Shift_JIS: %v", s, err))
	}
	return b
}

// record joins fields into one record and checks it is 200 bytes.
func record(fields ...fld) []byte {
	var out []byte
	for _, f := range fields {
		var b []byte
		switch {
		case f.raw:
			b = []byte(f.text)
		case f.numeric:
			b = []byte(strings.Repeat("0", max(0, f.n-len(f.text))) + f.text)
		default:
			b = sjis(f.text)
		}
		if len(b) > f.n {
			panic(fmt.Sprintf("field %s: %q is %d bytes, the field %d", f.name, f.text, len(b), f.n))
		}
		if !f.numeric || f.raw {
			b = append(b, bytes.Repeat([]byte(" "), f.n-len(b))...)
		}
		out = append(out, b...)
	}
	if len(out) != RecordLen {
		var sizes []string
		for _, f := range fields {
			sizes = append(sizes, fmt.Sprintf("%s:%d", f.name, f.n))
		}
		panic(fmt.Sprintf("record is %d bytes (%s)", len(out), strings.Join(sizes, " ")))
	}
	return out
}

// acct is the header data of a test account.
type acct struct {
	bank, branch, typ, number string
	bankName, branchName      string
	name                      string
}

var (
	acctMizuho = acct{"0001", "123", "1", "1234567", "ﾐｽﾞﾎ", "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ", "ｻｲﾊﾞｰﾛｼﾞｽﾃｲｸｽ(ｶ"}
	acctMUFG   = acct{"0005", "001", "1", "7654321", "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｪｲ", "ﾎﾝﾃﾝ", "ｻｲﾊﾞｰﾛｼﾞｽﾃｲｸｽ(ｶ"}
)

func header01(a acct, created, from, to string) []byte {
	return record(c("データ区分", 1, "1"), c("種別コード", 2, "01"), c("コード区分", 1, "0"),
		rawf("作成日", 6, created), rawf("勘定日(自)", 6, from), rawf("勘定日(至)", 6, to),
		rawf("銀行コード", 4, a.bank), c("銀行名", 15, a.bankName), rawf("支店コード", 3, a.branch), c("支店名", 15, a.branchName),
		rawf("預金種目", 1, a.typ), rawf("口座番号", 7, a.number), c("口座名", 40, a.name), c("ダミー", 93, ""))
}

type d01 struct {
	ref        int64
	date       string // YYMMDD as in the file
	amount     int64
	payer, edi string
	cancelled  bool
}

func data01(d d01) []byte {
	cancel := "0"
	if d.cancelled {
		cancel = "1"
	}
	return record(c("データ区分", 1, "2"), n("照会番号", 6, d.ref), rawf("勘定日", 6, d.date), rawf("起算日", 6, d.date),
		n("金額", 10, d.amount), n("うち他店券金額", 10, 0), c("振込依頼人コード", 10, ""), c("振込依頼人名", 48, d.payer),
		c("仕向銀行名", 15, "ﾐﾂｲｽﾐﾄﾓ"), c("仕向店名", 15, "ｼﾝｼﾞﾕｸ"), c("取消区分", 1, cancel), c("EDI情報", 20, d.edi), c("ダミー", 52, ""))
}

// trailer01 sums the records as a bank would; tests that need a wrong trailer change it.
func trailer01(ds []d01) []byte {
	var nn, cn, ns, cs int64
	for _, d := range ds {
		if d.cancelled {
			cn, cs = cn+1, cs+d.amount
		} else {
			nn, ns = nn+1, ns+d.amount
		}
	}
	return record(c("データ区分", 1, "8"), n("振込合計件数", 6, nn), n("振込合計金額", 12, ns),
		n("取消合計件数", 6, cn), n("取消合計金額", 12, cs), c("ダミー", 163, ""))
}

func endRecord() []byte { return record(c("データ区分", 1, "9"), c("ダミー", 199, "")) }

func header03(a acct, created, from, to string) []byte {
	return record(c("データ区分", 1, "1"), c("種別コード", 2, "03"), c("コード区分", 1, "0"),
		rawf("作成日", 6, created), rawf("勘定日(自)", 6, from), rawf("勘定日(至)", 6, to),
		rawf("銀行コード", 4, a.bank), c("銀行名", 15, a.bankName), rawf("支店コード", 3, a.branch), c("支店名", 15, a.branchName),
		c("ダミー", 3, ""), rawf("預金種目", 1, a.typ), n("口座番号", 10, mustInt(a.number)), c("口座名", 40, a.name),
		c("貸越区分", 1, "1"), c("通帳・証書区分", 1, "1"), n("取引前残高", 14, 1_000_000), c("ダミー", 71, ""))
}

type d03 struct {
	ref        int64
	date       string
	debit      bool
	code       string // 取引区分
	amount     int64
	payer, edi string
	summary    string
}

func data03(d d03) []byte {
	io := "1"
	if d.debit {
		io = "2"
	}
	return record(c("データ区分", 1, "2"), n("照会番号", 8, d.ref), rawf("勘定日", 6, d.date), rawf("預入・払出日", 6, d.date),
		c("入払区分", 1, io), rawf("取引区分", 2, d.code), n("取引金額", 12, d.amount), n("うち他店券金額", 12, 0),
		n("交換呈示日", 6, 0), n("不渡返還日", 6, 0), c("手形・小切手区分", 1, ""), c("手形・小切手番号", 7, ""), c("僚店番号", 3, ""),
		c("振込依頼人コード", 10, ""), c("振込依頼人名又は契約者番号", 48, d.payer), c("仕向銀行名", 15, ""), c("仕向店名", 15, ""),
		c("摘要内容", 20, d.summary), c("EDI情報", 20, d.edi), c("ダミー", 1, ""))
}

func trailer03(ds []d03) []byte {
	var cn, dn, cs, dsum int64
	for _, d := range ds {
		if d.debit {
			dn, dsum = dn+1, dsum+d.amount
		} else {
			cn, cs = cn+1, cs+d.amount
		}
	}
	return record(c("データ区分", 1, "8"), n("入金件数", 6, cn), n("入金額合計", 13, cs), n("出金件数", 6, dn), n("出金額合計", 13, dsum),
		c("貸越区分", 1, "1"), n("取引後残高", 14, 1_000_000+cs-dsum), n("データレコード件数", 7, int64(len(ds))), c("ダミー", 139, ""))
}

func mustInt(s string) int64 {
	var v int64
	if _, err := fmt.Sscan(s, &v); err != nil {
		panic(err)
	}
	return v
}

// join puts records together with sep after each and tail at the end.
func join(sep, tail string, recs ...[]byte) []byte {
	var out []byte
	for _, r := range recs {
		out = append(out, r...)
		out = append(out, sep...)
	}
	return append(out, tail...)
}

func group01(a acct, created string, ds []d01) [][]byte {
	recs := [][]byte{header01(a, created, ds[0].date, ds[len(ds)-1].date)}
	for _, d := range ds {
		recs = append(recs, data01(d))
	}
	return append(recs, trailer01(ds))
}

func group03(a acct, created string, ds []d03) [][]byte {
	recs := [][]byte{header03(a, created, ds[0].date, ds[len(ds)-1].date)}
	for _, d := range ds {
		recs = append(recs, data03(d))
	}
	return append(recs, trailer03(ds))
}

// The 01 notices of the fixture (令和 8 = 2026, so dates are 和暦 0811xx).
var notices01 = []d01{
	{ref: 101, date: "081124", amount: 132000, payer: "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ"},
	{ref: 102, date: "081124", amount: 55000, payer: "ﾔﾏﾀﾞ ﾀﾛｳ", edi: "2026-000123"},
	{ref: 103, date: "081124", amount: 21560, payer: "123456 ﾃｽﾄｺｳｷﾞﾖｳ(ｶ"},
	{ref: 104, date: "081125", amount: 33000, payer: "ｶ)ｻｸﾗﾃﾞﾝｷ"},
	{ref: 104, date: "081125", amount: 33000, payer: "ｶ)ｻｸﾗﾃﾞﾝｷ", cancelled: true},
	{ref: 105, date: "081125", amount: 9900, payer: "ｼﾖｳｼﾞ ﾊﾅｺ"},
}

var stmt03 = []d03{
	{ref: 20001, date: "261124", code: "11", amount: 132000, payer: "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", summary: "ﾌﾘｺﾐ"},
	{ref: 20002, date: "261124", code: "11", amount: 44000, payer: "ﾕ)ｵｵｻｶｼﾖｳｶｲ", summary: "ﾌﾘｺﾐ", edi: "INV2026-000200"},
	{ref: 20003, date: "261124", debit: true, code: "14", amount: 5500, summary: "ｶｰﾄﾞ"},
	{ref: 20004, date: "261125", code: "11", amount: 77000, payer: "ﾄﾞ)ｱｵｿﾞﾗ", summary: "ﾌﾘｺﾐ"},
	{ref: 20005, date: "261125", debit: true, code: "19", amount: 77000, payer: "ﾄﾞ)ｱｵｿﾞﾗ", summary: "ﾃｲｾｲ"},
	{ref: 20006, date: "261125", code: "11", amount: 16500, payer: "ｻﾞｲ)ﾆﾎﾝｷﾖｳｲｸ", summary: "ﾌﾘｺﾐ"},
	{ref: 20007, date: "261125", debit: true, code: "18", amount: 16500, payer: "ｻﾞｲ)ﾆﾎﾝｷﾖｳｲｸ", summary: "ｸﾐﾓﾄﾞｼ"},
	{ref: 20008, date: "261125", debit: true, code: "18", amount: 1100, summary: "ﾃｽｳﾘﾖｳ"},
}

var contA = []d01{
	{ref: 1, date: "081120", amount: 11000, payer: "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ"},
	{ref: 2, date: "081120", amount: 22000, payer: "ｱｵｿﾞﾗ(ﾄﾞ"},
}
var contB = []d01{
	{ref: 1, date: "081120", amount: 33000, payer: "ｶﾌﾞｼｷｶﾞｲｼﾔ ｷﾀｶｾﾞ"},
}

// heisei01 is a file from April 2019, in 平成 31.
var heisei01 = []d01{{ref: 1, date: "310426", amount: 10800, payer: "ﾍｲｾｲ ｼﾖｳｼﾞ"}}

func badTrailer() []byte {
	recs := group01(acctMizuho, "081125", notices01[:2])
	recs[len(recs)-1] = trailer01(notices01[:1]) // one record and its amount short
	return join("\r\n", "", append(recs, endRecord())...)
}

func shortRecord() []byte {
	recs := group01(acctMizuho, "081125", notices01[:2])
	recs[2] = recs[2][:199]
	return join("\r\n", "", append(recs, endRecord())...)
}

func ebcdicFlag() []byte {
	recs := group01(acctMizuho, "081125", notices01[:1])
	recs[0][3] = '1'
	return join("\r\n", "", append(recs, endRecord())...)
}

// ebcdicBytes starts like a real EBCDIC file: 1 01 0 in code page 930.
func ebcdicBytes() []byte {
	return append([]byte{0xF1, 0xF0, 0xF1, 0xF0}, bytes.Repeat([]byte{0x40}, 196)...)
}

func badDate() []byte {
	ds := []d01{{ref: 1, date: "081332", amount: 1000, payer: "ﾃｽﾄ"}}
	recs := group01(acctMizuho, "081125", ds)
	recs[0] = header01(acctMizuho, "081125", "081125", "081125")
	return join("\r\n", "", append(recs, endRecord())...)
}

func badAmount() []byte {
	recs := group01(acctMizuho, "081125", notices01[:1])
	copy(recs[1][19:29], "00001320O0") // a letter O among the digits
	return join("\r\n", "", append(recs, endRecord())...)
}

// csvRows is the content of the CSV fixtures in the built-in "standard" profile.
const csvStandard = "日付,入金額,出金額,振込依頼人名,照会番号,EDI,摘要\r\n" +
	"2026/11/24,\"132,000\",,ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ,000101,,振込\r\n" +
	"2026/11/24,55000,,ヤマダ　タロウ,000102,2026-000123,振込\r\n" +
	"2026/11/25,,1100,,000103,,手数料\r\n" +
	"2026/11/25,\"\\9,900\",,ｼﾖｳｼﾞ ﾊﾅｺ,,,振込\r\n"

// csvBankX is a bank export with two title rows and its own column names.
const csvBankX = "入出金明細\r\n口座番号:1234567\r\n取引日,摘要,お預入れ,お引出し,残高,お振込人\r\n" +
	"2026-11-24,振込,132000,,1132000,ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ\r\n" +
	"2026-11-25,カード,,5500,1126500,\r\n"

func fixtures() map[string][]byte {
	withEnd := func(recs [][]byte) [][]byte { return append(recs, endRecord()) }
	return map[string][]byte{
		"zengin01_crlf.txt":                    join("\r\n", "\x1a", withEnd(group01(acctMizuho, "081125", notices01))...),
		"zengin03_lf.txt":                      join("\n", "", withEnd(group03(acctMizuho, "261125", stmt03))...),
		"zengin01_continuous_two_accounts.txt": join("", "\x1a", withEnd(append(group01(acctMizuho, "081120", contA), group01(acctMUFG, "081120", contB)...))...),
		"zengin01_heisei31.txt":                join("\r\n", "\r\n", withEnd(group01(acctMizuho, "310426", heisei01))...),
		"bad_trailer.txt":                      badTrailer(),
		"bad_short_record.txt":                 shortRecord(),
		"bad_ebcdic_flag.txt":                  ebcdicFlag(),
		"bad_ebcdic_bytes.txt":                 ebcdicBytes(),
		"bad_date.txt":                         badDate(),
		"bad_amount.txt":                       badAmount(),
		"standard_sjis.csv":                    sjis(csvStandard),
		"standard_utf8_bom.csv":                append([]byte("\xEF\xBB\xBF"), strings.ReplaceAll(csvStandard, "\\", "¥")...),
		"bankx_utf8.csv":                       []byte(csvBankX),
	}
}

func TestFixturesUpToDate(t *testing.T) {
	for name, want := range fixtures() {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./bankfeed -run Fixtures -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the builder makes (run with -update if the builder is right)", path)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
