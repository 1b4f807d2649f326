package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/npress/nightly/filemode"
)

// With file_group, originals are 0440 and folders 0750, both owned by the group; Put,
// batches and streams alike (issue 13, #12).
func TestModesWithGroup(t *testing.T) {
	gid := os.Getgid()
	s, err := OpenWith(filepath.Join(t.TempDir(), "ev"), filemode.WithGID(gid))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Put([]byte("a bank file"))
	if err != nil {
		t.Fatal(err)
	}
	b := s.NewBatch()
	bsha, err := b.Put([]byte("a message"))
	if err != nil || b.Commit() != nil {
		t.Fatalf("batch: %v", err)
	}
	c, _, err := s.PutReader(strings.NewReader("a streamed file"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sha := range []string{a, bsha, c} {
		p := s.Path(sha)
		for _, x := range []struct {
			path string
			mode os.FileMode
		}{{p, 0o440}, {filepath.Dir(p), 0o750}, {filepath.Dir(filepath.Dir(p)), 0o750}, {s.Dir(), 0o750}} {
			fi, err := os.Stat(x.path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != x.mode || int(fi.Sys().(*syscall.Stat_t).Gid) != gid {
				t.Errorf("%s: mode %v group %d, want %v group %d", x.path, fi.Mode().Perm(), fi.Sys().(*syscall.Stat_t).Gid, x.mode, gid)
			}
		}
	}
}
