package invoice

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestBundle(t *testing.T) {
	docs := workedDocs(t)
	// Sorted for bulk mail: the addition (〒060-0001) first, then the rest (〒231-0023),
	// ties kept in document order.
	type item struct {
		postal string
		w      worked
	}
	items := []item{{"231-0023", docs[0]}, {"2310023", docs[1]}, {"060-0001", docs[2]}, {"２３１－００２３", docs[3]}, {"", docs[4]}}
	slices.SortStableFunc(items, func(a, b item) int { return PostalOrder(a.postal, b.postal) })
	var buf bytes.Buffer
	b := NewBundle(&buf)
	total := 0
	for _, it := range items {
		n, err := b.Add(it.w.name, it.w.pdf)
		if err != nil {
			t.Fatal(err)
		}
		if n != it.w.pages {
			t.Errorf("%s: Add = %d pages, want %d", it.w.name, n, it.w.pages)
		}
		total += n
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if b.Documents() != 5 || b.Pages() != 7 || total != 7 {
		t.Errorf("documents %d, pages %d", b.Documents(), b.Pages())
	}
	pdf := buf.Bytes()
	if n, err := PageCount(pdf); err != nil || n != 7 {
		t.Errorf("PageCount(bundle) = %d, %v", n, err)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		f := filepath.Join(t.TempDir(), "bundle.pdf")
		if err := os.WriteFile(f, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
			t.Errorf("qpdf --check bundle: %v\n%s", err, out)
		}
	} else {
		t.Log("qpdf not installed: bundle structure checked by PageCount only")
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		pages := strings.Split(strings.TrimSuffix(pdftotext(t, pdf, "-raw"), "\f"), "\f")
		want := []string{"2026-000125", "2026-000123", "2026-000124", "2026-000124", "2026-000124", "R2026-000007", "C2026-000003"}
		if len(pages) != len(want) {
			t.Fatalf("%d pages in the bundle's text", len(pages))
		}
		for i, p := range pages {
			if !strings.Contains(p, want[i]) {
				t.Errorf("bundle page %d does not show %s", i+1, want[i])
			}
		}
		if !strings.Contains(pages[0], "山田 太郎") {
			t.Error("bundle page 1 is not the addition to 〒060-0001")
		}
	}
}

func TestBundleRefuses(t *testing.T) {
	docs := workedDocs(t)
	for name, pdf := range map[string][]byte{
		"empty":     nil,
		"not a pdf": []byte("hello"),
		"truncated": docs[0].pdf[:len(docs[0].pdf)/2],
		"incremental update": append(append([]byte{}, docs[0].pdf...),
			[]byte("1 0 obj\n<<>>\nendobj\nxref\n1 1\n0000000000 00000 n \ntrailer\n<</Size 2>>\nstartxref\n99\n%%EOF\n")...),
	} {
		b := NewBundle(io.Discard)
		if _, err := b.Add(name, pdf); !errors.Is(err, ErrBundle) {
			t.Errorf("%s: err = %v, want ErrBundle", name, err)
		}
	}
	if err := NewBundle(io.Discard).Close(); !errors.Is(err, ErrBundle) {
		t.Errorf("empty bundle: err = %v", err)
	}
}

// TestBundleMemory streams 2,000 documents and wants the heap not to hold them.
func TestBundleMemory(t *testing.T) {
	pdf := workedDocs(t)[1].pdf // three pages, 35 KB
	const n = 2000
	b := NewBundle(io.Discard)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		if _, err := b.Add("doc", pdf); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew %d KB for %d documents (%d MB of PDF)", grown>>10, n, n*len(pdf)>>20)
	if grown > 4<<20 {
		t.Errorf("heap grew %d KB for %d documents: the bundle holds them", grown>>10, n)
	}
}

func TestPostalOrder(t *testing.T) {
	codes := []string{"", "900-0001", "0600001", "abc", "１００－０００１", "100-0001"}
	slices.SortStableFunc(codes, PostalOrder)
	want := []string{"0600001", "１００－０００１", "100-0001", "900-0001", "", "abc"}
	if !slices.Equal(codes, want) {
		t.Errorf("sorted = %q, want %q", codes, want)
	}
}
