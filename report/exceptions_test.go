package report

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

func TestMailOriginals(t *testing.T) {
	root := t.TempDir()
	day := filepath.Join(root, "out", "2026-12-03")
	stored := map[string]string{"aaa": filepath.Join(root, "evidence", "aa", "aaa.eml")}
	xs := []store.Exception{
		{NKey: wording.ExceptionMailMalformed + ":aaa", Kind: wording.ExceptionMailMalformed},
		{NKey: wording.ExceptionMailTooLarge + ":bbb", Kind: wording.ExceptionMailTooLarge}, // not in the store
		{NKey: "unknown_payer:aaa", Kind: "unknown_payer"},                                  // not about mail
	}
	got := MailOriginals(xs, day, func(sha string) string { return stored[sha] })
	want := map[string]string{wording.ExceptionMailMalformed + ":aaa": "../../evidence/aa/aaa.eml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MailOriginals = %v, want %v", got, want)
	}
}

func TestSuggestedCustomers(t *testing.T) {
	xs := []store.Exception{
		{Suggestions: store.Suggestions{{CustomerNo: "C2"}, {CustomerNo: ""}, {CustomerNo: "C1"}}},
		{Suggestions: store.Suggestions{{CustomerNo: "C2"}}},
		{},
	}
	if got := SuggestedCustomerNos(xs); !reflect.DeepEqual(got, []string{"C2", "C1"}) {
		t.Errorf("SuggestedCustomerNos = %v", got)
	}
	got := CustomersOf(map[string]store.Customer{"C1": {No: "C1", Name: "株式会社青葉商事", Kana: "アオバショウジ", Email: "x@example.jp"}})
	if want := map[string]Customer{"C1": {Name: "株式会社青葉商事", Kana: "アオバショウジ"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("CustomersOf = %v, want %v", got, want)
	}
}
