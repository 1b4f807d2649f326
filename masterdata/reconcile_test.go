package masterdata

import (
	"strings"
	"testing"

	"github.com/npress/nightly/calendar"
)

func TestReconcile(t *testing.T) {
	stored := Stored{
		Customers: map[string]Customer{
			"100001": {No: "100001", Name: "株式会社白鷺商事", Email: "keiri@shirasagi.co.jp", Country: "JP"},
			"100002": {No: "100002", Name: "東和物流株式会社", Contact: "佐藤", Country: "JP"},
		},
		Orders: map[string]Order{"EC-0001": {No: "EC-0001", Kind: New, CustomerNo: "100001", PlanCode: "M365-BB", Seats: 20,
			OrderDate: calendar.New(2026, 5, 8)}},
	}
	t.Run("customers created, updated and unchanged", func(t *testing.T) {
		f := &File{Kind: Customers, Columns: []string{"customer_no", "name", "email"}, Customers: []Customer{
			{No: "100003", Name: "新規株式会社", Line: 2},
			{No: "100001", Name: "株式会社白鷺商事", Email: "keiri@shirasagi.co.jp;it@shirasagi.co.jp", Line: 3},
			{No: "100002", Name: "東和物流株式会社", Line: 4}, // contact not in the file: kept
		}}
		r := Reconcile(f, stored)
		if r.Created != 1 || r.Updated != 1 || r.Unchanged != 1 || len(r.Errors) != 0 {
			t.Fatalf("created %d updated %d unchanged %d errors %v", r.Created, r.Updated, r.Unchanged, r.Errors)
		}
		if len(r.Customers) != 2 || r.Customers[0].Key != "100003" || !r.Customers[0].Created || r.Customers[1].Key != "100001" {
			t.Fatalf("pending %+v", r.Customers)
		}
		want := Change{Key: "100001", Field: "email", From: "keiri@shirasagi.co.jp", To: "keiri@shirasagi.co.jp;it@shirasagi.co.jp"}
		if len(r.Changes) != 1 || r.Changes[0] != want {
			t.Errorf("changes %+v; want %+v", r.Changes, want)
		}
		if got := r.Customers[1].Record; got.Country != "JP" || got.Line != 0 {
			t.Errorf("the update is not the stored record merged with the file: %+v", got)
		}
	})
	t.Run("a stored order given differently is refused, nothing to store", func(t *testing.T) {
		f := &File{Kind: Orders, Orders: []Order{
			{No: "EC-0002", Kind: New, CustomerNo: "100001", PlanCode: "M365-BB", Seats: 5, OrderDate: calendar.New(2026, 5, 9), Line: 2},
			{No: "EC-0001", Kind: New, CustomerNo: "100001", PlanCode: "M365-BB", Seats: 25, OrderDate: calendar.New(2026, 5, 8), Line: 3},
		}}
		r := Reconcile(f, stored)
		if len(r.Errors) != 1 || r.Errors[0].Line != 3 || r.Errors[0].Column != "seats" || !strings.Contains(r.Errors[0].Reason, "never changed by a file") {
			t.Fatalf("errors %+v", r.Errors)
		}
		if r.Created != 0 || len(r.Orders) != 0 || len(r.Changes) != 0 {
			t.Errorf("a refused file still has work: %+v", r)
		}
	})
	t.Run("the same order again is unchanged", func(t *testing.T) {
		f := &File{Kind: Orders, Orders: []Order{stored.Orders["EC-0001"]}}
		if r := Reconcile(f, stored); r.Unchanged != 1 || len(r.Orders) != 0 || len(r.Errors) != 0 {
			t.Errorf("%+v", r)
		}
	})
	t.Run("export is in key order", func(t *testing.T) {
		f := stored.File(Customers)
		if len(f.Customers) != 2 || f.Customers[0].No != "100001" || f.Customers[1].No != "100002" {
			t.Errorf("%+v", f.Customers)
		}
	})
}
