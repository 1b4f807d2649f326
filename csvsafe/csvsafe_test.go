package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+81-3-1234-5678", "'+81-3-1234-5678"},
		{"-abc", "'-abc"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"-", "'-"},
		{"'=already", "''=already"},
		{"''-5", "'''-5"},
		{"-1500", "-1500"},
		{"+1,234.5", "+1,234.5"},
		{"12345", "12345"},
		{"株式会社=ミライ", "株式会社=ミライ"},
		{"'plain", "'plain"},
		{"", ""},
		{"'", "'"},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Restore(Cell(tc.in)); got != tc.in {
			t.Errorf("Restore(Cell(%q)) = %q", tc.in, got)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"=1+1", "'-5", "-5", "''@x", "x", "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if got := Restore(c); got != s {
			t.Fatalf("Restore(Cell(%q)) = %q", s, got)
		}
		if risky(c) && !number.MatchString(c) && c[0] != '\'' {
			t.Fatalf("Cell(%q) = %q still starts a formula", s, c)
		}
	})
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.WriteAll([][]string{{"名前", "金額"}, {"=cmd|' /C calc'!A0", "-1500"}}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][0] != "'=cmd|' /C calc'!A0" || recs[1][1] != "-1500" {
		t.Errorf("written %q", recs)
	}
}
