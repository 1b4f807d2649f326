package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// Suggestion is a candidate staff may book a transfer to (SPEC §6.7): an invoice, or a
// set of invoices that together fit, with a score in per mille and why it was
// suggested.
type Suggestion struct {
	Invoices   []string `json:"invoices"`
	CustomerNo string   `json:"customer_no"`
	Amount     int64    `json:"amount"` // what the invoices still owe together
	Fee        int64    `json:"fee,omitempty"`
	Score      int      `json:"score"`
	Reason     string   `json:"reason"`
}

// Suggestions are an exception's suggestions, best first. The database keeps them as
// JSON text in exceptions.suggestions; this type is the only place that reads and
// writes it.
type Suggestions []Suggestion

// Value writes the suggestions as a JSON array ("[]" for none).
func (s Suggestions) Value() (driver.Value, error) {
	if s == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]Suggestion(s))
	return string(b), err
}

// Scan reads suggestions written by Value.
func (s *Suggestions) Scan(src any) error { return scanJSON(src, (*[]Suggestion)(s), "suggestions") }

// BankFileDetail is what a bank file held (bank_files.detail): its defect when it was
// refused, else its accounts.
type BankFileDetail struct {
	Error    string              `json:"error,omitempty"`
	Accounts []BankAccountDetail `json:"accounts,omitempty"`
}

// BankAccountDetail is one account of a bank file: its payment source, whether the
// file was applied for it (SPEC §6.3), its credits, and, for an account whose payment
// source is another file kind, how this file compares with that source.
type BankAccountDetail struct {
	Account     string `json:"account"`
	Name        string `json:"name,omitempty"`
	Source      string `json:"source"`
	Applied     bool   `json:"applied"`
	Credits     int    `json:"credits"`
	CreditTotal int64  `json:"credit_total"`
	// Found are its credits found in the payment source; Missing those not (at most 50).
	Found   int      `json:"found,omitempty"`
	Missing []string `json:"missing,omitempty"`
}

// Value writes the detail as JSON.
func (d BankFileDetail) Value() (driver.Value, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

// Scan reads a detail written by Value.
func (d *BankFileDetail) Scan(src any) error { return scanJSON(src, d, "bank file detail") }

// scanJSON decodes a JSON text column into v; an empty value leaves v zero.
func scanJSON(src any, v any, what string) error {
	var b []byte
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("%s from %T", what, src)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
