package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/npress/nightly/filemode"
)

// Errors that callers branch on. They are wrapped in a *BlobError that names the file.
var (
	// ErrMissing means no file is stored under the SHA-256.
	ErrMissing = errors.New("content missing")
	// ErrAltered means the file stored under the SHA-256 no longer has that hash (or that
	// size): it was changed after it was written.
	ErrAltered = errors.New("content altered")
	// ErrBadHash means a string given as a SHA-256 is not 64 lowercase hex digits.
	ErrBadHash = errors.New("not a SHA-256 (want 64 lowercase hex digits)")
)

const (
	dirMode = filemode.Dir
	tmpDir  = ".tmp"
)

// BlobError says which stored original failed and how; Err is ErrMissing, ErrAltered,
// ErrBadHash or an I/O error.
type BlobError struct {
	SHA256 string
	Path   string
	Detail string // what was found, e.g. "size 20480, want 20481"
	Err    error
}

func (e *BlobError) Error() string {
	msg := fmt.Sprintf("evidence: stored file %s (%s): %v", e.SHA256, e.Path, e.Err)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	switch {
	case errors.Is(e.Err, ErrAltered):
		msg += "; restore the original file from backup (it is named by its hash) and run `nightly evidence verify`"
	case errors.Is(e.Err, ErrMissing):
		msg += "; restore the file from backup under this path and run `nightly evidence verify`"
	}
	return msg
}

func (e *BlobError) Unwrap() error { return e.Err }

// Store is the content-addressed, write-once file store of originals (SPEC §7.5): every
// bank file, raw message and issued PDF is kept byte for byte under dir/ab/cd/<sha256>,
// mode 0400 (0440 for a configured group): nobody, not even the owner, may rewrite an
// original, and nobody else may read it. A file is published under its final name only after its content is on
// disk (fsync), and never replaced: a second Put of the same content is a no-op and a
// different file under that name is reported as tampering. A Store is safe for
// concurrent use, also by several processes on the same directory.
type Store struct {
	dir   string
	flush func(path string) error // flushes a file or directory; tests observe it
	// flushAll flushes many files and directories of the store at once (Linux: one
	// syncfs of its file system); nil: flush each, in parallel.
	flushAll func(paths []string) error
	modes    filemode.Policy // 0400 files (0440 and the group with file_group), 0750 folders
	// made holds the leaf folders (dir/ab/cd) this process made or found, so that a
	// night storing thousands of files does not ask for each again: a mkdir that fails
	// with EEXIST still locks the parent every writer shares (8 % of a peak night's CPU).
	made sync.Map
}

// Open opens the store rooted at dir, creating dir (mode 0750) when it is missing.
// Reading (Get, Check) needs nothing else, so a read-only copy of the store can be
// verified. Its files are 0400 and its folders 0750.
func Open(dir string) (*Store, error) { return OpenWith(dir, filemode.Policy{}) }

// OpenWith is Open with the file modes of the configuration: with a group, files are
// 0440 and files and folders belong to that group.
func OpenWith(dir string, modes filemode.Policy) (*Store, error) {
	if dir == "" {
		return nil, errors.New("evidence: open store: no directory given")
	}
	dir = filepath.Clean(dir)
	if err := modes.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("evidence: open store %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence: open store %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("evidence: open store %s: not a directory", dir)
	}
	return &Store{dir: dir, flush: syncFile, flushAll: syncAll(dir), modes: modes}, nil
}

// Dir returns the root directory of the store.
func (s *Store) Dir() string { return s.dir }

