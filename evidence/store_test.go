package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func shaOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tamper rewrites a stored file the way someone with shell access would.
func tamper(t *testing.T, s *Store, sha string, f func([]byte) []byte) {
	t.Helper()
	p := s.Path(sha)
	old, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, f(old), 0o644); err != nil {
		t.Fatal(err)
	}
}

func tmpFiles(t *testing.T, s *Store) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.Dir(), tmpDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestOpenCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "evidence")
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o750 {
		t.Errorf("store directory mode %v, want 0750", got)
	}

	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if _, err := Open(file); err == nil {
		t.Error("Open on a regular file: no error")
	}
	if _, err := Open(""); err == nil {
		t.Error(`Open(""): no error`)
	}
}

func TestPutGet(t *testing.T) {
	s := openStore(t)
	data := []byte("1000000001202611240000001234\r\n") // bytes as received, CRLF and all
	sha, err := s.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := shaOf(data); sha != want {
		t.Fatalf("Put returned %s, want the SHA-256 %s", sha, want)
	}
	wantPath := filepath.Join(s.Dir(), sha[:2], sha[2:4], sha)
	if p := s.Path(sha); p != wantPath {
		t.Errorf("Path = %s, want %s", p, wantPath)
	}
	got, err := s.Get(sha)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("Get returned %q, want %q", got, data)
	}
	r, err := s.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("Open+ReadAll = %q, %v; want the original", got, err)
	}
	if err := s.Check(sha, int64(len(data))); err != nil {
		t.Errorf("Check on a fresh file: %v", err)
	}
	if err := s.Check(sha, -1); err != nil {
		t.Errorf("Check without size: %v", err)
	}
	if n := tmpFiles(t, s); len(n) != 0 {
		t.Errorf("temporary files left after Put: %v", n)
	}

	// Empty content is evidence too (an empty bank file).
	esha, err := s.Put(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(esha); err != nil || len(got) != 0 {
		t.Errorf("Get(empty) = %q, %v", got, err)
	}
}

func TestPutWriteOnce(t *testing.T) {
	s := openStore(t)
	data := []byte("Subject: 減数のお願い\r\n\r\nbody")
	sha, err := s.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Path(sha)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o400 {
		t.Errorf("stored file mode %v, want 0400 (read-only, and for nobody else)", got)
	}
	for _, d := range []string{filepath.Dir(p), filepath.Dir(filepath.Dir(p))} {
		di, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := di.Mode().Perm(); got != 0o750 {
			t.Errorf("directory %s mode %v, want 0750", d, got)
		}
	}

	// A second Put of the same content is a no-op: same name, same file.
	sha2, err := s.Put(slices.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	if sha2 != sha {
		t.Errorf("second Put returned %s, want %s", sha2, sha)
	}
	fi2, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(fi, fi2) || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Error("second Put replaced the stored file")
	}

	// Someone rewrote the file: Put must refuse and leave it for investigation.
	tamper(t, s, sha, func(b []byte) []byte { return bytes.ToUpper(b) })
	_, err = s.Put(data)
	if !errors.Is(err, ErrAltered) {
		t.Fatalf("Put over a tampered file: err = %v, want ErrAltered", err)
	}
	var be *BlobError
	if !errors.As(err, &be) || be.SHA256 != sha || be.Path != p {
		t.Errorf("error %v does not name the file (%s)", err, p)
	}
	if got, _ := os.ReadFile(p); bytes.Equal(got, data) {
		t.Error("Put replaced the tampered file; it must be left as found")
	}
	if n := tmpFiles(t, s); len(n) != 0 {
		t.Errorf("temporary files left: %v", n)
	}
}

func TestConcurrentPutSameContent(t *testing.T) {
	s := openStore(t)
	data := bytes.Repeat([]byte("ｶ)ﾔﾏﾀﾞｼｮｳｼﾞ 110000\n"), 500)
	const n = 16
	shas := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			// Half through Put, half through a Batch: both paths race for the name.
			if i%2 == 0 {
				shas[i], errs[i] = s.Put(data)
				return
			}
			b := s.NewBatch()
			shas[i], errs[i] = b.Put(data)
			if errs[i] == nil {
				errs[i] = b.Commit()
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("writer %d: %v", i, errs[i])
		}
		if shas[i] != shaOf(data) {
			t.Errorf("writer %d: sha %s", i, shas[i])
		}
	}
	if err := s.Check(shaOf(data), int64(len(data))); err != nil {
		t.Error(err)
	}
	if names := tmpFiles(t, s); len(names) != 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

