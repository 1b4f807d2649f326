package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// PutReader stores everything r yields, as Put does, without holding it in memory: the
// content is copied to a temporary file in dir/.tmp while it is hashed, flushed, and
// only then linked to its final name (never replacing a file there), whose directory
// is flushed too. Content already stored is checked (re-hashed) instead of written
// again: a stored file that differs is a *BlobError wrapping ErrAltered. It returns the
// SHA-256 and the size. It is how a bank file of a gigabyte is kept as evidence.
func (s *Store) PutReader(r io.Reader) (sha string, size int64, err error) {
	dir := filepath.Join(s.dir, tmpDir)
	if err := s.mkdir(dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", 0, fmt.Errorf("evidence: store stream: %w", err)
	}
	f, err := os.CreateTemp(dir, "stream-*")
	if err != nil {
		return "", 0, fmt.Errorf("evidence: store stream: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = s.readOnly(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence: store stream: writing %s: %w", tmp, err)
	}
	if err := s.flush(tmp); err != nil {
		return "", 0, err
	}
	sha = hex.EncodeToString(h.Sum(nil))
	final := s.Path(sha)
	if _, err := os.Lstat(final); err == nil {
		if err := s.Check(sha, size); err != nil {
			return "", 0, err
		}
		return sha, size, s.flush(filepath.Dir(final))
	}
	dirs, err := s.mkdirs(sha)
	if err != nil {
		return "", 0, err
	}
	if err := os.Link(tmp, final); errors.Is(err, fs.ErrExist) {
		// Another writer stored it first: it must be the same content.
		if err := s.Check(sha, size); err != nil {
			return "", 0, err
		}
	} else if err != nil {
		return "", 0, fmt.Errorf("evidence: store %s: publishing %s: %w", sha, final, err)
	}
	for _, d := range append(dirs, filepath.Dir(final)) {
		if err := s.flush(d); err != nil {
			return "", 0, err
		}
	}
	return sha, size, nil
}

// PutFile stores the file at path unchanged, streaming it (see PutReader).
func (s *Store) PutFile(path string) (sha string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("evidence: store %s: %w", path, err)
	}
	defer f.Close()
	return s.PutReader(f)
}
