package bankfeed

// Split divides amount (what a transfer credits, a deducted fee included) over invoices
// in the order given, each up to what it still owes, as staff ask when they resolve a
// transfer by naming its invoices (SPEC §6.7). It returns the amounts to book, leaving
// out invoices that get nothing, and the excess that no named invoice owes.
func Split(amount int64, invoices []OpenInvoice) (applied []Applied, excess int64) {
	left := amount
	for _, inv := range invoices {
		a := min(left, max(inv.Open, 0))
		if a <= 0 {
			continue
		}
		applied = append(applied, Applied{Invoice: inv.Number, Amount: a})
		left -= a
	}
	return applied, left
}
