package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
)

// SeatAddition is a row of seat_additions: the seats one addition invoice adds to one
// term of a contract, and when its payment was confirmed and its seats take effect
// (SPEC §4.2).
type SeatAddition struct {
	Key           string        `db:"akey"` // the invoice's natural key: order:<order>[:next]
	ContractNo    string        `db:"contract_no"`
	OrderNo       string        `db:"order_no"`
	TermStart     calendar.Date `db:"term_start"`
	Seats         int           `db:"seats"`
	OrderedOn     calendar.Date `db:"ordered_on"`
	FirstCycle    calendar.Date `db:"first_cycle"`
	InvoiceNumber string        `db:"invoice_number"`
	ConfirmedOn   calendar.Date `db:"confirmed_on"`
	EffectiveOn   calendar.Date `db:"effective_on"`
	AppliedOn     calendar.Date `db:"applied_on"`
	InBase        bool          `db:"in_base"`
	BilledBy      string        `db:"billed_by"`
	ProvisionedBy string        `db:"provisioned_by"`
	ProvisionedAt *time.Time    `db:"provisioned_at"`
}

var seatAdditionCols = []string{"akey", "contract_no", "order_no", "term_start", "seats", "ordered_on", "first_cycle",
	"invoice_number", "confirmed_on", "effective_on", "applied_on", "in_base", "billed_by", "provisioned_by", "provisioned_at"}

// AddSeatAddition records an addition when its invoice is issued, unless one with its
// key exists; it reports whether it was new.
func AddSeatAddition(ctx context.Context, e sqlx.ExtContext, a SeatAddition) (bool, error) {
	return insertIgnore(ctx, e, "seat_additions", seatAdditionCols, []string{"akey"}, a)
}

// SeatAdditionsOf returns the additions of a contract, oldest term first.
func SeatAdditionsOf(ctx context.Context, e sqlx.ExtContext, contractNo string) ([]SeatAddition, error) {
	var as []SeatAddition
	if err := selectAll(ctx, e, &as, "SELECT * FROM seat_additions WHERE contract_no = ? ORDER BY term_start, ordered_on, akey",
		contractNo); err != nil {
		return nil, fmt.Errorf("additions of contract %s: %w", contractNo, err)
	}
	return as, nil
}

// SeatAdditionsOfContracts returns the additions of the contracts numbered, by contract.
func SeatAdditionsOfContracts(ctx context.Context, e sqlx.ExtContext, nos []string) (map[string][]SeatAddition, error) {
	out := map[string][]SeatAddition{}
	for i := 0; i < len(nos); i += bulkRows {
		q, args, err := sqlx.In("SELECT * FROM seat_additions WHERE contract_no IN (?) ORDER BY contract_no, term_start, ordered_on, akey",
			nos[i:min(i+bulkRows, len(nos))])
		if err != nil {
			return nil, err
		}
		var as []SeatAddition
		if err := selectAll(ctx, e, &as, e.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("additions of %d contracts: %w", len(nos), err)
		}
		for _, a := range as {
			out[a.ContractNo] = append(out[a.ContractNo], a)
		}
	}
	return out, nil
}

// SeatAdditionOfInvoice returns the addition billed by the invoice numbered;
// IsNoRows(err) when it bills none.
func SeatAdditionOfInvoice(ctx context.Context, e sqlx.ExtContext, number string) (SeatAddition, error) {
	var a SeatAddition
	if err := get(ctx, e, &a, "SELECT * FROM seat_additions WHERE invoice_number = ?", number); err != nil {
		return a, fmt.Errorf("addition of invoice %s: %w", number, err)
	}
	return a, nil
}

// ConfirmSeatAddition records that an addition's payment was confirmed on confirmed and
// that its seats take effect on effective; a confirmed one keeps its dates.
func ConfirmSeatAddition(ctx context.Context, e sqlx.ExtContext, key string, confirmed, effective calendar.Date) (bool, error) {
	n, err := exec(ctx, e, "confirm addition "+key,
		"UPDATE seat_additions SET confirmed_on = ?, effective_on = ? WHERE akey = ? AND confirmed_on IS NULL", confirmed, effective, key)
	return n == 1, err
}

