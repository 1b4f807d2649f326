// Package filemode decides the permissions of what nightly writes (issue 13): files are
// 0600, or 0640 and owned by a configured group (file_group) that may read them, such as
// the staff who print dispatch.csv; folders are 0750; write-once evidence is 0400 or
// 0440. The modes are set explicitly, so they do not depend on the umask.
//
// It is not for nightly.prom, which the node_exporter (another user) reads: that file
// stays 0644.
package filemode

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// Dir is the mode of every folder nightly creates.
const Dir os.FileMode = 0o750

// Policy is how files are created: the zero Policy writes 0600 files and leaves their
// group alone; a Policy with a group writes 0640 files owned by that group.
type Policy struct {
	gid   int
	group bool
}

// New returns the Policy for a configured group: "" for none, else a group name or a
// numeric group id that exists on this machine.
func New(group string) (Policy, error) {
	if group == "" {
		return Policy{}, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		if _, numErr := strconv.Atoi(group); numErr != nil {
			return Policy{}, fmt.Errorf("file_group %q: %w", group, err)
		}
		if g, err = user.LookupGroupId(group); err != nil {
			return Policy{}, fmt.Errorf("file_group %q: %w", group, err)
		}
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return Policy{}, fmt.Errorf("file_group %q: group id %q is not a number", group, g.Gid)
	}
	return Policy{gid: gid, group: true}, nil
}

// WithGID returns the Policy of group id gid (tests, or a gid known already).
func WithGID(gid int) Policy { return Policy{gid: gid, group: true} }

// HasGroup reports whether files are shared with a group.
func (p Policy) HasGroup() bool { return p.group }

// GID returns the group id files are given, or -1 without a group.
func (p Policy) GID() int {
	if !p.group {
		return -1
	}
	return p.gid
}

// File is the mode of a file nightly writes: 0600, or 0640 with a group.
func (p Policy) File() os.FileMode {
	if p.group {
		return 0o640
	}
	return 0o600
}

// ReadOnly is the mode of a write-once file (evidence): 0400, or 0440 with a group.
func (p Policy) ReadOnly() os.FileMode {
	if p.group {
		return 0o440
	}
	return 0o400
}

// Set gives path the mode and, with a group, that group. It does not follow a symlink's
// target's mode quirks: callers pass paths they created.
func (p Policy) Set(path string, mode os.FileMode) error {
	if err := os.Chmod(path, mode); err != nil {
		return err
	}
	if p.group {
		if err := os.Lchown(path, -1, p.gid); err != nil {
			return fmt.Errorf("give %s to group %d: %w", path, p.gid, err)
		}
	}
	return nil
}

// SetFile gives a file nightly wrote the mode File (and the group).
func (p Policy) SetFile(path string) error { return p.Set(path, p.File()) }

// MkdirAll creates dir and any missing parent, each new folder with mode Dir (whatever
// the umask) and the group; folders that exist already are left as they are.
func (p Policy) MkdirAll(dir string) error {
	dir = filepath.Clean(dir)
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, Dir); err != nil {
		return err
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := p.Set(missing[i], Dir); err != nil {
			return err
		}
	}
	return nil
}

// SetIfExists is Set for a file that may not be there (a database's -wal and -shm).
func (p Policy) SetIfExists(path string, mode os.FileMode) error {
	err := p.Set(path, mode)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
