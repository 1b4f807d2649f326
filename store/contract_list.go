package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// ContractQuery selects contracts for the staff's list: Text found in the contract or
// customer number, the customer's name or its kana (katakana or hiragana, full or half
// width), a Status, and the page of Limit contracts after the contract number After.
type ContractQuery struct {
	Text, Status, After string
	Limit               int
}

// ContractRow is a contract as the staff's list shows it: with its customer's name and
// kana and its plan's name.
type ContractRow struct {
	Contract
	CustomerName string `db:"customer_name"`
	CustomerKana string `db:"customer_kana"`
	PlanName     string `db:"plan_name"`
}

// where is the condition of q without its page.
func (q ContractQuery) where() (string, []any) {
	var conds []string
	var args []any
	if t := strings.TrimSpace(q.Text); t != "" {
		full := norm.NFKC.String(t)
		kata := strings.Map(func(r rune) rune {
			if r >= 'ぁ' && r <= 'ゖ' {
				return r + 0x60
			}
			return r
		}, full)
		conds = append(conds, "(c.contract_no LIKE ? ESCAPE '!' OR c.customer_no LIKE ? ESCAPE '!' OR cu.name LIKE ? ESCAPE '!'"+
			" OR cu.kana LIKE ? ESCAPE '!' OR cu.kana LIKE ? ESCAPE '!')")
		args = append(args, likeText(strings.ToUpper(full)), likeText(full), likeText(full), likeText(kata), likeText(width.Narrow.String(norm.NFD.String(kata))))
	}
	if q.Status != "" {
		conds = append(conds, "c.status = ?")
		args = append(args, q.Status)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// likeText is a LIKE pattern that finds s anywhere, its own % and _ taken literally.
func likeText(s string) string {
	return "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s) + "%"
}

const contractRowFrom = ` FROM contracts c JOIN customers cu ON cu.customer_no = c.customer_no
	LEFT JOIN plans p ON p.plan_code = c.plan_code`

// ListContracts returns the page of contracts q selects, in contract number order.
func ListContracts(ctx context.Context, e sqlx.ExtContext, q ContractQuery) ([]ContractRow, error) {
	where, args := q.where()
	if q.After != "" {
		where += map[bool]string{true: " WHERE", false: " AND"}[where == ""] + " c.contract_no > ?"
		args = append(args, q.After)
	}
	var rs []ContractRow
	err := sqlx.SelectContext(ctx, e, &rs, "SELECT c.*, cu.name AS customer_name, cu.kana AS customer_kana, COALESCE(p.name, '') AS plan_name"+
		contractRowFrom+where+" ORDER BY c.contract_no LIMIT ?", append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list contracts (%q, status %q, after %q): %w", q.Text, q.Status, q.After, err)
	}
	return rs, nil
}

// CountContracts counts the contracts q selects, over all its pages.
func CountContracts(ctx context.Context, e sqlx.ExtContext, q ContractQuery) (int, error) {
	where, args := q.where()
	var n int
	if err := sqlx.GetContext(ctx, e, &n, "SELECT COUNT(*)"+contractRowFrom+where, args...); err != nil {
		return 0, fmt.Errorf("count contracts (%q, status %q): %w", q.Text, q.Status, err)
	}
	return n, nil
}
