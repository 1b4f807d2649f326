package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

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

// migrations returns the migration files rendered for db's engine. fstest.MapFS is
// used as a plain in-memory fs.FS; nothing here is a test.
func (db *DB) migrations() (fs.FS, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	r := dialectWords[db.Dialect]
	for _, e := range entries {
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(r.Replace(string(b))), Mode: 0o444}
	}
	return out, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := db.migrations()
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	d := goose.DialectSQLite3
	if db.Dialect == MySQL {
		d = goose.DialectMySQL
	}
	p, err := goose.NewProvider(d, db.DB.DB, fsys)
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