// UnconfirmSeatAddition takes back the confirmation of an addition whose payment the
// bank reversed; its seats no longer count.
func UnconfirmSeatAddition(ctx context.Context, e sqlx.ExtContext, key string) (bool, error) {
	n, err := exec(ctx, e, "unconfirm addition "+key,
		"UPDATE seat_additions SET confirmed_on = NULL, effective_on = NULL, applied_on = NULL WHERE akey = ? AND confirmed_on IS NOT NULL", key)
	return n == 1, err
}

// SetSeatAdditionInvoice points an addition at the revision of its invoice that
// replaced the void one.
func SetSeatAdditionInvoice(ctx context.Context, e sqlx.ExtContext, key, number string) error {
	_, err := exec(ctx, e, "set invoice of addition "+key, "UPDATE seat_additions SET invoice_number = ? WHERE akey = ?", number, key)
	return err
}

// MarkSeatAdditionsBilled records what bills the next term of the additions keyed: a
// renewal invoice that counted them, or their own next-term addition invoice.
func MarkSeatAdditionsBilled(ctx context.Context, e sqlx.ExtContext, keys []string, by string) error {
	for _, k := range keys {
		if _, err := exec(ctx, e, "mark addition "+k+" billed", "UPDATE seat_additions SET billed_by = ? WHERE akey = ?", by, k); err != nil {
			return err
		}
	}
	return nil
}

// RebillSeatAdditions moves what bills the next term from one invoice to another (a
// renewal voided and reissued), and returns the keys it moved.
func RebillSeatAdditions(ctx context.Context, e sqlx.ExtContext, from, to string) error {
	_, err := exec(ctx, e, "rebill additions of "+from, "UPDATE seat_additions SET billed_by = ? WHERE billed_by = ?", to, from)
	return err
}

// MarkSeatAdditionsInBase records that the additions keyed went into their term's base
// at the roll-over of day.
func MarkSeatAdditionsInBase(ctx context.Context, e sqlx.ExtContext, keys []string, day calendar.Date) error {
	for _, k := range keys {
		if _, err := exec(ctx, e, "addition "+k+" into the base",
			"UPDATE seat_additions SET in_base = ?, applied_on = COALESCE(applied_on, ?) WHERE akey = ?", true, day, k); err != nil {
			return err
		}
	}
	return nil
}

// SeatAdditionsTakingEffect returns the paid additions whose seats take effect on or
// before day and that no night has put in effect yet, in contract order.
func SeatAdditionsTakingEffect(ctx context.Context, e sqlx.ExtContext, day calendar.Date) ([]SeatAddition, error) {
	var as []SeatAddition
	if err := selectAll(ctx, e, &as, `SELECT * FROM seat_additions WHERE confirmed_on IS NOT NULL AND applied_on IS NULL
		AND in_base = ? AND effective_on <= ? ORDER BY contract_no, effective_on, akey`, false, day); err != nil {
		return nil, fmt.Errorf("additions taking effect by %s: %w", day, err)
	}
	return as, nil
}

// MarkSeatAdditionApplied records the night that put an addition's seats in effect.
func MarkSeatAdditionApplied(ctx context.Context, e sqlx.ExtContext, key string, day calendar.Date) (bool, error) {
	n, err := exec(ctx, e, "apply addition "+key, "UPDATE seat_additions SET applied_on = ? WHERE akey = ? AND applied_on IS NULL", day, key)
	return n == 1, err
}

// SetSeatAdditionProvisioned records who provisioned an addition at Microsoft, and when.
func SetSeatAdditionProvisioned(ctx context.Context, e sqlx.ExtContext, key, who string, at time.Time) error {
	_, err := exec(ctx, e, "provisioned addition "+key,
		"UPDATE seat_additions SET provisioned_by = ?, provisioned_at = ? WHERE akey = ? AND provisioned_at IS NULL", who, at.UTC(), key)
	return err
}

