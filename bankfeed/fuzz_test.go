package bankfeed

import (
	"errors"
	"testing"
)

// FuzzParseZengin feeds arbitrary bytes to the Zengin parser: it must return a
// Statement or a *FormatError, never panic, and a Statement must agree with its trailer.
func FuzzParseZengin(f *testing.F) {
	for _, data := range fixtures() {
		if len(data) > 0 && (data[0] == '1' || data[0] == 0xF1) {
			f.Add(data)
		}
	}
	f.Add([]byte("1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Parse("fuzz.txt", data, ParseOptions{Format: "zengin", RunDate: run20261125})
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FormatError: %v", err)
			}
			return
		}
		var records int
		for _, a := range st.Accounts {
			records += a.Records
		}
		if records != len(st.Txns) {
			t.Fatalf("%d transactions, trailers count %d", len(st.Txns), records)
		}
		for _, tx := range st.Txns {
			if tx.Amount <= 0 || tx.ValueDate.IsZero() {
				t.Fatalf("bad transaction %+v", tx)
			}
		}
	})
}

// FuzzParseCSV feeds arbitrary text to the CSV parser through the built-in profile.
func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"standard_sjis.csv", "standard_utf8_bom.csv", "bankx_utf8.csv"} {
		f.Add(fixtures()[name])
	}
	f.Add([]byte("日付,入金額,振込依頼人名\n2026/11/24,1,ｱ\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Parse("fuzz.csv", data, ParseOptions{Format: "csv:standard"})
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FormatError: %v", err)
			}
			return
		}
		for _, tx := range st.Txns {
			if tx.Amount <= 0 {
				t.Fatalf("non-positive amount %+v", tx)
			}
		}
		Match(MatchInput{Txns: st.Txns, Invoices: []OpenInvoice{{Number: "2026-000001", CustomerNo: "100001", Open: 1000}}})
	})
}

// FuzzNormalize checks that Normalize never panics and is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "123456 ﾃｽﾄ(ｶ", "株式会社ミライ東京", "ｶﾌﾞｼｷｶﾞｲｼﾔｱ", "(ｶ)(ｶ)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Fatalf("Normalize(%q) = %q, again = %q", s, once, twice)
		}
	})
}
