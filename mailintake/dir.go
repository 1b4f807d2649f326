package mailintake

import (
	"bufio"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
)

// ReceivedRule says what stands for INTERNALDATE in a directory of .eml files.
type ReceivedRule string

// The rules for a file's received instant.
const (
	// ReceivedModTime takes the file's modification time (default): right for files a
	// mail system drops into the folder as it receives them.
	ReceivedModTime ReceivedRule = "mtime"
	// ReceivedHeader takes the date of the topmost Received: header (the last server
	// that took the message in), falling back to the modification time: right for an
	// exported mailbox whose files were all written at once.
	ReceivedHeader ReceivedRule = "received-header"
)

// DirOptions configures a DirSource.
type DirOptions struct {
	// ProcessedDir is where MarkProcessed moves files; a relative path is under the
	// source directory. Default "processed" (inside it, and never read as input).
	ProcessedDir string
	// Received is the rule for the received instant (default ReceivedModTime).
	Received ReceivedRule
}

// DirSource reads the *.eml files of one directory (not its subdirectories) as a
// mailbox (SPEC §7.1). Its UIDs number the files of one session (Open) in the order
// of their received instant, then name; State.UIDValidity is 0 and FetchResult.Mark
// is always 0, so that a caller never skips a file by a stored UID: files are told
// apart across nights by SHA-256 and Message-ID. MarkProcessed moves files into
// ProcessedDir, so that only new files stay.
type DirSource struct {
	dir   string
	o     DirOptions
	files []dirFile
	open  bool
}

type dirFile struct {
	uid  uint32
	name string
	date time.Time
	size int64
}

// NewDirSource returns a Source over the .eml files in dir.
func NewDirSource(dir string, o DirOptions) *DirSource {
	if o.ProcessedDir == "" {
		o.ProcessedDir = "processed"
	}
	if !filepath.IsAbs(o.ProcessedDir) {
		o.ProcessedDir = filepath.Join(dir, o.ProcessedDir)
	}
	if o.Received == "" {
		o.Received = ReceivedModTime
	}
	return &DirSource{dir: dir, o: o}
}

// Open lists the directory.
func (s *DirSource) Open(ctx context.Context) (State, error) {
	if s.o.Received != ReceivedModTime && s.o.Received != ReceivedHeader {
		return State{}, fmt.Errorf("mail dir %s: received rule %q: want mtime or received-header", s.dir, s.o.Received)
	}
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return State{}, fmt.Errorf("mail dir: %w", err)
	}
	s.files = s.files[:0]
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return State{}, err
		}
		if !e.Type().IsRegular() || !strings.EqualFold(filepath.Ext(e.Name()), ".eml") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return State{}, fmt.Errorf("mail dir %s: %w", s.dir, err)
		}
		f := dirFile{name: e.Name(), date: info.ModTime(), size: info.Size()}
		if s.o.Received == ReceivedHeader {
			if d, ok := receivedHeaderDate(filepath.Join(s.dir, e.Name())); ok {
				f.date = d
			}
		}
		s.files = append(s.files, f)
	}
	slices.SortFunc(s.files, func(a, b dirFile) int {
		if c := a.date.Compare(b.date); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	for i := range s.files {
		s.files[i].uid = uint32(i + 1)
	}
	s.open = true
	return State{Folder: s.dir, UIDValidity: 0, UIDNext: uint32(len(s.files) + 1), Messages: uint32(len(s.files))}, nil
}

// receivedHeaderDate reads the date after the last ";" of the first Received: header.
func receivedHeaderDate(path string) (time.Time, bool) {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, false
	}
	defer f.Close()
	h, err := textproto.ReadHeader(bufio.NewReader(f))
	if err != nil {
		return time.Time{}, false
	}
	v := h.Get("Received")
	i := strings.LastIndex(v, ";")
	if i < 0 {
		return time.Time{}, false
	}
	d, err := mail.ParseDate(strings.TrimSpace(v[i+1:]))
	return d, err == nil
}

// Fetch implements Source. A file that cannot be read stops the fetch with its name.
func (s *DirSource) Fetch(ctx context.Context, afterUID uint32, cutoff time.Time, batch func([]Message) error) (FetchResult, error) {
	var res FetchResult
	if !s.open {
		return res, ErrNotOpen
	}
	var msgs []Message
	for _, f := range s.files {
		if f.uid <= afterUID {
			continue
		}
		if !cutoff.IsZero() && !f.date.Before(cutoff) {
			res.Skipped = append(res.Skipped, f.uid)
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		raw, err := os.ReadFile(filepath.Join(s.dir, f.name))
		if err != nil {
			return res, fmt.Errorf("mail dir %s: %w", s.dir, err)
		}
		msgs = append(msgs, Message{UID: f.uid, InternalDate: f.date, Raw: raw})
		if len(msgs) == DefaultBatchSize {
			if err := batch(msgs); err != nil {
				return res, err
			}
			res.Fetched += len(msgs)
			msgs = nil
		}
	}
	if len(msgs) > 0 {
		if err := batch(msgs); err != nil {
			return res, err
		}
		res.Fetched += len(msgs)
	}
	return res, nil
}

// List implements Source: the files of this session still in the directory.
func (s *DirSource) List(ctx context.Context) ([]Entry, error) {
	if !s.open {
		return nil, ErrNotOpen
	}
	var out []Entry
	for _, f := range s.files {
		p := filepath.Join(s.dir, f.name)
		fh, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("mail dir %s: %w", s.dir, err)
		}
		h, herr := textproto.ReadHeader(bufio.NewReader(fh))
		fh.Close()
		e := Entry{UID: f.uid, InternalDate: f.date, Size: f.size}
		if herr == nil {
			e.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
		}
		out = append(out, e)
	}
	return out, nil
}

// FileName returns the file name behind a UID of this session ("" if unknown), for
// the report and the evidence record.
func (s *DirSource) FileName(uid uint32) string {
	for _, f := range s.files {
		if f.uid == uid {
			return f.name
		}
	}
	return ""
}

// MarkProcessed implements Source: it moves the files into ProcessedDir (created if
// missing). A file already gone is skipped; a name already taken there gets the first
// 12 hex digits of its SHA-256 added.
func (s *DirSource) MarkProcessed(ctx context.Context, uids []uint32) error {
	if !s.open {
		return ErrNotOpen
	}
	if len(uids) == 0 {
		return nil
	}
	if err := os.MkdirAll(s.o.ProcessedDir, 0o750); err != nil {
		return fmt.Errorf("mail dir: processed folder: %w", err)
	}
	for _, u := range uids {
		name := s.FileName(u)
		if name == "" {
			return fmt.Errorf("mail dir %s: no file with UID %d in this session", s.dir, u)
		}
		src := filepath.Join(s.dir, name)
		dst := filepath.Join(s.o.ProcessedDir, name)
		if _, err := os.Stat(dst); err == nil {
			raw, err := os.ReadFile(src)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("mail dir: %w", err)
			}
			sum := sha256.Sum256(raw)
			ext := filepath.Ext(name)
			dst = filepath.Join(s.o.ProcessedDir, strings.TrimSuffix(name, ext)+"-"+hex.EncodeToString(sum[:6])+ext)
		}
		if err := os.Rename(src, dst); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if _, serr := os.Stat(src); errors.Is(serr, fs.ErrNotExist) {
					continue // moved already
				}
			}
			return fmt.Errorf("mail dir: move %s to %s: %w", name, s.o.ProcessedDir, err)
		}
	}
	return nil
}

// Close implements Source.
func (s *DirSource) Close() error {
	s.open = false
	s.files = nil
	return nil
}
