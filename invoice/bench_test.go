package invoice

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	upstream "github.com/go-pdf/fpdf"

	"github.com/npress/nightly/templates"
)

// upstreamCanvas draws with the unpatched library: the baseline of issue #6, a new
// document per invoice that adds the whole TTF with AddUTF8FontFromBytes.
type upstreamCanvas struct{ *upstream.Fpdf }

func (c upstreamCanvas) PNG(img []byte, x, y, w, h float64) {
	opt := upstream.ImageOptions{ImageType: "PNG"}
	c.RegisterImageOptionsReader("seal", opt, bytes.NewReader(img))
	c.ImageOptions("seal", x, y, w, h, false, opt, 0, "")
}

func baselineRenderer(b *testing.B) *Renderer {
	r := *mustRenderer(b)
	ttf, err := fs.ReadFile(templates.Open(""), templates.FontPath)
	if err != nil {
		b.Fatal(err)
	}
	r.newCanvas = func(info docInfo) canvas {
		pdf := upstream.New("P", "mm", "A4", "")
		pdf.SetCatalogSort(true)
		pdf.SetCreationDate(info.created)
		pdf.SetModificationDate(info.created)
		pdf.SetTitle(info.title, true)
		pdf.SetAutoPageBreak(false, 0)
		pdf.SetMargins(info.marginL, 10, info.marginR)
		pdf.SetCellMargin(0)
		pdf.AddUTF8FontFromBytes(fontFamily, "", ttf)
		pdf.SetFont(fontFamily, "", 10)
		return upstreamCanvas{pdf}
	}
	return &r
}

// BenchmarkRender renders the one-page worked invoice with this package's renderer
// and with the baseline, in the same run. Run with -cpu 1,2 for 1 and 2 cores:
//
//	go test ./invoice -run '^$' -bench Render -cpu 1,2 -benchtime 3s
func BenchmarkRender(b *testing.B) {
	inv := onePage(b)
	for _, bc := range []struct {
		name string
		r    func(*testing.B) *Renderer
	}{
		{"shared-font", func(b *testing.B) *Renderer { return mustRenderer(b) }},
		{"baseline-upstream", baselineRenderer},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := bc.r(b)
			var size atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					pdf, err := r.Invoice(inv)
					if err != nil {
						b.Error(err)
						return
					}
					size.Store(int64(len(pdf)))
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invoices/s")
			b.ReportMetric(float64(size.Load()), "bytes/pdf")
		})
	}
}

// BenchmarkRenderThreePages is the 45-line, three-page worked invoice.
func BenchmarkRenderThreePages(b *testing.B) {
	inv, r := threePages(b), mustRenderer(b)
	var size atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			pdf, err := r.Invoice(inv)
			if err != nil {
				b.Error(err)
				return
			}
			size.Store(int64(len(pdf)))
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invoices/s")
	b.ReportMetric(float64(size.Load()), "bytes/pdf")
}

// BenchmarkNight10k renders 10,000 invoices on every core, as the night does, and
// streams them into one print bundle, keeping no PDF after it is bundled; it reports
// the process's peak resident memory (which includes the test binary and the parsed
// font). Slow (about 15 s): run it on its own with -benchtime 1x.
func BenchmarkNight10k(b *testing.B) {
	r := mustRenderer(b)
	base := onePage(b)
	const n = 10000
	for i := 0; i < b.N; i++ {
		start := time.Now()
		bundle := NewBundle(io.Discard)
		workers := runtime.GOMAXPROCS(0)
		// Documents are bundled in order; a worker waits for its turn, so at most
		// `workers` PDFs are in memory at once.
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		next := 0
		var wg sync.WaitGroup
		var bytesOut atomic.Int64
		jobs := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range jobs {
					inv := base
					inv.Number = fmt.Sprintf("2026-%06d", k+1)
					pdf, err := r.Invoice(inv)
					if err != nil {
						b.Error(err)
					}
					mu.Lock()
					for next != k {
						cond.Wait()
					}
					if _, err := bundle.Add(inv.Number, pdf); err != nil {
						b.Error(err)
					}
					bytesOut.Add(int64(len(pdf)))
					next++
					cond.Broadcast()
					mu.Unlock()
				}
			}()
		}
		for k := 0; k < n; k++ {
			jobs <- k
		}
		close(jobs)
		wg.Wait()
		if err := bundle.Close(); err != nil {
			b.Fatal(err)
		}
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
			b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
		}
		b.ReportMetric(n/time.Since(start).Seconds(), "invoices/s")
		b.ReportMetric(float64(bytesOut.Load())/n, "bytes/pdf")
	}
}
