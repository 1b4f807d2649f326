package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/store"
)

// The inbox (SPEC §5.7) as the bank and orders steps share it: which entries of a folder
// are read, what is said about the others, and where a processed file goes.

// skippedEntry is an entry of an inbox folder that is not read: a symlink (never
// followed), a folder, or another kind of file (a FIFO, a socket, a device).
type skippedEntry struct {
	name string
	what string // symlink | folder | other
}

// listInbox lists the regular files of dir in name order (a missing dir has none) and
// the entries it does not read. Names starting with a dot (a file still being copied in,
// as rsync and scp name it) are left alone without a word.
func listInbox(dir string) ([]string, []skippedEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("inbox %s: %w", dir, err)
	}
	var names []string
	var skipped []skippedEntry
	for _, e := range entries {
		switch t := e.Type(); {
		case strings.HasPrefix(e.Name(), "."):
		case t.IsRegular():
			names = append(names, e.Name())
		case t&fs.ModeSymlink != 0:
			skipped = append(skipped, skippedEntry{e.Name(), "symlink"})
		case t.IsDir():
			skipped = append(skipped, skippedEntry{e.Name(), "folder"})
		default:
			skipped = append(skipped, skippedEntry{e.Name(), "other"})
		}
	}
	sort.Strings(names)
	return names, skipped, nil
}

// inboxFiles lists the files of the inbox folder dir (bank/ or orders/) that the step
// reads, and reports every entry it does not read as an exception for staff (once per
// entry: a rerun adds nothing); the night goes on.
func (n *Night) inboxFiles(ctx context.Context, dir string, res Result) ([]string, error) {
	names, skipped, err := listInbox(dir)
	if err != nil || len(skipped) == 0 {
		return names, err
	}
	kind := filepath.Base(dir)
	err = n.TxCounted(ctx, &res, func(tx *sqlx.Tx) error {
		for _, s := range skipped {
			added, err := store.AddException(ctx, tx, skippedException(n, kind, s))
			if err != nil {
				return err
			}
			if added {
				res.Changes["inbox_skipped"]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", dir, err)
	}
	res.Seen["inbox_skipped"] += len(skipped)
	for _, s := range skipped {
		n.progress("  %s: %s is a %s: not read", kind, s.name, s.what)
	}
	return names, nil
}

// skippedException is the exception for an inbox entry that is not read. The name is
// shown as valid UTF-8 and cut to fit its column; the key is a hash of the raw name.
func skippedException(n *Night, kind string, s skippedEntry) store.Exception {
	name := shortName(s.name)
	h := sha256.Sum256([]byte(kind + "/" + s.name))
	var what, action string
	switch s.what {
	case "symlink":
		what = "シンボリックリンクのため読み込んでいません（リンク先は開きません）"
		action = fmt.Sprintf("リンクではなく実際のファイルを受信フォルダの %s/ に置き、リンクは削除してください。", kind)
	case "folder":
		what = "フォルダのため読み込んでいません（中のファイルも読みません）"
		action = fmt.Sprintf("中のファイルを受信フォルダの %s/ に直接置き、フォルダは削除してください。", kind)
	default:
		what = "通常のファイルではない（パイプ・ソケット・デバイスなど）ため読み込んでいません"
		action = fmt.Sprintf("受信フォルダの %s/ から削除し、読み込ませたい内容は通常のファイルとして置いてください。", kind)
	}
	return store.Exception{NKey: "inbox_skipped:" + kind + ":" + hex.EncodeToString(h[:16]), RunDate: n.Date, Kind: "inbox_skipped",
		Subject: kind + "/" + name, Message: fmt.Sprintf("受信フォルダの %s/%s は%s。", kind, name, what), Action: action}
}

// shortName is a file name as text that any column holds: invalid UTF-8 replaced, at
// most 120 characters.
func shortName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if utf8.RuneCountInString(name) <= 120 {
		return name
	}
	return string([]rune(name)[:119]) + "…"
}

// readInboxFile reads a file of the inbox without following a symlink put in its place
// after the folder was listed.
func readInboxFile(path string) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// openNoFollow opens a file of the inbox for reading, refusing a symlink.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}

// moveInboxFile moves a processed file of the inbox folder kind to archive/KIND/DATE/, or
// a refused one to rejected/KIND/, and returns the folder it went to. The file keeps its
// name; only when that name is taken (yesterday's rejected stmt.csv) does it get a
// suffix, stmt-2.csv, stmt-3.csv…: nothing there is ever overwritten. The moved file gets
// the configured file mode (0600, or 0640 for file_group).
func (n *Night) moveInboxFile(path, kind string, rejected bool) (string, error) {
	target := filepath.Join(n.Config.InboxDir, "archive", kind, n.Date.String())
	if rejected {
		target = filepath.Join(n.Config.InboxDir, "rejected", kind)
	}
	if err := n.MkdirAll(target); err != nil {
		return "", err
	}
	dst, err := moveNoClobber(path, target)
	if err != nil {
		return "", fmt.Errorf("move %s to %s: %w", path, target, err)
	}
	if err := n.Files.SetFile(dst); errors.Is(err, fs.ErrPermission) {
		err = n.ownCopy(dst) // dropped by another user: a copy of our own gets our mode
	} else if err != nil {
		return "", err
	}
	return target, err
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
func (n *Night) ownCopy(path string) error {
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
		err = n.Files.SetFile(tmp.Name())
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
