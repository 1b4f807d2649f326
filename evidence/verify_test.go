package evidence

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/npress/nightly/calendar"
)

// ledger is a store with n originals and their chained rows, as store/ would hand them
// back from the evidence table.
type ledger struct {
	s    *Store
	rows []Entry
}

func newLedger(t *testing.T, n int) *ledger {
	t.Helper()
	l := &ledger{s: openStore(t)}
	l.s.flush = func(string) error { return nil } // durability is TestBatchDurability's; this is about verifying
	b := l.s.NewBatch()
	var head Entry
	for i := 1; i <= n; i++ {
		data := fmt.Appendf(nil, "original %d\r\n", i)
		sha, err := b.Put(data)
		if err != nil {
			t.Fatal(err)
		}
		e := Entry{
			Kind:         Kinds[i%len(Kinds)],
			Source:       fmt.Sprintf("INBOX:%d", 4700+i),
			ReceivedAt:   time.Date(2026, 11, 24, 0, 0, i, 0, time.UTC),
			Size:         int64(len(data)),
			SHA256:       sha,
			Date:         calendar.New(2026, 11, 1+i%28),
			Amount:       int64(i) * 1100,
			HasAmount:    i%3 != 0,
			Counterparty: fmt.Sprintf("株式会社テスト%d", i%7),
		}
		head = Next(head, e)
		l.rows = append(l.rows, head)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *ledger) summary() Summary {
	last := l.rows[len(l.rows)-1]
	return Summary{Count: last.Seq, Head: last.Hash}
}

// row returns row seq (1-based).
func (l *ledger) row(seq int) *Entry { return &l.rows[seq-1] }

// rechain recomputes every hash from row seq on, as someone would who knows the scheme.
func (l *ledger) rechain(seq int) {
	for i := seq - 1; i < len(l.rows); i++ {
		prev := Entry{}
		if i > 0 {
			prev = l.rows[i-1]
		}
		l.rows[i] = Next(prev, l.rows[i])
	}
}

func rowsOf(rows []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range rows {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestVerify(t *testing.T) {
	type tc struct {
		name string
		// tamper breaks the ledger and returns the head to verify against; report is the
		// head the morning report printed before the tampering.
		tamper  func(t *testing.T, l *ledger, report Summary) string
		reason  Reason // "" = must pass
		seq     int64
		summary int64 // rows verified before the failure (or all, on success)
	}
	tests := []tc{
		{"untouched, no head", func(*testing.T, *ledger, Summary) string { return "" }, "", 0, 10},
		{"untouched, head from the report", func(_ *testing.T, _ *ledger, r Summary) string { return r.String() }, "", 0, 10},
		{"untouched, bare head hash", func(_ *testing.T, _ *ledger, r Summary) string { return r.Head }, "", 0, 10},
		{"head in upper case", func(_ *testing.T, _ *ledger, r Summary) string { return strings.ToUpper(r.String()) }, "", 0, 10},
		{"rows added after the report", func(_ *testing.T, l *ledger, _ Summary) string {
			return Summary{Count: 6, Head: l.row(6).Hash}.String()
		}, "", 0, 10},

		{"stored byte changed", func(t *testing.T, l *ledger, r Summary) string {
			tamper(t, l.s, l.row(3).SHA256, func(b []byte) []byte { b[0] = 'O'; return b })
			return r.String()
		}, ContentAltered, 3, 2},
		{"stored file removed", func(t *testing.T, l *ledger, r Summary) string {
			if err := os.Remove(l.s.Path(l.row(4).SHA256)); err != nil {
				t.Fatal(err)
			}
			return r.String()
		}, ContentMissing, 4, 3},
		{"row amount changed", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(2).Amount = 1
			return r.String()
		}, RowAltered, 2, 1},
		{"row amount set where there was none", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(3).HasAmount, l.row(3).Amount = true, 3300
			return r.String()
		}, RowAltered, 3, 2},
		{"row counterparty changed", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(5).Counterparty = "株式会社ダミー"
			return r.String()
		}, RowAltered, 5, 4},
		{"row kind changed", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(7).Kind = KindNoticePDF
			return r.String()
		}, RowAltered, 7, 6},
		{"row date changed", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(6).Date = l.row(6).Date.AddDays(-1)
			return r.String()
		}, RowAltered, 6, 5},
		{"row received time changed", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(9).ReceivedAt = l.row(9).ReceivedAt.Add(time.Hour)
			return r.String()
		}, RowAltered, 9, 8},
		{"row points at another original", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(3).SHA256, l.row(3).Size = l.row(4).SHA256, l.row(4).Size
			return r.String()
		}, RowAltered, 3, 2},
		{"row changed and its hash recomputed", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(8).Amount = 1
			*l.row(8) = Next(*l.row(7), *l.row(8))
			return ""
		}, ChainBroken, 8, 7},
		{"row removed from the middle", func(_ *testing.T, l *ledger, r Summary) string {
			l.rows = slices.Delete(l.rows, 4, 5) // row 5
			return r.String()
		}, ChainBroken, 5, 4},
		{"first row removed", func(_ *testing.T, l *ledger, _ Summary) string {
			l.rows = l.rows[1:]
			return ""
		}, ChainBroken, 1, 0},
		{"first row forged with a new hash", func(_ *testing.T, l *ledger, _ Summary) string {
			l.row(1).PrevHash = strings.Repeat("1", 64)
			l.row(1).Hash = RowHash(*l.row(1))
			return ""
		}, ChainBroken, 1, 0},
		{"row duplicated", func(_ *testing.T, l *ledger, _ Summary) string {
			l.rows = slices.Insert(l.rows, 4, *l.row(4))
			return ""
		}, ChainBroken, 5, 4},
		{"last rows cut, head from the report", func(_ *testing.T, l *ledger, r Summary) string {
			l.rows = l.rows[:7]
			return r.String()
		}, RowsCutOff, 8, 7},
		{"last rows cut, bare head hash", func(_ *testing.T, l *ledger, r Summary) string {
			l.rows = l.rows[:7]
			return r.Head
		}, RowsCutOff, 8, 7},
		{"all rows cut", func(_ *testing.T, l *ledger, r Summary) string {
			l.rows = nil
			return r.String()
		}, RowsCutOff, 1, 0},
		{"tail rewritten consistently, head from the report", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(8).Counterparty = "株式会社ダミー"
			l.rechain(8)
			return r.String()
		}, HeadMismatch, 10, 10},
		{"tail rewritten consistently, bare head hash", func(_ *testing.T, l *ledger, r Summary) string {
			l.row(8).Counterparty = "株式会社ダミー"
			l.rechain(8)
			return r.Head
		}, RowsCutOff, 11, 10},
		{"wrong head", func(_ *testing.T, _ *ledger, _ Summary) string {
			return "10:" + strings.Repeat("ab", 32)
		}, HeadMismatch, 10, 10},
		{"report counted more rows than there are", func(_ *testing.T, l *ledger, _ Summary) string {
			return "12:" + l.row(10).Hash
		}, RowsCutOff, 11, 10},
		{"first of two problems is named", func(t *testing.T, l *ledger, r Summary) string {
			l.row(6).Amount = 1
			tamper(t, l.s, l.row(3).SHA256, func(b []byte) []byte { return b[:1] })
			return r.String()
		}, ContentAltered, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLedger(t, 10)
			report := l.summary()
			head := tt.tamper(t, l, report)
			sum, err := Verify(context.Background(), rowsOf(l.rows), l.s, head)
			if sum.Count != tt.summary {
				t.Errorf("summary counts %d verified rows, want %d", sum.Count, tt.summary)
			}
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Verify = %v, want it to pass", err)
				}
				if sum != report {
					t.Errorf("Summary = %v, want %v", sum, report)
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify = %v, want a *VerifyError %q", err, tt.reason)
			}
			if ve.Reason != tt.reason || ve.Seq != tt.seq {
				t.Fatalf("Verify = %v\nwant reason %q at row %d", err, tt.reason, tt.seq)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("row %d", tt.seq)) || !strings.Contains(msg, string(tt.reason)) || !strings.Contains(msg, "restore") {
				t.Errorf("message %q does not name row %d, the reason and what to do", msg, tt.seq)
			}
			if tt.seq <= int64(len(l.rows)) && ve.SHA256 != "" && ve.SHA256 != l.row(int(tt.seq)).SHA256 {
				t.Errorf("error names sha256 %s, row %d has %s", ve.SHA256, tt.seq, l.row(int(tt.seq)).SHA256)
			}
		})
	}
}

