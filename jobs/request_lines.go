package jobs

import (
	"context"

	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/report"
	"github.com/npress/nightly/store"
)

// requestWords are the mail intake's words the report's request lines use.
var requestWords = report.RequestWords{Field: mailintake.FieldJapanese, Registered: mailintake.RegisteredAddresses,
	Reason: func(r string) string { return mailintake.Reason(r).Japanese() }}

// RequestLineOf is a request with its words filled in, as `requests list` prints it.
func RequestLineOf(r store.Request) report.RequestLine { return report.RequestLineOf(r, requestWords) }

// requestLines reads the requests for the report (report.RequestLines).
func (n *Night) requestLines(ctx context.Context) ([]report.RequestLine, error) {
	rs, err := store.ListRequests(ctx, n.Q(), store.RequestFilter{})
	if err != nil {
		return nil, err
	}
	return report.RequestLines(rs, n.Date, requestWords), nil
}
