package filemode

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteStream(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "print")
	path := filepath.Join(dir, "bundle.pdf")
	var p Policy
	if err := p.WriteStream(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "first")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A write that fails half-way leaves the earlier file as it was and no temporary file.
	boom := errors.New("renderer failed")
	err := p.WriteStream(path, func(w io.Writer) error {
		io.WriteString(w, "half of the second")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("WriteStream error %v, want the writer's", err)
	}
	got, rerr := os.ReadFile(path)
	if rerr != nil || string(got) != "first" {
		t.Errorf("after a failed write the file holds %q (%v), want the earlier %q", got, rerr, "first")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after a failed write, want only bundle.pdf", len(entries))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != p.File() {
		t.Errorf("mode %v, want %v (%v)", st.Mode().Perm(), p.File(), err)
	}
}