// TestVerifyCutWithoutHead shows why the report prints the head: without it, rows cut
// off the end leave a shorter ledger that is consistent in itself.
func TestVerifyCutWithoutHead(t *testing.T) {
	l := newLedger(t, 10)
	l.rows = l.rows[:7]
	sum, err := Verify(context.Background(), rowsOf(l.rows), l.s, "")
	if err != nil || sum.Count != 7 {
		t.Fatalf("Verify = %v, %v; want a clean ledger of 7 rows", sum, err)
	}
	if _, err := Verify(context.Background(), rowsOf(l.rows), l.s, Summary{Count: 10, Head: "f" + sum.Head[1:]}.String()); err == nil {
		t.Fatal("with the report's head the cut must be caught")
	}
}

// TestVerifyAcrossChunks checks that the first broken item is named although the files
// of a chunk of rows are checked in parallel.
func TestVerifyAcrossChunks(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, l *ledger)
		reason Reason
		seq    int64
	}{
		{"file in chunk 2 before row in chunk 3", func(t *testing.T, l *ledger) {
			tamper(t, l.s, l.row(6).SHA256, func(b []byte) []byte { b[1] = 'X'; return b })
			l.row(10).Amount++
		}, ContentAltered, 6},
		{"file before row, same chunk", func(t *testing.T, l *ledger) {
			os.Remove(l.s.Path(l.row(5).SHA256))
			l.row(7).Counterparty = "x"
		}, ContentMissing, 5},
		{"row at the end of a chunk before file at the start of the next", func(t *testing.T, l *ledger) {
			l.row(8).Size++
			os.Remove(l.s.Path(l.row(9).SHA256))
		}, RowAltered, 8},
		{"file at the end of a chunk", func(t *testing.T, l *ledger) {
			os.Remove(l.s.Path(l.row(8).SHA256))
		}, ContentMissing, 8},
		{"row at the start of a chunk", func(t *testing.T, l *ledger) {
			l.row(9).Kind = KindMail + " "
		}, RowAltered, 9},
		{"chain broken at the start of a chunk", func(t *testing.T, l *ledger) {
			l.row(8).Amount = 7
			*l.row(8) = Next(*l.row(7), *l.row(8))
		}, ChainBroken, 8},
		{"last row", func(t *testing.T, l *ledger) {
			os.Remove(l.s.Path(l.row(14).SHA256))
		}, ContentMissing, 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLedger(t, 14)
			tt.tamper(t, l)
			sum, err := verify(context.Background(), rowsOf(l.rows), l.s, "", 4) // chunks 1–4, 5–8, 9–12, 13–14
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Reason != tt.reason || ve.Seq != tt.seq {
				t.Fatalf("Verify = %v; want %q at row %d", err, tt.reason, tt.seq)
			}
			if sum.Count != tt.seq-1 || sum.Head != l.row(int(tt.seq-1)).Hash {
				t.Errorf("Summary = %v; want the %d rows before", sum, tt.seq-1)
			}
		})
	}
}