// NextTermAdditionDue is a paid addition the next term's renewal did not count, with
// that renewal: it is billed for the next term on a second addition invoice (SPEC
// §4.2).
type NextTermAdditionDue struct {
	SeatAddition
	RenewalNumber    string        `db:"r_number"`
	RenewalTermStart calendar.Date `db:"r_term_start"`
	RenewalDue       calendar.Date `db:"r_due_date"`
	RenewalUnitPrice int64         `db:"r_unit_price"`
}

// NextTermAdditionsDue returns, in key order after `after`, up to limit paid additions
// of active contracts whose next term is not billed yet although that term's renewal
// (not void) was issued.
func NextTermAdditionsDue(ctx context.Context, e sqlx.ExtContext, after string, limit int) ([]NextTermAdditionDue, error) {
	var as []NextTermAdditionDue
	err := selectAll(ctx, e, &as, `
		SELECT a.*, i.number AS r_number, i.term_start AS r_term_start, i.due_date AS r_due_date, i.unit_price AS r_unit_price
		FROM seat_additions a
		JOIN contracts c ON c.contract_no = a.contract_no AND c.status = 'active'
		JOIN invoices i ON i.contract_no = a.contract_no AND i.kind = 'renewal' AND i.status <> 'void' AND i.term_start > a.term_start
		WHERE a.confirmed_on IS NOT NULL AND a.in_base = ? AND a.billed_by = '' AND a.akey > ?
		  AND i.term_start = (SELECT MIN(i2.term_start) FROM invoices i2 WHERE i2.contract_no = a.contract_no
		                      AND i2.kind = 'renewal' AND i2.status <> 'void' AND i2.term_start > a.term_start)
		ORDER BY a.akey LIMIT ?`, false, after, limit)
	if err != nil {
		return nil, fmt.Errorf("additions to bill for the next term: %w", err)
	}
	return as, nil
}

// SeatArithmetic turns stored additions into the values of the seat arithmetic
// (contract.SeatsOn and friends). An addition billed by the invoice numbered rebill
// counts as not billed: that renewal is being voided and reissued.
func SeatArithmetic(rows []SeatAddition, rebill string) []contract.SeatAddition {
	out := make([]contract.SeatAddition, len(rows))
	for i, r := range rows {
		out[i] = contract.SeatAddition{Key: r.Key, Term: r.TermStart, Seats: r.Seats, Ordered: r.OrderedOn, FirstCycle: r.FirstCycle,
			Confirmed: r.ConfirmedOn, Effective: r.EffectiveOn, InBase: r.InBase, Billed: r.BilledBy != "" && r.BilledBy != rebill}
	}
	return out
}

// SeatsInEffect returns the seats in effect on day of each contract given (SPEC §4.2):
// its term's seats plus the paid additions in effect by then. The command line, the web
// and the night read seats through it.
func SeatsInEffect(ctx context.Context, q sqlx.ExtContext, cs []Contract, day calendar.Date) (map[string]int, error) {
	nos := make([]string, len(cs))
	for i, c := range cs {
		nos[i] = c.No
	}
	adds, err := SeatAdditionsOfContracts(ctx, q, nos)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(cs))
	for _, c := range cs {
		out[c.No] = contract.SeatsOn(c.TermStart, c.Seats, SeatArithmetic(adds[c.No], ""), day)
	}
	return out, nil
}

// SeatsHeld returns the seats a contract holds once every paid addition of its term is
// in effect: what its next term would start with if nothing changed. A reduction
// request ("15 → 10", "remove 5") is read against it.
func SeatsHeld(ctx context.Context, q sqlx.ExtContext, c Contract) (int, error) {
	rows, err := SeatAdditionsOf(ctx, q, c.No)
	if err != nil {
		return 0, err
	}
	return contract.SeatsHeld(c.TermStart, c.Seats, SeatArithmetic(rows, "")), nil
}