// ValidSHA256 reports whether h is a SHA-256 as this package writes it: 64 lowercase hex
// digits.
func ValidSHA256(h string) bool {
	if len(h) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Path returns where the content with this SHA-256 is (or would be) stored:
// dir/ab/cd/<sha>. It returns "" for a string that is not a valid SHA-256, so that a
// crafted name can never point outside the store.
func (s *Store) Path(sha string) string {
	if !ValidSHA256(sha) {
		return ""
	}
	return filepath.Join(s.dir, sha[0:2], sha[2:4], sha)
}

// Put stores data durably and returns its SHA-256 (lowercase hex). When it returns nil
// the file and its directory entry are on disk, so a ledger row may refer to it. If the
// content is stored already, Put checks it is intact and does nothing more; if a file
// under that name has other content, Put returns a *BlobError wrapping ErrAltered.
// Many items at once are faster through a Batch.
func (s *Store) Put(data []byte) (string, error) {
	b := s.NewBatch()
	sha, err := b.Put(data)
	if err != nil {
		b.Abort()
		return "", err
	}
	if err := b.Commit(); err != nil {
		return "", err
	}
	return sha, nil
}

// Get returns the stored content with this SHA-256, checked against its hash:
// ErrMissing or ErrAltered (wrapped in a *BlobError) when it is gone or changed, so
// that a copy handed out (an invoice reprint, an export) is always the original.
func (s *Store) Get(sha string) ([]byte, error) {
	r, err := s.Open(sha)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Open opens the stored content with this SHA-256 for reading. The reader hashes what is
// read; at the end it returns a *BlobError wrapping ErrAltered instead of io.EOF when the
// content does not match its name, so a caller that reads to the end never passes on
// altered bytes unknowingly.
func (s *Store) Open(sha string) (io.ReadCloser, error) {
	p := s.Path(sha)
	if p == "" {
		return nil, &BlobError{SHA256: sha, Err: ErrBadHash}
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &BlobError{SHA256: sha, Path: p, Err: ErrMissing}
		}
		return nil, &BlobError{SHA256: sha, Path: p, Err: err}
	}
	return &checkedReader{f: f, h: sha256.New(), sha: sha, path: p}, nil
}

type checkedReader struct {
	f    *os.File
	h    hash.Hash
	sha  string
	path string
}

func (r *checkedReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(r.h.Sum(nil)); got != r.sha {
			return n, &BlobError{SHA256: r.sha, Path: r.path, Detail: "content hashes to " + got, Err: ErrAltered}
		}
	}
	return n, err
}

func (r *checkedReader) Close() error { return r.f.Close() }

// Check re-hashes the stored file and returns nil when it is intact, or a *BlobError
// wrapping ErrMissing or ErrAltered (also when the size differs from size, or the name
// is no longer a regular file). A negative size skips the size comparison.
func (s *Store) Check(sha string, size int64) error {
	p := s.Path(sha)
	if p == "" {
		return &BlobError{SHA256: sha, Err: ErrBadHash}
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &BlobError{SHA256: sha, Path: p, Err: ErrMissing}
		}
		return &BlobError{SHA256: sha, Path: p, Err: err}
	}
	if !fi.Mode().IsRegular() {
		return &BlobError{SHA256: sha, Path: p, Detail: "not a regular file (" + fi.Mode().Type().String() + ")", Err: ErrAltered}
	}
	if size >= 0 && fi.Size() != size {
		return &BlobError{SHA256: sha, Path: p, Detail: fmt.Sprintf("size %d, want %d", fi.Size(), size), Err: ErrAltered}
	}
	got, err := hashFile(p)
	if err != nil {
		return &BlobError{SHA256: sha, Path: p, Err: err}
	}
	if got != sha {
		return &BlobError{SHA256: sha, Path: p, Detail: "content hashes to " + got, Err: ErrAltered}
	}
	return nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Walk calls fn for every file stored under a SHA-256 name, in no particular order, with
// its size as found on disk (nothing is re-hashed; use Check for that). Files that are
// not named like stored content are skipped. It lets `verify` list originals that no
// ledger row refers to.
func (s *Store) Walk(fn func(sha string, size int64) error) error {
	return filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("evidence: walk store %s: %w", s.dir, err)
		}
		if d.IsDir() {
			if d.Name() == tmpDir {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if !ValidSHA256(name) || s.Path(name) != p {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("evidence: walk store: %s: %w", p, err)
		}
		return fn(name, fi.Size())
	})
}

// CleanTemp removes unfinished writes (temporary files older than before) that a
// crashed process left behind, and returns how many it removed. Stored originals are
// never touched. Pass a time well in the past (a day ago) so that a write in progress in
// another process is not disturbed.
func (s *Store) CleanTemp(before time.Time) (int, error) {
	dir := filepath.Join(s.dir, tmpDir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("evidence: clean temporary files in %s: %w", dir, err)
	}
	n := 0
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || !fi.ModTime().Before(before) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("evidence: clean temporary files: %w", err)
		}
		n++
	}
	return n, nil
}

// Batch stores many items with one round of disk flushes: Put writes each item to a
// temporary file, and Commit flushes them all, publishes them under their final names
// and flushes the directories once. Mail intake uses one Batch per fetch, so that
// hundreds of messages per second are stored durably. Until Commit returns nil nothing
// of the batch may be recorded in the ledger (and Get does not find it yet). A Batch is
// safe for concurrent use; it is used once.
type Batch struct {
	s       *Store
	mu      sync.Mutex
	pending map[string]string // sha → temporary file
	order   []string
	exists  map[string]bool // stored already and intact; its directory is flushed again
	done    bool
}

