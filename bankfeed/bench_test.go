package bankfeed

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"github.com/npress/nightly/calendar"
)

// syllables build deterministic katakana names for the generated data.
var syllables = []string{"ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ", "テ", "ト",
	"ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ",
	"ガ", "ギ", "グ", "ゲ", "ゴ", "ザ", "ジ", "ズ", "ゼ", "ゾ", "ダ", "デ", "ド", "バ", "ビ", "ブ", "ベ", "ボ", "パ", "ピ", "プ", "ペ", "ポ", "ン", "ー"}

// kanaName returns the k-th of a sequence of distinct katakana names: k written with
// four syllables (69^4 names), then one to three more for variety.
func kanaName(k int) string {
	var b strings.Builder
	v := k
	for range 4 {
		b.WriteString(syllables[v%len(syllables)])
		v /= len(syllables)
	}
	x := uint64(k)*0x9E3779B97F4A7C15 + 12345
	for range 1 + x%3 {
		x = x*6364136223846793005 + 1442695040888963407
		b.WriteString(syllables[(x>>33)%43])
	}
	return b.String()
}

// bankStyle writes a reading as a bank prints it: half-width, no small kana.
func bankStyle(reading string) string {
	var big []rune
	for _, r := range reading {
		if l, ok := smallKana[r]; ok {
			r = l
		}
		big = append(big, r)
	}
	return width.Narrow.String(string(big))
}

// zenginStyle is bankStyle in JIS X 0201 alone, as a Zengin field holds it: a voiced
// kana is written with its mark apart (ガ → ｶﾞ).
func zenginStyle(reading string) string {
	r := strings.NewReplacer("\u3099", "\uff9e", "\u309a", "\uff9f")
	return bankStyle(r.Replace(norm.NFD.String(reading)))
}

// benchFile makes a 01 file of count notices separated by sep, with payers drawn from
// 5,000 names. The 01 trailer counts at most 999,999 records, so a big file holds
// several accounts of up to 250,000 notices each, as a bank's file for a company with
// several accounts does.
func benchFile(count int, sep string) []byte { return benchFileOpts(count, sep, false) }

// benchFileOpts is benchFile; unique puts a different customer number in front of
// every payer name, so that no two payer texts are equal.
func benchFileOpts(count int, sep string, unique bool) []byte {
	const pool, perAccount = 5000, 250_000
	var payers [][]byte
	for k := range pool {
		p := sjis(zenginStyle("カ)" + kanaName(k)))
		payers = append(payers, append(p, bytes.Repeat([]byte(" "), 48-len(p))...))
	}
	out := make([]byte, 0, (count+3*(count/perAccount+1))*(RecordLen+len(sep)))
	tmpl := data01(d01{ref: 1, date: "081125", amount: 1, payer: "ｱ"})
	for first := 0; first < count; first += perAccount {
		a := acctMizuho
		a.number = fmt.Sprintf("%07d", 1234567+first/perAccount)
		out = append(append(out, header01(a, "081125", "081101", "081130")...), sep...)
		var total int64
		last := min(count, first+perAccount)
		for i := first; i < last; i++ {
			start := len(out)
			out = append(out, tmpl...)
			r := out[start:]
			putDigits(r[1:7], int64(i%1_000_000))
			amount := int64(1100 + (i*7919)%900_000)
			total += amount
			putDigits(r[19:29], amount)
			copy(r[49:97], payers[i%pool])
			if unique {
				copy(r[49:97], append([]byte(fmt.Sprintf("%06d ", i%1_000_000)), payers[i%pool][:41]...))
			}
			out = append(out, sep...)
		}
		trailer := record(c("データ区分", 1, "8"), n("振込合計件数", 6, int64(last-first)), n("振込合計金額", 12, total),
			n("取消合計件数", 6, 0), n("取消合計金額", 12, 0), c("ダミー", 163, ""))
		out = append(append(out, trailer...), sep...)
	}
	return append(append(out, endRecord()...), sep...)
}

