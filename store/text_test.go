package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

func TestFit(t *testing.T) {
	long := strings.Repeat("名", 250)
	for _, tc := range []struct {
		name, table, col, in, want string
		changed                    bool
	}{
		{"fits", "customers", "name", "株式会社白鷺商事", "株式会社白鷺商事", false},
		{"invalid bytes replaced once per run", "customers", "name", "A\xff\xfeB", "A\uFFFDB", true},
		{"cut UTF-8 sequence at the end", "customers", "name", "名\xe3\x81", "名\uFFFD", true},
		{"NUL made visible", "customers", "name", "a\x00b", "a\uFFFDb", true},
		{"cut on a character boundary", "customers", "name", long, strings.Repeat("名", 200), true},
		{"unknown column only repaired", "customers", "nope", long + "\xff", long + "\uFFFD", true},
		{"not a text column only repaired", "customers", "parent_share", "\xff", "\uFFFD", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := store.Fit(tc.table, tc.col, tc.in)
			if got != tc.want || changed != tc.changed {
				t.Errorf("Fit(%s.%s, %.30q) = %.30q, %v; want %.30q, %v", tc.table, tc.col, tc.in, got, changed, tc.want, tc.changed)
			}
		})
	}
}

// A key too long for its column keeps its start and ends with a hash of the whole:
// the same key gives the same result, two keys that differ only at their end stay two.
func TestFitKey(t *testing.T) {
	a := strings.Repeat("ｶﾌﾞｼｷｶﾞｲｼｬ", 40)
	ka, _ := store.Fit("exceptions", "nkey", a)
	kb, _ := store.Fit("exceptions", "nkey", a+"x")
	again, _ := store.Fit("exceptions", "nkey", ka)
	if n := utf8.RuneCountInString(ka); n != 190 || !utf8.ValidString(ka) || !strings.HasPrefix(ka, a[:30]) {
		t.Errorf("key %q: %d characters, want 190 starting like the key", ka, n)
	}
	if ka == kb {
		t.Errorf("two keys differing at their end became one: %q", ka)
	}
	if again != ka {
		t.Errorf("fitting a fitted key changed it: %q → %q", ka, again)
	}
	short, _ := store.Fit("customers", "customer_no", "1234567890")
	if utf8.RuneCountInString(short) != 6 {
		t.Errorf("narrow key %q is not 6 characters", short)
	}
}

func TestArgColumns(t *testing.T) {
	for _, tc := range []struct {
		q     string
		table string
		cols  []string
	}{
		{"UPDATE requests SET status = ?, decided_by = ?, decided_why = ? WHERE id = ?", "requests", []string{"status", "decided_by", "decided_why", "id"}},
		{"UPDATE seat_additions SET in_base = ?, applied_on = COALESCE(applied_on, ?) WHERE akey = ?", "seat_additions", []string{"in_base", "applied_on", "akey"}},
		{"UPDATE mail_messages SET moved = ? WHERE sha256 IN (?, ?, ?) AND moved = ?", "mail_messages", []string{"moved", "sha256", "sha256", "sha256", "moved"}},
		{"DELETE FROM sessions WHERE expires_at <= ?", "sessions", []string{"expires_at"}},
		{"UPDATE run_lease SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHERE name = ?", "run_lease", []string{"", "name"}},
		{"INSERT INTO run_lease (name, holder, acquired_at, expires_at, host) VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, ?)", "run_lease", []string{"name", "holder", "expires_at", "host"}},
		{"SELECT * FROM customers WHERE name = ? ORDER BY customer_no", "customers", []string{"name"}},
		{"SELECT c.* FROM contracts c JOIN customers cu ON cu.customer_no = c.customer_no WHERE cu.name = ?", "", nil},
		{"SELECT x FROM a WHERE y IN (SELECT y FROM b WHERE z = ?)", "", nil},
	} {
		table, cols := store.ArgColumns(tc.q)
		if table != tc.table || !slices.Equal(cols, tc.cols) {
			t.Errorf("%s:\n got %s %q\nwant %s %q", tc.q, table, cols, tc.table, tc.cols)
		}
	}
}

// The widths Fit uses, read from the migration files, are the widths of the tables the
// migrations made, on both engines: every text column, none missing, none extra.
func TestSchemaWidthsAreTheDatabases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		live := map[string]map[string]int{} // table → column → width (0: not text)
		type col struct {
			Table string `db:"t"`
			Name  string `db:"c"`
			Type  string `db:"ty"`
			Width *int64 `db:"w"`
		}
		if db.Dialect == store.MySQL {
			var cs []col
			if err := db.SelectContext(ctx, &cs, `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS ty, CHARACTER_MAXIMUM_LENGTH AS w
				FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'goose_db_version'`); err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if live[c.Table] == nil {
					live[c.Table] = map[string]int{}
				}
				switch {
				case c.Type == "varchar":
					live[c.Table][c.Name] = int(*c.Width)
				case strings.HasSuffix(c.Type, "text"):
					live[c.Table][c.Name] = store.LongTextBytes
				default:
					live[c.Table][c.Name] = 0
				}
			}
		} else {
			var tables []string
			if err := db.SelectContext(ctx, &tables, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'"); err != nil {
				t.Fatal(err)
			}
			for _, tb := range tables {
				var cs []struct {
					Name string `db:"name"`
					Type string `db:"type"`
				}
				if err := db.SelectContext(ctx, &cs, "SELECT name, type FROM pragma_table_info('"+tb+"')"); err != nil {
					t.Fatal(err)
				}
				live[tb] = map[string]int{}
				for _, c := range cs {
					w := 0
					switch {
					case strings.HasPrefix(c.Type, "VARCHAR("):
						fmt.Sscanf(c.Type, "VARCHAR(%d)", &w)
					case c.Type == "TEXT":
						w = store.LongTextBytes
					}
					live[tb][c.Name] = w
				}
			}
		}
		tables := store.Tables()
		if len(tables) != len(live) {
			t.Errorf("the migrations declare %d tables, the database has %d", len(tables), len(live))
		}
		for _, tb := range tables {
			cols := store.Schema(tb)
			if len(cols) != len(live[tb]) {
				t.Errorf("%s: the migrations declare %d columns, the database has %d", tb, len(cols), len(live[tb]))
			}
			for name, c := range cols {
				w, ok := live[tb][name]
				switch {
				case !ok:
					t.Errorf("%s.%s is not in the database", tb, name)
				case c.IsText() && w != c.Width, !c.IsText() && w != 0:
					t.Errorf("%s.%s: width %d from the migrations, %d in the database", tb, name, c.Width, w)
				}
			}
		}
	})
}

