package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
)

// InsertRow inserts row (column → value) into table through the path every named
// write of the store takes, for the tests of Fit.
func InsertRow(ctx context.Context, e sqlx.ExtContext, table string, row map[string]any) error {
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	if _, err := namedExec(ctx, e, insertSQL(e, table, cols, "", nil, nil), row); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// ArgColumns is argColumns for the tests.
var ArgColumns = argColumns

// MigrateTo applies the migrations up to version.
func MigrateTo(ctx context.Context, db *DB, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
