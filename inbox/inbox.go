// Package inbox reads and files away what is dropped into the inbox folders (SPEC §5.7):
// which entries of a folder are read, how a file is opened without following a symlink,
// and how a processed or refused file is moved without overwriting anything.
package inbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/npress/nightly/filemode"
)

// Skipped is an entry of an inbox folder that is not read: a symlink (never
// followed), a folder, or another kind of file (a FIFO, a socket, a device).
type Skipped struct {
	Name string
	What string // symlink | folder | other
}

// List lists the regular files of dir in name order (a missing dir has none) and
// the entries it does not read. Names starting with a dot (a file still being copied in,
// as rsync and scp name it) are left alone without a word.
func List(dir string) ([]string, []Skipped, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("inbox %s: %w", dir, err)
	}
	var names []string
	var skipped []Skipped
	for _, e := range entries {
		switch t := e.Type(); {
		case strings.HasPrefix(e.Name(), "."):
		case t.IsRegular():
			names = append(names, e.Name())
		case t&fs.ModeSymlink != 0:
			skipped = append(skipped, Skipped{Name: e.Name(), What: "symlink"})
		case t.IsDir():
			skipped = append(skipped, Skipped{Name: e.Name(), What: "folder"})
		default:
			skipped = append(skipped, Skipped{Name: e.Name(), What: "other"})
		}
	}
	sort.Strings(names)
	return names, skipped, nil
}

// Read reads a file of the inbox without following a symlink put in its place
// after the folder was listed.
func Read(path string) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Open opens a file of the inbox for reading, refusing a symlink.
func Open(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}

// Move moves the file at path into the folder dir (created with the policy's mode)
// under its own name, or, when that name is taken, the first free name with a suffix
// (stmt-2.csv, stmt-3.csv…): nothing there is ever overwritten. The moved file gets the
// policy's file mode; a file another user dropped is replaced by a copy of our own.
// It returns the new path.
func Move(path, dir string, modes filemode.Policy) (string, error) {
	if err := modes.MkdirAll(dir); err != nil {
		return "", err
	}
	dst, err := moveNoClobber(path, dir)
	if err != nil {
		return "", fmt.Errorf("move %s to %s: %w", path, dir, err)
	}
	if err := modes.SetFile(dst); errors.Is(err, fs.ErrPermission) {
		err = ownCopy(dst, modes)
	} else if err != nil {
		return "", err
	}
	return dst, err
}

// moveNoClobber moves path into dir under its name, or the first free name with a
// suffix, and returns the new path. A hard link claims the name (it fails when the name
// is taken), then the old name is removed. A file already linked there by a move that
// crashed before the removal is recognised, and only the old name is removed.
func moveNoClobber(path, dir string) (string, error) {
	src, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; i < 10000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d%s", stem, i, ext)
		}
		dst := filepath.Join(dir, name)
		if fi, err := os.Lstat(dst); err == nil {
			if os.SameFile(src, fi) {
				return dst, os.Remove(path)
			}
			continue
		}
		err := os.Link(path, dst)
		switch {
		case err == nil:
			return dst, os.Remove(path)
		case errors.Is(err, fs.ErrExist):
			continue
		}
		// No hard links here (some network file systems): the name was free a moment ago.
		if err := os.Rename(path, dst); err != nil {
			return "", err
		}
		return dst, nil
	}
	return "", fmt.Errorf("9,999 files named %s already", base)
}

// ownCopy replaces path by a copy that this process owns, with the configured mode
// (streamed: an archived bank file may be big).
func ownCopy(path string, modes filemode.Policy) error {
	in, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, in)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = modes.SetFile(tmp.Name())
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
