package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type listedInvoice struct {
	Number    string `json:"number"`
	Kind      string `json:"kind"`
	Contract  string `json:"contract"`
	Order     string `json:"order"`
	IssueDate string `json:"issue_date"`
	DueDate   string `json:"due_date"`
	Subtotal  int64  `json:"subtotal"`
	Tax       int64  `json:"tax"`
	Total     int64  `json:"total"`
	Status    string `json:"status"`
	Replaces  string `json:"replaces"`
}

func listInvoices(t *testing.T, db string, args ...string) []listedInvoice {
	t.Helper()
	code, out, errs := nightly(t, nil, append([]string{"invoices", "list", "--json", "--db", db}, args...)...)
	if code != 0 {
		t.Fatalf("invoices list: exit %d %s", code, errs)
	}
	var ls []listedInvoice
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l listedInvoice
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("invoices list --json line %q: %v", line, err)
		}
		ls = append(ls, l)
	}
	return ls
}

// The invoices commands on the demo: list, show, render (the night's bytes), void
// --reissue then the next night, posted --bundle, preview.
func TestInvoicesCommands(t *testing.T) {
	out := t.TempDir()
	if code, stdout, errs := nightly(t, nil, "demo", "--out", out); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
	}
	db := "sqlite:" + filepath.Join(out, "nightly.db")
	ls := listInvoices(t, db, "--date", "2026-11-24")
	if len(ls) != 10 {
		t.Fatalf("%d invoices issued on 2026-11-24, want 10 (the next-term addition comes once its addition is paid): %+v", len(ls), ls)
	}
	find := func(match func(listedInvoice) bool) listedInvoice {
		t.Helper()
		for _, l := range ls {
			if match(l) {
				return l
			}
		}
		t.Fatalf("no such invoice among %+v", ls)
		return listedInvoice{}
	}
	perpetual := find(func(l listedInvoice) bool { return l.Order == "EC-20261123-0002" })
	want := listedInvoice{perpetual.Number, "new", perpetual.Contract, "EC-20261123-0002", "2026-11-24", "2026-12-08", 204000, 20400, 224400, "open", ""}
	if perpetual != want || perpetual.Contract == "" {
		t.Errorf("the perpetual licence:\n got %+v\nwant %+v", perpetual, want)
	}
	if r := find(func(l listedInvoice) bool { return l.Replaces == "2026-000011" }); r.Total != 237600 {
		t.Errorf("the corrected renewal: %+v", r)
	}
	addition := find(func(l listedInvoice) bool { return l.Order == "EC-20261124-0004" })
	oneMonth := find(func(l listedInvoice) bool { return l.Order == "EC-20261124-0005" })
	firstNew := find(func(l listedInvoice) bool { return l.Order == "EC-20261123-0001" })
	renewal := find(func(l listedInvoice) bool { return l.Kind == "renewal" && l.Contract == "NP-0001327" })

	code, stdout, _ := nightly(t, nil, "invoices", "show", addition.Number, "--db", db)
	if code != 0 || !strings.Contains(stdout, "¥30,000") || !strings.Contains(stdout, "¥33,000") || !strings.Contains(stdout, "2026-12-15") {
		t.Errorf("show:\n%s", stdout)
	}
	code, stdout, _ = nightly(t, nil, "invoices", "show", oneMonth.Number, "--json", "--db", db)
	var shown struct {
		listedInvoice
		Lines []struct {
			Quantity int   `json:"quantity"`
			Amount   int64 `json:"amount"`
		} `json:"lines"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &shown) != nil || len(shown.Lines) != 1 || shown.Lines[0].Amount != 3000 {
		t.Errorf("show --json: %d %s", code, stdout)
	}

	file := filepath.Join(t.TempDir(), "copy.pdf")
	if code, _, errs := nightly(t, nil, "invoices", "render", firstNew.Number, "--file", file, "--db", db); code != 0 {
		t.Fatalf("render: %s", errs)
	}
	got, _ := os.ReadFile(file)
	night, _ := os.ReadFile(filepath.Join(out, "2026-11-24", "invoices", firstNew.Number+".pdf"))
	if len(got) == 0 || !bytes.Equal(got, night) {
		t.Errorf("invoices render gives %d bytes, not the night's file (%d bytes)", len(got), len(night))
	}
	if code, _, _ := nightly(t, nil, "invoices", "render", firstNew.Number, "--db", db); code == 0 {
		t.Error("render without --file accepted")
	}

	env := map[string]string{"USER": "suzuki"}
	if code, _, errs := nightly(t, env, "invoices", "posted", renewal.Number, "--db", db); code != 0 {
		t.Fatalf("posted: %s", errs)
	}
	if code, _, errs := nightly(t, env, "invoices", "void", renewal.Number, "--why", "住所誤り", "--reissue", "--db", db); code != 0 {
		t.Fatalf("void --reissue: %s", errs)
	}
	if code, _, _ := nightly(t, env, "invoices", "void", renewal.Number, "--db", db); code == 0 {
		t.Error("void without --why accepted")
	}
	if code, _, errs := nightly(t, nil, "run", "--db", db, "--out", out, "--date", "2026-11-25"); code != 0 {
		t.Fatalf("next night: %s", errs)
	}
	next := listInvoices(t, db, "--date", "2026-11-25")
	var rev *listedInvoice
	for i := range next {
		if next[i].Replaces == renewal.Number {
			rev = &next[i]
		}
	}
	if rev == nil || rev.Total != 217800 || rev.Kind != "renewal" {
		t.Fatalf("no corrected invoice for %s on 2026-11-25: %+v", renewal.Number, next)
	}
	for _, l := range listInvoices(t, db) {
		if l.Number == renewal.Number && l.Status != "void" {
			t.Errorf("%s is %s after the reissue", l.Number, l.Status)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "2026-11-25", "notices", renewal.Number+"-C.pdf")); err != nil {
		t.Errorf("notice of cancellation: %v", err)
	}
	bundle := filepath.Join(out, "2026-11-25", "print", "bundle.pdf")
	if _, err := exec.LookPath("qpdf"); err == nil {
		if b, err := exec.Command("qpdf", "--check", bundle).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, b)
		}
	}
	code, stdout, errs := nightly(t, env, "invoices", "posted", "--bundle", "2026-11-25", "--db", db)
	if code != 0 || !strings.Contains(stdout, "marked posted") {
		t.Errorf("posted --bundle: %d %s %s", code, stdout, errs)
	}
	code, stdout, _ = nightly(t, env, "invoices", "posted", "--bundle", "2026-11-25", "--db", db)
	if code != 0 || !strings.Contains(stdout, "nothing left to post") {
		t.Errorf("posted --bundle again: %s", stdout)
	}

	preview := filepath.Join(t.TempDir(), "preview.pdf")
	if code, _, errs := nightly(t, nil, "invoices", "preview", "--contract", "NP-0001100", "--file", preview, "--db", db); code != 0 {
		t.Errorf("preview: %s", errs)
	}
	if b, _ := os.ReadFile(preview); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Error("preview wrote no PDF")
	}
	if code, _, _ := nightly(t, nil, "invoices", "preview", "--contract", "NP-9999999", "--file", preview, "--db", db); code == 0 {
		t.Error("preview of an unknown contract accepted")
	}
}
