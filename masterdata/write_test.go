package masterdata

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// examples reads examples/*.csv in import order and returns each file and the Index of
// all of them.
func examples(t testing.TB) (map[Kind]*File, *Index) {
	t.Helper()
	idx := NewIndex()
	files := map[Kind]*File{}
	for _, kind := range Kinds() {
		name := filepath.Join("..", "examples", string(kind)+".csv")
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Read(kind, name, data, Options{Lookup: idx})
		if err != nil || len(f.Errors) != 0 {
			t.Fatalf("%s: %v %v", name, err, f.Errors)
		}
		idx.AddFile(f)
		files[kind] = f
	}
	return files, idx
}

// records returns the records of f as comparable rows of text, without lines.
func records(f *File) [][]Change {
	var out [][]Change
	add := func(d []Change) { out = append(out, d) }
	for _, c := range f.Customers {
		add(Diff(Customer{}, c, nil))
	}
	for _, p := range f.Plans {
		add(Diff(Plan{}, p, nil))
	}
	for _, c := range f.Contracts {
		add(Diff(Contract{}, c, nil))
	}
	for _, o := range f.Orders {
		add(Diff(Order{}, o, nil))
	}
	return out
}

// TestRoundTrip writes every kind in every format and reads it back: the records must
// come back unchanged, and writing them again must give the same bytes.
func TestRoundTrip(t *testing.T) {
	files, idx := examples(t)
	formats := []WriteOptions{
		{Format: CSV, Encoding: ShiftJIS},
		{Format: CSV, Encoding: UTF8},
		{Format: CSV, Encoding: ShiftJIS, Japanese: true},
		{Format: XLSX},
		{Format: XLSX, Japanese: true, Sheet: "顧客"},
	}
	for _, kind := range Kinds() {
		orig := files[kind]
		for _, wo := range formats {
			var buf bytes.Buffer
			if err := Write(&buf, orig, wo); err != nil {
				t.Fatalf("%s %+v: %v", kind, wo, err)
			}
			name := "export." + string(wo.Format)
			back, err := Read(kind, name, buf.Bytes(), Options{Lookup: idx, Sheet: wo.Sheet})
			if err != nil {
				t.Fatalf("%s %+v: %v", kind, wo, err)
			}
			if len(back.Errors) != 0 {
				t.Errorf("%s %+v: %v", kind, wo, back.Errors)
			}
			a, b := records(orig), records(back)
			if len(a) != len(b) {
				t.Fatalf("%s %+v: %d records back, want %d", kind, wo, len(b), len(a))
			}
			for i := range a {
				if !equalChanges(a[i], b[i]) {
					t.Errorf("%s %+v record %d:\nwrote %v\nread  %v", kind, wo, i, a[i], b[i])
				}
			}
			if wo.Format == CSV {
				if wo.Encoding == ShiftJIS && !isASCII(buf.Bytes()) && utf8.Valid(buf.Bytes()) {
					t.Errorf("%s: sjis export is valid UTF-8; not Shift_JIS", kind)
				}
				if wo.Encoding == UTF8 && !bytes.HasPrefix(buf.Bytes(), utf8BOM) {
					t.Errorf("%s: utf8 export has no BOM", kind)
				}
				if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
					t.Errorf("%s: lines do not end in CRLF", kind)
				}
				var again bytes.Buffer
				if err := Write(&again, back, wo); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
					t.Errorf("%s %+v: writing what was read gives other bytes (%v)", kind, wo, err)
				}
			}
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func equalChanges(a, b []Change) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWriteShiftJISUnencodable(t *testing.T) {
	f := &File{Kind: Customers, Customers: []Customer{{No: "100001", Name: "𠮷野家ホールディングス", Country: "JP"}}}
	err := Write(&bytes.Buffer{}, f, WriteOptions{Encoding: ShiftJIS})
	if err == nil || !strings.Contains(err.Error(), "customers 100001, name") || !strings.Contains(err.Error(), "U+20BB7") {
		t.Errorf("err = %v; want it to name the customer, the column and the character", err)
	}
	if err := Write(&bytes.Buffer{}, f, WriteOptions{Encoding: UTF8}); err != nil {
		t.Errorf("utf8: %v", err)
	}
	if err := Write(&bytes.Buffer{}, f, WriteOptions{Encoding: "latin1"}); err == nil {
		t.Error("an unknown encoding is accepted")
	}
	if err := Write(&bytes.Buffer{}, f, WriteOptions{Format: "ods"}); err == nil {
		t.Error("an unknown format is accepted")
	}
}

func TestWriteHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, &File{Kind: Orders}, WriteOptions{Japanese: true}); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF注文番号,注文種別,お客様番号,契約番号,プランコード,数量,注文日,利用開始希望月\r\n"
	if buf.String() != want {
		t.Errorf("header %q; want %q", buf.String(), want)
	}
}

func TestDiffAndMerge(t *testing.T) {
	old := Customer{No: "100001", Name: "株式会社山本精機", Kana: "ヤマモトセイキ", PostalCode: "450-0002", Address: "愛知県",
		Email: "soumu@yamamoto-seiki.co.jp", PayerNames: []string{"ｶ)ﾔﾏﾓﾄｾｲｷ"}, Country: "JP", Line: 7}
	new := old
	new.Line = 2
	if d := Diff(old, new, nil); len(d) != 0 {
		t.Errorf("same record, other line: %v", d)
	}
	new.Address = "愛知県名古屋市"
	new.PayerNames = []string{"ｶ)ﾔﾏﾓﾄｾｲｷ", "ﾔﾏﾓﾄ"}
	new.Email = ""
	want := []Change{
		{Key: "100001", Field: "address", From: "愛知県", To: "愛知県名古屋市"},
		{Key: "100001", Field: "email", From: "soumu@yamamoto-seiki.co.jp", To: ""},
		{Key: "100001", Field: "payer_names", From: "ｶ)ﾔﾏﾓﾄｾｲｷ", To: "ｶ)ﾔﾏﾓﾄｾｲｷ;ﾔﾏﾓﾄ"},
	}
	if d := Diff(old, new, nil); !equalChanges(d, want) {
		t.Errorf("Diff = %v; want %v", d, want)
	}
	// A file without the email column changes the address and payer names only.
	cols := []string{"customer_no", "name", "kana", "postal_code", "address", "payer_names"}
	if d := Diff(old, new, cols); !equalChanges(d, []Change{want[0], want[2]}) {
		t.Errorf("Diff over %v = %v", cols, d)
	}
	m := Merge(old, new, cols)
	if m.Email != old.Email || m.Address != new.Address || len(m.PayerNames) != 2 || m.Line != old.Line {
		t.Errorf("Merge = %+v", m)
	}
	if d := Diff(new, m, cols); len(d) != 0 {
		t.Errorf("merged differs from the file in its columns: %v", d)
	}
	p := Plan{Code: "M365-BB", UnitPrice: 9000}
	q := p
	q.UnitPrice = 10788
	if d := Diff(p, q, nil); len(d) != 1 || d[0] != (Change{Key: "M365-BB ", Field: "unit_price", From: "9000", To: "10788"}) {
		t.Errorf("plan Diff = %v", d)
	}
}
