package jobs_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/config"
	"github.com/npress/nightly/demo"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// TestBigBankFile is the load check of issue 8 point 5, run only with NIGHTLY_BIG=1:
// a Zengin 01 file of NIGHTLY_BIG_RECORDS records (a comma list; default 500,000 and
// 5,000,000, about 100 MB and 1 GB, in groups of at most 999,999) is written into the
// inbox of the demo database and the bank step runs on it (the step alone, as
// BankFeed). It prints wall time and the peak resident memory of the step, which must not grow with the file:
//
//	NIGHTLY_BIG=1 go test -count=1 -timeout 0 -run BigBankFile -v ./jobs/
func TestBigBankFile(t *testing.T) {
	if os.Getenv("NIGHTLY_BIG") != "1" {
		t.Skip("NIGHTLY_BIG=1 not set: the 1 GB bank file check is skipped")
	}
	sizes := []int{500000, 5000000}
	if v := os.Getenv("NIGHTLY_BIG_RECORDS"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatalf("NIGHTLY_BIG_RECORDS: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	for _, records := range sizes {
		t.Run(fmt.Sprint(records), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
				bigBankRun(t, db, dsn, records)
			})
		})
	}
}

func bigBankRun(t *testing.T, db *store.DB, dsn string, records int) {
	ctx := context.Background()
	out := t.TempDir()
	c := config.Default()
	c.DB, c.OutDir = dsn, out
	c.Resolve()
	ev, err := evidence.Open(filepath.Join(out, "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	env := &jobs.Env{DB: db, Config: c, Calendar: calendar.NewCalendar(calendar.Options{}), Evidence: ev,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }, Who: "bench"}
	if err := demo.Seed(ctx, db, env.Calendar, demo.Date, now); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(c.InboxDir, "bank")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "big.txt")
	size := writeBigZengin(t, path, records)

	defer jobs.SetStreamAbove(0)()                   // every size through the streaming path, so that the figures compare
	if p := os.Getenv("NIGHTLY_BIG_HEAP"); p != "" { // a heap profile every 5 s during the step
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Second):
					if f, err := os.Create(p); err == nil {
						pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
					}
				}
			}
		}()
	}
	runtime.GC()
	debug.FreeOSMemory()
	demo.ResetPeakRSS()
	t0 := time.Now()
	// The step alone: Run also loads every open exception afterwards to count them.
	res, err := jobs.BankFeed(ctx, &jobs.Night{Env: env, Date: demo.Date, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	secs, peak := time.Since(t0).Seconds(), demo.PeakRSSMB()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	ch := res.Changes
	if ch["transfers"] != records {
		t.Errorf("%d transfers stored, want %d", ch["transfers"], records)
	}
	engine := strings.SplitN(dsn, ":", 2)[0]
	line := fmt.Sprintf("big bank file %s: %d records, %.0f MB: %.1f s (%.0f records/s), peak RSS %.0f MB (Go heap obtained from the OS %.0f MB); changes %v",
		engine, records, float64(size)/1e6, secs, float64(records)/secs, peak, float64(ms.HeapSys)/(1<<20), ch)
	t.Log(line)
	fmt.Println(line)
}

// writeBigZengin writes a 01 file of n records in groups of at most 999,999 (the
// 6-digit trailer count), streaming: nothing but one record is held.
func writeBigZengin(t *testing.T, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	z, err := bankfeed.NewZenginWriter(w, "01", "", "")
	if err != nil {
		t.Fatal(err)
	}
	d := demo.Date
	payers := []string{"ﾔﾏﾀﾞ ﾀﾛｳ", "ｱｵｿﾞﾗｼﾖｳｶｲ", "ｷﾞﾝｶﾞﾃﾞﾝｼ(ｶ", "ﾐﾗｲ(ｶ)ﾄｳｷﾖｳ", "ｽｽﾞｷ ｲﾁﾛｳ", "ｶ)ﾋｶﾞｼｹﾝｾﾂ", "ﾜｶｸｻｾｲｶ(ｶ"}
	for i, g := 0, 0; i < n; g++ {
		if err := z.Header(bankfeed.ZenginGroup{Created: d, From: d.AddDays(-3), To: d, BankCode: "0005", BankName: "ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｴｲ",
			BranchCode: fmt.Sprintf("%03d", 1+g), BranchName: "ﾎﾝﾃﾝ", AccountType: "1", AccountNumber: "1234567", AccountName: "ｴﾇﾌﾟﾚｽ(ｶ"}); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 999999 && i < n; k, i = k+1, i+1 {
			if err := z.Record(bankfeed.ZenginRecord{RefNo: fmt.Sprintf("%06d", k+1), ValueDate: d.AddDays(-(k % 3)), Amount: int64(1000 + (i*7919)%500000),
				Payer: payers[i%len(payers)], FromBank: "ﾐｽﾞﾎ", EDI: fmt.Sprintf("REF%07d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := z.Trailer(); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.End(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