func putDigits(b []byte, v int64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// BenchmarkParseZengin1M streams a 1,000,000-record 01 file through a Scanner into
// Txns (trailer checks included) and reports MB/s and records/s.
func BenchmarkParseZengin1M(b *testing.B) {
	const records = 1_000_000
	for _, bc := range []struct {
		name   string
		sep    string
		unique bool
		parse  bool
	}{
		{"scanner-crlf", "\r\n", false, false},
		{"scanner-continuous", "", false, false},
		{"scanner-unique-payers", "\r\n", true, false},
		{"parse-all-normalized", "\r\n", false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := benchFileOpts(records, bc.sep, bc.unique)
			o := ParseOptions{RunDate: run20261125}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if bc.parse {
					st, err := Parse("bench.txt", data, o)
					if err != nil || len(st.Txns) != records {
						b.Fatal(err)
					}
					continue
				}
				sc := NewScanner("bench.txt", bytes.NewReader(data), o)
				var n int
				for sc.Scan() {
					n++
				}
				if sc.Err() != nil || n != records {
					b.Fatal(sc.Err(), n)
				}
			}
			b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// matchFixture builds a book of nInvoices open invoices, two per customer, and as many
// transfers: 60 % exact by payer name, 10 % invoice number in EDI, 5 % short by a fee,
// 5 % one transfer for both invoices, 5 % half paid, 5 % a misspelt name, 10 % unknown.
// Amounts are realistic prices (a dozen unit prices × 1–200 seats, tax included), so
// that many invoices share an amount.
func matchFixture(nInvoices int) MatchInput {
	units := []int64{1650, 1874 * 12, 2750, 3300, 13200, 4950, 2200 * 12, 990, 6600, 20570, 1100 * 12, 3850}
	var in MatchInput
	due := calendar.MustParse("2026-11-30")
	for k := range nInvoices / 2 {
		cust := fmt.Sprintf("%06d", 100000+k)
		reading := kanaName(k)
		in.Payers = append(in.Payers, Payer{CustomerNo: cust, Names: []string{"株式会社" + reading + "商事", reading}})
		var amts [2]int64
		for j := range 2 {
			amts[j] = units[(k+j*5)%len(units)] * int64(1+(k*31+j*17)%200) * 11 / 10
			in.Invoices = append(in.Invoices, OpenInvoice{Number: fmt.Sprintf("2026-%06d", 2*k+j+1), CustomerNo: cust, Open: amts[j], Total: amts[j], DueDate: due.AddDays(j)})
		}
		payer := bankStyle("ｶ)" + reading)
		day := calendar.MustParse("2026-11-24")
		t := func(amount int64, payer, edi string) Txn {
			return Txn{Account: mizuho, RefNo: fmt.Sprintf("%06d", len(in.Txns)+1), ValueDate: day, Amount: amount, Payer: payer, EDI: edi, Kind: Credit, Record: len(in.Txns) + 2}
		}
		switch k % 20 {
		case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11:
			in.Txns = append(in.Txns, t(amts[0], payer, ""), t(amts[1], payer, ""))
		case 12, 13:
			in.Txns = append(in.Txns, t(amts[0], "ﾀﾅｶ ｲﾁﾛｳ", in.Invoices[2*k].Number), t(amts[1], "ﾀﾅｶ ｲﾁﾛｳ", in.Invoices[2*k+1].Number))
		case 14:
			in.Txns = append(in.Txns, t(amts[0]-440, payer, ""), t(amts[1]-660, payer, ""))
		case 15:
			in.Txns = append(in.Txns, t(amts[0]+amts[1], payer, ""), t(1000, payer, ""))
		case 16:
			in.Txns = append(in.Txns, t(amts[0]/2, payer, ""), t(amts[1], payer, ""))
		case 17:
			typo := []rune(payer)
			typo[len(typo)-1] = 'ｱ'
			in.Txns = append(in.Txns, t(amts[0], string(typo), ""), t(amts[1], payer, ""))
		default:
			in.Txns = append(in.Txns, t(amts[0]+7, "ﾜｶﾗﾅｲ ﾋﾄ", ""), t(123456, bankStyle(kanaName(k+nInvoices)), ""))
		}
	}
	return in
}

// BenchmarkMatch100k matches 100,000 transfers against 100,000 open invoices, payer
// names normalized inside the timed part.
func BenchmarkMatch100k(b *testing.B) {
	in := matchFixture(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res := Match(in)
		if len(res) != len(in.Txns) {
			b.Fatalf("%d results for %d transfers", len(res), len(in.Txns))
		}
	}
}

// BenchmarkNormalize measures one normalization of a typical bank payer name.
func BenchmarkNormalize(b *testing.B) {
	nz := NewNormalizer(nil)
	b.ReportAllocs()
	for range b.N {
		nz.Normalize("123456 ﾐﾗｲ(ｶ)ﾄｳｷﾖｳｼｽﾃﾑｿﾘﾕｰｼﾖﾝｽﾞ")
	}
}
