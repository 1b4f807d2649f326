package evidence

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPutFile stores a file by streaming it: same name, bytes, mode and write-once
// rules as Put, and the flush order (content before name, then the directory).
func TestPutFile(t *testing.T) {
	s := openStore(t)
	data := bytes.Repeat([]byte("1010000000 ｾﾞﾝｷﾞﾝ\r\n"), 5000)
	src := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var flushed []string
	var publishedEarly bool
	s.flush = func(p string) error {
		if _, err := os.Lstat(s.Path(shaOf(data))); err == nil && len(flushed) == 0 {
			publishedEarly = true
		}
		flushed = append(flushed, p)
		return syncFile(p)
	}
	sha, size, err := s.PutFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if sha != shaOf(data) || size != int64(len(data)) {
		t.Fatalf("PutFile = %s, %d; want %s, %d", sha, size, shaOf(data), len(data))
	}
	if publishedEarly {
		t.Error("the final name existed before the content was flushed")
	}
	if len(flushed) < 2 || !slices.Contains(flushed, filepath.Dir(s.Path(sha))) {
		t.Errorf("flushed %v; want the content and %s", flushed, filepath.Dir(s.Path(sha)))
	}
	got, err := s.Get(sha)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get after PutFile: %d bytes, %v", len(got), err)
	}
	fi, err := os.Stat(s.Path(sha))
	if err != nil || fi.Mode().Perm() != 0o400 {
		t.Fatalf("stored file mode %v (%v), want 0400", fi.Mode().Perm(), err)
	}
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// The same content again: checked, not rewritten; Put agrees on the name.
	sha2, _, err := s.PutReader(bytes.NewReader(data))
	if err != nil || sha2 != sha {
		t.Fatalf("PutReader of stored content = %s, %v", sha2, err)
	}
	if p, err := s.Put(data); err != nil || p != sha {
		t.Fatalf("Put of content stored by PutFile = %s, %v", p, err)
	}

	// A stored file that was altered is reported, never replaced.
	tamper(t, s, sha, func(b []byte) []byte { b[0] = 'X'; return b })
	if _, _, err := s.PutFile(src); !errors.Is(err, ErrAltered) {
		t.Fatalf("PutFile over altered content = %v, want ErrAltered", err)
	}
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Errorf("temporary files left after a refused put: %v", left)
	}

	if _, _, err := s.PutFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("PutFile of a missing file succeeded")
	}
}

// TestPutReaderReadError leaves nothing behind when the source fails midway.
func TestPutReaderReadError(t *testing.T) {
	s := openStore(t)
	boom := errors.New("disk read error")
	r := io.MultiReader(bytes.NewReader(make([]byte, 1000)), errReader{boom})
	if _, _, err := s.PutReader(r); !errors.Is(err, boom) {
		t.Fatalf("PutReader = %v, want the read error", err)
	}
	if left := tmpFiles(t, s); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	n := 0
	s.Walk(func(string, int64) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d files stored from a failed read", n)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
