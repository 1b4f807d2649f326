package issuing

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/contract"
	"github.com/npress/nightly/invoice"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/templates"
)

// renewals builds n renewal invoices numbered from 1, as documents of day.
func renewals(t *testing.T, n int, day calendar.Date) []Document {
	t.Helper()
	terms, err := NewTerms("floor", 10)
	if err != nil {
		t.Fatal(err)
	}
	ns := calendar.New(2027, 4, 1)
	dates := contract.Renewal{IssueDate: day, DueDate: calendar.New(2027, 3, 18)}
	var docs []Document
	for i := range n {
		c := store.RenewalCandidate{Contract: store.Contract{No: fmt.Sprintf("NP-%07d", i+1), CustomerNo: "C-0001", TermStart: calendar.New(2026, 4, 1)},
			PlanName: "Microsoft 365 Business Standard", Recipient: store.Recipient{CustomerName: "株式会社テスト", PostalCode: "100-0001", Address: "東京都千代田区千代田1-1"}}
		row, inv, err := terms.Renewal(c, ns, dates, 18000, 1+i%5)
		if err != nil {
			t.Fatal(err)
		}
		row, _ = Rows(row, inv)
		row.Number = fmt.Sprintf("2027-%06d", i+1)
		inv.Number = row.Number
		docs = append(docs, InvoiceDocument(row, inv))
	}
	return docs
}

// The pipeline keeps every page, rendered, in the order fed; a page renders while the
// one before is kept; an error of keep stops it.
func TestPipeline(t *testing.T) {
	r, err := invoice.NewRenderer(templates.Open(""))
	if err != nil {
		t.Fatal(err)
	}
	day := calendar.New(2027, 3, 1)
	docs := renewals(t, 7, day)
	var kept []string
	p := NewPipeline(context.Background(), func() (*invoice.Renderer, error) { return r, nil }, func(page []Document) error {
		for _, d := range page {
			if len(d.PDF) == 0 || d.Pages != 1 {
				return fmt.Errorf("%s kept unrendered (%d bytes, %d pages)", d.Number, len(d.PDF), d.Pages)
			}
			kept = append(kept, d.Number)
		}
		return nil
	})
	defer p.Stop()
	for _, page := range [][]Document{docs[:3], docs[3:6], nil, docs[6:]} {
		if err := p.Feed(page); err != nil {
			t.Fatal(err)
		}
	}
	if len(kept) != 6 {
		t.Fatalf("kept %v before Flush; want the pages before the last", kept)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(kept) != "[2027-000001 2027-000002 2027-000003 2027-000004 2027-000005 2027-000006 2027-000007]" {
		t.Errorf("kept %v", kept)
	}
	batch, nums := Copies(docs, day)
	if len(batch["invoices"]) != 7 || len(nums) != 7 || batch["invoices"][0].Name != "2027-000001.pdf" {
		t.Errorf("copies: %d files, %v", len(batch["invoices"]), nums)
	}

	boom := errors.New("disk full")
	p = NewPipeline(context.Background(), func() (*invoice.Renderer, error) { return r, nil }, func([]Document) error { return boom })
	defer p.Stop()
	if err := p.Feed(renewals(t, 2, day)); err != nil {
		t.Fatal(err)
	}
	if err := p.Feed(renewals(t, 2, day)); !errors.Is(err, boom) {
		t.Errorf("Feed after a failed keep = %v, want %v", err, boom)
	}
}

func TestPricesReadOnce(t *testing.T) {
	p, reads := Prices{}, 0
	read := func() (int64, error) { reads++; return 18000, nil }
	day := calendar.New(2027, 3, 1)
	for range 3 {
		if v, err := p.Of("M365-BS", day, read); err != nil || v != 18000 {
			t.Fatalf("Of = %d, %v", v, err)
		}
	}
	if _, err := p.Of("M365-BS", day.AddDays(1), func() (int64, error) { return 0, errors.New("no rows") }); err == nil {
		t.Error("an error of read was not returned")
	}
	if reads != 1 {
		t.Errorf("read %d times, want once", reads)
	}
}
