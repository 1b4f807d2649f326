package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/npress/nightly/store"
)

// The scheme of a DSN is read in any letter case; a bare go-sql-driver DSN is refused
// with a message that says what to write, and without its password (issue 13, #8).
func TestOpenSchemeAnyCase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "n.db")
	db, err := store.Open(ctx, "SQLite:"+path)
	if err != nil {
		t.Fatalf("SQLite: scheme refused: %v", err)
	}
	db.Close()
	// MYSQL:// is parsed as MySQL: the error is the driver's, not ErrBadDSN.
	if _, err := store.Open(ctx, "MYSQL://u:secret@tcp(127.0.0.1:1)/x?badparam=%zz"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("MYSQL:// with a bad parameter: %v", err)
	}
	_, err = store.Open(ctx, "u:secret@tcp(127.0.0.1:1)/x")
	if !errors.Is(err, store.ErrBadDSN) || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "mysql://") {
		t.Errorf("bare DSN: %v, want ErrBadDSN saying to write mysql://, without the password", err)
	}
}

// A new SQLite database is private whatever the umask: the file, and so its -wal and
// -shm, 0600 (issue 13, #12).
func TestSQLiteFilesPrivate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "nightly.db")
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	lock, err := db.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	seen := 0
	for _, p := range []string{path, path + "-wal", path + "-shm", path + ".runlock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		seen++
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("database folder: %v %v, want 0750", fi.Mode().Perm(), err)
	}
	if seen < 4 {
		t.Errorf("only %d of the database's 4 files were there to check", seen)
	}
}
