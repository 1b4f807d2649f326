package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// isMySQL reports whether e talks to MySQL/MariaDB; sqlx knows its driver's name.
func isMySQL(e sqlx.ExtContext) bool { return e.DriverName() == "mysql" }

// insertSQL builds a named INSERT of cols into table. With onConflict "ignore" an
// existing row with the same key is left as it is; with "update" the listed update
// columns take the new values. conflict names the unique key's columns (SQLite needs
// them; MySQL uses whichever unique key collides).
func insertSQL(e sqlx.ExtContext, table string, cols []string, onConflict string, conflict []string, update []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES (:%s)", table, strings.Join(cols, ", "), strings.Join(cols, ", :"))
	switch onConflict {
	case "ignore":
		if isMySQL(e) {
			fmt.Fprintf(&b, " ON DUPLICATE KEY UPDATE %s = %s", conflict[0], conflict[0])
		} else {
			fmt.Fprintf(&b, " ON CONFLICT (%s) DO NOTHING", strings.Join(conflict, ", "))
		}
	case "update":
		sets := make([]string, len(update))
		for i, c := range update {
			if isMySQL(e) {
				sets[i] = fmt.Sprintf("%s = VALUES(%s)", c, c)
			} else {
				sets[i] = fmt.Sprintf("%s = excluded.%s", c, c)
			}
		}
		if isMySQL(e) {
			fmt.Fprintf(&b, " ON DUPLICATE KEY UPDATE %s", strings.Join(sets, ", "))
		} else {
			fmt.Fprintf(&b, " ON CONFLICT (%s) DO UPDATE SET %s", strings.Join(conflict, ", "), strings.Join(sets, ", "))
		}
	}
	return b.String()
}

// insertIgnore inserts arg unless a row with the same key exists; it reports whether a
// row was inserted. It is how every effect of the night is made idempotent: the natural
// key's unique index decides, not a check before the insert.
func insertIgnore(ctx context.Context, e sqlx.ExtContext, table string, cols []string, key []string, arg any) (bool, error) {
	res, err := namedExec(ctx, e, insertSQL(e, table, cols, "ignore", key, nil), arg)
	if err != nil {
		return false, fmt.Errorf("insert into %s: %w", table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// namedExec runs a named statement with arg's values fitted to the columns of the table
// it writes (see Fit): every named write of the store goes through it.
func namedExec(ctx context.Context, e sqlx.ExtContext, q string, arg any) (sql.Result, error) {
	table := ""
	if m := reWriteTable.FindStringSubmatch(q); m != nil {
		table = m[1]
	}
	return sqlx.NamedExecContext(ctx, e, q, fitArg(table, arg))
}

// get reads one row of q into dest, with q's arguments fitted as they were when
// written (see fitArgs), so that a long or broken key finds its row.
func get(ctx context.Context, e sqlx.QueryerContext, dest any, q string, args ...any) error {
	return sqlx.GetContext(ctx, e, dest, q, fitArgs(q, args)...)
}

// selectAll reads the rows of q into dest, with q's arguments fitted like get's.
func selectAll(ctx context.Context, e sqlx.QueryerContext, dest any, q string, args ...any) error {
	return sqlx.SelectContext(ctx, e, dest, q, fitArgs(q, args)...)
}

// forUpdate is appended to a SELECT that must lock its rows on MySQL; SQLite's write
// transaction already holds the whole database.
func forUpdate(e sqlx.ExtContext) string {
	if isMySQL(e) {
		return " FOR UPDATE"
	}
	return ""
}

// exec runs one statement and wraps its error with what it did.
func exec(ctx context.Context, e sqlx.ExtContext, what, q string, args ...any) (int64, error) {
	res, err := e.ExecContext(ctx, q, fitArgs(q, args)...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}