func TestConcurrentPutDistinct(t *testing.T) {
	s := openStore(t)
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range 64 {
		wg.Go(func() {
			_, errs[i] = s.Put(fmt.Appendf(nil, "message %d", i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put %d: %v", i, err)
		}
	}
	n := 0
	if err := s.Walk(func(sha string, size int64) error {
		n++
		return s.Check(sha, size)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 64 {
		t.Errorf("Walk found %d files, want 64", n)
	}
}

func TestCheckAndGetBroken(t *testing.T) {
	data := []byte("%PDF-1.7 請求書 NP-2026-000123")
	sha := shaOf(data)
	size := int64(len(data))
	tests := []struct {
		name      string
		breakF    func(t *testing.T, s *Store)
		size      int64
		wantCheck error
		wantGet   error // Get knows no size and reads through a symlink
	}{
		{"intact", func(*testing.T, *Store) {}, size, nil, nil},
		{"one byte changed, same size", func(t *testing.T, s *Store) {
			tamper(t, s, sha, func(b []byte) []byte { b[5] ^= 0x01; return b })
		}, size, ErrAltered, ErrAltered},
		{"byte appended", func(t *testing.T, s *Store) {
			tamper(t, s, sha, func(b []byte) []byte { return append(b, '\n') })
		}, size, ErrAltered, ErrAltered},
		{"truncated to empty, size not checked", func(t *testing.T, s *Store) {
			tamper(t, s, sha, func([]byte) []byte { return nil })
		}, -1, ErrAltered, ErrAltered},
		{"removed", func(t *testing.T, s *Store) {
			if err := os.Remove(s.Path(sha)); err != nil {
				t.Fatal(err)
			}
		}, size, ErrMissing, ErrMissing},
		{"replaced by a symlink to a copy", func(t *testing.T, s *Store) {
			cp := filepath.Join(t.TempDir(), "copy")
			os.WriteFile(cp, data, 0o444)
			os.Remove(s.Path(sha))
			if err := os.Symlink(cp, s.Path(sha)); err != nil {
				t.Fatal(err)
			}
		}, size, ErrAltered, nil},
		{"other size in the ledger", func(*testing.T, *Store) {}, size + 1, ErrAltered, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			if _, err := s.Put(data); err != nil {
				t.Fatal(err)
			}
			tt.breakF(t, s)
			err := s.Check(sha, tt.size)
			if !errors.Is(err, tt.wantCheck) || (tt.wantCheck == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.wantCheck)
			}
			if err != nil && !strings.Contains(err.Error(), sha) {
				t.Errorf("error %q does not name the sha256", err)
			}
			got, gerr := s.Get(sha)
			if !errors.Is(gerr, tt.wantGet) || (tt.wantGet == nil) != (gerr == nil) {
				t.Errorf("Get = %v, want %v", gerr, tt.wantGet)
			}
			if gerr == nil && !bytes.Equal(got, data) {
				t.Errorf("Get returned %q without error", got)
			}
		})
	}
}

func TestBadSHA(t *testing.T) {
	s := openStore(t)
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 63), strings.Repeat("g", 64)} {
		if p := s.Path(bad); p != "" {
			t.Errorf("Path(%q) = %q, want \"\"", bad, p)
		}
		if _, err := s.Get(bad); !errors.Is(err, ErrBadHash) {
			t.Errorf("Get(%q) = %v, want ErrBadHash", bad, err)
		}
		if err := s.Check(bad, 0); !errors.Is(err, ErrBadHash) {
			t.Errorf("Check(%q) = %v, want ErrBadHash", bad, err)
		}
	}
}

func TestOpenReaderCatchesAlteration(t *testing.T) {
	s := openStore(t)
	data := bytes.Repeat([]byte("0123456789"), 10000)
	sha, _ := s.Put(data)
	tamper(t, s, sha, func(b []byte) []byte { b[len(b)-1] = 'x'; return b })
	r, err := s.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	if !errors.Is(err, ErrAltered) {
		t.Errorf("reading an altered file to the end: err = %v, want ErrAltered", err)
	}
}

func TestBatch(t *testing.T) {
	s := openStore(t)
	old := []byte("stored before the batch")
	oldSHA, _ := s.Put(old)

	b := s.NewBatch()
	var shas []string
	for i := range 50 {
		sha, err := b.Put(fmt.Appendf(nil, "Message-ID: <%d@example.jp>\r\n", i))
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, sha)
	}
	if sha, err := b.Put([]byte("Message-ID: <7@example.jp>\r\n")); err != nil || sha != shas[7] {
		t.Errorf("duplicate in batch: %s, %v", sha, err)
	}
	if sha, err := b.Put(old); err != nil || sha != oldSHA {
		t.Errorf("content already stored: %s, %v", sha, err)
	}
	if b.Len() != 51 {
		t.Errorf("Len = %d, want 51 (50 new, 1 stored)", b.Len())
	}
	if _, err := s.Get(shas[0]); !errors.Is(err, ErrMissing) {
		t.Errorf("before Commit: Get = %v, want ErrMissing (nothing is published yet)", err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	for i, sha := range shas {
		got, err := s.Get(sha)
		if err != nil || string(got) != fmt.Sprintf("Message-ID: <%d@example.jp>\r\n", i) {
			t.Errorf("after Commit: Get(%d) = %q, %v", i, got, err)
		}
		if fi, err := os.Stat(s.Path(sha)); err != nil || fi.Mode().Perm() != 0o400 {
			t.Errorf("item %d: %v, mode %v, want 0400", i, err, fi.Mode())
		}
	}
	if names := tmpFiles(t, s); len(names) != 0 {
		t.Errorf("temporary files left after Commit: %v", names)
	}
	if _, err := b.Put([]byte("late")); err == nil {
		t.Error("Put after Commit: no error")
	}
	if err := b.Commit(); err == nil {
		t.Error("second Commit: no error")
	}

	// Abort publishes nothing and leaves nothing behind.
	a := s.NewBatch()
	asha, _ := a.Put([]byte("aborted"))
	a.Abort()
	if _, err := s.Get(asha); !errors.Is(err, ErrMissing) {
		t.Errorf("after Abort: Get = %v, want ErrMissing", err)
	}
	if names := tmpFiles(t, s); len(names) != 0 {
		t.Errorf("temporary files left after Abort: %v", names)
	}

	// A tampered file under a name the batch needs is refused at Put.
	tamper(t, s, oldSHA, func(b []byte) []byte { return append(b, '!') })
	c := s.NewBatch()
	if _, err := c.Put(old); !errors.Is(err, ErrAltered) {
		t.Errorf("batch Put over a tampered file: %v, want ErrAltered", err)
	}
	c.Abort()
}

// TestBatchDurability checks the order of flushes: every file's content is flushed
// before its name is published, and then each directory that changed is flushed once.
func TestBatchDurability(t *testing.T) {
	s := openStore(t)
	pre, _ := s.Put([]byte("already stored"))

	var mu sync.Mutex
	var flushed []string
	var published []string // finals that existed when their content was flushed
	s.flushAll = nil       // observe each flush
	s.flush = func(p string) error {
		mu.Lock()
		defer mu.Unlock()
		flushed = append(flushed, p)
		if strings.Contains(p, string(filepath.Separator)+tmpDir+string(filepath.Separator)) {
			sha := filepath.Base(p)[:16]
			matches, _ := filepath.Glob(filepath.Join(s.Dir(), sha[:2], sha[2:4], sha+"*"))
			published = append(published, matches...)
		}
		return syncFile(p)
	}
	b := s.NewBatch()
	finals := map[string]bool{}
	for i := range 300 {
		sha, err := b.Put(fmt.Appendf(nil, "item %d", i))
		if err != nil {
			t.Fatal(err)
		}
		finals[s.Path(sha)] = true
	}
	b.Put([]byte("already stored"))
	if len(flushed) != 0 {
		t.Fatalf("Put flushed %d times before Commit; the batch must flush only at Commit", len(flushed))
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(published) != 0 {
		t.Errorf("names published before their content was flushed: %v", published)
	}

	var files, dirs []string
	for _, p := range flushed {
		fi, err := os.Stat(p)
		if err == nil && fi.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
	}
	if len(files) != 300 {
		t.Errorf("flushed %d files, want 300 (one per new item, none for stored content)", len(files))
	}
	wantDirs := map[string]bool{filepath.Dir(s.Path(pre)): true}
	for f := range finals {
		wantDirs[filepath.Dir(f)] = true               // the new entry
		wantDirs[filepath.Dir(filepath.Dir(f))] = true // its new dir ab/cd, usually
	}
	wantDirs[s.Dir()] = true // new ab/ directories
	sort.Strings(dirs)
	for i := 1; i < len(dirs); i++ {
		if dirs[i] == dirs[i-1] {
			t.Errorf("directory %s flushed twice in one Commit", dirs[i])
		}
	}
	for _, d := range dirs {
		if !wantDirs[d] {
			t.Errorf("flushed unrelated directory %s", d)
		}
	}
	for f := range finals {
		if !slices.Contains(dirs, filepath.Dir(f)) {
			t.Errorf("directory of %s not flushed", f)
		}
	}
	if !slices.Contains(dirs, s.Dir()) {
		t.Error("store root not flushed after new ab/ directories were created in it")
	}

	// A single Put flushes its file and its directory before returning.
	flushed = nil
	sha, err := s.Put([]byte("single"))
	if err != nil {
		t.Fatal(err)
	}
	if len(flushed) < 2 || !slices.Contains(flushed, filepath.Dir(s.Path(sha))) {
		t.Errorf("Put flushed %v; want its file and %s", flushed, filepath.Dir(s.Path(sha)))
	}
}

func TestBatchFlushErrorIsReported(t *testing.T) {
	for _, all := range []bool{false, true} {
		s := openStore(t)
		s.flush = func(p string) error { return fmt.Errorf("flush %s: %w", p, errors.New("input/output error")) }
		s.flushAll = nil
		if all { // the one flush of the file system fails
			s.flushAll = func([]string) error { return errors.New("syncfs: input/output error") }
		}
		batchFlushFails(t, s)
	}
}

func batchFlushFails(t *testing.T, s *Store) {
	t.Helper()
	b := s.NewBatch()
	sha, _ := b.Put([]byte("x"))
	if err := b.Commit(); err == nil || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("Commit with a failing disk = %v, want the flush error", err)
	}
	if _, err := os.Stat(s.Path(sha)); err == nil {
		t.Error("a file whose content could not be flushed was published")
	}
	if names := tmpFiles(t, s); len(names) != 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

func TestCleanTemp(t *testing.T) {
	s := openStore(t)
	sha, _ := s.Put([]byte("keep me"))
	dir := filepath.Join(s.Dir(), tmpDir)
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	stale := filepath.Join(dir, "stale")
	fresh := filepath.Join(dir, "fresh")
	os.WriteFile(stale, []byte("crashed write"), 0o444)
	os.WriteFile(fresh, []byte("write in progress"), 0o444)
	os.Chtimes(stale, now.Add(-48*time.Hour), now.Add(-48*time.Hour))
	os.Chtimes(fresh, now.Add(-time.Minute), now.Add(-time.Minute))
	n, err := s.CleanTemp(now.Add(-24 * time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp = %d, %v; want 1 removed", n, err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Error("stale temporary file still there")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("fresh temporary file was removed:", err)
	}
	if err := s.Check(sha, 7); err != nil {
		t.Error(err)
	}
}

func TestWalkSkipsStrayFiles(t *testing.T) {
	s := openStore(t)
	a, _ := s.Put([]byte("a"))
	b, _ := s.Put([]byte("bb"))
	os.WriteFile(filepath.Join(s.Dir(), "README"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(s.Dir(), a[:2], a[2:4], "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(s.Dir(), tmpDir, b), []byte("bb"), 0o444) // a crashed write
	got := map[string]int64{}
	if err := s.Walk(func(sha string, size int64) error { got[sha] = size; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{a: 1, b: 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Walk found %v, want %v", got, want)
	}
}

// benchDir is where the Put benchmarks write: NIGHTLY_BENCH_DIR (to measure the disk the
// store will live on), else the test's temporary directory.
func benchDir(b *testing.B) string {
	if d := os.Getenv("NIGHTLY_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "evidence-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

func benchItems() [][]byte {
	items := make([][]byte, 1000)
	for i := range items {
		item := bytes.Repeat([]byte("Received: from mail.example.jp; 減数のお願い\r\n"), 20*1024/48)
		items[i] = fmt.Appendf(item, "%d", i)
	}
	return items
}

// BenchmarkPut1000PerItem stores 1,000 messages of 20 KB with one Put each (two flushes
// per item).
func BenchmarkPut1000PerItem(b *testing.B) {
	items := benchItems()
	root := benchDir(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(filepath.Join(root, fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			if _, err := s.Put(it); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkPut1000Batched stores the same 1,000 messages in batches of batchSize, one
// Commit per batch, as mail intake does per fetch.
func BenchmarkPut1000Batched(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			items := benchItems()
			root := benchDir(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, err := Open(filepath.Join(root, fmt.Sprint(i)))
				if err != nil {
					b.Fatal(err)
				}
				for chunk := range slices.Chunk(items, size) {
					bt := s.NewBatch()
					for _, it := range chunk {
						if _, err := bt.Put(it); err != nil {
							b.Fatal(err)
						}
					}
					if err := bt.Commit(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// The store remembers the folders it made; one removed behind its back is made again.
func TestFolderRemovedBehindTheStore(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sha, err := s.Put([]byte("first"))
	if err != nil {
		t.Fatal(err)
	}
	leaf := filepath.Dir(s.Path(sha))
	if err := os.Chmod(s.Path(sha), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Dir(leaf)); err != nil {
		t.Fatal(err)
	}
	again, err := s.Put([]byte("first"))
	if err != nil || again != sha {
		t.Fatalf("Put after the folder was removed: %s, %v", again, err)
	}
	if got, err := s.Get(sha); err != nil || string(got) != "first" {
		t.Errorf("Get = %q, %v", got, err)
	}
}
