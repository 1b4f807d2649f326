package filemode

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"
)

// WriteAtomic writes data to path through a temporary file in the same folder and a
// rename, so that a crash never leaves a half-written file in place; a temporary file
// left by a crash is removed by the next write of the same path. Missing folders are
// created with mode Dir. It is for files other users read (nightly.prom, an export
// given a mode); what the night writes for staff goes through Policy.WriteFile.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), Dir); err != nil {
		return err
	}
	return writeAtomic(path, data, perm, -1)
}

// WriteFile writes data to path as WriteAtomic does, with the policy's file mode and
// group; missing folders are created as MkdirAll does.
func (p Policy) WriteFile(path string, data []byte) error {
	if err := p.MkdirAll(filepath.Dir(path)); err != nil {
		return err
	}
	return writeAtomic(path, data, p.File(), p.GID())
}

// WriteStream writes path as WriteFile does, from what write writes (buffered), for a
// file too large to hold in memory such as the print bundle. Nothing is in place
// unless write and the flush succeed.
func (p Policy) WriteStream(path string, write func(w io.Writer) error) error {
	if err := p.MkdirAll(filepath.Dir(path)); err != nil {
		return err
	}
	return writeAtomicFrom(path, write, p.File(), p.GID())
}

// writeAtomic is WriteAtomic into an existing folder, giving the file group gid (-1:
// the process's).
func writeAtomic(path string, data []byte, perm os.FileMode, gid int) error {
	return writeAtomicFrom(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, perm, gid)
}

// writeAtomicFrom is writeAtomic with the bytes coming from write.
func writeAtomicFrom(path string, write func(w io.Writer) error, perm os.FileMode, gid int) error {
	// A process killed while writing leaves its temporary file: clear it away first.
	if stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return err
	}
	if gid >= 0 {
		if err := os.Chown(tmp.Name(), -1, gid); err != nil {
			return fmt.Errorf("write %s: give it to group %d: %w", path, gid, err)
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// NamedFile is one file of a WriteFiles batch: its name in the folder and its bytes.
type NamedFile struct {
	Name string
	Data []byte
}

// WriteFiles writes many files into dir as WriteFile does (a temporary file, made
// durable, renamed, the folder flushed), for a batch: it reads the folder once to clear
// the temporary files a crash left for these names, leaves a file that already holds
// exactly its bytes as it is (a rerun writes nothing), and makes the new temporary
// files durable with one flush of the file system (syncfs on Linux, a flush per file
// elsewhere) before any is renamed, so that a night with thousands of documents does
// not wait for thousands of flushes.
func (p Policy) WriteFiles(dir string, files []NamedFile) error {
	if len(files) == 0 {
		return nil
	}
	if err := p.MkdirAll(dir); err != nil {
		return err
	}
	clearStale(dir, files)
	var todo []NamedFile
	for _, f := range files {
		if !sameFile(filepath.Join(dir, f.Name), f.Data) {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	tmps := make([]string, len(todo))
	defer func() {
		for _, t := range tmps {
			if t != "" {
				os.Remove(t)
			}
		}
	}()
	var g errgroup.Group
	g.SetLimit(4)
	for i, f := range todo {
		g.Go(func() error {
			name, err := p.writeTemp(dir, f)
			tmps[i] = name
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := syncFiles(dir, tmps); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	for i, f := range todo {
		if err := os.Rename(tmps[i], filepath.Join(dir, f.Name)); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
		}
		tmps[i] = ""
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// clearStale removes the temporary files a killed process left in dir for the names of
// files, reading dir once.
func clearStale(dir string, files []NamedFile) {
	names := make(map[string]bool, len(files))
	for _, f := range files {
		names[f.Name] = true
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, ".") {
			continue
		}
		if k := strings.LastIndex(n, ".tmp"); k > 1 && names[n[1:k]] {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// sameFile reports whether path is a regular file holding exactly data.
func sameFile(path string, data []byte) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	got, err := os.ReadFile(path)
	return err == nil && bytes.Equal(got, data)
}

// writeTemp writes f to a temporary file, not yet flushed, in dir with the policy's mode and
// returns its name ("" if none was created).
func (p Policy) writeTemp(dir string, f NamedFile) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.Name+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(f.Data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = p.SetFile(tmp.Name())
	}
	if err != nil {
		return tmp.Name(), fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
	}
	return tmp.Name(), nil
}
