// Package storetest opens fresh, migrated nightly databases for tests: always an
// embedded SQLite file, and a MySQL/MariaDB database when NIGHTLY_TEST_MYSQL_DSN is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/npress/nightly/store"
)

// EnvMySQL names the variable that points tests at a MySQL server, e.g.
// "mysql://root@tcp(127.0.0.1:3306)/nightly_ci". Each test gets its own database on
// that server, named after it, and drops it when done.
const EnvMySQL = "NIGHTLY_TEST_MYSQL_DSN"

// Each runs fn as a subtest once per engine: "sqlite" always, "mysql" when
// NIGHTLY_TEST_MYSQL_DSN is set (otherwise that subtest is skipped with the reason).
func Each(t *testing.T, fn func(t *testing.T, db *store.DB, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		dsn := SQLiteDSN(t)
		fn(t, Open(t, dsn), dsn)
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := MySQLDSN(t)
		fn(t, Open(t, dsn), dsn)
	})
}

// SQLiteDSN returns the address of a new SQLite file in the test's temporary folder.
func SQLiteDSN(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "nightly.db")
}

// MySQLDSN creates a fresh database on the server of NIGHTLY_TEST_MYSQL_DSN and returns
// its address; the database is dropped at the end of the test. The test is skipped when
// the variable is unset.
func MySQLDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv(EnvMySQL)
	if base == "" {
		t.Skip(EnvMySQL + " not set: MySQL tests skipped (.ci/run sets it)")
	}
	cfg, err := mysql.ParseDSN(strings.TrimPrefix(base, "mysql://"))
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQL, err)
	}
	var b [4]byte
	rand.Read(b[:])
	name := cfg.DBName + "_" + hex.EncodeToString(b[:])
	admin := *cfg
	admin.DBName = ""
	adb, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		t.Fatalf("connect to MySQL: %v", err)
	}
	if _, err := adb.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		adb.Close()
		t.Fatalf("create test database %s: %v (is MySQL running? %s)", name, err, store.Redact(base))
	}
	t.Cleanup(func() {
		adb.Exec("DROP DATABASE `" + name + "`")
		adb.Close()
	})
	cfg.DBName = name
	return "mysql://" + cfg.FormatDSN()
}

// Open opens and migrates the database at dsn and closes it when the test ends.
func Open(t *testing.T, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
