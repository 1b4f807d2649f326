// Package storetest opens fresh, migrated nightly databases for tests: always an
// embedded SQLite file, and a MySQL/MariaDB database when NIGHTLY_TEST_MYSQL_DSN is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

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

// Deadlocker makes a MySQL transaction the victim of a real deadlock (error 1213), so
// that tests can see a transaction retried whole. It needs a table of its own, made by
// NewDeadlocker before any transaction starts (DDL would commit one).
type Deadlocker struct {
	db *store.DB
}

// NewDeadlocker creates its two tables in db, a MySQL database: deadlock_probe (rows 1
// and 2, what the two transactions fight over) and deadlock_weight (300 rows that make
// the other transaction the heavier one).
func NewDeadlocker(t *testing.T, db *store.DB) *Deadlocker {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE deadlock_probe (id INT NOT NULL PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO deadlock_probe (id, v) VALUES (1, 0), (2, 0)",
		"CREATE TABLE deadlock_weight (id INT NOT NULL PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO deadlock_weight (id, v) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 300) SELECT n, 0 FROM s",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return &Deadlocker{db: db}
}

// Victim runs in tx (the transaction under test, which must have changed few rows)
// and returns the 1213 error MySQL gives it: tx locks probe row 1; another connection
// updates 300 rows (a heavier transaction), locks probe row 2 and waits for row 1; tx
// then asks for row 2, and InnoDB rolls back the lighter of the two, tx. The other
// transaction then commits.
func (d *Deadlocker) Victim(ctx context.Context, tx sqlx.ExtContext) error {
	if _, err := tx.ExecContext(ctx, "UPDATE deadlock_probe SET v = v + 1 WHERE id = 1"); err != nil {
		return err
	}
	conn, err := d.db.Connx(ctx)
	if err != nil {
		return err
	}
	var connID int64
	if err := conn.GetContext(ctx, &connID, "SELECT CONNECTION_ID()"); err != nil {
		conn.Close()
		return err
	}
	done := make(chan error, 1)
	go func() {
		defer conn.Close()
		other, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			done <- err
			return
		}
		defer other.Rollback()
		for _, q := range []string{
			"UPDATE deadlock_weight SET v = v + 1",
			"UPDATE deadlock_probe SET v = v + 1 WHERE id = 2",
			"UPDATE deadlock_probe SET v = v + 1 WHERE id = 1",
		} {
			if _, err := other.ExecContext(ctx, q); err != nil {
				done <- err
				return
			}
		}
		done <- other.Commit()
	}()
	// Wait until the other transaction asks for row 1.
	deadline := time.Now().Add(30 * time.Second)
	for {
		// Once it runs its last statement it holds row 2; whether it already waits for
		// row 1 or not, tx's request for row 2 closes the cycle. (The processlist, not
		// INNODB_TRX: that table's cache is not refreshed while it is read this often.)
		var waiting int
		if err := d.db.GetContext(ctx, &waiting, "SELECT COUNT(*) FROM information_schema.processlist WHERE id = ? AND info LIKE '%WHERE id = 1'", connID); err != nil {
			return err
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			var state []string
			d.db.SelectContext(ctx, &state, "SELECT CONCAT(COALESCE(command, ''), ' ', COALESCE(state, ''), ' ', COALESCE(info, '')) FROM information_schema.processlist WHERE id = ?", connID)
			return fmt.Errorf("deadlocker: the other transaction never waited for row 1 (it is at %q)", state)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err = tx.ExecContext(ctx, "UPDATE deadlock_probe SET v = v + 1 WHERE id = 2")
	if err == nil {
		<-done
		return errors.New("deadlocker: the transaction under test was not chosen as the deadlock victim")
	}
	if oerr := <-done; oerr != nil {
		return fmt.Errorf("deadlocker: the other transaction failed too: %v (after %w)", oerr, err)
	}
	return err
}

// EnvGalera names the variable that scripts/galera-test.sh sets to the addresses of
// its three cluster nodes, comma-separated.
const EnvGalera = "NIGHTLY_TEST_GALERA_DSNS"

// GaleraDSNs creates a fresh database on the Galera test cluster of NIGHTLY_TEST_GALERA_DSNS
// and returns its address on each node; it is dropped at the end of the test. The test
// is skipped when the variable is unset.
func GaleraDSNs(t *testing.T) []string {
	t.Helper()
	nodes := strings.Split(os.Getenv(EnvGalera), ",")
	if nodes[0] == "" {
		t.Skip(EnvGalera + " not set: cluster tests skipped (eval \"$(scripts/galera-test.sh start)\" sets it; .ci/run does)")
	}
	var b [4]byte
	rand.Read(b[:])
	var out []string
	var admin *sql.DB
	for i, n := range nodes {
		cfg, err := mysql.ParseDSN(strings.TrimPrefix(n, "mysql://"))
		if err != nil {
			t.Fatalf("%s: %v", EnvGalera, err)
		}
		name := cfg.DBName + "_" + hex.EncodeToString(b[:])
		if i == 0 {
			a := *cfg
			a.DBName = ""
			if admin, err = sql.Open("mysql", a.FormatDSN()); err != nil {
				t.Fatal(err)
			}
			if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
				admin.Close()
				t.Fatalf("create test database %s on the cluster: %v (is it running? scripts/galera-test.sh)", name, err)
			}
			t.Cleanup(func() {
				admin.Exec("DROP DATABASE `" + name + "`")
				admin.Close()
			})
		}
		cfg.DBName = name
		out = append(out, "mysql://"+cfg.FormatDSN())
	}
	return out
}

// TextProblems lists every stored text that a column could not have been given by the
// store: bytes that are not UTF-8, a NUL, or more characters than the column's width
// (store.Width). Every table of the schema is read whole; a test calls it after
// feeding bad input.
func TextProblems(ctx context.Context, db *store.DB) ([]string, error) {
	var out []string
	tables := store.Tables()
	slices.Sort(tables)
	for _, table := range tables {
		rows, err := db.QueryxContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		cols := store.Schema(table)
		n := 0
		for rows.Next() {
			n++
			row := map[string]any{}
			if err := rows.MapScan(row); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", table, err)
			}
			for name, v := range row {
				c, ok := cols[name]
				if !ok || !c.IsText() {
					continue
				}
				var s string
				switch x := v.(type) {
				case nil:
					continue
				case []byte:
					s = string(x)
				case string:
					s = x
				default:
					continue
				}
				size := utf8.RuneCountInString(s)
				if c.Type == "TEXT" {
					size = len(s)
				}
				switch {
				case !utf8.ValidString(s):
					out = append(out, fmt.Sprintf("%s.%s row %d: not UTF-8: %.80q", table, name, n, s))
				case strings.IndexByte(s, 0) >= 0:
					out = append(out, fmt.Sprintf("%s.%s row %d: holds NUL: %.80q", table, name, n, s))
				case size > c.Width:
					out = append(out, fmt.Sprintf("%s.%s row %d: %d long, the column holds %d", table, name, n, size, c.Width))
				}
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckText fails t for each of TextProblems.
func CheckText(t testing.TB, db *store.DB) {
	t.Helper()
	probs, err := TextProblems(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Error(p)
	}
}
