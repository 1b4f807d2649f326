package masterdata

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxChars are the widths, in characters, of the database columns that keep each
// column of a file (store's migrations; a test in store checks that they agree). A
// value longer than its column is a row error that says so, never a cut nor a refusal
// of the database (issue 13: a 5,000-character name).
var maxChars = map[Kind]map[string]int{
	Customers: {"customer_no": 6, "name": 200, "kana": 200, "payer_names": 500, "postal_code": 8, "address": 400,
		"contact": 200, "email": 254, "country": 2, "corporate_no": 13, "parent_customer_no": 6},
	Plans:     {"plan_code": 40, "name": 200, "kind": 12},
	Contracts: {"contract_no": 20, "customer_no": 6, "plan_code": 40},
	Orders:    {"order_no": 64, "kind": 12, "customer_no": 6, "contract_no": 20, "plan_code": 40, "desired_start": 7},
}

// MaxChars returns how many characters column of a kind's file may hold once read
// (lists as stored, joined by ";"), or 0 for a column that is not text.
func MaxChars(k Kind, column string) int { return maxChars[k][column] }

// tooLong returns the error of a parsed value longer than its column, or nil.
func tooLong(k Kind, column string, val any) error {
	max := maxChars[k][column]
	var s string
	switch x := val.(type) {
	case string:
		s = x
	case []string:
		s = strings.Join(x, ";")
	default:
		return nil
	}
	if max == 0 {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%d 文字あります。入るのは %d 文字までです。短くしてください", n, max)
	}
	return nil
}
