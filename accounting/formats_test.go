package accounting

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func sampleBook(t *testing.T) *Book {
	t.Helper()
	bk, err := Build(sampleFacts(), testOptions)
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

// decode returns a written file as UTF-8 text.
func decode(t *testing.T, data []byte, enc Encoding) string {
	t.Helper()
	if enc == UTF8 {
		return string(data)
	}
	s, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
	if err != nil {
		t.Fatalf("not Shift_JIS: %v", err)
	}
	return string(s)
}

func TestYayoi(t *testing.T) {
	bk := sampleBook(t)
	var b bytes.Buffer
	st, err := WriteYayoi(&b, bk.Entries, testChart, bk.Names)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Check(FormatYayoi, b.Bytes(), CP932)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if n != len(bk.Entries) || st.Entries != n {
		t.Errorf("%d entries read back, %d written, %d in the book", n, st.Entries, len(bk.Entries))
	}
	if !bytes.Contains(b.Bytes(), []byte("\x94\x84\x8a\x7c\x8b\xe0")) { // 売掛金 in Shift_JIS
		t.Error("売掛金 is not written in Shift_JIS")
	}
	text := decode(t, b.Bytes(), CP932)
	want := "2110,,,2026/11/10,普通預金,本店普通,,対象外,10560,,売掛金,株式会社青葉商事,,対象外,11000,,振込入金 ｱｵﾊﾞｼﾖｳｼﾞ(ｶ 請求書A,,,0,,credit:1,0,0,no\r\n" +
		"2101,,,2026/11/10,売上値引,,,課税売上返還込10%,440,40,,,,,0,,振込入金 ｱｵﾊﾞｼﾖｳｼﾞ(ｶ 請求書A,,,0,,credit:1,0,0,no\r\n"
	if !strings.Contains(text, want) {
		t.Errorf("the fee-deducted credit is not written as\n%s", want)
	}
	one := "2000,,,2026/10/01,売掛金,株式会社青葉商事,,対象外,11000,,売上高,,,課税売上込10%,11000,1000,請求書L 株式会社青葉商事,,,0,,issue:L,0,0,no\r\n"
	if !strings.HasPrefix(text, one) {
		t.Errorf("first line (no header row, one-line entry 2000):\n%s\nwant\n%s", strings.SplitN(text, "\n", 2)[0], one)
	}
}

func TestYayoiTextIsSafe(t *testing.T) {
	f := sampleFacts()
	for i := range f.Invoices {
		f.Invoices[i].CustomerName = "=HYPERLINK(\"x\")𠮷野家"
	}
	bk, err := Build(f, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	st, err := WriteYayoi(&b, bk.Entries[:1], testChart, bk.Names)
	if err != nil {
		t.Fatal(err)
	}
	text := decode(t, b.Bytes(), CP932)
	if !strings.Contains(text, `,"'=HYPERLINK(""x"")〓野家",`) || !strings.Contains(text, `,"請求書L =HYPERLINK(""x"")〓野家",`) || st.Replaced != 2 {
		t.Errorf("a formula and a character Shift_JIS lacks: replaced %d in\n%s", st.Replaced, text)
	}
}

func TestCheckFindsBrokenFiles(t *testing.T) {
	bk := sampleBook(t)
	var b bytes.Buffer
	if _, err := WriteYayoi(&b, bk.Entries, testChart, bk.Names); err != nil {
		t.Fatal(err)
	}
	good := b.Bytes()
	header, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("識別フラグ,伝票No,決算,取引日付,借方勘定科目,借方補助科目,借方部門,借方税区分,借方金額,借方税金額,貸方勘定科目,貸方補助科目,貸方部門,貸方税区分,貸方金額,貸方税金額,摘要,番号,期日,タイプ,生成元,仕訳メモ,付箋1,付箋2,調整\r\n"))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"LF line ends", bytes.ReplaceAll(good, []byte("\r\n"), []byte("\n")), "CRLF"},
		{"unbalanced", bytes.Replace(good, []byte(",10560,"), []byte(",10561,"), 1), "does not balance"},
		{"a header row", append(header, good...), "yayoi row 1"},
		{"an entry not closed", good[:bytes.Index(good, []byte("\r\n2101"))+2], "no 2101 line"},
		{"24 columns", bytes.Replace(good, []byte(",0,0,no\r\n"), []byte(",0,no\r\n"), 1), "24 columns"},
	}
	for _, c := range cases {
		if _, err := Check(FormatYayoi, c.data, CP932); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Check(FormatYayoi, []byte("2000,,,2026/11/01\xff\r\n"), UTF8); err == nil {
		t.Error("invalid UTF-8 passed")
	}
	if _, err := Check(FormatMF, []byte("取引No,取引日\r\n"), UTF8); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("mf with a changed header: %v", err)
	}
}

