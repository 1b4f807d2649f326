package jobs

import (
	"context"
	"io"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/evidence"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
)

// Staff is the night's side of the web UI: the staff actions (the same functions as the
// command line), the morning report read live, and runs started from the browser, each
// done in the name of the logged-in user. It satisfies the interface the web package
// defines for itself (web.Backend) without jobs knowing web.
type Staff struct{ env *Env }

// NewStaff returns the staff side of env.
func NewStaff(env *Env) Staff { return Staff{env: env} }

// as returns env acting for who: the audit trail records that name.
func (s Staff) as(who string) *Env {
	e := *s.env
	e.Who = who
	return &e
}

// CloseException is CloseException done by who.
func (s Staff) CloseException(ctx context.Context, who, key, why string) error {
	return CloseException(ctx, s.as(who), key, why)
}

// RefundException is RefundException done by who.
func (s Staff) RefundException(ctx context.Context, who, key string, yen int64, on calendar.Date, why string) error {
	return RefundException(ctx, s.as(who), key, yen, on, why)
}

// CompleteTask is CompleteTask done by who.
func (s Staff) CompleteTask(ctx context.Context, who, key string) error {
	return CompleteTask(ctx, s.as(who), key)
}

// HoldContract is HoldContract done by who.
func (s Staff) HoldContract(ctx context.Context, who, no string, until calendar.Date, why string) error {
	return HoldContract(ctx, s.as(who), no, until, why)
}

// ResolvePayment is ResolvePayment done by who.
func (s Staff) ResolvePayment(ctx context.Context, who string, txn int64, invoices []string, fee int64, why string) error {
	return ResolvePayment(ctx, s.as(who), txn, invoices, fee, why)
}

// DecideRequest is DecideRequest done by who.
func (s Staff) DecideRequest(ctx context.Context, who string, id int64, decision, why string) (store.Request, error) {
	return DecideRequest(ctx, s.as(who), id, decision, why)
}

// MarkPosted is MarkPosted done by who.
func (s Staff) MarkPosted(ctx context.Context, who string, numbers []string) (int, error) {
	return MarkPosted(ctx, s.as(who), numbers)
}

// VoidInvoice is VoidInvoice done by who.
func (s Staff) VoidInvoice(ctx context.Context, who, number, why string, reissue bool) error {
	return VoidInvoice(ctx, s.as(who), number, why, reissue)
}

// Run reruns (or dry-runs) date as who, writing progress lines to progress.
func (s Staff) Run(ctx context.Context, who string, date calendar.Date, dry bool, progress io.Writer) ([]report.Summary, error) {
	e := s.as(who)
	e.Progress = progress
	return Run(ctx, e, Options{Date: date, DryRun: dry, Trigger: "manual"})
}

// BundleNumbers is BundleNumbers.
func (s Staff) BundleNumbers(ctx context.Context, day calendar.Date) ([]string, error) {
	return BundleNumbers(ctx, s.env, day)
}

// Report is the morning report of day, read live (BuildReport).
func (s Staff) Report(ctx context.Context, day calendar.Date) (report.Data, error) {
	return BuildReport(ctx, s.env, day)
}

// Requests lists the requests f selects, with their words filled in (RequestLineOf).
func (s Staff) Requests(ctx context.Context, f store.RequestFilter) ([]report.RequestLine, error) {
	rs, err := store.ListRequests(ctx, s.env.DB, f)
	out := make([]report.RequestLine, len(rs))
	for i, r := range rs {
		out[i] = RequestLineOf(r)
	}
	return out, err
}

// SearchEvidence is SearchEvidence.
func (s Staff) SearchEvidence(ctx context.Context, q store.EvidenceQuery) ([]evidence.Entry, error) {
	return SearchEvidence(ctx, s.env, q)
}
