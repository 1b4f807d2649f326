package demo

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/issuing"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

// BenchStep is one step's figures in a night benchmark.
type BenchStep struct {
	Name        string
	Seconds     float64
	RowsWritten int64 // rows added to every table but the run ledger (updates are not counted)
	PeakRSSMB   float64
	PDFs        int
	Changes     map[string]int
}

// BenchNight runs the night of day one step at a time (as --only would, in the order of
// jobs.Steps) and measures each: wall time, rows written, the process's peak resident
// memory during the step (Linux: VmHWM, reset before each step), PDFs rendered.
func BenchNight(ctx context.Context, env *jobs.Env, day calendar.Date) ([]BenchStep, error) {
	var out []BenchStep
	for _, st := range jobs.Steps {
		before, err := store.RowCount(ctx, env.DB)
		if err != nil {
			return out, err
		}
		ResetPeakRSS()
		t0 := time.Now()
		sums, err := jobs.Run(ctx, env, jobs.Options{Date: day, Only: []string{st.Name}, Trigger: "bench"})
		if err != nil {
			return out, err
		}
		b := BenchStep{Name: st.Name, Seconds: time.Since(t0).Seconds(), PeakRSSMB: PeakRSSMB()}
		after, err := store.RowCount(ctx, env.DB)
		if err != nil {
			return out, err
		}
		b.RowsWritten = after - before
		if len(sums) > 0 && len(sums[0].Steps) > 0 {
			b.Changes = sums[0].Steps[0].Changes
			b.PDFs = b.Changes["pdfs"]
		}
		out = append(out, b)
	}
	return out, nil
}

// ResetPeakRSS resets the kernel's peak-RSS mark of this process (Linux 4.0+); where it
// cannot, the figures are the peak since the process started.
func ResetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// PeakRSSMB reads VmHWM, the peak resident memory, in MB (0 where /proc is missing).
func PeakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// RendererRate renders again, with the night's shared renderer on all cores, the
// invoices issued on day that have a stored PDF (a page at a time, nothing kept) and
// returns how many it rendered and how many a second: the renderer alone on the same
// invoices, the yardstick of the invoicing step's end-to-end rate. Only the rendering
// is timed, not the reads.
func RendererRate(ctx context.Context, env *jobs.Env, day calendar.Date) (int, float64, error) {
	docs, err := store.DocumentsOn(ctx, env.DB, day)
	if err != nil {
		return 0, 0, err
	}
	r, err := env.Renderer()
	if err != nil {
		return 0, 0, err
	}
	var nums []string
	for _, d := range docs {
		if !d.IsNotice {
			nums = append(nums, d.Number)
		}
	}
	var spent time.Duration
	for i := 0; i < len(nums); i += 300 {
		page := nums[i:min(i+300, len(nums))]
		invs := make([]invoice.Invoice, len(page))
		for j, no := range page {
			row, err := store.GetInvoice(ctx, env.DB, no)
			if err != nil {
				return 0, 0, err
			}
			doc, ok, err := store.InvoiceDoc(ctx, env.DB, no)
			if err != nil || !ok {
				return 0, 0, fmt.Errorf("bench: doc of invoice %s: %v", no, err)
			}
			if invs[j], err = issuing.FromDoc(row, doc); err != nil {
				return 0, 0, err
			}
		}
		t0 := time.Now()
		if err := issuing.Parallel(ctx, len(invs), func(j int) error {
			_, err := r.Invoice(invs[j])
			return err
		}); err != nil {
			return 0, 0, err
		}
		spent += time.Since(t0)
	}
	if spent == 0 {
		return 0, 0, nil
	}
	return len(nums), float64(len(nums)) / spent.Seconds(), nil
}
