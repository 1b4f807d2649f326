// Package issuing holds the pure parts of the night's invoicing, taking values and
// returning values: the terms every invoice of a night shares (tax rate, rounding), the
// rows an issued invoice is stored as, the printable invoice rebuilt from its stored
// doc or rows, the reminders and notices of cancellation as values, the corrected
// revision of a void invoice, and the parallel rendering of a page of documents.
// jobs reads and writes the database around it (SPEC §4, §8).
package issuing
