package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// `config show` hides the password of a DSN in every form (issue 13, #8).
func TestConfigShowHidesPasswordInEveryForm(t *testing.T) {
	for _, dsn := range []string{
		"MYSQL://nightly:s3cret@tcp(db:3306)/nightly",
		"nightly:s3cret@tcp(db:3306)/nightly",
		"Mysql://nightly:s3:cr@et@tcp(db:3306)/nightly",
	} {
		code, out, errs := nightly(t, map[string]string{"NIGHTLY_DB": dsn}, "config", "show")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", dsn, code, errs)
		}
		if strings.Contains(out, "s3") || !strings.Contains(out, "nightly:***@tcp(db:3306)/nightly") {
			t.Errorf("config show with %s:\n%s", dsn, out)
		}
	}
}

// Every file a demo night writes is 0600 (0640 and the group with file_group) and every
// folder 0750, whatever the umask: the database, the day folder, the inbox's archive and
// rejected folders, reply drafts, evidence (0400/0440); nightly.prom stays 0644 for the
// node_exporter (issue 13, #12).
func TestDemoFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, tc := range []struct {
		name                 string
		group                bool
		file, readOnly, prom os.FileMode
	}{
		{"no group", false, 0o600, 0o400, 0o644},
		{"file_group", true, 0o640, 0o440, 0o644},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"demo", "--out", out}
			if tc.group {
				cfg := filepath.Join(t.TempDir(), "nightly.toml")
				os.WriteFile(cfg, []byte(fmt.Sprintf("file_group = \"%d\"\n", os.Getgid())), 0o600)
				args = append(args, "--config", cfg)
			}
			if code, stdout, errs := nightly(t, nil, args...); code != 0 {
				t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, errs)
			}
			counts := map[string]int{}
			err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == out {
					return err
				}
				fi, err := os.Lstat(p)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(out, p)
				want := tc.file
				switch {
				case fi.IsDir():
					want = 0o750
				case rel == "nightly.prom":
					want = tc.prom
				case strings.HasPrefix(rel, "evidence"+string(filepath.Separator)):
					want = tc.readOnly
				}
				if fi.Mode().Perm() != want || !fi.Mode().IsRegular() && !fi.IsDir() {
					t.Errorf("%s: mode %v, want %v", rel, fi.Mode(), want)
				}
				if gid := int(fi.Sys().(*syscall.Stat_t).Gid); tc.group && gid != os.Getgid() {
					t.Errorf("%s: group %d, want %d", rel, gid, os.Getgid())
				}
				counts[strings.Split(rel, string(filepath.Separator))[0]]++
				if strings.Contains(rel, "archive") || strings.Contains(rel, "rejected") || strings.Contains(rel, "replies") {
					counts[filepath.Base(filepath.Dir(rel))]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The walk saw what it must check, not an empty folder.
			for _, k := range []string{"nightly.db", "evidence", "2026-11-24", "inbox", "2026-11-24", "orders", "replies"} {
				if counts[k] == 0 {
					t.Errorf("no %s in the demo's output (%v)", k, counts)
				}
			}
		})
	}
}
