package inbox

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/npress/nightly/filemode"
)

// List reads regular files in name order, leaves dot files alone and names every
// symlink, folder and FIFO it does not read; a missing folder has nothing.
func TestList(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.csv", "a.txt", ".partial"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("/etc/passwd", filepath.Join(dir, "link.csv"))
	os.Mkdir(filepath.Join(dir, "sub"), 0o700)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	names, skipped, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"a.txt", "b.csv"}) {
		t.Errorf("names = %v", names)
	}
	want := []Skipped{{Name: "link.csv", What: "symlink"}, {Name: "pipe", What: "other"}, {Name: "sub", What: "folder"}}
	if !slices.Equal(skipped, want) {
		t.Errorf("skipped = %v, want %v", skipped, want)
	}
	if names, skipped, err := List(filepath.Join(dir, "missing")); err != nil || names != nil || skipped != nil {
		t.Errorf("missing folder: %v %v %v", names, skipped, err)
	}
	if _, err := Read(filepath.Join(dir, "link.csv")); err == nil {
		t.Error("Read followed a symlink")
	}
}

// Move never overwrites: a taken name gets the next free suffix, and the moved file
// gets the policy's mode.
func TestMoveNeverOverwrites(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "rejected", "bank")
	for i, body := range []string{"first", "second", "third"} {
		p := filepath.Join(in, "stmt.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		dst, err := Move(p, out, filemode.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"stmt.csv", "stmt-2.csv", "stmt-3.csv"}[i]
		if filepath.Base(dst) != want {
			t.Errorf("move %d went to %s, want %s", i, dst, want)
		}
		got, _ := os.ReadFile(dst)
		fi, _ := os.Stat(dst)
		if string(got) != body || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s holds %q with mode %v", dst, got, fi.Mode().Perm())
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("source still there after move %d", i)
		}
	}
}