// NewBatch starts a batch of writes to s.
func (s *Store) NewBatch() *Batch {
	return &Batch{s: s, pending: map[string]string{}, exists: map[string]bool{}}
}

// Len returns how many distinct items the batch holds.
func (b *Batch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending) + len(b.exists)
}

// Put adds data to the batch and returns its SHA-256. Content already in the store is
// checked and not written again (a *BlobError wrapping ErrAltered if the stored file
// differs); content added twice to one batch is written once.
func (b *Batch) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	b.mu.Lock()
	if b.done {
		b.mu.Unlock()
		return "", errors.New("evidence: Put on a batch that was already committed or aborted")
	}
	_, dup := b.pending[sha]
	dup = dup || b.exists[sha]
	b.mu.Unlock()
	if dup {
		return sha, nil
	}
	final := b.s.Path(sha)
	if _, err := os.Lstat(final); err == nil {
		if err := b.s.sameContent(sha, data); err != nil {
			return "", err
		}
		b.mu.Lock()
		b.exists[sha] = true
		b.mu.Unlock()
		return sha, nil
	}
	tmp, err := b.s.writeTemp(sha, data)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.pending[sha]; dup || b.done {
		os.Remove(tmp)
		if b.done {
			return "", errors.New("evidence: Put on a batch that was already committed or aborted")
		}
		return sha, nil
	}
	b.pending[sha] = tmp
	b.order = append(b.order, sha)
	return sha, nil
}

// sameContent checks that the file stored under sha holds exactly data.
func (s *Store) sameContent(sha string, data []byte) error {
	p := s.Path(sha)
	got, err := os.ReadFile(p)
	if err != nil {
		return &BlobError{SHA256: sha, Path: p, Err: err}
	}
	if !bytes.Equal(got, data) {
		return &BlobError{SHA256: sha, Path: p, Detail: fmt.Sprintf("a different file (%d bytes) is stored under this name; it was tampered with", len(got)), Err: ErrAltered}
	}
	return nil
}

// writeTemp writes data to a new read-only temporary file in dir/.tmp, not yet flushed.
func (s *Store) writeTemp(sha string, data []byte) (string, error) {
	dir := filepath.Join(s.dir, tmpDir)
	if err := s.mkdir(dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("evidence: store %s: %w", sha, err)
	}
	f, err := os.CreateTemp(dir, sha[:16]+"-*")
	if err != nil {
		return "", fmt.Errorf("evidence: store %s: %w", sha, err)
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = s.readOnly(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("evidence: store %s: writing %s: %w", sha, name, err)
	}
	return name, nil
}

// Commit makes every item of the batch durable and visible under its final name:
// it flushes the temporary files, links each to dir/ab/cd/<sha> (never replacing an
// existing file), flushes each directory touched once, and removes the temporary names.
// When it returns nil every SHA-256 that Put returned is stored. On error, items may be
// partly published; a later Put of the same content completes them.
func (b *Batch) Commit() error {
	b.mu.Lock()
	if b.done {
		b.mu.Unlock()
		return errors.New("evidence: Commit on a batch that was already committed or aborted")
	}
	b.done = true
	pending, order, exists := b.pending, b.order, b.exists
	b.mu.Unlock()
	defer func() {
		for _, tmp := range pending {
			os.Remove(tmp)
		}
	}()

	tmps := make([]string, 0, len(order))
	for _, sha := range order {
		tmps = append(tmps, pending[sha])
	}
	if err := b.s.flushMany(tmps); err != nil {
		return err
	}

	var mu sync.Mutex
	dirty := map[string]bool{}
	for sha := range exists {
		dirty[filepath.Dir(b.s.Path(sha))] = true
	}
	err := parallelN(order, publishWorkers, func(sha string) error {
		created, err := b.s.publish(sha, pending[sha])
		mu.Lock()
		defer mu.Unlock()
		for _, d := range created {
			dirty[d] = true
		}
		return err
	})
	if err != nil {
		return err
	}
	dirs := make([]string, 0, len(dirty))
	for d := range dirty {
		dirs = append(dirs, d)
	}
	return b.s.flushMany(dirs)
}

// flushMany flushes paths, all at once where the system can.
func (s *Store) flushMany(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	if s.flushAll != nil {
		return s.flushAll(paths)
	}
	return parallel(paths, s.flush)
}

// PutAll stores every item of datas with one Batch (one round of disk flushes) and
// returns when all are durable.
func (s *Store) PutAll(datas [][]byte) error {
	b := s.NewBatch()
	for _, d := range datas {
		if _, err := b.Put(d); err != nil {
			b.Abort()
			return err
		}
	}
	return b.Commit()
}

// publish links the flushed temporary file tmp to the final name of sha, never replacing
// a file there, and returns the directories whose entries changed.
func (s *Store) publish(sha, tmp string) ([]string, error) {
	final := s.Path(sha)
	dirs, err := s.mkdirs(sha)
	if err != nil {
		return dirs, err
	}
	err = os.Link(tmp, final)
	if errors.Is(err, fs.ErrNotExist) && len(dirs) == 0 {
		// A folder made earlier was removed since: make it again.
		s.made.Delete(filepath.Dir(final))
		if dirs, err = s.mkdirs(sha); err != nil {
			return dirs, err
		}
		err = os.Link(tmp, final)
	}
	if errors.Is(err, fs.ErrExist) {
		// Another writer stored it first; it must be the same content. Its entry may not
		// be flushed yet, so the directory is flushed all the same.
		data, rerr := os.ReadFile(tmp)
		if rerr != nil {
			return dirs, fmt.Errorf("evidence: store %s: %w", sha, rerr)
		}
		err = s.sameContent(sha, data)
	} else if err != nil {
		err = fmt.Errorf("evidence: store %s: publishing %s: %w", sha, final, err)
	}
	return append(dirs, filepath.Dir(final)), err
}

// Abort discards the batch: nothing that was not published already is stored.
func (b *Batch) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	for _, tmp := range b.pending {
		os.Remove(tmp)
	}
}

