package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
)

var customerCols = []string{"customer_no", "name", "kana", "payer_names", "postal_code", "address", "contact",
	"email", "country", "corporate_no", "parent_customer_no", "parent_share", "created_at", "updated_at"}

// PutCustomer inserts c, or updates every field of the customer with its number.
func PutCustomer(ctx context.Context, e sqlx.ExtContext, c Customer, now time.Time) error {
	c.CreatedAt, c.UpdatedAt = now.UTC(), now.UTC()
	q := insertSQL(e, "customers", customerCols, "update", []string{"customer_no"}, customerCols[1:len(customerCols)-2])
	q += updatedAtClause(e)
	if _, err := namedExec(ctx, e, q, c); err != nil {
		return fmt.Errorf("store customer %s: %w", c.No, err)
	}
	return nil
}

func updatedAtClause(e sqlx.ExtContext) string {
	if isMySQL(e) {
		return ", updated_at = VALUES(updated_at)"
	}
	return ", updated_at = excluded.updated_at"
}

// GetCustomer returns the customer with number no; IsNoRows(err) when there is none.
func GetCustomer(ctx context.Context, e sqlx.ExtContext, no string) (Customer, error) {
	var c Customer
	err := get(ctx, e, &c, "SELECT * FROM customers WHERE customer_no = ?", no)
	if err != nil {
		return c, fmt.Errorf("customer %s: %w", no, err)
	}
	return c, nil
}

// ListCustomers returns every customer in number order.
func ListCustomers(ctx context.Context, e sqlx.ExtContext) ([]Customer, error) {
	var cs []Customer
	if err := selectAll(ctx, e, &cs, "SELECT * FROM customers ORDER BY customer_no"); err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return cs, nil
}

var planCols = []string{"plan_code", "name", "kind", "created_at", "updated_at"}

// PutPlan inserts or updates a plan's name and kind.
func PutPlan(ctx context.Context, e sqlx.ExtContext, p Plan, now time.Time) error {
	p.CreatedAt, p.UpdatedAt = now.UTC(), now.UTC()
	q := insertSQL(e, "plans", planCols, "update", []string{"plan_code"}, []string{"name", "kind"}) + updatedAtClause(e)
	if _, err := namedExec(ctx, e, q, p); err != nil {
		return fmt.Errorf("store plan %s: %w", p.Code, err)
	}
	return nil
}

// PutPlanPrice inserts or updates one validity period of a plan's price.
func PutPlanPrice(ctx context.Context, e sqlx.ExtContext, p PlanPrice) error {
	cols := []string{"plan_code", "valid_from", "valid_to", "unit_price"}
	q := insertSQL(e, "plan_prices", cols, "update", []string{"plan_code", "valid_from"}, []string{"valid_to", "unit_price"})
	if _, err := namedExec(ctx, e, q, p); err != nil {
		return fmt.Errorf("store price of plan %s from %s: %w", p.PlanCode, p.ValidFrom, err)
	}
	return nil
}

// GetPlan returns the plan with code; IsNoRows(err) when there is none.
func GetPlan(ctx context.Context, e sqlx.ExtContext, code string) (Plan, error) {
	var p Plan
	if err := get(ctx, e, &p, "SELECT * FROM plans WHERE plan_code = ?", code); err != nil {
		return p, fmt.Errorf("plan %s: %w", code, err)
	}
	return p, nil
}

// ListPlans returns every plan in code order.
func ListPlans(ctx context.Context, e sqlx.ExtContext) ([]Plan, error) {
	var ps []Plan
	if err := selectAll(ctx, e, &ps, "SELECT * FROM plans ORDER BY plan_code"); err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return ps, nil
}

// ListPlanPrices returns every price period, by plan and start.
func ListPlanPrices(ctx context.Context, e sqlx.ExtContext) ([]PlanPrice, error) {
	var ps []PlanPrice
	if err := selectAll(ctx, e, &ps, "SELECT * FROM plan_prices ORDER BY plan_code, valid_from"); err != nil {
		return nil, fmt.Errorf("list plan prices: %w", err)
	}
	return ps, nil
}

// PriceOn returns the unit price of plan code in force on day (SPEC §3.1: a renewal
// takes the price list in force on its issue date); IsNoRows(err) when none is.
func PriceOn(ctx context.Context, e sqlx.ExtContext, code string, day calendar.Date) (int64, error) {
	var price int64
	err := get(ctx, e, &price, `SELECT unit_price FROM plan_prices
		WHERE plan_code = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)
		ORDER BY valid_from DESC LIMIT 1`, code, day, day)
	if err != nil {
		return 0, fmt.Errorf("price of plan %s on %s: %w", code, day, err)
	}
	return price, nil
}

var contractCols = []string{"contract_no", "customer_no", "plan_code", "seats", "unit_price", "term_start", "term_end",
	"status", "auto_renew", "next_seats", "cancel_at_term_end", "hold_until", "hold_reason", "order_no",
	"status_changed_on", "created_at", "updated_at"}