func TestMFAndFreeeJournal(t *testing.T) {
	bk := sampleBook(t)
	no := "0"
	for i, e := range bk.Entries {
		if e.ID == "credit:1" {
			no = itoa(int64(i + 1))
		}
	}
	for _, enc := range []Encoding{CP932, UTF8} {
		var mf, fj bytes.Buffer
		st, err := WriteMF(&mf, bk.Entries, testChart, bk.Names, enc)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := Check(FormatMF, mf.Bytes(), enc); err != nil || n != len(bk.Entries) || st.Entries != n {
			t.Errorf("mf %s: %d entries read back (%v), %d written, %d in the book", enc, n, err, st.Entries, len(bk.Entries))
		}
		text := decode(t, mf.Bytes(), enc)
		if !strings.HasPrefix(text, strings.Join(MFHeader, ",")+"\r\n") {
			t.Errorf("mf %s: the header row is not first", enc)
		}
		// The two lines of the fee-deducted credit share one 取引No.
		want := no + ",2026/11/10,普通預金,本店普通,,,対象外,,10560,,売掛金,株式会社青葉商事,,,対象外,,11000,,振込入金 ｱｵﾊﾞｼﾖｳｼﾞ(ｶ 請求書A,credit:1,,,,,,,\r\n" +
			no + ",2026/11/10,売上値引,,,,課税売上返還込10%,,440,40,,,,,,,,,振込入金 ｱｵﾊﾞｼﾖｳｼﾞ(ｶ 請求書A,credit:1,,,,,,,\r\n"
		if !strings.Contains(text, want) {
			t.Errorf("mf %s: the fee-deducted credit is not written as\n%s", enc, want)
		}
		if _, err := WriteFreeeJournal(&fj, bk.Entries, testChart, bk.Names, enc); err != nil {
			t.Fatal(err)
		}
		if n, err := Check(FormatFreeeJournal, fj.Bytes(), enc); err != nil || n != len(bk.Entries) {
			t.Errorf("freee-journal %s: %d entries read back (%v), %d in the book", enc, n, err, len(bk.Entries))
		}
		want = "2026/11/10," + no + ",,普通預金,本店普通,,対象外,10560,,売掛金,,株式会社青葉商事,対象外,11000,,振込入金 ｱｵﾊﾞｼﾖｳｼﾞ(ｶ 請求書A\r\n"
		if text := decode(t, fj.Bytes(), enc); !strings.Contains(text, want) {
			t.Errorf("freee-journal %s: no line\n%s", enc, want)
		}
	}
	if _, err := WriteMF(&bytes.Buffer{}, bk.Entries, testChart, bk.Names, "latin1"); err == nil {
		t.Error("an unknown encoding was taken")
	}
}

func TestFreeeDeals(t *testing.T) {
	bk := sampleBook(t)
	c := testChart
	c.SalesTax = "課税売上10%"
	var b bytes.Buffer
	st, err := WriteFreeeDeals(&b, bk, bk.Entries, c, UTF8)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Check(FormatFreee, b.Bytes(), UTF8)
	if err != nil {
		t.Fatal(err)
	}
	// 11 invoices issued, one void and one lapse: 13 取引, nothing of the payments.
	if n != 13 || st.Entries != 13 {
		t.Errorf("%d 取引 read back, %d written, want 13", n, st.Entries)
	}
	text := string(b.Bytes())
	for _, want := range []string{
		"収入,A,2026/11/01,2026/11/15,100001,株式会社青葉商事,売上高,課税売上10%,11000,内税,1000,請求書A 株式会社青葉商事,,,,,,,,,\r\n",
		"収入,V取消,2026/11/16,2026/11/15,100001,株式会社青葉商事,売上高,課税売上10%,-11000,内税,-1000,請求書V 取消 株式会社青葉商事,,,,,,,,,\r\n",
		"収入,L失効,2026/11/02,2026/10/15,100001,株式会社青葉商事,売上高,課税売上10%,-11000,内税,-1000,請求書L 失効（契約停止） 株式会社青葉商事,,,,,,,,,\r\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no 取引\n%s", want)
		}
	}
	if strings.Contains(text, "普通預金") {
		t.Error("a payment was written as a 取引: they are left to freee's bank matching")
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if g, err := ParseFormat(string(f)); err != nil || g != f {
			t.Errorf("%s: %v %v", f, g, err)
		}
	}
	if _, err := ParseFormat("excel"); err == nil || !strings.Contains(err.Error(), "yayoi, mf, freee or freee-journal") {
		t.Errorf("an unknown format: %v", err)
	}
}