// mkdirs creates dir/ab and dir/ab/cd as needed and returns the parents of the
// directories it created, whose entries must be flushed. The leaf is tried first: in a
// store that has been used a while dir/ab exists, and a mkdir that fails with EEXIST
// still locks its parent directory, which all writers share.
func (s *Store) mkdirs(sha string) ([]string, error) {
	top := filepath.Join(s.dir, sha[0:2])
	leaf := filepath.Join(top, sha[2:4])
	if _, ok := s.made.Load(leaf); ok {
		return nil, nil
	}
	err := s.mkdir(leaf)
	switch {
	case err == nil:
		s.made.Store(leaf, true)
		return []string{top}, nil
	case errors.Is(err, fs.ErrExist):
		s.made.Store(leaf, true)
		return nil, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("evidence: store %s: %w", sha, err)
	}
	var created []string
	parent := s.dir
	for _, d := range []string{top, leaf} {
		err := s.mkdir(d)
		switch {
		case err == nil:
			created = append(created, parent)
		case errors.Is(err, fs.ErrExist):
		default:
			return created, fmt.Errorf("evidence: store %s: %w", sha, err)
		}
		parent = d
	}
	s.made.Store(leaf, true)
	return created, nil
}

// mkdir creates one folder of the store with the store's folder mode and group.
func (s *Store) mkdir(d string) error {
	if err := os.Mkdir(d, dirMode); err != nil {
		return err
	}
	return s.modes.Set(d, dirMode)
}

// readOnly gives a written file its final mode: read-only for the owner (and the group).
func (s *Store) readOnly(f *os.File) error {
	if err := f.Chmod(s.modes.ReadOnly()); err != nil {
		return err
	}
	if gid := s.modes.GID(); gid >= 0 {
		return f.Chown(-1, gid)
	}
	return nil
}

// syncFile flushes a file or directory to disk. Linux allows fsync on a descriptor opened
// read-only, which is all a 0400 file or a directory permits.
func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("evidence: flush %s: %w", p, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("evidence: flush %s: %w", p, err)
	}
	return nil
}

// syncWorkers is how many flushes run at once. Flushes wait on the disk, not the CPU;
// issuing them together lets the file system commit its journal once for many files.
const syncWorkers = 32

// publishWorkers is how many names are published at once. Creating directories and
// links works the CPU (inode allocation, the parent directory's lock), not the disk:
// more workers than cores only make them contend.
const publishWorkers = 2

// parallel runs fn over items with at most syncWorkers at once and returns the first
// error in item order.
func parallel(items []string, fn func(string) error) error {
	return parallelN(items, syncWorkers, fn)
}

// parallelN runs fn over items with at most workers at once and returns the first
// error in item order.
func parallelN(items []string, workers int, fn func(string) error) error {
	if len(items) == 0 {
		return nil
	}
	errs := make([]error, len(items))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(it)
		})
	}
	wg.Wait()
	return firstNonNil(errs)
}

func firstNonNil(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
