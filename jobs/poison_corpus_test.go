package jobs_test

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/demo"
)

var updatePoison = flag.Bool("update-poison", false, "rewrite testdata/poison from poisonCorpus")

// poisonDir holds the poison corpus: bad inputs of every kind the night reads, by
// inbox folder (bank/, orders/, mail/), as files byte for byte.
const poisonDir = "testdata/poison"

// sjis encodes s in Shift_JIS (CP932), as a bank or Excel writes it.
func sjis(s string) []byte {
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// bankCSVHead is the header of the demo's bank CSV (standard profile), in Shift_JIS.
var bankCSVHead = sjis("日付,入金額,出金額,振込依頼人名,照会番号,EDI情報,口座番号,摘要\r\n")

func bankCSV(rows ...string) []byte {
	out := slices.Clone(bankCSVHead)
	for _, r := range rows {
		out = append(out, r...)
		out = append(out, "\r\n"...)
	}
	return out
}

// zengin returns the demo's 01 file with f applied to its bytes (records of 200 bytes
// and CRLF).
func zengin(f func(b []byte) []byte) []byte {
	b := slices.Clone(demo.BankFiles(demo.Date)["zengin01-2026-11-24.txt"])
	return f(b)
}

// payerAt is where the first transfer's payer name starts in the demo's 01 file.
func payerAt(b []byte) int { return bytes.Index(b, []byte("\xb1\xb5\xbf\xde")) }

const ordersHead = "order_no,kind,customer_no,contract_no,plan_code,seats,order_date,desired_start\r\n"

// rawMail builds a message from header lines and a body, CRLF.
func rawMail(headers []string, body string) []byte {
	return []byte(strings.Join(headers, "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

// requestBody is a request for NP-0001011 (a contract of the demo) without its quantity:
// read as well as it can be, it is incomplete, never applied. A bad message whose
// request is complete may rightly be applied; the corpus tests that a bad one never
// stops the night nor gets stored as broken text.
const requestBody = "■ご契約番号：NP-0001011\n■ご契約者名：株式会社白鷺商事\n■対象製品：Microsoft 365 Business Standard\n■希望される内容：減数\n"

var baseMailHead = []string{"From: Sato <it-100011@example.co.jp>", "To: esales@npress.jp", "Date: Thu, 19 Nov 2026 10:00:00 +0900"}

func mailWith(id string, extra []string, body string) []byte {
	h := append(slices.Clone(baseMailHead), "Message-ID: <"+id+"@poison.example>")
	return rawMail(append(h, extra...), body)
}

// poisonCorpus is every bad input of the corpus by path under poisonDir. Each is built
// here, so that the files can be made again byte for byte (-update-poison) and a
// reader sees what each one is. It is long because it is one table of 51 inputs, each
// a line or two; split, the table would be harder to read.
func poisonCorpus() map[string][]byte {
	r := rand.New(rand.NewPCG(13, 13))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return b
	}
	longHalfWidth := strings.Repeat("ｶﾌﾞｼｷｶﾞｲｼﾔ ", 30) // 330 characters, 3 bytes each in UTF-8
	c := map[string][]byte{
		// bank files
		"bank/p01-random-bytes.txt":    random(4000),
		"bank/p02-empty.csv":           {},
		"bank/p03-header-only.csv":     bankCSV(),
		"bank/p04-long-payer.csv":      bankCSV("2026-11-20,39600,," + string(sjis(longHalfWidth)) + ",,,1111111," + string(sjis("振込"))),
		"bank/p05-payer-5000.csv":      bankCSV("2026-11-20,12000,," + strings.Repeat("A", 5000) + ",,,1111111,x"),
		"bank/p06-nul-bytes.csv":       bankCSV("2026-11-20,\x0039600,,\x00\x00ABC,,,1111111,x"),
		"bank/p07-invalid-bytes.csv":   bankCSV("2026-11-20,13200,,\xff\xfe\x80\x81,,,1111111,\xe3\x81"),
		"bank/p08-date-9999.csv":       bankCSV("9999-12-31,39600,," + string(sjis("ﾅﾉﾊﾅﾉｳｴﾝ(ｶ")) + ",,,1111111,x"),
		"bank/p09-date-0001.csv":       bankCSV("0001-01-01,39600,," + string(sjis("ﾅﾉﾊﾅﾉｳｴﾝ(ｶ")) + ",,,1111111,x"),
		"bank/p10-amount-overflow.csv": bankCSV("2026-11-20,99999999999999999999999,,ABC,,,1111111,x"),
		"bank/p11-amount-negative.csv": bankCSV("2026-11-20,-39600,,ABC,,,1111111,x"),
		"bank/p12-amount-text.csv":     bankCSV("2026-11-20,1e9,,ABC,,,1111111,x"),
		"bank/p13-formula-payer.csv":   bankCSV("2026-11-20,4400,,=cmd|' /C calc'!A0,,,1111111,@SUM(A1)"),
		"bank/p14-bad-quotes.csv":      bankCSV(`2026-11-20,"39600,,"ABC""",,,1111111,x`),
		"bank/p15-utf16.csv":           append([]byte{0xff, 0xfe}, []byte("2\x000\x002\x006\x00-\x001\x001\x00")...),
		"bank/p16-gzip.csv":            append([]byte{0x1f, 0x8b, 0x08, 0x00}, random(500)...),
		"bank/p17-zengin-invalid-sjis.txt": zengin(func(b []byte) []byte {
			i := payerAt(b)
			copy(b[i:], "\x81\x20\xa0\xfd")
			return b
		}),
		"bank/p18-zengin-utf8-payer.txt": zengin(func(b []byte) []byte {
			i := payerAt(b)
			copy(b[i:], "山本") // 6 bytes of UTF-8 where Shift_JIS belongs
			return b
		}),
		"bank/p19-zengin-truncated.txt":    zengin(func(b []byte) []byte { return b[:len(b)/2+37] }),
		"bank/p20-zengin-no-trailer.txt":   zengin(func(b []byte) []byte { return b[:bytes.LastIndex(b, []byte("\r\n8"))+2] }),
		"bank/p21-zengin-short-record.txt": zengin(func(b []byte) []byte { return slices.Delete(b, 250, 260) }),
		"bank/p22-zengin-amount-text.txt": zengin(func(b []byte) []byte {
			i := bytes.Index(b, []byte("\r\n2")) + 2
			copy(b[i+20:], "ABCDEFGHIJ")
			return b
		}),
		"bank/p23-zengin-date-far.txt": zengin(func(b []byte) []byte {
			i := bytes.Index(b, []byte("\r\n2")) + 2
			copy(b[i+8:], "991231991231")
			return b
		}),
		"bank/p24-zengin-nul-record.txt": zengin(func(b []byte) []byte {
			i := bytes.Index(b, []byte("\r\n2")) + 2
			copy(b[i:], bytes.Repeat([]byte{0}, 200))
			return b
		}),
		// order files
		"orders/p25-random-bytes.csv":    random(3000),
		"orders/p26-empty.csv":           {},
		"orders/p27-duplicate-order.csv": []byte(ordersHead + "EC-7010,new,100007,,M365-BB,5,2026-11-20,2026-12\r\nEC-7010,new,100007,,M365-BB,6,2026-11-20,2026-12\r\n"),
		"orders/p28-invalid-bytes.csv":   []byte(ordersHead + "EC-7001,new,100007,,M365-BB,\xff\xfe,2026-11-20,2026-12\r\n"),
		"orders/p29-long-order-no.csv":   []byte(ordersHead + "EC-" + strings.Repeat("9", 5000) + ",new,100007,,M365-BB,5,2026-11-20,2026-12\r\n"),
		"orders/p30-formula.csv":         []byte(ordersHead + "=HYPERLINK(\"http://x\"),new,+100007,,@M365-BB,5,2026-11-20,2026-12\r\n"),
		"orders/p31-nul-bytes.csv":       []byte(ordersHead + "EC-70\x0002,new,100007,,M365-BB,5,2026-11-20,2026-12\r\n"),
		"orders/p32-date-9999.csv":       []byte(ordersHead + "EC-7003,new,100007,,M365-BB,5,9999-12-31,9999-12\r\n"),
		"orders/p33-seats-huge.csv":      []byte(ordersHead + "EC-7004,new,100007,,M365-BB,1000000000000,2026-11-20,2026-12\r\n"),
		"orders/p34-good-and-bad.csv":    []byte(ordersHead + "EC-7005,new,100007,,M365-BB,5,2026-11-20,2026-12\r\nEC-7006,new,100007,,M365-XX,5,2026-11-20,2026-12\r\n"),
		"orders/p35-many-columns.csv":    []byte(ordersHead + "EC-7007" + strings.Repeat(",x", 10000) + "\r\n"),
		"orders/p36-sjis-mixed.csv":      append([]byte(ordersHead+"EC-7008,new,100007,,"), append(sjis("プラン"), []byte("\xe3\x83,5,2026-11-20,2026-12\r\n")...)...),
		"orders/p37-not-a-workbook.xlsx": []byte("PK\x03\x04 this is not a zip at all"),
		"orders/p38-csv-named-xlsx.xlsx": []byte(ordersHead + "EC-7009,new,100007,,M365-BB,5,2026-11-20,2026-12\r\n"),
		// mail
		"mail/p39-random-bytes.eml": append([]byte("\xff\xfe\x00\x81\x40 no header\r\n"), random(3000)...),
		"mail/p40-unknown-charset.eml": mailWith("p40", []string{"Subject: =?x-unknown-42?B?" + base64.StdEncoding.EncodeToString([]byte("減数")) + "?=",
			"Content-Type: text/plain; charset=x-unknown-42"}, requestBody),
		"mail/p41-sjis-declared-iso2022jp.eml": append(mailWith("p41", []string{"Subject: =?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString(sjis("減数")) + "?=",
			"Content-Type: text/plain; charset=ISO-2022-JP"}, ""), sjis(strings.ReplaceAll(requestBody, "\n", "\r\n"))...),
		"mail/p42-huge-header.eml": mailWith("p42", []string{"Subject: " + strings.Repeat("減数のお願い", 30000),
			"X-Long: " + strings.Repeat("a", 200000)}, requestBody),
		"mail/p43-nul-bytes.eml": mailWith("p43", []string{"Subject: \x00\x00減数\x00", "Content-Type: text/plain; charset=utf-8"},
			strings.ReplaceAll(requestBody, "：", "：\x00")),
		"mail/p44-broken-base64.eml": mailWith("p44", []string{"Subject: test", "Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: base64"}, "!!!!not base64 at all ====\n"+base64.StdEncoding.EncodeToString([]byte(requestBody))[:37]),
		"mail/p45-unclosed-multipart.eml": mailWith("p45", []string{"Subject: multipart", "MIME-Version: 1.0",
			`Content-Type: multipart/mixed; boundary="zz"`}, "--zz\nContent-Type: multipart/mixed; boundary=\"yy\"\n\n--yy\nContent-Type: text/plain\n\n"+requestBody),
		"mail/p46-bad-utf8.eml": mailWith("p46", []string{"Subject: \xe6\xb8\x9b\xe6\x95 \xff", "Content-Type: text/plain; charset=utf-8"},
			requestBody+"\xff\xfe\xe3\x81"),
		"mail/p47-long-message-id.eml": rawMail(append(slices.Clone(baseMailHead), "Message-ID: <"+strings.Repeat("m", 1000)+"@poison.example>",
			"Subject: id"), requestBody),
		"mail/p48-display-name-injection.eml": rawMail([]string{`From: "attacker@evil.example, Takahashi" <it-100011@example.co.jp>`,
			"To: esales@npress.jp", "Date: Thu, 19 Nov 2026 10:00:00 +0900", "Message-ID: <p48@poison.example>", "Subject: =?UTF-8?B?" +
				base64.StdEncoding.EncodeToString([]byte("減数\r\nBcc: all@evil.example")) + "?=", "Content-Type: text/plain; charset=utf-8"}, requestBody),
		"mail/p49-unregistered-sender.eml": rawMail([]string{"From: someone@elsewhere.example", "To: esales@npress.jp",
			"Date: Thu, 19 Nov 2026 10:00:00 +0900", "Message-ID: <p49@poison.example>", "Subject: cancel", "Content-Type: text/plain; charset=utf-8"},
			"■ご契約番号：NP-0001011\n■ご契約者名：株式会社白鷺商事\n■対象製品：Microsoft 365 Business Standard\n■希望される内容：解約\n■数量：15\n"),
		"mail/p50-qp-broken.eml": mailWith("p50", []string{"Subject: qp", "Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: quoted-printable"}, "=E6=B8=9B=E6=95=\n=ZZ=0=\n"+requestBody),
		"mail/p51-date-far.eml": rawMail([]string{"From: Sato <it-100011@example.co.jp>", "To: esales@npress.jp",
			"Date: Fri, 31 Dec 9999 23:59:59 +0900", "Message-ID: <p51@poison.example>", "Subject: late", "Content-Type: text/plain; charset=utf-8"}, requestBody),
	}
	return c
}

// The files under testdata/poison are exactly what poisonCorpus builds (go test
// -run PoisonCorpusFiles -update-poison writes them again).
func TestPoisonCorpusFiles(t *testing.T) {
	corpus := poisonCorpus()
	if *updatePoison {
		os.RemoveAll(poisonDir)
		for p, b := range corpus {
			path := filepath.Join(poisonDir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	onDisk := readPoisonCorpus(t)
	if len(onDisk) != len(corpus) || len(corpus) < 40 {
		t.Errorf("%d files in %s, %d built; want the same, at least 40", len(onDisk), poisonDir, len(corpus))
	}
	for p, b := range corpus {
		if !bytes.Equal(onDisk[p], b) {
			t.Errorf("%s differs from what poisonCorpus builds: run go test -run PoisonCorpusFiles -update-poison", p)
		}
	}
}

// readPoisonCorpus reads testdata/poison: path (bank/…, orders/…, mail/…) → bytes.
func readPoisonCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, dir := range []string{"bank", "orders", "mail"} {
		entries, err := os.ReadDir(filepath.Join(poisonDir, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(poisonDir, dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[dir+"/"+e.Name()] = b
		}
	}
	if len(out) == 0 {
		t.Fatal(fmt.Sprintf("no poison corpus under %s", poisonDir))
	}
	return out
}