// PutContract inserts c, or replaces every field of the contract with its number.
func PutContract(ctx context.Context, e sqlx.ExtContext, c Contract, now time.Time) error {
	c.CreatedAt, c.UpdatedAt = now.UTC(), now.UTC()
	q := insertSQL(e, "contracts", contractCols, "update", []string{"contract_no"}, contractCols[1:len(contractCols)-2]) + updatedAtClause(e)
	if _, err := namedExec(ctx, e, q, c); err != nil {
		return fmt.Errorf("store contract %s: %w", c.No, err)
	}
	return nil
}

// InsertContract inserts c unless a contract with its number exists; it reports
// whether it inserted.
func InsertContract(ctx context.Context, e sqlx.ExtContext, c Contract, now time.Time) (bool, error) {
	c.CreatedAt, c.UpdatedAt = now.UTC(), now.UTC()
	return insertIgnore(ctx, e, "contracts", contractCols, []string{"contract_no"}, c)
}

// GetContract returns the contract with number no; IsNoRows(err) when there is none.
func GetContract(ctx context.Context, e sqlx.ExtContext, no string) (Contract, error) {
	var c Contract
	if err := get(ctx, e, &c, "SELECT * FROM contracts WHERE contract_no = ?"+forUpdate(e), no); err != nil {
		return c, fmt.Errorf("contract %s: %w", no, err)
	}
	return c, nil
}

// ContractPage returns up to limit contracts whose number is after `after`, in number
// order: callers page through every contract without holding them all in memory.
func ContractPage(ctx context.Context, e sqlx.ExtContext, after string, limit int) ([]Contract, error) {
	var cs []Contract
	err := selectAll(ctx, e, &cs, "SELECT * FROM contracts WHERE contract_no > ? ORDER BY contract_no LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("list contracts after %q: %w", after, err)
	}
	return cs, nil
}

// SetContractHold records a staff hold of the contract's suspension until a date.
func SetContractHold(ctx context.Context, e sqlx.ExtContext, no string, until calendar.Date, why string, now time.Time) error {
	n, err := exec(ctx, e, "hold contract "+no,
		"UPDATE contracts SET hold_until = ?, hold_reason = ?, updated_at = ? WHERE contract_no = ?", until, why, now.UTC(), no)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("hold contract %s: no such contract", no)
	}
	return nil
}

var orderCols = []string{"order_no", "kind", "customer_no", "contract_no", "plan_code", "seats", "order_date",
	"desired_start", "status", "source_sha256", "created_at", "updated_at"}

// PutOrder inserts o, or updates the order with its number.
func PutOrder(ctx context.Context, e sqlx.ExtContext, o Order, now time.Time) error {
	o.CreatedAt, o.UpdatedAt = now.UTC(), now.UTC()
	if o.Status == "" {
		o.Status = "received"
	}
	q := insertSQL(e, "orders", orderCols, "update", []string{"order_no"},
		[]string{"kind", "customer_no", "contract_no", "plan_code", "seats", "order_date", "desired_start", "source_sha256"}) + updatedAtClause(e)
	if _, err := namedExec(ctx, e, q, o); err != nil {
		return fmt.Errorf("store order %s: %w", o.No, err)
	}
	return nil
}

// GetOrder returns the order with number no; IsNoRows(err) when there is none.
func GetOrder(ctx context.Context, e sqlx.ExtContext, no string) (Order, error) {
	var o Order
	if err := get(ctx, e, &o, "SELECT * FROM orders WHERE order_no = ?", no); err != nil {
		return o, fmt.Errorf("order %s: %w", no, err)
	}
	return o, nil
}

// ListOrders returns every order in number order.
func ListOrders(ctx context.Context, e sqlx.ExtContext) ([]Order, error) {
	var os []Order
	if err := selectAll(ctx, e, &os, "SELECT * FROM orders ORDER BY order_no"); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return os, nil
}

// ActivateContract starts the first term of a pending contract; it reports false when
// the contract was not pending.
func ActivateContract(ctx context.Context, e sqlx.ExtContext, no string, start, end calendar.Date, now time.Time) (bool, error) {
	n, err := exec(ctx, e, "activate contract "+no,
		"UPDATE contracts SET status = 'active', term_start = ?, term_end = ?, status_changed_on = ?, updated_at = ? WHERE contract_no = ? AND status = 'pending'",
		start, end, start, now.UTC(), no)
	return n == 1, err
}

// SetContractSeats sets the seats of a contract's current term.
func SetContractSeats(ctx context.Context, e sqlx.ExtContext, no string, seats int, now time.Time) error {
	_, err := exec(ctx, e, "set seats of contract "+no, "UPDATE contracts SET seats = ?, updated_at = ? WHERE contract_no = ?", seats, now.UTC(), no)
	return err
}

// FirstContractOf returns the customer's contract with the lowest number; IsNoRows(err)
// when it has none.
func FirstContractOf(ctx context.Context, e sqlx.ExtContext, customerNo string) (Contract, error) {
	var c Contract
	if err := get(ctx, e, &c, "SELECT * FROM contracts WHERE customer_no = ? ORDER BY contract_no LIMIT 1", customerNo); err != nil {
		return c, fmt.Errorf("first contract of customer %s: %w", customerNo, err)
	}
	return c, nil
}
