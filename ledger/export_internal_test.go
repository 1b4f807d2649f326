package ledger

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"
)

// The accounting exports (invoices, payments) neutralise cells that would start a
// formula, in CSV of both encodings and in .xlsx; amounts stay numbers (issue 13, #6).
func TestAccountingExportNeutralised(t *testing.T) {
	rows := [][]string{{"宛名", "合計(税込)"}, {"=HYPERLINK(\"http://evil.example\")", "-1500"}, {"@SUM(A1)", "33000"}}
	for _, tc := range []struct{ format, encoding string }{{"csv", "utf8"}, {"csv", "sjis"}, {"xlsx", ""}} {
		var b bytes.Buffer
		if err := writeTable(&b, "invoices", rows, tc.format, tc.encoding); err != nil {
			t.Fatal(err)
		}
		var got [][]string
		switch tc.format {
		case "xlsx":
			x, err := excelize.OpenReader(&b)
			if err != nil {
				t.Fatal(err)
			}
			got, _ = x.GetRows("invoices")
		default:
			data := bytes.TrimPrefix(b.Bytes(), []byte("\ufeff"))
			if tc.encoding == "sjis" {
				data, _ = japanese.ShiftJIS.NewDecoder().Bytes(data)
			}
			got, _ = csv.NewReader(bytes.NewReader(data)).ReadAll()
		}
		if len(got) != 3 || got[1][0] != "'=HYPERLINK(\"http://evil.example\")" || got[2][0] != "'@SUM(A1)" || got[1][1] != "-1500" {
			t.Errorf("%s %s: %q", tc.format, tc.encoding, got)
		}
	}
}
