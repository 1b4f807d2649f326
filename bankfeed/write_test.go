package bankfeed

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

func sampleZengin(kind string) ZenginFile {
	d := calendar.MustParse("2026-11-24")
	g := ZenginGroup{Created: d, From: d, To: d, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ", BranchCode: "001",
		BranchName: "ﾎﾝﾃﾝ", AccountType: "1", AccountNumber: "1234567", AccountName: "ｴﾇﾌﾟﾚｽ(ｶ"}
	g.Records = []ZenginRecord{
		{RefNo: "000101", ValueDate: d, Amount: 59400, Payer: "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", FromBank: "ﾐｽﾞﾎ", EDI: "2026-000012"},
		{RefNo: "", ValueDate: d.AddDays(-1), Amount: 1320, Payer: "ﾔﾏﾀﾞ ﾀﾛｳ"},
	}
	if kind == "01" {
		g.Records = append(g.Records, ZenginRecord{RefNo: "000103", ValueDate: d, Amount: 59400, Payer: "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", Cancelled: true})
	} else {
		g.Records = append(g.Records, ZenginRecord{RefNo: "00000103", ValueDate: d, Amount: 59400, Payer: "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", Debit: true, TxnCode: "19"},
			ZenginRecord{RefNo: "00000104", ValueDate: d, Amount: 550, Debit: true, TxnCode: "18", Summary: "ﾃｽｳﾘﾖｳ"})
	}
	return ZenginFile{Kind: kind, Groups: []ZenginGroup{g}}
}

// What WriteZengin writes, Parse reads back field for field, in every era and line
// break, and the bytes are JIS X 0201 (half-width katakana as single bytes).
func TestWriteZenginRoundTrip(t *testing.T) {
	for _, kind := range []string{"01", "03"} {
		for _, era := range []string{EraWareki, EraSeireki} {
			for _, lb := range []string{"", "\n", NoLineBreak} {
				f := sampleZengin(kind)
				f.Era, f.LineBreak = era, lb
				var b bytes.Buffer
				if err := WriteZengin(&b, f); err != nil {
					t.Fatal(err)
				}
				per := 200 + map[string]int{"": 2, "\n": 1, NoLineBreak: 0}[lb]
				if want := per * (len(f.Groups[0].Records) + 3); b.Len() != want {
					t.Fatalf("%s %s %q: %d bytes, want %d", kind, era, lb, b.Len(), want)
				}
				if !bytes.Contains(b.Bytes(), []byte{0xD0, 0xD7, 0xB2}) { // ﾐﾗｲ
					t.Errorf("%s: payer not written as JIS X 0201 bytes", kind)
				}
				st, err := Parse("x.txt", b.Bytes(), ParseOptions{RunDate: calendar.MustParse("2026-11-25"), Era: era})
				if err != nil {
					t.Fatalf("%s %s %q: %v", kind, era, lb, err)
				}
				if st.Format != "zengin"+kind || len(st.Txns) != len(f.Groups[0].Records) {
					t.Fatalf("format %s, %d txns", st.Format, len(st.Txns))
				}
				if st.Accounts[0].Key != "0005-001-1-1234567" || st.Accounts[0].Name != "ｴﾇﾌﾟﾚｽ(ｶ" {
					t.Errorf("account %+v", st.Accounts[0])
				}
				for i, r := range f.Groups[0].Records {
					got := st.Txns[i]
					wantRef := strings.TrimLeft(r.RefNo, "0")
					if got.ValueDate != r.ValueDate || got.Amount != r.Amount || got.Payer != r.Payer || got.EDI != r.EDI ||
						(strings.TrimLeft(got.RefNo, "0") != wantRef) || got.Cancelled != (kind == "01" && r.Cancelled) ||
						(got.Kind == Debit) != r.Debit {
						t.Errorf("%s %s record %d: got %+v, wrote %+v", kind, era, i, got, r)
					}
				}
				if kind == "03" && (!st.Txns[2].Reversal || st.Txns[3].Reversal || st.Ignored != 1) {
					t.Errorf("03: reversal %v / %v, ignored %d", st.Txns[2].Reversal, st.Txns[3].Reversal, st.Ignored)
				}
				if kind == "01" && st.Txns[2].Reverses != st.Txns[0].Record {
					t.Errorf("01: cancellation reverses record %d, want %d", st.Txns[2].Reverses, st.Txns[0].Record)
				}
			}
		}
	}
}

func TestWriteZenginRefusesWhatDoesNotFit(t *testing.T) {
	for name, mod := range map[string]func(*ZenginFile){
		"full-width payer": func(f *ZenginFile) { f.Groups[0].Records[0].Payer = "株式会社ミライ" },
		"payer too long":   func(f *ZenginFile) { f.Groups[0].Records[0].Payer = strings.Repeat("ｱ", 49) },
		"amount too big":   func(f *ZenginFile) { f.Groups[0].Records[0].Amount = 12345678901 },
		"letters in ref":   func(f *ZenginFile) { f.Groups[0].Records[0].RefNo = "12A" },
		"kind":             func(f *ZenginFile) { f.Kind = "02" },
	} {
		f := sampleZengin("01")
		mod(&f)
		var b bytes.Buffer
		err := WriteZengin(&b, f)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if b.Len() != 0 {
			t.Errorf("%s: wrote %d bytes despite %v", name, b.Len(), err)
		}
		var fe *FormatError
		if errors.As(err, &fe) {
			t.Errorf("%s: a write error is not a FormatError", name)
		}
	}
}
