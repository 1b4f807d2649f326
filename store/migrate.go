package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaBehind is returned by CheckSchema when migrations are pending.
var ErrSchemaBehind = errors.New("database schema is behind this program: run `nightly migrate` first")

// dialectWords fill the placeholders of the migration files for each engine, so that
// the schema is written once.
var dialectWords = map[Dialect]*strings.Replacer{
	MySQL: strings.NewReplacer(
		"{{ID}}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
		"{{TEXT}}", "MEDIUMTEXT",
		"{{TABLE}}", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"),
	SQLite: strings.NewReplacer(
		"{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{TEXT}}", "TEXT",
		"{{TABLE}}", ""),
}

// migrations returns the migration files rendered for db's engine, as the flat
// in-memory folder goose reads.
func (db *DB) migrations() (fs.FS, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	out := renderedFS{}
	r := dialectWords[db.Dialect]
	for _, e := range entries {
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = []byte(r.Replace(string(b)))
	}
	return out, nil
}

// renderedFS is a flat, read-only folder of files held in memory: the migrations with
// their placeholders filled. goose lists it with fs.Glob and reads each file.
type renderedFS map[string][]byte

// Open opens "." (the folder) or one of its files.
func (r renderedFS) Open(name string) (fs.File, error) {
	if name == "." {
		return &renderedDir{fs: r}, nil
	}
	b, ok := r[name]
	if !ok || !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &renderedFile{info: renderedInfo{name: name, size: int64(len(b))}, r: strings.NewReader(string(b))}, nil
}

// ReadDir lists the folder in name order.
func (r renderedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]fs.DirEntry, len(names))
	for i, n := range names {
		out[i] = fs.FileInfoToDirEntry(renderedInfo{name: n, size: int64(len(r[n]))})
	}
	return out, nil
}

type renderedFile struct {
	info renderedInfo
	r    *strings.Reader
}

func (f *renderedFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *renderedFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *renderedFile) Close() error               { return nil }

type renderedDir struct {
	fs   renderedFS
	read int // entries already returned by ReadDir
}

func (d *renderedDir) Stat() (fs.FileInfo, error) { return renderedInfo{name: ".", dir: true}, nil }
func (d *renderedDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}
func (d *renderedDir) Close() error { return nil }
func (d *renderedDir) ReadDir(n int) ([]fs.DirEntry, error) {
	all, _ := d.fs.ReadDir(".")
	rest := all[d.read:]
	if n <= 0 {
		d.read = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.read += len(rest)
	return rest, nil
}

// renderedInfo describes a file of renderedFS (or the folder itself).
type renderedInfo struct {
	name string
	size int64
	dir  bool
}

func (i renderedInfo) Name() string { return path.Base(i.name) }
func (i renderedInfo) Size() int64  { return i.size }
func (i renderedInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i renderedInfo) ModTime() time.Time { return time.Time{} }
func (i renderedInfo) IsDir() bool        { return i.dir }
func (i renderedInfo) Sys() any           { return nil }

func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := db.migrations()
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	d := goose.DialectSQLite3
	if db.Dialect == MySQL {
		d = goose.DialectMySQL
	}
	p, err := goose.NewProvider(d, db.DB.DB, fsys, goose.WithGoMigrations(rekeyMigration(db.Dialect)))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", db.Name, err)
	}
	var done []int64
	for _, r := range res {
		done = append(done, r.Source.Version)
	}
	return done, nil
}

// SchemaVersion returns the database's schema version and the version this program needs.
func (db *DB) SchemaVersion(ctx context.Context) (current, target int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

// CheckSchema returns ErrSchemaBehind when the database needs `nightly migrate`, and an
// error when the database is newer than this program.
func (db *DB) CheckSchema(ctx context.Context) error {
	cur, target, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version of %s: %w", db.Name, err)
	}
	switch {
	case cur < target:
		return fmt.Errorf("%s is at version %d, this program needs %d: %w", db.Name, cur, target, ErrSchemaBehind)
	case cur > target:
		return fmt.Errorf("%s is at schema version %d, newer than this program (%d): use a newer nightly", db.Name, cur, target)
	}
	return nil
}
