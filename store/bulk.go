package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// bulkRows is how many rows one multi-row INSERT carries: well under SQLite's limit on
// bound variables and MySQL's packet size.
const bulkRows = 400

// insertMany inserts rows (a slice of structs with db tags) with multi-row INSERTs.
func insertMany[T any](ctx context.Context, e sqlx.ExtContext, table string, cols []string, rows []T) error {
	for i := 0; i < len(rows); i += bulkRows {
		j := min(i+bulkRows, len(rows))
		if _, err := namedExec(ctx, e, insertSQL(e, table, cols, "", nil, nil), rows[i:j]); err != nil {
			return fmt.Errorf("insert %d rows into %s: %w", j-i, table, err)
		}
	}
	return nil
}

// InsertCustomers inserts new customers in bulk (the data generator; imports go through
// PutCustomer).
func InsertCustomers(ctx context.Context, e sqlx.ExtContext, cs []Customer, now time.Time) error {
	for i := range cs {
		cs[i].CreatedAt, cs[i].UpdatedAt = now.UTC(), now.UTC()
	}
	return insertMany(ctx, e, "customers", customerCols, cs)
}

// InsertContracts inserts new contracts in bulk.
func InsertContracts(ctx context.Context, e sqlx.ExtContext, cs []Contract, now time.Time) error {
	for i := range cs {
		cs[i].CreatedAt, cs[i].UpdatedAt = now.UTC(), now.UTC()
	}
	return insertMany(ctx, e, "contracts", contractCols, cs)
}

// InsertOrders inserts new orders in bulk.
func InsertOrders(ctx context.Context, e sqlx.ExtContext, os []Order, now time.Time) error {
	for i := range os {
		os[i].CreatedAt, os[i].UpdatedAt = now.UTC(), now.UTC()
		if os[i].Status == "" {
			os[i].Status = "received"
		}
	}
	return insertMany(ctx, e, "orders", orderCols, os)
}