// brokenPiece is the worst a column is offered: bytes that are not UTF-8, a NUL, a
// UTF-8 sequence cut short, half-width kana and a four-byte character. Repaired it is
// 8 characters, 23 bytes.
const brokenPiece = "名\xff\x00ｶﾞ😀a\xe3\x81"

// brokenText repeats brokenPiece beyond a width of w characters (or bytes, for
// long text) and ends with tail.
func brokenText(w int, bytes bool, tail string) string {
	n := w/8 + 2
	if bytes {
		n = w/23 + 2
	}
	return strings.Repeat(brokenPiece, n) + tail
}

// rowFor is a row of table in which every text column holds brokenText and every other
// column a valid value; n keeps the rows of one table apart.
func rowFor(table string, n int) map[string]any {
	row := map[string]any{}
	for name, c := range store.Schema(table) {
		switch {
		case c.IsText():
			row[name] = brokenText(c.Width, c.Type == "TEXT", fmt.Sprint(n))
		case c.Type == "BIGINT" && c.Key && name == "id" && !strings.Contains(table, "unbooking"):
			// auto-increment: left to the database
		case c.Type == "INT", c.Type == "BIGINT":
			row[name] = n
		case c.Type == "DATE":
			row[name] = "2026-11-24"
		case c.Type == "DATETIME":
			row[name] = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
		case c.Type == "BOOLEAN":
			row[name] = false
		}
	}
	return row
}

// The longest and most broken value of every text column of every table is stored on
// both engines and read back as valid UTF-8 within the column's width; key columns are
// hashed, so two values that differ only at their end stay two rows.
func TestLongestBrokenValueInEveryColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		ctx := context.Background()
		tables := store.Tables()
		slices.Sort(tables)
		store.TakeFitted()
		for _, table := range tables {
			for n := 1; n <= 2; n++ {
				if err := store.InsertRow(ctx, db, table, rowFor(table, n)); err != nil {
					t.Errorf("row %d: %v", n, err)
				}
			}
			fitted := store.TakeFitted()
			for name, c := range store.Schema(table) {
				if c.IsText() && fitted[table+"."+name] < 2 { // other tests may write at the same time
					t.Errorf("%s.%s: %d repaired values recorded, want at least 2", table, name, fitted[table+"."+name])
				}
			}
			var count int
			if err := db.GetContext(ctx, &count, "SELECT COUNT(*) FROM "+table); err != nil {
				t.Fatal(err)
			}
			if count != 2 {
				t.Errorf("%s holds %d rows, want 2", table, count)
			}
			rows, err := db.QueryxContext(ctx, "SELECT * FROM "+table)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				row := map[string]any{}
				if err := rows.MapScan(row); err != nil {
					t.Fatal(err)
				}
				for name, c := range store.Schema(table) {
					if !c.IsText() {
						continue
					}
					s := fmt.Sprintf("%s", row[name])
					size := utf8.RuneCountInString(s)
					if c.Type == "TEXT" {
						size = len(s)
					}
					switch {
					case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
						t.Errorf("%s.%s read back broken: %.60q", table, name, s)
					case c.Type == "TEXT" && size < c.Width-3, c.Type != "TEXT" && size != c.Width:
						t.Errorf("%s.%s read back %d long, want the column's %d", table, name, size, c.Width)
					case !strings.Contains(s, "\uFFFD"):
						t.Errorf("%s.%s lost the mark of its bad bytes: %.60q", table, name, s)
					case c.Key && !strings.Contains(s, "#"):
						t.Errorf("key %s.%s was cut, not hashed: %.60q", table, name, s)
					}
				}
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
		}
		storetest.CheckText(t, db)
	})
}

// The widths masterdata checks a file's values against are the widths of the columns
// that keep them, so that an import refuses a value too long with a row error rather
// than having it cut.
func TestMasterdataWidthsAreTheSchemas(t *testing.T) {
	for _, k := range masterdata.Kinds() {
		for _, col := range masterdata.ColumnNames(k) {
			want := store.Width(string(k), col)
			if got := masterdata.MaxChars(k, col); got != want {
				t.Errorf("%s.%s: masterdata allows %d characters, the column holds %d", k, col, got, want)
			}
		}
	}
}
