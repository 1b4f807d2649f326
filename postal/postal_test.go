package postal

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
)

// onePage is a one-page PDF saying text.
func onePage(t *testing.T, text string) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(40, 10, text)
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// item is a document to print; sha is its stored PDF ("" until rendered).
func item(no, cust, postal, sha string) store.PrintItem {
	return store.PrintItem{Number: no, Kind: "renewal", CustomerNo: cust, CustomerName: "顧客" + cust, PostalCode: postal,
		Address: "東京都千代田区1-1", Total: 11000, Pages: 1, PDFSHA256: sha}
}

func TestEnvelopes(t *testing.T) {
	items := []store.PrintItem{
		item("INV-3", "C2", "231-0023", "sha-INV-3"),
		item("INV-1", "C1", "060-0001", "sha-INV-1"),
		item("INV-4", "C2", "２３１－００２３", "sha-INV-4"),
		item("INV-2", "C1", "060-0001", ""), // no PDF yet: not posted tonight
		item("INV-5", "C3", "100-0001", ""),
	}
	envs := Envelopes(items)
	var got []string
	for _, env := range envs {
		var nos []string
		for _, d := range env {
			nos = append(nos, d.Number+"@"+d.PDFSHA256)
		}
		got = append(got, strings.Join(nos, "+"))
	}
	want := "INV-1@sha-INV-1 | INV-3@sha-INV-3+INV-4@sha-INV-4"
	if g := strings.Join(got, " | "); g != want {
		t.Errorf("envelopes %s, want %s", g, want)
	}
	if items[0].Number != "INV-3" {
		t.Errorf("Envelopes reordered its caller's slice: %v", items[0].Number)
	}
}

func TestWrite(t *testing.T) {
	pdfs := map[string][]byte{}
	envs := [][]store.PrintItem{
		{item("INV-1", "C1", "060-0001", "a")},
		{item("INV-3", "C2", "231-0023", "b"), item("INV-4", "C2", "231-0023", "c")},
	}
	for _, sha := range []string{"a", "b", "c"} {
		pdfs[sha] = onePage(t, sha)
	}
	var sheets []invoice.Envelope
	day := calendar.MustParse("2026-12-03")
	o := Options{Date: day,
		PDF: func(sha string) ([]byte, error) {
			if p, ok := pdfs[sha]; ok {
				return p, nil
			}
			return nil, fmt.Errorf("no %s", sha)
		},
		Sheet: func(e invoice.Envelope) ([]byte, error) {
			sheets = append(sheets, e)
			return onePage(t, "sheet"), nil
		}}
	var bundle bytes.Buffer
	list, err := Write(&bundle, envs, o)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := invoice.PageCount(bundle.Bytes()); err != nil || n != 4 {
		t.Errorf("bundle has %d pages (%v), want 4: three documents and one separator sheet", n, err)
	}
	if len(sheets) != 1 || sheets[0].Seq != 2 || sheets[0].Of != 2 || sheets[0].Date != day || len(sheets[0].Documents) != 2 ||
		sheets[0].Documents[1].Number != "INV-4" || sheets[0].To.CustomerNo != "C2" {
		t.Errorf("separator sheets %+v", sheets)
	}
	if !bytes.HasPrefix(list, []byte("\ufeff")) || !bytes.Contains(list, []byte("\r\n")) {
		t.Errorf("dispatch list is not UTF-8 with BOM and CRLF: %q", list[:min(len(list), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(list, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"郵便番号", "住所", "宛名", "書類番号", "種類", "金額", "枚数", "封筒", "同封"},
		{"060-0001", "東京都千代田区1-1", "顧客C1 御中", "INV-1", "", "11000", "1", "1", "1/1"},
		{"231-0023", "東京都千代田区1-1", "顧客C2 御中", "INV-3", "", "11000", "1", "2", "1/2"},
		{"231-0023", "東京都千代田区1-1", "顧客C2 御中", "INV-4", "", "11000", "1", "2", "2/2"},
	}
	for i := range want {
		if i >= len(rows) {
			t.Fatalf("dispatch list has %d rows, want %d", len(rows), len(want))
		}
		for j, w := range want[i] {
			if j == 2 || j == 4 { // the addressee and the kind's name are wording's
				continue
			}
			if rows[i][j] != w {
				t.Errorf("row %d column %s = %q, want %q", i, want[0][j], rows[i][j], w)
			}
		}
	}
	if !strings.Contains(rows[1][2], "顧客C1") || rows[1][4] == "" {
		t.Errorf("row 1 addressee %q kind %q", rows[1][2], rows[1][4])
	}
	delete(pdfs, "c")
	if _, err := Write(&bytes.Buffer{}, envs, o); err == nil || !strings.Contains(err.Error(), "INV-4") {
		t.Errorf("a missing stored PDF: %v (want an error naming INV-4)", err)
	}
}

func TestEmptyList(t *testing.T) {
	if got := string(EmptyList()); got != "\ufeff郵便番号,住所,宛名,書類番号,種類,金額,枚数,封筒,同封\r\n" {
		t.Errorf("empty dispatch list %q", got)
	}
}

// Envelopes beyond one chunk keep their order, their numbers and their sheets.
func TestWriteManyEnvelopes(t *testing.T) {
	pdf := onePage(t, "doc")
	var envs [][]store.PrintItem
	for k := range 2*envelopeChunk + 3 {
		cust := fmt.Sprintf("C%03d", k)
		env := []store.PrintItem{item(fmt.Sprintf("INV-%03d-1", k), cust, "100-0001", "x")}
		if k%10 == 0 {
			env = append(env, item(fmt.Sprintf("INV-%03d-2", k), cust, "100-0001", "x"))
		}
		envs = append(envs, env)
	}
	var mu sync.Mutex
	sheets := map[int]int{}
	o := Options{Date: calendar.MustParse("2026-03-01"),
		PDF: func(string) ([]byte, error) { return pdf, nil },
		Sheet: func(e invoice.Envelope) ([]byte, error) {
			mu.Lock()
			sheets[e.Seq] = e.Of
			mu.Unlock()
			return onePage(t, "sheet"), nil
		}}
	var bundle bytes.Buffer
	list, err := Write(&bundle, envs, o)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(list, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	docs, k := 0, 0
	for _, env := range envs {
		k++
		for i, d := range env {
			docs++
			r := rows[docs]
			if r[3] != d.Number || r[7] != fmt.Sprint(k) || r[8] != fmt.Sprintf("%d/%d", i+1, len(env)) {
				t.Fatalf("row %d = %v, want %s in envelope %d", docs, r, d.Number, k)
			}
		}
	}
	if len(rows) != docs+1 || len(sheets) != 14 || sheets[1] != len(envs) || sheets[131] != len(envs) {
		t.Errorf("%d rows for %d documents; sheets %v", len(rows), docs, sheets)
	}
	if n, err := invoice.PageCount(bundle.Bytes()); err != nil || n != docs+len(sheets) {
		t.Errorf("bundle has %d pages (%v), want %d", n, err, docs+len(sheets))
	}
}