func TestVerifyEdges(t *testing.T) {
	ctx := context.Background()

	t.Run("empty ledger", func(t *testing.T) {
		s := openStore(t)
		sum, err := Verify(ctx, rowsOf(nil), s, "")
		if err != nil || sum != (Summary{Count: 0, Head: Genesis}) {
			t.Errorf("Verify(empty) = %v, %v; want 0 rows, Genesis", sum, err)
		}
		if _, err := Verify(ctx, rowsOf(nil), s, sum.String()); err != nil {
			t.Errorf("empty ledger against its own head: %v", err)
		}
	})

	t.Run("rows only without a store", func(t *testing.T) {
		l := newLedger(t, 5)
		os.Remove(l.s.Path(l.row(2).SHA256))
		if _, err := Verify(ctx, rowsOf(l.rows), nil, ""); err != nil {
			t.Errorf("Verify without a store checked files: %v", err)
		}
		l.row(4).Source = "x"
		if _, err := Verify(ctx, rowsOf(l.rows), nil, ""); err == nil {
			t.Error("Verify without a store must still check rows")
		}
	})

	t.Run("reading the ledger fails", func(t *testing.T) {
		l := newLedger(t, 5)
		dbErr := errors.New("driver: bad connection")
		rows := func(yield func(Entry, error) bool) {
			for _, e := range l.rows[:3] {
				if !yield(e, nil) {
					return
				}
			}
			yield(Entry{}, dbErr)
		}
		_, err := Verify(ctx, rows, l.s, "")
		var ve *VerifyError
		if !errors.Is(err, dbErr) || errors.As(err, &ve) || !strings.Contains(err.Error(), "after row 3") {
			t.Errorf("Verify = %v; want the read error, after row 3, not a VerifyError", err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		l := newLedger(t, 5)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := Verify(cctx, rowsOf(l.rows), l.s, ""); !errors.Is(err, context.Canceled) {
			t.Errorf("Verify(cancelled) = %v, want context.Canceled", err)
		}
	})

	t.Run("bad head", func(t *testing.T) {
		l := newLedger(t, 2)
		for _, h := range []string{"abc", "x:" + l.row(2).Hash, "-1:" + l.row(2).Hash, l.row(2).Hash + "0"} {
			if _, err := Verify(ctx, rowsOf(l.rows), l.s, h); !errors.Is(err, ErrBadHead) {
				t.Errorf("head %q: %v, want ErrBadHead", h, err)
			}
		}
	})

	t.Run("unreadable file is an error, not a verdict", func(t *testing.T) {
		l := newLedger(t, 3)
		sha := l.row(2).SHA256
		os.Remove(l.s.Path(sha))
		if err := os.Mkdir(l.s.Path(sha), 0o750); err != nil { // a directory where the file was
			t.Fatal(err)
		}
		_, err := Verify(ctx, rowsOf(l.rows), l.s, "")
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Reason != ContentAltered || ve.Seq != 2 {
			t.Errorf("Verify = %v; want content altered at row 2", err)
		}
	})
}

func TestParseHead(t *testing.T) {
	h := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		in   string
		want Summary
		ok   bool
	}{
		{"1520:" + h, Summary{1520, h}, true},
		{h, Summary{-1, h}, true},
		{"  " + strings.ToUpper(h) + "\n", Summary{-1, h}, true},
		{"0:" + Genesis, Summary{0, Genesis}, true},
		{"", Summary{}, false},
		{"1520", Summary{}, false},
		{"1520:" + h[:63], Summary{}, false},
		{"a:" + h, Summary{}, false},
		{"-3:" + h, Summary{}, false},
	}
	for _, tt := range tests {
		got, err := ParseHead(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseHead(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err == nil && tt.want.Count >= 0 {
			if back, _ := ParseHead(got.String()); back != got {
				t.Errorf("ParseHead(String()) = %v, want %v", back, got)
			}
		}
	}
}

// BenchmarkVerify10k re-hashes 10,000 originals of 20 KB and checks their rows.
func BenchmarkVerify10k(b *testing.B) {
	s, err := Open(benchDir(b))
	if err != nil {
		b.Fatal(err)
	}
	var rows []Entry
	var head Entry
	bt := s.NewBatch()
	item := make([]byte, 20*1024)
	for i := range 10000 {
		data := fmt.Appendf(slices.Clone(item), "%d", i)
		sha, err := bt.Put(data)
		if err != nil {
			b.Fatal(err)
		}
		head = Next(head, Entry{Kind: KindMail, Source: fmt.Sprint(i), ReceivedAt: time.Unix(int64(i), 0), Size: int64(len(data)), SHA256: sha})
		rows = append(rows, head)
	}
	if err := bt.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Verify(context.Background(), rowsOf(rows), s, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}
