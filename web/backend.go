package web

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/npress/nightly/accounting"
	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
)

// Backend is what the web UI asks of the night: the staff actions (the functions the
// command line calls too, each done in the name of who, so that the audit trail says
// who did it), the morning report read live, runs started from the browser, and
// evidence search. The web package defines it for itself; jobs.Staff satisfies it and
// cmd/nightly wires the two, so web never imports jobs.
type Backend interface {
	CloseException(ctx context.Context, who, key, why string) error
	RefundException(ctx context.Context, who, key string, yen int64, on calendar.Date, why string) error
	CompleteTask(ctx context.Context, who, key string) error
	HoldContract(ctx context.Context, who, no string, until calendar.Date, why string) error
	ResolvePayment(ctx context.Context, who string, txn int64, invoices []string, fee int64, why string) error
	DecideRequest(ctx context.Context, who string, id int64, decision, why string) (store.Request, error)
	MarkPosted(ctx context.Context, who string, numbers []string) (int, error)
	VoidInvoice(ctx context.Context, who, number, why string, reissue bool) error
	// Run reruns (or dry-runs) a date, writing progress lines to progress.
	Run(ctx context.Context, who string, date calendar.Date, dry bool, progress io.Writer) ([]report.Summary, error)
	BundleNumbers(ctx context.Context, day calendar.Date) ([]string, error)
	Report(ctx context.Context, day calendar.Date) (report.Data, error)
	// Requests lists reduction and cancellation requests with their words filled in.
	Requests(ctx context.Context, f store.RequestFilter) ([]report.RequestLine, error)
	SearchEvidence(ctx context.Context, q store.EvidenceQuery) ([]evidence.Entry, error)
}

// Books is the accountant's side (issue 17) for the 売掛金 page: the journal as it stands
// on today, from which the page reads the aging, the open invoices and the monthly
// balance, and the journal exported for an accounting software (the encoding of the file
// written and the warnings of `nightly export journal`). ledger.Books satisfies it; it
// is apart from Backend because package ledger builds on jobs.
type Books interface {
	AccountingBook(ctx context.Context, today calendar.Date) (*accounting.Book, error)
	ExportJournal(ctx context.Context, f accounting.Format, from, to, today calendar.Date, w io.Writer) (accounting.Encoding, []string, error)
}

// Deps are what the web UI works with: the database it reads pages from and keeps
// users and sessions in, the evidence store the PDFs and originals come from, the
// night's Backend, the templates and output folders, a logger and a clock.
type Deps struct {
	DB           *store.DB
	Evidence     *evidence.Store
	Backend      Backend
	Books        Books  // nil: the 売掛金 page says the accountant's side is not wired
	TemplatesDir string // edited copies of templates/ files ("" for the embedded defaults)
	OutDir       string // the nights' output folders
	Log          *slog.Logger
	Now          func() time.Time
}

// Actor is the Backend acting for the logged-in user: an action's Do gets one.
type Actor struct {
	Backend
	Who string
}
