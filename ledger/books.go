package ledger

import (
	"context"
	"io"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

// Books is the accountant's side of the web UI's 売掛金 page: the journal as it stands
// (aging, open invoices, monthly balance) and its exports. It satisfies the interface
// the web package defines for itself (web.Books), as jobs.Staff satisfies web.Backend;
// cmd/nightly wires it.
type Books struct{ env *jobs.Env }

// NewBooks returns the accountant's side of env.
func NewBooks(env *jobs.Env) Books { return Books{env: env} }

// AccountingBook is AccountingBook: the journal as it stands on today.
func (b Books) AccountingBook(ctx context.Context, today calendar.Date) (*accounting.Book, error) {
	return AccountingBook(ctx, b.env, today)
}

// ExportJournal writes the entries dated from to to in format f to w, as `nightly export
// journal` does, and returns the file's encoding and what the accountant should know.
func (b Books) ExportJournal(ctx context.Context, f accounting.Format, from, to, today calendar.Date, w io.Writer) (accounting.Encoding, []string, error) {
	res, err := ExportJournal(ctx, b.env, JournalOptions{Format: f, From: from, To: to, Today: today}, w)
	return res.Encoding, res.Warnings, err
}

// ReportAging is the aging of the morning report (jobs.Env.ReceivablesAging): as of the
// night's date, read in the dry run's transaction tx when there is one, so that a dry
// run's report shows what the night would leave.
func ReportAging(ctx context.Context, env *jobs.Env, tx *sqlx.Tx, asOf calendar.Date) ([]accounting.AgingRow, error) {
	if tx == nil {
		return Aging(ctx, env, asOf, asOf)
	}
	f, err := store.AccountingFacts(ctx, tx)
	if err != nil {
		return nil, err
	}
	bk, err := bookOf(f, env.Config, asOf)
	if err != nil {
		return nil, err
	}
	return bk.Aging(asOf), nil
}
