package filemode

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

func TestModes(t *testing.T) {
	own, err := New(strconv.Itoa(os.Getgid()))
	if err != nil {
		t.Fatalf("New(own gid): %v", err)
	}
	for _, tc := range []struct {
		name           string
		p              Policy
		file, readOnly os.FileMode
		gid            int
	}{
		{"no group", Policy{}, 0o600, 0o400, -1},
		{"group", own, 0o640, 0o440, os.Getgid()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.p.File() != tc.file || tc.p.ReadOnly() != tc.readOnly || tc.p.GID() != tc.gid {
				t.Fatalf("File %v ReadOnly %v GID %d, want %v %v %d", tc.p.File(), tc.p.ReadOnly(), tc.p.GID(), tc.file, tc.readOnly, tc.gid)
			}
			root := t.TempDir()
			os.Chmod(root, 0o755)
			existing := filepath.Join(root, "existing")
			os.Mkdir(existing, 0o755)
			deep := filepath.Join(existing, "a", "b")
			if err := tc.p.MkdirAll(deep); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{filepath.Join(existing, "a"), deep} {
				fi, err := os.Stat(d)
				if err != nil || fi.Mode().Perm() != Dir {
					t.Errorf("%s: %v %v, want %v", d, fi.Mode().Perm(), err, Dir)
				}
				if gid := int(fi.Sys().(*syscall.Stat_t).Gid); tc.p.HasGroup() && gid != tc.gid {
					t.Errorf("%s: group %d, want %d", d, gid, tc.gid)
				}
			}
			if fi, _ := os.Stat(existing); fi.Mode().Perm() != 0o755 {
				t.Errorf("an existing folder was changed to %v", fi.Mode().Perm())
			}
			f := filepath.Join(deep, "f")
			os.WriteFile(f, []byte("x"), 0o666)
			if err := tc.p.SetFile(f); err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(f); fi.Mode().Perm() != tc.file {
				t.Errorf("file mode %v, want %v", fi.Mode().Perm(), tc.file)
			}
			if err := tc.p.SetIfExists(filepath.Join(deep, "missing"), tc.file); err != nil {
				t.Errorf("SetIfExists of a missing file: %v", err)
			}
		})
	}
}

func TestNewRefusesUnknownGroup(t *testing.T) {
	if p, err := New(""); err != nil || p.HasGroup() {
		t.Errorf(`New(""): %v %v, want no group`, p, err)
	}
	if _, err := New("no-such-group-of-nightly"); err == nil {
		t.Error("an unknown group name was accepted")
	}
	if _, err := New("987654321"); err == nil {
		t.Error("an unknown group id was accepted")
	}
}
